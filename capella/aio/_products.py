"""Product downloads on asyncio: ``capella.products``' I/O-free flows and plans, awaited.

Jobs run on the ``AsyncDownloader`` (local folders) or the S3 sink on a thread (S3 prefixes).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from capella._logging import ClientLog
from capella.download import s3
from capella.download.async_engine import AsyncDownloader
from capella.download.destination import Destination, asset_destination
from capella.download.engine import Downloader
from capella.download.fanout import run_async
from capella.download.settings import DownloadSettings
from capella.errors import raise_download_failure
from capella.products import (
    DEFAULT_DIR,
    AssetTypesLike,
    DownloadOps,
    HrefCache,
    PlannedAsset,
    ProductTypesLike,
    Request,
    Source,
    drive_async,
    plan_fanout,
    product_flow,
    products_flow,
)

if TYPE_CHECKING:
    from cloudpathlib import S3Path

    from capella.download.fanout import Fanout
    from capella.download.progress import RunProgress

PathLike = str | Path


class AsyncPresignedRefresher:
    """Fresh presigned hrefs of one order for the jobs of one download call (see HrefCache)."""

    def __init__(
        self,
        order_id: str,
        fetch: Callable[[], Awaitable[list[dict[str, Any]]]],
        items: Iterable[Mapping[str, Any]],
    ) -> None:
        self.cache = HrefCache(order_id, items)
        self._fetch = fetch
        self._lock = asyncio.Lock()

    async def fresh_href(self, stac_id: str, asset_key: str, stale: str) -> str:
        """A presigned href newer than ``stale`` for this asset (fetching one if needed)."""
        async with self._lock:
            if self.cache.needs_fetch(stac_id, asset_key, stale):
                self.cache.update(await self._fetch())
            return self.cache.href(stac_id, asset_key)

    def for_asset(self, a: PlannedAsset, threaded: bool) -> Callable[[], Any]:
        """The ``refresh`` of one job: a coroutine function, or for a thread a blocking one."""
        last = [a.url]
        loop = asyncio.get_running_loop()

        async def refresh() -> str:
            last[0] = await self.fresh_href(a.stac_id, a.asset_key, last[0])
            return last[0]

        if threaded:  # the S3 sink runs on a worker thread: it waits for the event loop
            return lambda: asyncio.run_coroutine_threadsafe(refresh(), loop).result()
        return refresh


class AsyncDownloaderSlot:
    """The client's downloaders, created on first use, closed with the client.

    One ``AsyncDownloader`` for local folders; for S3 prefixes, a threaded ``Downloader`` with
    the same settings feeds the S3 sink (boto3 blocks, so it runs on worker threads).
    """

    def __init__(self, settings: DownloadSettings, **options: Any) -> None:
        self.settings = settings
        self._options = options
        self._downloader: AsyncDownloader | None = None
        self._threaded: Downloader | None = None
        self._closed = False

    def get(self) -> AsyncDownloader:
        """The asyncio downloader (created now if this is the first download)."""
        if self._closed:
            raise RuntimeError("the client is closed")
        if self._downloader is None:
            self._downloader = AsyncDownloader(self.settings, **self._options)
        return self._downloader

    def threaded(self) -> Downloader:
        """The threaded downloader of S3 destinations (no async transport: real HTTP)."""
        if self._threaded is None:
            self._threaded = Downloader(self.settings, log=self._options.get("log"))
        return self._threaded

    async def aclose(self) -> None:
        """Close the downloaders' connections (if they were ever created)."""
        self._closed = True
        if self._threaded is not None:
            self._threaded.close()
        if self._downloader is not None:
            downloader, self._downloader = self._downloader, None
            await downloader.aclose()


