"""Product downloads: which assets of which items go where, and ordering products on the fly.

The transfer itself is :class:`capella.download.engine.Downloader`'s job; this module decides the
jobs. Filters are validated before anything is ordered or fetched: a typo in ``include``,
``exclude`` or ``product_types`` raises instead of widening the download.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs
import httpx

from capella._logging import ClientLog
from capella.download import s3
from capella.download.engine import (
    DEFAULT_SEGMENT_THRESHOLD,
    Downloader,
    DownloadJob,
)
from capella.download.paths import filename_from_url, safe_join
from capella.enumerations import AssetType, ProductType
from capella.errors import CapellaConsoleClientError, InvalidInputError, raise_download_failure
from capella.orders import OrderApi, SearchFn, validate_uuid

if TYPE_CHECKING:
    from cloudpathlib import S3Path

Item = dict[str, Any]
PathLike = str | Path
AssetTypesLike = str | AssetType | Iterable[str | AssetType]
ProductTypesLike = str | ProductType | Iterable[str | ProductType]
CollectsFn = Callable[[str], list[dict[str, Any]]]

DEFAULT_DIR = Path(tempfile.gettempdir())
RASTER_KEYS = frozenset({"HH", "VV"})
# Licence texts are not product data (the reference SDK never downloads them either).
NOT_DOWNLOADABLE = frozenset({"license"})
# The assets whose href names the product, when an item has no ``id`` (reference behaviour).
MAIN_ASSET_KEYS = ("HH", "VV", "analytic_product", "changemap")
STAC_ID_IN_HREF = re.compile(r"CAPELLA_\w+_\w+_\w+_\d{14}_\d{14}")
# The catalog answers at most this many items per query.
MAX_SEARCH_LIMIT = 10_000
# Refreshes within this many seconds of a fetch reuse it: one GET serves a burst of 403s.
REFRESH_WINDOW = 5.0


# -- validation --------------------------------------------------------------------------------


def asset_filter(value: AssetTypesLike | None, name: str) -> frozenset[str] | None:
    """Validate ``include`` / ``exclude`` into asset keys (``raster``: HH and VV); None: all."""
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    if not values:
        return None
    keys: set[str] = set()
    for entry in values:
        key = entry.value if isinstance(entry, AssetType) else entry
        if not isinstance(key, str) or key not in AssetType:
            raise InvalidInputError(
                f"invalid asset type {entry!r} in {name}; valid: {', '.join(AssetType.values())}",
                data={name: values},
            )
        keys.update(RASTER_KEYS if key == AssetType.raster.value else {key})
    return frozenset(keys)


def product_type_filter(value: ProductTypesLike | None) -> frozenset[str] | None:
    """Validate ``product_types`` (case-insensitive); None means every product type."""
    if value is None:
        return None
    values = [value] if isinstance(value, str) else list(value)
    if not values:
        return None
    types: set[str] = set()
    for entry in values:
        text = entry.value if isinstance(entry, ProductType) else entry
        if not isinstance(text, str) or text.upper() not in ProductType:
            raise InvalidInputError(
                f"invalid product type {entry!r} in product_types; "
                f"valid: {', '.join(ProductType.values())}",
                data={"product_types": values},
            )
        types.add(text.upper())
    return frozenset(types)


def local_directory(local_dir: PathLike) -> Path:
    """The target folder as a Path (created if missing)."""
    directory = Path(local_dir).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise InvalidInputError(f"{directory} exists and is not a folder") from None
    return directory


def destination(local_dir: PathLike | S3Path, log: ClientLog) -> Path | S3Path:
    """The target folder: a local Path (created if missing), or an S3 prefix (bucket checked)."""
    if s3.is_s3_destination(local_dir):
        prefix = s3.s3_path(local_dir)
        s3.check_destination(prefix, log)
        return prefix
    return local_directory(cast("PathLike", local_dir))


def _join(directory: Path | S3Path, name: str) -> Path | S3Path:
    """``directory / name`` with the same name rules for a local folder and an S3 prefix."""
    if isinstance(directory, Path):
        return safe_join(directory, name)
    return s3.s3_join(directory, name)


def warn_limited_resume(log: ClientLog, target: object, enable_resume: bool) -> None:
    """Say once per call that resume is limited for S3 destinations (the seeds promise it)."""
    if enable_resume:
        log.warning(
            "%s: S3 destinations have limited resume support: objects already in the bucket are "
            "skipped, but an upload interrupted in an earlier call starts over from byte 0",
            target,
        )


# -- selection ---------------------------------------------------------------------------------


def stac_id_of(item: Mapping[str, Any]) -> str:
    """The item's ``id``; without one, the STAC id in its main asset's href."""
    stac_id = item.get("id")
    if isinstance(stac_id, str) and stac_id:
        return stac_id
    assets = item.get("assets") or {}
    for key in MAIN_ASSET_KEYS:
        href = (assets.get(key) or {}).get("href")
        if isinstance(href, str):
            found = STAC_ID_IN_HREF.findall(href.split("?", 1)[0])
            if found:
                return str(found[-1])
    raise InvalidInputError(
        "cannot tell which product an item is: it has no 'id' and none of "
        f"{', '.join(MAIN_ASSET_KEYS)} has an href naming a STAC id"
    )


def select_asset_keys(
    assets: Mapping[str, Any],
    include: frozenset[str] | None,
    exclude: frozenset[str] | None,
) -> list[str]:
    """The asset keys to download, in the item's order (exclude wins over include)."""
    return [
        key
        for key in assets
        if key not in NOT_DOWNLOADABLE
        and (include is None or key in include)
        and (exclude is None or key not in exclude)
    ]


