"""What a client's driver does with the download steps (:mod:`capella.downloads`): threads here.

:class:`TransfersCore` is what both drivers hold and decide (settings, the client's travelling
state, which job refreshes from which order, which options a sink takes); :class:`Transfers`
moves the bytes on threads: the ``Downloader`` for local folders, the S3 sink for prefixes.
The asyncio driver is :mod:`capella.aio._transfers`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from capella import orders
from capella._config import ClientState, travelling
from capella._logging import ClientLog
from capella.download import fanout, s3
from capella.download.destination import Destination
from capella.download.engine import Downloader
from capella.download.settings import DownloadSettings
from capella.downloads import FanOut, FanoutOf, SizeOf, Transfer
from capella.products import HrefCache, Item

if TYPE_CHECKING:
    from capella._flow import Handoff
    from capella._http import ApiSession
    from capella.download.jobs import DownloadOutcome

# Which method of a driver answers which step.
HANDLERS: dict[type[Handoff], str] = {
    SizeOf: "size",
    Transfer: "transfer",
    FanoutOf: "fanout_of",
    FanOut: "fan_out",
}


@attrs.define(eq=False)
class TransfersCore:
    """What both drivers hold and decide; only moving the bytes differs.

    ``session`` runs the refreshes of expired URLs; ``state`` is what a fanned-out job
    carries (None: a custom transport, which cannot travel); ``owner`` the client's name.
    """

    settings: DownloadSettings
    session: Any
    transport: Any
    log: ClientLog
    state: ClientState | None
    owner: str
    closed: bool = attrs.field(default=False, init=False)
    lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def fanout_for(self, executor: object) -> fanout.Fanout:
        """The fan-out of one call: ``executor`` checked, the client's state to travel."""
        checked = fanout.checked_executor(executor)
        return fanout.Fanout(checked, travelling(self.state, self.owner))

    @staticmethod
    def refreshing(step: Transfer, for_job: Callable[[Any], Callable[[], Any]]) -> list[Any]:
        """The step's jobs, each with the ``refresh`` of its asset."""
        return [attrs.evolve(job, refresh=for_job(job)) for job in step.jobs]

    @staticmethod
    def sink_options(directory: Destination, options: Mapping[str, Any]) -> dict[str, Any]:
        """The run options the destination's sink takes (an S3 upload never resumes)."""
        return {k: v for k, v in options.items() if not (directory.is_s3 and k == "enable_resume")}

    def closed_check(self) -> None:
        """Refuse a download on a closed client."""
        if self.closed:
            raise RuntimeError("the client is closed")


class PresignedRefresher:
    """Fresh presigned hrefs of one order for the threaded jobs of one download call."""

    def __init__(
        self,
        order_id: str,
        fetch: Callable[[], list[Item]],
        items: Iterable[Mapping[str, Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cache = HrefCache(order_id, items, clock)
        self._fetch = fetch
        self._lock = threading.Lock()

    def fresh_href(self, stac_id: str, asset_key: str, stale: str) -> str:
        """A presigned href newer than ``stale`` for this asset (fetching one if needed)."""
        with self._lock:
            if self.cache.needs_fetch(stac_id, asset_key, stale):
                self.cache.update(self._fetch())
            return self.cache.href(stac_id, asset_key)

    def for_asset(self, stac_id: str, asset_key: str, href: str) -> Callable[[], str]:
        """The ``refresh`` callable of one job."""
        last = [href]

        def refresh() -> str:
            last[0] = self.fresh_href(stac_id, asset_key, last[0])
            return last[0]

        return refresh

    def for_job(self, job: Any) -> Callable[[], str]:
        """The ``refresh`` of a planned job (its asset and current URL)."""
        return self.for_asset(job.stac_id, job.asset_key, job.url)


@attrs.define(eq=False)
class Transfers(TransfersCore):
    """The sync client's driver: one ``Downloader``, created on first use, closed with it."""

    engine: Downloader | None = attrs.field(default=None, init=False)

    def downloader(self) -> Downloader:
        """The downloader (created now if this is the first download)."""
        with self.lock:
            self.closed_check()
            if self.engine is None:
                self.engine = Downloader(self.settings, transport=self.transport, log=self.log)
            return self.engine

    def close(self) -> None:
        """Close the downloader's connections (if it was ever created)."""
        with self.lock:
            self.closed = True
            if self.engine is not None:
                self.engine.close()
                self.engine = None

    def perform(self, step: Handoff) -> Any:
        """Answer a download step (the session's ``handoff``)."""
        return getattr(self, HANDLERS[type(step)])(step)

    def size(self, step: SizeOf) -> int:
        """The presigned URL's size."""
        return self.downloader().size(step.url)

    def fanout_of(self, step: FanoutOf) -> fanout.Fanout:
        """The fan-out of a call with ``executor=``."""
        return self.fanout_for(step.executor)

    def fan_out(self, step: FanOut) -> list[DownloadOutcome]:
        """Run the fanned-out jobs on their executor and wait for them."""
        return fanout.run(step.executor, step.run, show_progress=step.show_progress)

    def refresher(
        self, order_id: str, items: Iterable[Mapping[str, Any]], stac_ids: Sequence[str] | None
    ) -> PresignedRefresher:
        """Fresh URLs of ``order_id`` (only ``stac_ids``' items fetched, when given)."""
        session: ApiSession = self.session

        def fetch() -> list[Item]:
            return session.run(orders.presigned_items(session, order_id, stac_ids))

        return PresignedRefresher(order_id, fetch, items)

    def transfer(self, step: Transfer) -> list[DownloadOutcome]:
        """Run the step's jobs, refreshing expired URLs from its order."""
        jobs = step.jobs
        source = step.source
        if source is not None and source.order_id is not None:
            refresher = self.refresher(source.order_id, source.items, None)
            jobs = self.refreshing(step, refresher.for_job)
        return self.run_jobs(step.directory, jobs, step.options)

    def run_jobs(
        self, directory: Destination, jobs: list[Any], options: Mapping[str, Any]
    ) -> list[DownloadOutcome]:
        """Run jobs with the destination's sink; their outcomes, in job order (never raises)."""
        options = self.sink_options(directory, options)
        if directory.is_s3:
            return s3.S3Uploader(self.downloader(), log=self.log).run(jobs, **options)
        return self.downloader().run(jobs, **options)
