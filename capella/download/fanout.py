"""Bulk downloads fanned out over any ``concurrent.futures.Executor`` (processes, Dask, ...).

The caller plans once (which assets, which final paths) and submits one :class:`RemoteJob` per
asset; :func:`fetch` runs it where the executor puts it, with the same destination sinks and
protocol as a local download (``.part`` renamed into place, or a multipart upload completed only
when whole), so nothing partial ever sits at a final path or key. The caller gathers the
outcomes into the shape and typed aggregate error of the local path, and shows progress as jobs
finish. Nothing here is home-made distribution: retries of a lost worker are the engine's (Dask
reruns the task, which resumes from the part file on the shared folder); the sinks hold each
asset's cross-process lock (``capella.download.lock``) while they write it.

The client travels as its configuration (``capella._config.ClientState``): the API key goes to
the workers, which need it to refresh expired presigned URLs where the job runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, wait
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from capella._config import ClientState
from capella._redact import redact_url
from capella.download.destination import Destination, LocalFolder, S3Prefix
from capella.download.jobs import DownloadJob, DownloadOutcome, Status
from capella.download.progress import FileProgress, RunProgress, watching
from capella.errors import AssetDownloadError, InvalidInputError

if TYPE_CHECKING:
    from cloudpathlib import S3Path

    from capella.download.s3 import S3Job


def _url_repr(url: str) -> str:
    return repr(redact_url(url))


@attrs.frozen
class RemoteJob:
    """One asset for a worker: the travelling client, the presigned URL and the final target.

    ``target`` is a path of the shared folder, or an ``s3://`` URL that the worker opens with
    its own AWS environment (a boto3 client does not travel).
    """

    client: ClientState
    url: str = attrs.field(repr=_url_repr)
    target: Path | str
    stac_id: str | None = None
    asset_key: str | None = None
    order_id: str | None = None  # where a fresh presigned URL comes from on a 403
    override: bool = False
    enable_resume: bool = True


@attrs.frozen
class RemoteResult:
    """What a worker sends back: the outcome of its job, without the job (the caller has it)."""

    status: Status
    bytes: int
    transferred: int = 0
    error: BaseException | None = None


def portable(error: BaseException | None) -> BaseException | None:
    """``error`` if it survives pickling, else an ``AssetDownloadError`` with its text."""
    if error is None:
        return None
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:
        return AssetDownloadError(f"{type(error).__name__}: {error}")
    return error


def fetch(job: RemoteJob) -> RemoteResult:
    """Run one job where the executor put it (a worker process); never raises for the asset."""
    from capella.client import CapellaConsoleClient

    client = CapellaConsoleClient(**job.client.arguments())  # type: ignore[arg-type]
    try:
        transfers = client._downloads
        directory: Destination
        path: Path | S3Path
        if isinstance(job.target, Path):
            directory, path = LocalFolder(job.target.parent), job.target
        else:
            from cloudpathlib import S3Path

            # cloudpathlib's default client: the worker's AWS environment, set up once per worker
            # process (a client per job would cost ~0.2 s of boto3 model loading each time).
            s3_target = S3Path(job.target)
            directory, path = S3Prefix(s3_target.parent), s3_target
        refresh = None
        if job.order_id is not None and job.stac_id and job.asset_key:
            # Only this asset's item is fetched again, where the job runs.
            item = {"id": job.stac_id, "assets": {job.asset_key: {"href": job.url}}}
            refresher = transfers.refresher(job.order_id, [item], [job.stac_id])
            refresh = refresher.for_asset(job.stac_id, job.asset_key, job.url)
        sink = directory.job(
            job.url, path, stac_id=job.stac_id, asset_key=job.asset_key, refresh=refresh
        )
        # The sinks lock the asset across processes (capella.download.lock): two workers never
        # write one target, and a killed holder's lock goes with its process.
        options = {"override": job.override, "enable_resume": job.enable_resume}
        (outcome,) = transfers.run_jobs(
            directory, [sink], {**options, "show_progress": False, "threaded": True}
        )
    finally:
        client.close()
    return RemoteResult(outcome.status, outcome.bytes, outcome.transferred, portable(outcome.error))


class FanoutRun:
    """One fanned-out call on the caller's side: jobs submitted, outcomes gathered, progress."""

    def __init__(self, local: Sequence[DownloadJob | S3Job], remote: Sequence[RemoteJob]) -> None:
        self.local = list(local)
        self.remote = list(remote)
        self._lock = threading.Lock()
        self._outcomes: list[DownloadOutcome | None] = [None] * len(self.local)

    def submit(self, executor: Executor) -> list[Future[RemoteResult]]:
        """Submit one job per asset; each records its outcome when it finishes."""
        futures: list[Future[RemoteResult]] = []
        for index, job in enumerate(self.remote):
            future = executor.submit(fetch, job)
            future.add_done_callback(self._finisher(index))
            futures.append(future)
        return futures

    def _finisher(self, index: int) -> Callable[[Future[RemoteResult]], None]:
        def finish(future: Future[RemoteResult]) -> None:
            self.record(index, future)

        return finish

    def record(self, index: int, future: Future[RemoteResult]) -> None:
        """Turn a finished future into the job's outcome (an executor failure fails the asset)."""
        job = self.local[index]
        try:
            result = future.result()
        except Exception as exc:  # a lost or cancelled job fails its asset, as a cut would
            outcome = DownloadOutcome(job, "failed", 0, exc)
        else:
            outcome = DownloadOutcome(
                job, result.status, result.bytes, result.error, result.transferred
            )
        with self._lock:
            self._outcomes[index] = outcome

    def outcomes(self, futures: Sequence[Future[RemoteResult]]) -> list[DownloadOutcome]:
        """Every job's outcome in job order, once every future is done.

        Recorded here again: ``wait`` may return before a future's done-callback has run.
        """
        for index, future in enumerate(futures):
            self.record(index, future)
        with self._lock:
            return [o for o in self._outcomes if o is not None]

    def snapshot(self) -> list[FileProgress]:
        """Progress as the caller sees it: a file counts, with its bytes, once its job is back."""
        with self._lock:
            states = list(zip(self.local, self._outcomes, strict=True))
        return [
            FileProgress(
                job.path.name,
                outcome.bytes if outcome else 0,
                outcome.bytes if outcome else None,
                outcome is not None,
                outcome is not None,
                outcome is not None and outcome.status == "failed",
                outcome=outcome,
                job=job,
            )
            for job, outcome in states
        ]

    @contextlib.contextmanager
    def watching(
        self, futures: Sequence[Future[RemoteResult]], show: bool | RunProgress
    ) -> Iterator[None]:
        """Show progress (bars, or the caller's RunProgress) while the caller waits.

        Each outcome is reported as its job comes back; an interrupted wait cancels the rest.

        Cancelled jobs that had not started never start; running ones finish whole or not at all.
        """
        progress = watching(show)
        if progress is not None:
            progress.start(self.snapshot)
        try:
            yield
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        finally:
            if progress is not None:
                progress.stop()