@attrs.frozen
class AsyncProductDownloads:
    """Downloads bound to one async client: its API operations, downloaders and logger."""

    ops: DownloadOps
    slot: AsyncDownloaderSlot
    log: ClientLog

    async def _run(
        self, directory: Destination, jobs: list[Any], *, single_asset: bool = False, **options: Any
    ) -> None:
        if directory.is_s3:
            options.pop("enable_resume", None)
            uploader = s3.S3Uploader(self.slot.threaded(), log=self.log)
            outcomes = await asyncio.to_thread(functools.partial(uploader.run, jobs, **options))
        else:
            outcomes = await self.slot.get().run(jobs, **options)
        raise_download_failure(outcomes, single_asset=single_asset)

    async def download_asset(
        self,
        pre_signed_url: str,
        local_path: PathLike | S3Path = DEFAULT_DIR,
        *,
        override: bool = False,
        show_progress: bool = False,
        enable_resume: bool = True,
    ) -> Path | S3Path:
        """Download one presigned URL to a file or S3 object (a folder gets the URL's name)."""
        directory, path = asset_destination(local_path, pre_signed_url, self.log)
        directory.warn_resume(self.log, enable_resume)
        job = directory.job(pre_signed_url, path, asset_key="asset")
        await self._run(
            directory,
            [job],
            single_asset=True,
            override=override,
            enable_resume=enable_resume,
            show_progress=show_progress,
            threaded=True,
        )
        return path

    async def download_products(
        self,
        items_presigned: Sequence[Mapping[str, Any]] | None = None,
        *,
        order_id: str | None = None,
        tasking_request_id: str | None = None,
        collect_id: str | None = None,
        local_dir: PathLike | S3Path = DEFAULT_DIR,
        include: AssetTypesLike | None = None,
        exclude: AssetTypesLike | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool | RunProgress = False,
        separate_dirs: bool = True,
        product_types: ProductTypesLike | None = None,
        contract_id: str | None = None,
        enable_resume: bool = True,
        fanout: Fanout | None = None,
    ) -> dict[str, dict[str, Path | S3Path]]:
        """Download the assets of several products; ``{stac_id: {asset_key: path}}``."""
        request = Request.build(self.log, local_dir, include, exclude, product_types, separate_dirs)
        flow = products_flow(
            self.log,
            items_presigned,
            order_id,
            tasking_request_id,
            collect_id,
            request.product_types,
            contract_id,
        )
        source = await drive_async(flow, self.ops)
        if source is None:
            return {}
        if fanout is not None:
            plan, run = plan_fanout(
                self.log, request, source, fanout, override=override, enable_resume=enable_resume
            )
            if run is not None:
                outcomes = await run_async(fanout.executor, run, show_progress=show_progress)
                raise_download_failure(outcomes)
            return plan.paths
        return await self._download(
            request, source, override, threaded, show_progress, enable_resume
        )

    async def _download(
        self,
        request: Request,
        source: Source,
        override: bool,
        threaded: bool,
        show_progress: bool | RunProgress,
        enable_resume: bool,
    ) -> dict[str, dict[str, Path | S3Path]]:
        """Plan the jobs, run them, raise ``DownloadError`` if any failed after all finished."""
        plan = request.plan(self.log, source)
        if not plan.assets:
            return plan.paths
        refresher = None
        if source.order_id is not None:
            fetch = functools.partial(self.ops.presigned_items, source.order_id)
            refresher = AsyncPresignedRefresher(source.order_id, fetch, source.items)
        is_s3 = request.directory.is_s3

        def refresh(a: PlannedAsset) -> Callable[[], Any] | None:
            return refresher.for_asset(a, is_s3) if refresher else None

        request.directory.warn_resume(self.log, enable_resume)
        await self._run(
            request.directory,
            request.jobs(plan, refresh),
            override=override,
            enable_resume=enable_resume,
            show_progress=show_progress,
            threaded=threaded,
        )
        return plan.paths

    async def download_product(
        self,
        assets_presigned: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        order_id: str | None = None,
        local_dir: PathLike | S3Path = DEFAULT_DIR,
        include: AssetTypesLike | None = None,
        exclude: AssetTypesLike | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool = False,
    ) -> dict[str, Path | S3Path]:
        """Download the assets of one product (the first of an order); ``{asset_key: path}``."""
        request = Request.build(self.log, local_dir, include, exclude)
        source = await drive_async(product_flow(self.log, assets_presigned, order_id), self.ops)
        if source is None:
            return {}
        paths = await self._download(request, source, override, threaded, show_progress, True)
        return next(iter(paths.values()), {})
