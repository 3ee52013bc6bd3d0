"""Search results: STAC items, tasking requests and repeat requests, with group-by.

Items stay dicts (``result[0]["properties"]["capella:collect_id"]`` works as with the
reference SDK): :class:`FeatureDict`, a ``dict`` subclass that only adds ``__geo_interface__``.
:meth:`StacSearchResult.stac_item` adds typed access on top, parsed on first use and cached, so
a 10,000-item search pays nothing for models nobody reads. Conversions to pystac and geopandas
live in ``interop.py``.
"""

from __future__ import annotations

import abc
import contextlib
import json
import logging
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar, cast, overload

from capella._gcpause import gc_paused
from capella.enumerations import BaseEnum
from capella.errors import InvalidFilterError
from capella.fields import UNKNOWN_GROUP, Place, field_for_group, suggest

if TYPE_CHECKING:
    import geopandas  # type: ignore[import-untyped]
    import pystac
    from capella_api.models import RepeatRequest, StacItem, TaskingRequest  # noqa: F401

    from capella import views
    from capella._logging import ClientLog

Feature = dict[str, Any]
R = TypeVar("R", bound="SearchResult")
M = TypeVar("M")

GC_PAUSE_ITEMS = 256  # pages from this many items are copied with the collector paused


class FeatureDict(dict[str, Any]):
    """A GeoJSON Feature from the API: a plain ``dict`` plus ``__geo_interface__``."""

    __slots__ = ()

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The Feature for shapely, geopandas & co.: id, bbox, geometry and properties.

        A new dict sharing the item's geometry and properties; STAC members (assets, links)
        are left out because GeoJSON readers have no use for them.
        """
        feature: dict[str, Any] = {"type": "Feature"}
        for member in ("id", "bbox"):
            if member in self:
                feature[member] = self[member]
        feature["geometry"] = self.get("geometry")
        feature["properties"] = self.get("properties")
        return feature


def _as_feature(item: Feature) -> FeatureDict:
    """``item`` as a FeatureDict: a shallow copy, or the item itself when it already is one."""
    return item if type(item) is FeatureDict else FeatureDict(item)


_LOGGER_NAME = "capella"


class SearchEntity(str, BaseEnum):
    """What a search result holds (used in log messages)."""

    STAC_ITEM = "STAC item"
    TASKING_REQUEST = "tasking request"
    REPEAT_REQUEST = "repeat request"


class GroupbyResult(dict[Hashable, R]):
    """Field value -> result of the same type holding the items with that value."""

    def __init__(self, groups: Iterable[tuple[Hashable, R]] = (), *, field_name: str = "") -> None:
        super().__init__(groups)
        self.field_name = field_name

    @property
    def _field_name(self) -> str:  # the reference SDK's attribute name
        return self.field_name

    def value_counts(self) -> dict[Hashable, int]:
        """Return the number of items per value."""
        return {key: len(group) for key, group in self.items()}

    def __repr__(self) -> str:
        return f"<GroupbyResult by {self.field_name} ({len(self)} keys)>"


def _group_key(value: Any) -> Hashable:
    """The reference SDK's grouping rules: lists (and dicts, by key) are joined with '-'."""
    if value is None:
        return UNKNOWN_GROUP
    if isinstance(value, list | dict | set):
        return "-".join(str(v) for v in value)
    if isinstance(value, Hashable):
        return value
    return str(value)


