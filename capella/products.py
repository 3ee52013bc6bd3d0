"""Product downloads: which assets of which items go where, and ordering products on the fly.

The transfer itself is :class:`capella.download.engine.Downloader`'s job; this module decides the
jobs. Filters are validated before anything is ordered or fetched: a typo in ``include``,
``exclude`` or ``product_types`` raises instead of widening the download.
"""

from __future__ import annotations

import enum
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from capella import orders, pagination
from capella._flow import Context, Flow
from capella._logging import ClientLog
from capella.download.destination import Destination, LocalFolder, destination_for
from capella.download.paths import filename_from_url
from capella.enumerations import AssetType, ProductType
from capella.errors import CapellaConsoleClientError, InvalidInputError
from capella.orders import validate_uuid
from capella.tasking import read

if TYPE_CHECKING:
    from cloudpathlib import S3Path

Item = dict[str, Any]
AssetTypesLike = str | AssetType | Iterable[str | AssetType]
ProductTypesLike = str | ProductType | Iterable[str | ProductType]

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


def _entries(value: object, name: str, kind: str) -> list[Any]:
    """A filter's entries: one string, or an iterable of them (anything else is refused)."""
    if isinstance(value, str | enum.Enum):
        return [value]
    if not isinstance(value, Iterable):
        raise InvalidInputError(
            f"{name} must be {kind} or a list of them, not {type(value).__name__} {value!r}",
            data={name: value},
        )
    return list(value)


def asset_filter(value: AssetTypesLike | None, name: str) -> frozenset[str] | None:
    """Validate ``include`` / ``exclude`` into asset keys (``raster``: HH and VV); None: all."""
    if value is None:
        return None
    values = _entries(value, name, "an asset type")
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
    values = _entries(value, "product_types", "a product type")
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
    local_dir: Destination | Path,
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
    target = LocalFolder(local_dir) if isinstance(local_dir, Path) else local_dir
    assets: list[PlannedAsset] = []
    paths: dict[str, dict[str, Path | S3Path]] = {}
    taken: dict[Path | S3Path, PlannedAsset] = {}
    for item in items:
        stac_id = stac_id_of(item)
        if stac_id in paths:  # the same product listed twice is fetched once
            continue
        directory = target.join(target.root, stac_id) if separate_dirs else target.root
        item_assets = item.get("assets") or {}
        paths[stac_id] = {}
        for key in select_asset_keys(item_assets, include, exclude):
            href = (item_assets[key] or {}).get("href")
            if not isinstance(href, str) or not href:
                raise InvalidInputError(f"asset {key!r} of {stac_id} has no href")
            path = target.join(directory, filename_from_url(href))
            planned = PlannedAsset(stac_id, key, href, path)
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