def filter_product_types(items: Iterable[Item], product_types: frozenset[str] | None) -> list[Item]:
    """The items whose ``sar:product_type`` is one of ``product_types`` (all when None)."""
    if product_types is None:
        return list(items)
    return [
        item
        for item in items
        if str((item.get("properties") or {}).get("sar:product_type", "")).upper() in product_types
    ]


@attrs.frozen
class PlannedAsset:
    """One asset to fetch: which product and key, from where, to where."""

    stac_id: str
    asset_key: str
    url: str = attrs.field(repr=False)  # presigned: keep the signature out of reprs
    path: Path | S3Path


@attrs.frozen
class Plan:
    """The assets to fetch, and the result shape: ``{stac_id: {asset_key: path}}``."""

    assets: list[PlannedAsset]
    paths: dict[str, dict[str, Path | S3Path]]


def plan_downloads(
    items: Iterable[Mapping[str, Any]],
    local_dir: Path | S3Path,
    include: frozenset[str] | None = None,
    exclude: frozenset[str] | None = None,
    separate_dirs: bool = True,
) -> Plan:
    """Decide where every selected asset of every item goes.

    ``separate_dirs``: ``<local_dir>/<stac_id>/<file name>``, else ``<local_dir>/<file name>``;
    the file name is the last segment of the href's path. A product whose assets are all
    filtered out maps to an empty dict. Names that would leave the folder, and two assets that
    would land on one path, raise ``InvalidInputError``. ``local_dir`` may be an S3 prefix: keys
    follow the same layout and rules.
    """
    assets: list[PlannedAsset] = []
    paths: dict[str, dict[str, Path | S3Path]] = {}
    taken: dict[Path | S3Path, PlannedAsset] = {}
    for item in items:
        stac_id = stac_id_of(item)
        if stac_id in paths:  # the same product listed twice is fetched once
            continue
        directory = _join(local_dir, stac_id) if separate_dirs else local_dir
        item_assets = item.get("assets") or {}
        paths[stac_id] = {}
        for key in select_asset_keys(item_assets, include, exclude):
            href = (item_assets[key] or {}).get("href")
            if not isinstance(href, str) or not href:
                raise InvalidInputError(f"asset {key!r} of {stac_id} has no href")
            planned = PlannedAsset(stac_id, key, href, _join(directory, filename_from_url(href)))
            clash = taken.get(planned.path)
            if clash is not None:
                raise InvalidInputError(
                    f"{stac_id}/{key} and {clash.stac_id}/{clash.asset_key} would both be written "
                    f"to {planned.path}" + ("" if separate_dirs else "; use separate_dirs=True")
                )
            taken[planned.path] = planned
            assets.append(planned)
            paths[stac_id][key] = planned.path
    return Plan(assets, paths)


