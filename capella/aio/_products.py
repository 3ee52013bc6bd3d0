"""Product downloads on asyncio: :mod:`capella.products`' selection, awaited orders and transfers.

Which assets of which items go where (``asset_filter``, ``product_type_filter``,
``filter_product_types``, ``plan_downloads``, ``stac_id_of``) is decided by the sync module's
functions; this module fetches presigned items, orders products on the fly and runs the
:class:`~capella.aio.download.AsyncDownloader`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import attrs

from capella._logging import ClientLog
from capella.aio._orders import AsyncOrderApi, AsyncSearchFn
from capella.aio.download import AsyncDownloader
from capella.download.engine import DownloadJob
from capella.download.paths import filename_from_url, safe_join
from capella.errors import CapellaConsoleClientError, InvalidInputError, raise_download_failure
from capella.orders import validate_uuid
from capella.products import (
    DEFAULT_DIR,
    MAX_SEARCH_LIMIT,
    REFRESH_WINDOW,
    AssetTypesLike,
    ProductTypesLike,
    asset_filter,
    filter_product_types,
    local_directory,
    log_plan,
    plan_downloads,
    presigned_hrefs,
    product_type_filter,
    stac_id_of,
)

Item = dict[str, Any]
PathLike = str | Path
AsyncCollectsFn = Callable[[str], Awaitable[list[dict[str, Any]]]]
AsyncRefresh = Callable[[], Awaitable[str]]


def local_folder(local_dir: object) -> Path:
    """The target folder (created if missing); S3 destinations are for the sync client."""
    is_s3 = isinstance(local_dir, str) and local_dir.lower().startswith("s3://")
    if is_s3 or not isinstance(local_dir, str | os.PathLike):
        raise InvalidInputError(
            f"cannot download to {local_dir}: the async client writes to local folders; "
            "use CapellaConsoleClient for S3 destinations"
        )
    return local_directory(os.fspath(local_dir))


class AsyncPresignedRefresher:
    """Fresh presigned hrefs of one order, shared by the jobs of one download call.

    When URLs expire, every file of the run sees a 403 at about the same time; the first
    refresh fetches ``GET /orders/{id}/download`` and the others reuse that answer.
    """

    def __init__(
        self,
        order_id: str,
        fetch: Callable[[], Awaitable[list[Item]]],
        items: Iterable[Mapping[str, Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.order_id = order_id
        self._fetch = fetch
        self._clock = clock
        self._lock = asyncio.Lock()
        self.presigned_hrefs = presigned_hrefs(items)
        self._fetched_at: float | None = None
        self.fetches = 0

    async def fresh_href(self, stac_id: str, asset_key: str, stale: str) -> str:
        """A presigned href newer than ``stale`` for this asset (fetching one if needed)."""
        async with self._lock:
            current = self.presigned_hrefs.get((stac_id, asset_key))
            recent = self._fetched_at is not None and (
                self._clock() - self._fetched_at < REFRESH_WINDOW
            )
            if current is None or (current == stale and not recent):
                self.presigned_hrefs = presigned_hrefs(await self._fetch())
                self._fetched_at = self._clock()
                self.fetches += 1
                current = self.presigned_hrefs.get((stac_id, asset_key))
            if current is None:
                raise CapellaConsoleClientError(
                    f"order {self.order_id} no longer lists asset {asset_key} of {stac_id}",
                    "ASSET_NOT_IN_ORDER",
                )
            return current

    def for_asset(self, stac_id: str, asset_key: str, href: str) -> AsyncRefresh:
        """The ``refresh`` coroutine function of one job."""
        last = [href]

        async def refresh() -> str:
            last[0] = await self.fresh_href(stac_id, asset_key, last[0])
            return last[0]

        return refresh


class AsyncDownloaderSlot:
    """The client's one :class:`AsyncDownloader`, created on first use, closed with the client."""

    def __init__(self, *, max_connections: int = 8, **options: Any) -> None:
        if max_connections < 1:
            raise InvalidInputError("download_connections must be at least 1")
        self._options = {"max_connections": max_connections, **options}
        self._downloader: AsyncDownloader | None = None
        self._closed = False

    def get(self) -> AsyncDownloader:
        """The downloader (created now if this is the first download)."""
        if self._closed:
            raise RuntimeError("the client is closed")
        if self._downloader is None:
            self._downloader = AsyncDownloader(**self._options)
        return self._downloader

    async def aclose(self) -> None:
        """Close the downloader's connections (if it was ever created)."""
        self._closed = True
        if self._downloader is not None:
            downloader, self._downloader = self._downloader, None
            await downloader.aclose()