class HrefCache:
    """The presigned hrefs of one order, and when they were last fetched (no I/O, no lock).

    When URLs expire, every file of the run sees a 403 at about the same time; the first
    refresh fetches ``GET /orders/{id}/download`` and the others reuse that answer.
    """

    def __init__(
        self,
        order_id: str,
        items: Iterable[Mapping[str, Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.order_id = order_id
        self.clock = clock
        self.presigned_hrefs = presigned_hrefs(items)
        self.fetched_at: float | None = None
        self.fetches = 0

    def needs_fetch(self, stac_id: str, asset_key: str, stale: str) -> bool:
        """Whether ``stale`` is all there is for this asset (no fetch within REFRESH_WINDOW)."""
        current = self.presigned_hrefs.get((stac_id, asset_key))
        recent = self.fetched_at is not None and self.clock() - self.fetched_at < REFRESH_WINDOW
        return current is None or (current == stale and not recent)

    def update(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Take the hrefs of a fresh fetch."""
        self.presigned_hrefs = presigned_hrefs(items)
        self.fetched_at = self.clock()
        self.fetches += 1

    def href(self, stac_id: str, asset_key: str) -> str:
        """The current href of this asset, or an error if the order no longer lists it."""
        current = self.presigned_hrefs.get((stac_id, asset_key))
        if current is None:
            raise CapellaConsoleClientError(
                f"order {self.order_id} no longer lists asset {asset_key} of {stac_id}",
                "ASSET_NOT_IN_ORDER",
            )
        return current


# -- what to download: operations (capella._flow), run by either client's session -------------


@attrs.frozen
class Source:
    """The items to download and, when they come from an order, its id (for refreshes)."""

    items: list[Item]
    order_id: str | None = None


def products_flow(
    ctx: Context,
    items_presigned: Sequence[Mapping[str, Any]] | None,
    order_id: str | None,
    tasking_request_id: str | None,
    collect_id: str | None,
    product_types: frozenset[str] | None,
    contract_id: str | None,
) -> Flow[Source | None]:
    """The items ``download_products`` fetches (None: nothing to fetch, after a warning)."""
    log = ctx.log
    if items_presigned is not None:
        items_presigned = mappings(items_presigned, "items_presigned", "presigned STAC items")
    if items_presigned:
        return Source([dict(i) for i in items_presigned])
    if order_id or tasking_request_id or collect_id:
        resolved = yield from resolve_flow(
            ctx, order_id, tasking_request_id, collect_id, product_types, contract_id
        )
        return None if resolved is None else Source(resolved[1], resolved[0])
    if items_presigned is not None:
        log.warning("items_presigned is empty: nothing to download")
        return None
    raise InvalidInputError(
        "please provide one of items_presigned, order_id, tasking_request_id or collect_id"
    )


def mappings(value: object, name: str, what: str) -> list[Mapping[str, Any]]:
    """``value`` as a list of mappings (a list of STAC items or of asset mappings), or refused."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"{name} must be a list of {what} (dicts), not {type(value).__name__} {value!r:.80}"
        )
    entries = list(value)
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise InvalidInputError(
                f"{name}[{i}] must be a dict ({what}), not {type(entry).__name__} {entry!r:.80}"
            )
    return entries


def product_flow(
    ctx: Context,
    assets_presigned: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    order_id: str | None,
) -> Flow[Source | None]:
    """The one product ``download_product`` fetches (None: nothing to fetch)."""
    source: Source
    if assets_presigned:
        # get_presigned_assets() gives a list of asset mappings: take its first product.
        candidates: list[Mapping[str, Any]] = (
            [assets_presigned]
            if isinstance(assets_presigned, Mapping)
            else mappings(assets_presigned, "assets_presigned", "asset mappings")
        )
        source = Source([{"assets": dict(a)} for a in candidates])
    elif order_id:
        source = Source((yield from orders.presigned_items(ctx, order_id)), order_id)
    else:
        raise InvalidInputError("please provide either assets_presigned or order_id")
    if not source.items:
        ctx.log.warning("nothing to download")
        return None
    if len(source.items) > 1:
        ctx.log.warning(
            "%d products given; downloading the first (%s)",
            len(source.items),
            stac_id_of(source.items[0]),
        )
    return Source(source.items[:1], source.order_id)


def resolve_flow(
    ctx: Context,
    order_id: str | None,
    tasking_request_id: str | None,
    collect_id: str | None,
    product_types: frozenset[str] | None,
    contract_id: str | None,
) -> Flow[tuple[str, list[Item]] | None]:
    """The order and its presigned items, ordering on the fly for a task or collect.

    None when a task or collect has no product to order (after a warning).
    """
    log = ctx.log
    if order_id:
        return order_id, (yield from orders.presigned_items(ctx, order_id))
    if tasking_request_id:
        collects = yield from read.get_collects_for_task(ctx, tasking_request_id)
        collect_ids = [str(c["collectId"]) for c in collects if c.get("collectId")]
        if not collect_ids:
            log.warning("tasking request %s has no collects", tasking_request_id)
            return None
    else:
        collect_ids = [validate_uuid(str(collect_id), "collect id")]
    # Order every product of the collects (or reuse an active order containing them).
    filters: dict[str, Any] = {"collect_id__in": collect_ids, "limit": MAX_SEARCH_LIMIT}
    if product_types:
        filters["product_type__in"] = sorted(product_types)
    found = list((yield from pagination.search_catalog(ctx, **filters)))
    if not found:
        log.warning(
            "no STAC items found for collect%s %s%s: nothing to order or download",
            "" if len(collect_ids) == 1 else "s",
            ", ".join(collect_ids),
            f" with product types {', '.join(sorted(product_types))}" if product_types else "",
        )
        return None
    new_order = yield from orders.submit(
        ctx, items=found, omit_search=True, check_active_orders=True, contract_id=contract_id
    )
    stac_ids = [stac_id_of(i) for i in found]
    return new_order, (yield from orders.presigned_items(ctx, new_order, stac_ids))


@attrs.frozen
class Request:
    """A ``download_products`` call, validated at the edge (filters, destination)."""

    directory: Destination
    include: frozenset[str] | None
    exclude: frozenset[str] | None
    product_types: frozenset[str] | None = None
    separate_dirs: bool = True

    @classmethod
    def build(
        cls,
        log: ClientLog,
        local_dir: object,
        include: AssetTypesLike | None,
        exclude: AssetTypesLike | None,
        product_types: ProductTypesLike | None = None,
        separate_dirs: bool = True,
    ) -> Request:
        """Validate the filters (before anything is ordered or fetched), then the destination."""
        include_keys = asset_filter(include, "include")
        exclude_keys = asset_filter(exclude, "exclude")
        types = product_type_filter(product_types)
        directory = destination_for(local_dir, log)
        return cls(directory, include_keys, exclude_keys, types, separate_dirs)

    def plan(self, log: ClientLog, source: Source) -> Plan:
        """Which assets go where (logged)."""
        items = filter_product_types(source.items, self.product_types)
        plan = plan_downloads(items, self.directory, self.include, self.exclude, self.separate_dirs)
        log_plan(log, plan, self.directory.root)
        return plan

    def jobs(self, plan: Plan) -> list[Any]:
        """One job per planned asset, for this destination's sink (refreshers: the driver's)."""
        return [
            self.directory.job(a.url, a.path, stac_id=a.stac_id, asset_key=a.asset_key)
            for a in plan.assets
        ]