# -- presigned URL refresh ---------------------------------------------------------------------


def log_plan(log: ClientLog, plan: Plan, directory: object) -> None:
    """Log what a download is about to fetch, and which products have nothing to fetch."""
    log.info(
        "downloading %d asset%s of %d product%s to %s",
        len(plan.assets),
        "" if len(plan.assets) == 1 else "s",
        len(plan.paths),
        "" if len(plan.paths) == 1 else "s",
        directory,
    )
    empty = [stac_id for stac_id, assets in plan.paths.items() if not assets]
    if empty:
        log.info("no asset of %s matches include/exclude", ", ".join(empty))


def presigned_hrefs(items: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """Map ``(stac_id, asset_key)`` to each asset's presigned href."""
    out: dict[tuple[str, str], str] = {}
    for item in items:
        stac_id = stac_id_of(item)
        for key, asset in (item.get("assets") or {}).items():
            href = asset.get("href") if isinstance(asset, Mapping) else None
            if isinstance(href, str):
                out[(stac_id, key)] = href
    return out


class PresignedRefresher:
    """Fresh presigned hrefs of one order, shared by the jobs of one download call.

    When URLs expire, every file of the run sees a 403 at about the same time; the first
    refresh fetches ``GET /orders/{id}/download`` and the others reuse that answer.
    """

    def __init__(
        self,
        order_id: str,
        fetch: Callable[[], list[Item]],
        items: Iterable[Mapping[str, Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.order_id = order_id
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self.presigned_hrefs = presigned_hrefs(items)
        self._fetched_at: float | None = None
        self.fetches = 0

    def fresh_href(self, stac_id: str, asset_key: str, stale: str) -> str:
        """A presigned href newer than ``stale`` for this asset (fetching one if needed)."""
        with self._lock:
            current = self.presigned_hrefs.get((stac_id, asset_key))
            recent = self._fetched_at is not None and (
                self._clock() - self._fetched_at < REFRESH_WINDOW
            )
            if current is None or (current == stale and not recent):
                self.presigned_hrefs = presigned_hrefs(self._fetch())
                self._fetched_at = self._clock()
                self.fetches += 1
                current = self.presigned_hrefs.get((stac_id, asset_key))
            if current is None:
                raise CapellaConsoleClientError(
                    f"order {self.order_id} no longer lists asset {asset_key} of {stac_id}",
                    "ASSET_NOT_IN_ORDER",
                )
            return current

    def for_asset(self, stac_id: str, asset_key: str, href: str) -> Callable[[], str]:
        """The ``refresh`` callable of one job."""
        last = [href]

        def refresh() -> str:
            last[0] = self.fresh_href(stac_id, asset_key, last[0])
            return last[0]

        return refresh


# -- the client's downloader ------------------------------------------------------------------


class DownloaderSlot:
    """The client's one :class:`Downloader`, created on first use and closed with the client."""

    def __init__(
        self,
        *,
        max_connections: int = 8,
        segment_threshold: int = DEFAULT_SEGMENT_THRESHOLD,
        transport: httpx.BaseTransport | None = None,
        log: ClientLog | None = None,
    ) -> None:
        if max_connections < 1:
            raise InvalidInputError("download_connections must be at least 1")
        if segment_threshold < 1:
            raise InvalidInputError("segment_threshold must be a positive number of bytes")
        self.max_connections = max_connections
        self.segment_threshold = segment_threshold
        self._transport = transport
        self._log = log
        self._lock = threading.Lock()
        self._downloader: Downloader | None = None
        self._closed = False

    def get(self) -> Downloader:
        """The downloader (created now if this is the first download)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the client is closed")
            if self._downloader is None:
                self._downloader = Downloader(
                    max_connections=self.max_connections,
                    segment_threshold=self.segment_threshold,
                    transport=self._transport,
                    log=self._log,
                )
            return self._downloader

    def close(self) -> None:
        """Close the downloader's connections (if it was ever created)."""
        with self._lock:
            self._closed = True
            if self._downloader is not None:
                self._downloader.close()
                self._downloader = None


# -- orchestration -----------------------------------------------------------------------------


@attrs.frozen
class ProductDownloads:
    """Downloads bound to one client: its orders, catalog search, collects and downloader."""

    orders: OrderApi
    search: SearchFn
    collects_for_task: CollectsFn
    downloader: Downloader
    log: ClientLog

    def download_asset(
        self,
        pre_signed_url: str,
        local_path: PathLike | S3Path = DEFAULT_DIR,
        override: bool = False,
        show_progress: bool = False,
        enable_resume: bool = True,
    ) -> Path | S3Path:
        """Download one presigned URL to a file or S3 object (a folder gets the URL's file name)."""
        if s3.is_s3_destination(local_path):
            return self._asset_to_s3(
                pre_signed_url, local_path, override, show_progress, enable_resume
            )
        local_path = cast("PathLike", local_path)
        path = Path(local_path).expanduser()
        names_folder = isinstance(local_path, str) and local_path.endswith(("/", os.sep))
        if names_folder or path.is_dir():
            path = safe_join(local_directory(path), filename_from_url(pre_signed_url))
        job = DownloadJob(pre_signed_url, path, asset_key="asset")
        outcomes = self.downloader.run(
            [job],
            override=override,
            enable_resume=enable_resume,
            show_progress=show_progress,
            threaded=True,
        )
        raise_download_failure(outcomes, single_asset=True)
        return path

    def _asset_to_s3(
        self,
        pre_signed_url: str,
        local_path: object,
        override: bool,
        show_progress: bool,
        enable_resume: bool,
    ) -> S3Path:
        """``download_asset`` into S3: an object key, or a prefix that gets the URL's file name."""
        target = s3.s3_path(local_path)
        s3.check_destination(target, self.log)
        if s3.names_folder(target):
            target = s3.s3_join(target, filename_from_url(pre_signed_url))
        warn_limited_resume(self.log, target, enable_resume)
        job = s3.S3Job(pre_signed_url, target, asset_key="asset")
        outcomes = self._uploader().run([job], override=override, show_progress=show_progress)
        raise_download_failure(outcomes, single_asset=True)
        return target

    def _uploader(self) -> s3.S3Uploader:
        """The S3 side of this client's downloader (same connections, retries and logger)."""
        return s3.S3Uploader(self.downloader, log=self.log)

    def download_products(
        self,
        items_presigned: Sequence[Mapping[str, Any]] | None = None,
        order_id: str | None = None,
        tasking_request_id: str | None = None,
        collect_id: str | None = None,
        local_dir: PathLike | S3Path = DEFAULT_DIR,
        include: AssetTypesLike | None = None,
        exclude: AssetTypesLike | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool = False,
        separate_dirs: bool = True,
        product_types: ProductTypesLike | None = None,
        contract_id: str | None = None,
        enable_resume: bool = True,
    ) -> dict[str, dict[str, Path | S3Path]]:
        """Download the assets of several products; ``{stac_id: {asset_key: path}}``."""
        include_keys = asset_filter(include, "include")
        exclude_keys = asset_filter(exclude, "exclude")
        types = product_type_filter(product_types)
        directory = destination(local_dir, self.log)

        refresher: PresignedRefresher | None = None
        if items_presigned:
            items = [dict(i) for i in items_presigned]
        elif order_id or tasking_request_id or collect_id:
            resolved = self._resolve(order_id, tasking_request_id, collect_id, types, contract_id)
            if resolved is None:
                return {}
            order_id, items = resolved
            refresher = PresignedRefresher(
                order_id, lambda: self.orders.presigned_items(str(order_id)), items
            )
        elif items_presigned is not None:
            self.log.warning("items_presigned is empty: nothing to download")
            return {}
        else:
            raise InvalidInputError(
                "please provide one of items_presigned, order_id, tasking_request_id or collect_id"
            )

        return self._download(
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

    def _download(
        self,
        items: list[Item],
        refresher: PresignedRefresher | None,
        directory: Path | S3Path,
        include: frozenset[str] | None,
        exclude: frozenset[str] | None,
        *,
        separate_dirs: bool,
        override: bool,
        threaded: bool,
        show_progress: bool,
        enable_resume: bool,
    ) -> dict[str, dict[str, Path | S3Path]]:
        """Plan the jobs, run them, raise ``DownloadError`` if any failed after all finished."""
        plan = plan_downloads(items, directory, include, exclude, separate_dirs)
        log_plan(self.log, plan, directory)
        if not plan.assets:
            return plan.paths

        def refresh(a: PlannedAsset) -> Callable[[], str] | None:
            return refresher.for_asset(a.stac_id, a.asset_key, a.url) if refresher else None

        if isinstance(directory, Path):
            jobs = [
                DownloadJob(
                    a.url,
                    cast("Path", a.path),
                    stac_id=a.stac_id,
                    asset_key=a.asset_key,
                    refresh=refresh(a),
                )
                for a in plan.assets
            ]
            outcomes = self.downloader.run(
                jobs,
                override=override,
                enable_resume=enable_resume,
                show_progress=show_progress,
                threaded=threaded,
            )
        else:
            warn_limited_resume(self.log, directory, enable_resume)
            s3_jobs = [
                s3.S3Job(
                    a.url,
                    cast("S3Path", a.path),
                    stac_id=a.stac_id,
                    asset_key=a.asset_key,
                    refresh=refresh(a),
                )
                for a in plan.assets
            ]
            outcomes = self._uploader().run(
                s3_jobs, override=override, show_progress=show_progress, threaded=threaded
            )
        raise_download_failure(outcomes)
        return plan.paths

    def download_product(
        self,
        assets_presigned: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        order_id: str | None = None,
        local_dir: PathLike | S3Path = DEFAULT_DIR,
        include: AssetTypesLike | None = None,
        exclude: AssetTypesLike | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool = False,
    ) -> dict[str, Path | S3Path]:
        """Download the assets of one product (the first of an order); ``{asset_key: path}``."""
        include_keys = asset_filter(include, "include")
        exclude_keys = asset_filter(exclude, "exclude")
        directory = destination(local_dir, self.log)
        refresher: PresignedRefresher | None = None
        if assets_presigned:
            # get_presigned_assets() gives a list of asset mappings: take its first product.
            candidates: list[Mapping[str, Any]] = (
                [assets_presigned]
                if isinstance(assets_presigned, Mapping)
                else list(assets_presigned)
            )
            items: list[Item] = [{"assets": dict(a)} for a in candidates]
        elif order_id:
            items = self.orders.presigned_items(order_id)
            refresher = PresignedRefresher(
                order_id, lambda: self.orders.presigned_items(order_id), items
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
        paths = self._download(
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

    def _resolve(
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
            return order_id, self.orders.presigned_items(order_id)
        if tasking_request_id:
            collect_ids = [
                str(c["collectId"])
                for c in self.collects_for_task(tasking_request_id)
                if c.get("collectId")
            ]
            if not collect_ids:
                self.log.warning("tasking request %s has no collects", tasking_request_id)
                return None
        else:
            collect_ids = [validate_uuid(str(collect_id), "collect id")]
        return self._order_collects(collect_ids, product_types, contract_id)

    def _order_collects(
        self,
        collect_ids: list[str],
        product_types: frozenset[str] | None,
        contract_id: str | None,
    ) -> tuple[str, list[Item]] | None:
        """Order every product of the collects (or reuse an active order containing them)."""
        filters: dict[str, Any] = {"collect_id__in": collect_ids, "limit": MAX_SEARCH_LIMIT}
        if product_types:
            filters["product_type__in"] = sorted(product_types)
        found = list(self.search(**filters))
        if not found:
            self.log.warning(
                "no STAC items found for collect%s %s%s: nothing to order or download",
                "" if len(collect_ids) == 1 else "s",
                ", ".join(collect_ids),
                f" with product types {', '.join(sorted(product_types))}" if product_types else "",
            )
            return None
        order_id = self.orders.submit(
            items=found, omit_search=True, check_active_orders=True, contract_id=contract_id
        )
        stac_ids = [stac_id_of(i) for i in found]
        return order_id, self.orders.presigned_items(order_id, stac_ids)