def _copy_json(value: Any) -> Any:
    """Copy nested dicts and lists (JSON data); much cheaper than ``copy.deepcopy``."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


class SearchResult(abc.ABC):
    """Items found by a search, in order: indexable, iterable, groupable, mergeable.

    ``request_body`` is the body of the search; pages are kept (``_pages``) without the items
    that were dropped as duplicates or trimmed by the limit.
    """

    entity: ClassVar[SearchEntity]
    _items_key: ClassVar[str]  # where a page lists its items

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __init__(
        self,
        request_body: dict[str, Any] | None = None,
        _pages: Iterable[dict[str, Any]] | None = None,
        _features: Iterable[Feature] | None = None,
    ) -> None:
        # Whether large pages are added with the collector paused (the client's gc_pause).
        self.gc_pause = True
        self.request_body: dict[str, Any] = request_body if request_body is not None else {}
        self._pages: list[dict[str, Any]] = list(_pages or [])
        self._features: list[FeatureDict] = [_as_feature(f) for f in _features or ()]
        # id(feature) -> (feature, model); the feature is kept so that its id is not reused
        self._models: dict[int, tuple[Feature, Any]] = {}

    def _model_at(self, index: int, model: Callable[[Feature], M]) -> M:
        """The item at ``index`` parsed by ``model`` (a generated ``from_dict``), cached."""
        feature = self._features[index]
        cached = self._models.get(id(feature))
        if cached is not None and cached[0] is feature:
            return cast(M, cached[1])
        parsed = model(feature)
        self._models[id(feature)] = (feature, parsed)
        return parsed

    # -- list-like ------------------------------------------------------------------------

    @overload
    def __getitem__(self, key: int) -> FeatureDict: ...
    @overload
    def __getitem__(self, key: slice) -> list[FeatureDict]: ...
    def __getitem__(self, key: int | slice) -> FeatureDict | list[FeatureDict]:
        return self._features[key]

    def __iter__(self) -> Iterator[FeatureDict]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, SearchResult)
        return self.request_body == other.request_body and self._features == other._features

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ({len(self)} {self.entity.value}{self.multiple_suffix})>"

    @property
    def multiple_suffix(self) -> str:
        """``"s"`` when the result holds more than one item."""
        return "s" if len(self) > 1 else ""

    # -- building -------------------------------------------------------------------------

    def add(self, page: dict[str, Any], keep_duplicates: bool = False) -> int:
        """Append the items of one API page; return how many were added.

        The page is not modified: the result keeps a shallow copy listing the items it kept,
        each a :class:`FeatureDict` (a shallow copy of the page's dict).
        """
        items = list(page.get(self._items_key) or [])
        # Copying a large page allocates as much as decoding it did: the collector would walk
        # every item already held (see capella._gcpause).
        pause = self.gc_pause and len(items) >= GC_PAUSE_ITEMS
        with gc_paused() if pause else contextlib.nullcontext():
            kept = [_as_feature(item) for item in self._accept(items, keep_duplicates)]
        self._pages.append({**page, self._items_key: kept})
        self._features.extend(kept)
        return len(kept)

    def _accept(self, items: list[Feature], keep_duplicates: bool) -> list[Feature]:
        """The items of a page to keep (all of them unless the subclass drops duplicates)."""
        return items

    def add_feature(self, feature: Feature) -> None:
        """Append one item (as a :class:`FeatureDict`)."""
        self._features.append(_as_feature(feature))

    def _truncate(self, limit: int | None = None) -> None:
        """Keep only the first ``limit`` items (default: the request's ``limit``)."""
        if limit is None:
            limit = self.request_body.get("limit")
        if not limit or len(self._features) <= limit:
            return
        self._features = self._features[:limit]
        budget = limit
        pages = []
        for page in self._pages:
            items = page.get(self._items_key) or []
            pages.append({**page, self._items_key: items[:budget]})
            budget = max(0, budget - len(items))
        self._pages = pages

    def _new(self, features: list[FeatureDict], pages: list[dict[str, Any]]) -> Self:
        return type(self)(dict(self.request_body), pages, features)

    def merge(self, other: SearchResult, keep_duplicates: bool = False) -> Self:
        """Return a new result with this result's items, then ``other``'s.

        Neither operand changes, and items ``other`` trimmed to its limit stay out.
        """
        merged = self._new(list(self._features), [dict(p) for p in self._pages])
        # ``other``'s items, not its pages: pages may list items a limit trimmed away.
        merged.add({self._items_key: list(other._features)}, keep_duplicates=keep_duplicates)
        return merged

    # -- output ---------------------------------------------------------------------------

    def to_feature_collection(self) -> dict[str, Any]:
        """Return the items as a GeoJSON FeatureCollection (a copy: edit it freely)."""
        return {"type": "FeatureCollection", "features": _copy_json(self._features)}

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The items as a FeatureCollection of their ``__geo_interface__`` Features."""
        return {
            "type": "FeatureCollection",
            "features": [feature.__geo_interface__ for feature in self._features],
        }

    def log_summary(
        self, with_request_body: bool = False, log: ClientLog | logging.Logger | None = None
    ) -> None:
        """Log the number of items found (and the request body) at INFO."""
        logger = log if log is not None else logging.getLogger(_LOGGER_NAME)
        if with_request_body:
            logger.info("request: %s", json.dumps(self.request_body, default=str))
        if not self:
            logger.info("found no %ss matching your query", self.entity.value)
        else:
            logger.info("found %d %s%s", len(self), self.entity.value, self.multiple_suffix)

    # -- group-by -------------------------------------------------------------------------

    def groupby(self, field: str) -> GroupbyResult[Self]:
        """Group the items by a field's value.

        Items without the field go under ``"unknown"``; list values are joined with ``"-"``
        (``["HH", "VV"]`` -> ``"HH-VV"``). An unsupported field raises InvalidFilterError.
        """
        value_of = self._group_value(field)
        groups: dict[Hashable, Self] = {}
        for feature in self._features:
            key = _group_key(value_of(feature))
            group = groups.get(key)
            if group is None:
                group = groups[key] = type(self)(dict(self.request_body))
            group.add_feature(feature)
        return GroupbyResult(groups.items(), field_name=field)

    @abc.abstractmethod
    def _group_value(self, field: str) -> Callable[[Feature], Any]:
        """A function reading ``field`` from an item; InvalidFilterError if unsupported."""

    # -- views (capella/views.py; the maps need the ``geo`` extra) -------------------------

    def _repr_html_(self) -> str:
        """A compact HTML table for Jupyter: a count line and the first rows, values escaped."""
        from capella import views

        return views.html_table(self._features, self.entity)

    def _layer(self, column: str | None, caller: str) -> views.Layer:
        """The map layer coloured by ``column``; InvalidFilterError naming ``caller``."""
        from capella import views

        field = views.colour_field(self.entity, column)
        try:
            value_of = self._group_value(field)
        except InvalidFilterError as exc:
            raise InvalidFilterError(f"{caller}(column={field!r}): {exc}") from None
        return views.Layer(self._features, self.entity, field, value_of)

    def explore(self, column: str | None = None, **kwargs: Any) -> Any:
        """The footprints on an interactive ``folium.Map`` coloured by ``column``.

        ``column`` is a field name as in :meth:`groupby` (``look_angle``, ``view:look_angle``;
        default: the product type, or the tier of requests). The tooltip shows the item's key
        properties; ``kwargs`` go to ``GeoDataFrame.explore``.
        """
        from capella import views

        return views.explore(self._layer(column, "explore"), **kwargs)

    def plot(self, column: str | None = None, ax: Any = None, **kwargs: Any) -> Any:
        """A static footprint map (matplotlib, no tiles) coloured by ``column``; the ``Axes``.

        ``column`` as in :meth:`explore`; ``kwargs`` go to ``GeoDataFrame.plot``.
        """
        from capella import views

        return views.plot(self._layer(column, "plot"), ax=ax, **kwargs)

    def to_png(self, column: str | None = None, **kwargs: Any) -> bytes:
        """The static footprint map of :meth:`plot` as PNG bytes (Agg, no display needed)."""
        from capella import views

        return views.png(self._layer(column, "to_png"), **kwargs)


class StacSearchResult(SearchResult):
    """STAC items from a catalog search (duplicate ids are dropped as pages are added)."""

    entity: ClassVar[SearchEntity] = SearchEntity.STAC_ITEM
    _items_key: ClassVar[str] = "features"
    # The ids of ``_features`` while that list is only appended to by ``add``; the class
    # values stand until the first ``add`` sets the instance's own.
    _ids: set[Any] | None = None
    _ids_of: list[FeatureDict] | None = None
    _ids_len = 0

    @property
    def stac_ids(self) -> list[str]:
        """The STAC ids, in order."""
        return [item["id"] for item in self._features]

    @property
    def collect_ids(self) -> list[str]:
        """The collect ids (``"N/A"`` when an item has none), in order."""
        return [
            (item.get("properties") or {}).get("capella:collect_id", "N/A")
            for item in self._features
        ]

    def _accept(self, items: list[Feature], keep_duplicates: bool) -> list[Feature]:
        # The ids seen so far are kept between pages; any other change to the items resets them.
        if self._ids is None or self._ids_of is not self._features or self._ids_len != len(self):
            self._ids = {item.get("id") for item in self._features}
        seen = self._ids
        if keep_duplicates:
            seen.update(item.get("id") for item in items)
            kept = items
        else:
            kept = []
            for item in items:
                key = item.get("id")
                if key not in seen:
                    seen.add(key)
                    kept.append(item)
        self._ids_of, self._ids_len = self._features, len(self) + len(kept)
        return kept

    def drop(self, stac_ids: Iterable[str]) -> None:
        """Remove the items with these ids; lower the pages' matched/returned counts."""
        dropping = set(stac_ids)
        if not dropping:
            return
        before = len(self._features)
        self._features = [f for f in self._features if f.get("id") not in dropping]
        total = before - len(self._features)
        if total:
            self._pages = [_drop_from_page(p, dropping, total) for p in self._pages]

    def _group_value(self, field: str) -> Callable[[Feature], Any]:
        spec = field_for_group(field)
        if spec.place is Place.ITEM:
            return lambda item: item.get(spec.wire)
        return lambda item: (item.get("properties") or {}).get(spec.wire)

    # -- typed access ---------------------------------------------------------------------

    def stac_item(self, index: int) -> StacItem:
        """The item at ``index`` as the generated ``capella_api.models.StacItem`` (cached)."""
        from capella_api.models import StacItem  # lazily: model imports cost start-up time

        return self._model_at(index, StacItem.from_dict)

    def stac_items(self) -> Iterator[StacItem]:
        """Iterate over the items as generated ``StacItem`` models, parsed on demand."""
        for index in range(len(self._features)):
            yield self.stac_item(index)

    # -- the geospatial stack (capella/interop.py) -----------------------------------------

    def to_pystac(self) -> pystac.ItemCollection:
        """Return the items as a ``pystac.ItemCollection`` (extra ``capella-sar[pystac]``)."""
        from capella.interop import to_pystac

        return to_pystac(self._features)

    def to_geodataframe(self) -> geopandas.GeoDataFrame:
        """Return a ``geopandas.GeoDataFrame`` of the items (extra ``capella-sar[geo]``).

        One row per item: ``geometry`` (EPSG:4326), ``id``, ``collection``, then one column per
        property under its STAC name (``sar:product_type``, ``datetime`` as text, ...).
        """
        from capella.interop import to_geodataframe

        return to_geodataframe(self._features)


def _drop_from_page(page: dict[str, Any], ids: set[str], total: int) -> dict[str, Any]:
    """A copy of ``page`` without ``ids``, its counts lowered as the reference SDK does."""
    page = dict(page)
    features = page.get("features") or []
    kept = [f for f in features if f.get("id") not in ids]
    dropped = len(features) - len(kept)
    page["features"] = kept
    if isinstance(page.get("numberMatched"), int):
        page["numberMatched"] -= total
    context = page.get("context")
    if isinstance(context, dict):
        context = page["context"] = dict(context)
        if isinstance(context.get("matched"), int):
            context["matched"] -= total
    if dropped:
        if isinstance(page.get("numberReturned"), int):
            page["numberReturned"] -= dropped
        if isinstance(context, dict) and isinstance(context.get("returned"), int):
            context["returned"] -= dropped
    return page


# The properties tasking and repeat request results can be grouped on (the reference SDK's).
_REQUEST_GROUPBY_FIELDS: frozenset[str] = frozenset(
    {
        "archiveHoldback",
        "billingEnvironment",
        "collectConstraints",
        "collectionTier",
        "collectionType",
        "contractId",
        "orgId",
        "organizationName",
        "repeatrequestId",
        "submissionTime",
        "userId",
        "userName",
        "windowDuration",
    }
)
TR_GROUPBY_FIELDS: frozenset[str] = _REQUEST_GROUPBY_FIELDS | {
    "customAttribute1",
    "customAttribute2",
    "processingConfig",
    "taskingrequestDescription",
    "taskingrequestId",
    "taskingrequestName",
    "taskingrequestType",
    "windowClose",
    "windowOpen",
}
RR_GROUPBY_FIELDS: frozenset[str] = _REQUEST_GROUPBY_FIELDS | {
    "repeatrequestDescription",
    "repeatrequestName",
    "repeatrequestType",
}


# The generated model (in ``capella_api.models``) of each kind of request.
_REQUEST_MODELS: dict[SearchEntity, str] = {
    SearchEntity.TASKING_REQUEST: "TaskingRequest",
    SearchEntity.REPEAT_REQUEST: "RepeatRequest",
}
_REQUEST_GROUPABLE: dict[SearchEntity, frozenset[str]] = {
    SearchEntity.TASKING_REQUEST: TR_GROUPBY_FIELDS,
    SearchEntity.REPEAT_REQUEST: RR_GROUPBY_FIELDS,
}


class _RequestSearchResult(SearchResult, Generic[M]):
    """Tasking or repeat requests: pages list them under ``results``; no de-duplication."""

    _items_key: ClassVar[str] = "results"

    def add(self, page: dict[str, Any], keep_duplicates: bool = False) -> int:
        """Append the requests of one API page (``page["results"]``); return how many."""
        return super().add(page, keep_duplicates=True)

    def _group_value(self, field: str) -> Callable[[Feature], Any]:
        groupable = _REQUEST_GROUPABLE[self.entity]
        if field not in groupable:
            raise InvalidFilterError(
                f"cannot group {self.entity.value}s by {field!r}:{suggest(field, groupable)}"
                f" groupable fields: {', '.join(sorted(groupable))}"
            )
        return lambda item: (item.get("properties") or {}).get(field)

    def request(self, index: int) -> M:
        """The request at ``index`` as its generated ``capella_api.models`` model (cached)."""
        import capella_api.models  # lazily: model imports cost start-up time

        model = getattr(capella_api.models, _REQUEST_MODELS[self.entity])
        return cast(M, self._model_at(index, model.from_dict))

    def requests(self) -> Iterator[M]:
        """Iterate over the requests as generated models, parsed on demand."""
        return map(self.request, range(len(self)))

    def _property_of_each(self, key: str) -> list[str]:
        return [item["properties"][key] for item in self._features]

    @property
    def repeat_request_ids(self) -> list[str]:
        """The repeat request ids, in order (``"N/A"`` for a tasking request of none)."""
        return [
            (item.get("properties") or {}).get("repeatrequestId", "N/A") for item in self._features
        ]


class TaskingRequestSearchResult(_RequestSearchResult["TaskingRequest"]):
    """Tasking requests found by ``search_tasking_requests``."""

    entity: ClassVar[SearchEntity] = SearchEntity.TASKING_REQUEST
    tasking_request = _RequestSearchResult.request
    tasking_requests = _RequestSearchResult.requests

    @property
    def tasking_request_ids(self) -> list[str]:
        """The tasking request ids, in order."""
        return self._property_of_each("taskingrequestId")


class RepeatRequestSearchResult(_RequestSearchResult["RepeatRequest"]):
    """Repeat requests found by ``search_repeat_requests``."""

    entity: ClassVar[SearchEntity] = SearchEntity.REPEAT_REQUEST
    repeat_request = _RequestSearchResult.request
    repeat_requests = _RequestSearchResult.requests
