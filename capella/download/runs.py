"""What the threaded and the asyncio drivers share around a run: ``run`` itself and its plan.

``LocalDriver.run`` checks that the driver is open, refuses jobs that would write one path
twice, and hands a ``Plan`` to the driver's ``_execute``, which only moves bytes. The threaded
driver's ``_execute`` returns the outcomes; the asyncio driver's is a coroutine, so
``AsyncDownloader.run(...)`` is awaited.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

import attrs

from capella._logging import ClientLog
from capella.download.jobs import DownloadJob, DownloadOutcome
from capella.download.localfile import LocalFile, collect, deduplicate
from capella.download.progress import RunProgress, snapshot, watching
from capella.download.settings import Configured

F = TypeVar("F", bound=LocalFile)
R = TypeVar("R")


@attrs.frozen
class Plan(Generic[F]):
    """One run as both drivers start it."""

    files: list[F]  # every job's file, in job order
    todo: list[F]  # the files to fetch (the others were refused before any request)
    decided: dict[int, DownloadOutcome]  # the refused files' outcomes, by job index
    workers: int
    fresh: bool  # start every file over (no resume from an earlier run's part)
    adopt: bool  # a file already at its final path is checked, and kept when whole
    progress: RunProgress | None

    def size_urls(self) -> list[str]:
        """The URLs to probe before the first byte: the files to fetch, when a person watches."""
        wants = self.progress is not None and self.progress.wants_sizes
        return [f.url for f in self.todo] if wants else []

    def start_progress(self, found: Sequence[int | None]) -> None:
        """Start the progress display; ``found`` are the probed sizes of ``size_urls()``."""
        if self.progress is None:
            return
        # Not strict: with no probe round there are no sizes at all.
        sizes = {f.index: n for f, n in zip(self.todo, found, strict=False) if n is not None}
        self.progress.start(lambda: snapshot(self.files, self.decided, sizes))

    def outcomes(self, log: ClientLog) -> list[DownloadOutcome]:
        """Every job's outcome, in job order."""
        return collect(list(self.files), self.decided, log)


class LocalDriver(Configured, Generic[F, R]):
    """A driver that downloads into local files: ``run`` is written once, here."""

    _closed = False

    def _file(self, job: DownloadJob, index: int) -> F:
        raise NotImplementedError

    def _execute(self, plan: Plan[F]) -> R:
        raise NotImplementedError

    def run(
        self,
        jobs: Sequence[DownloadJob],
        *,
        override: bool = False,
        enable_resume: bool = True,
        show_progress: bool | RunProgress = False,
        threaded: bool = True,
    ) -> R:
        """Download every job; return their outcomes in job order (never raises per file).

        ``show_progress``: bars on stderr, or a ``RunProgress`` told of each outcome as it comes.
        An existing final file is checked by one request and skipped when whole, unless
        ``override``. ``enable_resume`` continues from ``.part`` files of earlier runs.
        ``threaded=False`` fetches one range at a time (``Downloader``: on the calling thread),
        without parallel ranges. Call ``raise_for_failures`` on the result to turn failures
        into one ``DownloadError``. ``AsyncDownloader.run`` is awaited.
        """
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed")
        files = [self._file(job, i) for i, job in enumerate(jobs)]
        todo, decided = deduplicate(files)
        plan = Plan(
            files,
            todo,
            decided,
            workers=self.max_connections if threaded else 1,
            fresh=override or not enable_resume,
            adopt=not override,
            progress=watching(show_progress),
        )
        return self._execute(plan)