def plan_run(
    client: ClientState,
    jobs: Sequence[DownloadJob | S3Job],
    order_id: str | None,
    *,
    override: bool,
    enable_resume: bool,
) -> FanoutRun:
    """The fan-out of one call: a remote job per local job, the same URL and final path."""
    remote = [
        RemoteJob(
            client,
            job.url,
            target_of(job.path),
            job.stac_id,
            job.asset_key,
            order_id,
            override,
            enable_resume,
        )
        for job in jobs
    ]
    return FanoutRun(jobs, remote)


def target_of(path: Path | S3Path) -> Path | str:
    """How a final path travels: a Path as is, an S3 path as its ``s3://`` URL."""
    return path if isinstance(path, Path) else str(path)


def run(
    executor: Executor, fanout: FanoutRun, *, show_progress: bool | RunProgress = False
) -> list[DownloadOutcome]:
    """Submit every job, wait for all of them and return their outcomes (the sync driver)."""
    futures = fanout.submit(executor)
    with fanout.watching(futures, show_progress):
        wait(futures)
    return fanout.outcomes(futures)


async def run_async(
    executor: Executor, fanout: FanoutRun, *, show_progress: bool | RunProgress = False
) -> list[DownloadOutcome]:
    """The asyncio driver: the same jobs, awaited without blocking the event loop."""
    futures = fanout.submit(executor)
    with fanout.watching(futures, show_progress):
        await asyncio.wait([asyncio.wrap_future(f) for f in futures])
    return fanout.outcomes(futures)


def checked_executor(executor: object) -> Executor:
    """``executor`` if it is a ``concurrent.futures.Executor``, else a clear error."""
    if not isinstance(executor, Executor):
        raise InvalidInputError(
            f"executor: expected a concurrent.futures.Executor (a ProcessPoolExecutor, or "
            f"a Dask Client's get_executor()), not {type(executor).__name__}"
        )
    return executor


@attrs.frozen
class Fanout:
    """A download call's executor and the client that travels to it (``executor=``)."""

    executor: Executor
    client: ClientState

    def plan(
        self, jobs: Sequence[DownloadJob | S3Job], order_id: str | None, **options: bool
    ) -> FanoutRun:
        """The remote jobs of one call (``override`` and ``enable_resume`` travel with them)."""
        return plan_run(self.client, jobs, order_id, **options)
