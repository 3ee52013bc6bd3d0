"""The asyncio driver of the download steps (:mod:`capella.downloads`).

Local folders are written by the ``AsyncDownloader``; S3 prefixes by the S3 sink over a
threaded ``Downloader`` on a worker thread (boto3 blocks). What is decided is
:class:`~capella.transfers.TransfersCore`'s; only the moving of bytes is asynchronous here.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from capella import orders
from capella.download import fanout, s3
from capella.download.async_engine import AsyncDownloader
from capella.download.engine import Downloader
from capella.downloads import FanOut, FanoutOf, SizeOf, Transfer
from capella.products import HrefCache
from capella.transfers import HANDLERS, TransfersCore

if TYPE_CHECKING:
    from capella._flow import Handoff
    from capella.aio._http import AsyncApiSession
    from capella.download.jobs import DownloadOutcome


class AsyncPresignedRefresher:
    """Fresh presigned hrefs of one order for the jobs of one download call (see HrefCache)."""

    def __init__(
        self, order_id: str, session: AsyncApiSession, items: Iterable[Mapping[str, Any]]
    ) -> None:
        self.cache = HrefCache(order_id, items)
        self._session = session
        self._lock = asyncio.Lock()

    async def fresh_href(self, stac_id: str, asset_key: str, stale: str) -> str:
        """A presigned href newer than ``stale`` for this asset (fetching one if needed)."""
        async with self._lock:
            if self.cache.needs_fetch(stac_id, asset_key, stale):
                session = self._session
                flow = orders.presigned_items(session, self.cache.order_id)
                self.cache.update(await session.run(flow))  # the order's items, refreshed
            return self.cache.href(stac_id, asset_key)

    def for_job(self, job: Any, threaded: bool) -> Callable[[], Any]:
        """The ``refresh`` of one job: a coroutine function, or for a thread a blocking one."""
        last: list[str] = [job.url]
        loop = asyncio.get_running_loop()

        async def refresh() -> str:
            fresh = await self.fresh_href(job.stac_id, job.asset_key, last[0])
            last[0] = fresh
            return fresh

        if threaded:  # the S3 sink runs on a worker thread: it waits for the event loop
            return lambda: asyncio.run_coroutine_threadsafe(refresh(), loop).result()
        return refresh


@attrs.define(eq=False)
class AsyncTransfers(TransfersCore):
    """The async client's drivers, created on first use, closed with the client.

    One ``AsyncDownloader`` for local folders; for S3 prefixes, a threaded ``Downloader`` with
    the same settings feeds the S3 sink.
    """

    engine: AsyncDownloader | None = attrs.field(default=None, init=False)
    threaded_engine: Downloader | None = attrs.field(default=None, init=False)

    def downloader(self) -> AsyncDownloader:
        """The asyncio downloader (created now if this is the first download)."""
        self.closed_check()
        if self.engine is None:
            self.engine = AsyncDownloader(self.settings, transport=self.transport, log=self.log)
        return self.engine

    def threaded(self) -> Downloader:
        """The threaded downloader of S3 destinations (no async transport: real HTTP)."""
        self.closed_check()
        if self.threaded_engine is None:
            self.threaded_engine = Downloader(self.settings, log=self.log)
        return self.threaded_engine

    async def aclose(self) -> None:
        """Close the downloaders' connections (if they were ever created)."""
        self.closed = True
        if self.threaded_engine is not None:
            self.threaded_engine.close()
        if self.engine is not None:
            engine, self.engine = self.engine, None
            await engine.aclose()

    async def perform(self, step: Handoff) -> Any:
        """Answer a download step (the session's ``handoff``)."""
        return await getattr(self, HANDLERS[type(step)])(step)

    async def size(self, step: SizeOf) -> int:
        """The presigned URL's size."""
        return await self.downloader().size(step.url)

    async def fanout_of(self, step: FanoutOf) -> fanout.Fanout:
        """The fan-out of a call with ``executor=``."""
        return self.fanout_for(step.executor)

    async def fan_out(self, step: FanOut) -> list[DownloadOutcome]:
        """Run the fanned-out jobs on their executor; await them without blocking the loop."""
        return await fanout.run_async(step.executor, step.run, show_progress=step.show_progress)

    async def transfer(self, step: Transfer) -> list[DownloadOutcome]:
        """Run the step's jobs, refreshing expired URLs from its order."""
        jobs, source, directory = step.jobs, step.source, step.directory
        if source is not None and source.order_id is not None:
            refresher = AsyncPresignedRefresher(source.order_id, self.session, source.items)
            jobs = self.refreshing(step, lambda job: refresher.for_job(job, directory.is_s3))
        options = self.sink_options(directory, step.options)
        if directory.is_s3:
            uploader = s3.S3Uploader(self.threaded(), log=self.log)
            return await asyncio.to_thread(functools.partial(uploader.run, jobs, **options))
        return await self.downloader().run(jobs, **options)