def _local(path: object) -> Path:
    """A planned path, which is local: ``local_folder`` refused every other destination."""
    assert isinstance(path, Path), path
    return path


def _local_paths(paths: Mapping[str, Mapping[str, object]]) -> dict[str, dict[str, Path]]:
    return {stac_id: {k: _local(p) for k, p in assets.items()} for stac_id, assets in paths.items()}


def _job(url: str, path: Path, refresh: AsyncRefresh | None = None, **names: Any) -> DownloadJob:
    # DownloadJob types ``refresh`` as a plain function; the async engine awaits what it returns.
    return DownloadJob(url, path, refresh=cast("Callable[[], str] | None", refresh), **names)


@attrs.frozen
class AsyncProductDownloads:
    """Downloads bound to one async client: its orders, catalog search, collects, downloader."""

    orders: AsyncOrderApi
    search: AsyncSearchFn
    collects_for_task: AsyncCollectsFn
    downloader: AsyncDownloader
    log: ClientLog

    async def download_asset(
        self,
        pre_signed_url: str,
        local_path: PathLike = DEFAULT_DIR,
        override: bool = False,
        show_progress: bool = False,
        enable_resume: bool = True,
    ) -> Path:
        """Download one presigned URL to a file (a folder gets the URL's file name)."""
        if isinstance(local_path, str) and local_path.lower().startswith("s3://"):
            local_folder(local_path)  # raises: not supported here
        path = Path(local_path).expanduser()
        names_folder = isinstance(local_path, str) and local_path.endswith(("/", os.sep))
        if names_folder or path.is_dir():
            path = safe_join(local_folder(path), filename_from_url(pre_signed_url))
        outcomes = await self.downloader.run(
            [_job(pre_signed_url, path, asset_key="asset")],
            override=override,
            enable_resume=enable_resume,
            show_progress=show_progress,
            threaded=True,
        )
        raise_download_failure(outcomes, single_asset=True)
        return path

    async def download_products(
        self,
        items_presigned: Sequence[Mapping[str, Any]] | None = None,
        order_id: str | None = None,
        tasking_request_id: str | None = None,
        collect_id: str | None = None,
        local_dir: PathLike = DEFAULT_DIR,
        include: AssetTypesLike | None = None,
        exclude: AssetTypesLike | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool = False,
        separate_dirs: bool = True,
        product_types: ProductTypesLike | None = None,
        contract_id: str | None = None,
        enable_resume: bool = True,
    ) -> dict[str, dict[str, Path]]:
        """Download the assets of several products; ``{stac_id: {asset_key: path}}``."""
        include_keys = asset_filter(include, "include")
        exclude_keys = asset_filter(exclude, "exclude")
        types = product_type_filter(product_types)
        directory = local_folder(local_dir)

        refresher: AsyncPresignedRefresher | None = None
        if items_presigned:
            items = [dict(i) for i in items_presigned]
        elif order_id or tasking_request_id or collect_id:
            resolved = await self._resolve(
                order_id, tasking_request_id, collect_id, types, contract_id
            )
            if resolved is None:
                return {}
            resolved_id, items = resolved
            refresher = AsyncPresignedRefresher(
                resolved_id, lambda: self.orders.presigned_items(resolved_id), items
            )
        elif items_presigned is not None:
            self.log.warning("items_presigned is empty: nothing to download")
            return {}
        else:
            raise InvalidInputError(
                "please provide one of items_presigned, order_id, tasking_request_id or collect_id"
            )

        return await self._download(
            filter_product_types(items, types),
            refresher,
            directory,
            include_keys,
            exclude_keys,
            separate_dirs=separate_dirs,
            override=override,
            threaded=threaded,
            show_progress=show_progress,
            enable_resume=enable_resume,
        )

    async def _download(
        self,
        items: list[Item],
        refresher: AsyncPresignedRefresher | None,
        directory: Path,
        include: frozenset[str] | None,
        exclude: frozenset[str] | None,
        *,
        separate_dirs: bool,
        override: bool,
        threaded: bool,
        show_progress: bool,
        enable_resume: bool,
    ) -> dict[str, dict[str, Path]]:
        """Plan the jobs, run them, raise ``DownloadError`` if any failed after all finished."""
        plan = plan_downloads(items, directory, include, exclude, separate_dirs)
        log_plan(self.log, plan, directory)
        if not plan.assets:
            return _local_paths(plan.paths)
        jobs = [
            _job(
                a.url,
                _local(a.path),
                refresher.for_asset(a.stac_id, a.asset_key, a.url) if refresher else None,
                stac_id=a.stac_id,
                asset_key=a.asset_key,
            )
            for a in plan.assets
        ]
        outcomes = await self.downloader.run(
            jobs,
            override=override,
            enable_resume=enable_resume,
            show_progress=show_progress,
            threaded=threaded,
        )
        raise_download_failure(outcomes)
        return _local_paths(plan.paths)

    async def download_product(
        self,
        assets_presigned: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        order_id: str | None = None,
        local_dir: PathLike = DEFAULT_DIR,
        include: AssetTypesLike | None = None,
        exclude: AssetTypesLike | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool = False,
    ) -> dict[str, Path]:
        """Download the assets of one product (the first of an order); ``{asset_key: path}``."""
        include_keys = asset_filter(include, "include")
        exclude_keys = asset_filter(exclude, "exclude")
        directory = local_folder(local_dir)
        refresher: AsyncPresignedRefresher | None = None
        if assets_presigned:
            # get_presigned_assets() gives a list of asset mappings: take its first product.
            candidates: list[Mapping[str, Any]] = (
                [assets_presigned]
                if isinstance(assets_presigned, Mapping)
                else list(assets_presigned)
            )
            items: list[Item] = [{"assets": dict(a)} for a in candidates]
        elif order_id:
            the_order = order_id
            items = await self.orders.presigned_items(the_order)
            refresher = AsyncPresignedRefresher(
                the_order, lambda: self.orders.presigned_items(the_order), items
            )
        else:
            raise InvalidInputError("please provide either assets_presigned or order_id")
        if not items:
            self.log.warning("nothing to download")
            return {}
        if len(items) > 1:
            self.log.warning(
                "%d products given; downloading the first (%s)", len(items), stac_id_of(items[0])
            )
        paths = await self._download(
            items[:1],
            refresher,
            directory,
            include_keys,
            exclude_keys,
            separate_dirs=True,
            override=override,
            threaded=threaded,
            show_progress=show_progress,
            enable_resume=True,
        )
        return next(iter(paths.values()), {})

    async def _resolve(
        self,
        order_id: str | None,
        tasking_request_id: str | None,
        collect_id: str | None,
        product_types: frozenset[str] | None,
        contract_id: str | None,
    ) -> tuple[str, list[Item]] | None:
        """The order and its presigned items, ordering on the fly for a task or collect.

        None when a task or collect has no product to order (after a warning).
        """
        if order_id:
            return order_id, await self.orders.presigned_items(order_id)
        if tasking_request_id:
            collect_ids = [
                str(c["collectId"])
                for c in await self.collects_for_task(tasking_request_id)
                if c.get("collectId")
            ]
            if not collect_ids:
                self.log.warning("tasking request %s has no collects", tasking_request_id)
                return None
        else:
            collect_ids = [validate_uuid(str(collect_id), "collect id")]
        return await self._order_collects(collect_ids, product_types, contract_id)

    async def _order_collects(
        self,
        collect_ids: list[str],
        product_types: frozenset[str] | None,
        contract_id: str | None,
    ) -> tuple[str, list[Item]] | None:
        """Order every product of the collects (or reuse an active order containing them)."""
        filters: dict[str, Any] = {"collect_id__in": collect_ids, "limit": MAX_SEARCH_LIMIT}
        if product_types:
            filters["product_type__in"] = sorted(product_types)
        found = list(await self.search(**filters))
        if not found:
            self.log.warning(
                "no STAC items found for collect%s %s%s: nothing to order or download",
                "" if len(collect_ids) == 1 else "s",
                ", ".join(collect_ids),
                f" with product types {', '.join(sorted(product_types))}" if product_types else "",
            )
            return None
        order_id = await self.orders.submit(
            items=found, omit_search=True, check_active_orders=True, contract_id=contract_id
        )
        stac_ids = [stac_id_of(i) for i in found]
        return order_id, await self.orders.presigned_items(order_id, stac_ids)
