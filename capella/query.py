"""Catalog query translation: ``search(**filters)`` keywords to the request body.

For every valid input the body is the one the reference SDK sends, with one deliberate
difference: ``sortby`` on a prefixed property sends its wire name
(``properties.view:incidence_angle``, where the reference SDK sends
``properties.incidence_angle``). Unlike the reference SDK, which drops what it does not know and
searches anyway, every problem raises :class:`InvalidFilterError` before any request is sent.
"""

from __future__ import annotations

import json
import math
import numbers
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

import attrs

from capella.enumerations import BaseEnum, OwnershipOption
from capella.errors import InvalidFilterError
from capella.fields import (
    BY_NAME,
    FILTER_NAMES,
    OPERATORS,
    SORTABLE,
    Field,
    GeoInterface,
    Kind,
    suggest,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_ITEMS",
    "MAX_PAGE_SIZE",
    "CatalogQuery",
    "InvalidFilterError",
    "antimeridian_warning",
    "build_query",
    "check_bbox",
    "format_datetime",
    "format_geometry",
    "sort_payload",
]

DEFAULT_LIMIT = 500
MAX_ITEMS = 10_000  # the catalog never returns items past this position
MAX_PAGE_SIZE = 900

_DIRECTIONS = {"+": "asc", "-": "desc"}
# Keywords that are not fields; ``threaded`` is read by pagination, not sent.
_OPTIONS = ("sortby", "ownership", "threaded")


@attrs.frozen
class CatalogQuery:
    """A validated catalog search: the request body, the item limit and the fetch mode."""

    body: dict[str, Any]
    threaded: bool = False

    @property
    def limit(self) -> int:
        """The maximum number of items to return."""
        return int(self.body["limit"])


def build_query(
    filters: Mapping[str, Any], warn: Callable[[str], None] | None = None
) -> CatalogQuery:
    """Translate ``search`` keywords into a :class:`CatalogQuery`; InvalidFilterError if invalid.

    ``warn`` receives the message when the limit is capped at 10,000.
    """
    body: dict[str, Any] = {}
    threaded = filters.get("threaded", False)
    if not isinstance(threaded, bool):
        raise InvalidFilterError(f"threaded must be True or False, got {threaded!r}")

    # Key order follows the reference SDK: sortby, ownership, root fields, query, limit.
    sortby = filters.get("sortby")
    if sortby is not None:
        sorts = sort_payload(sortby)
        if sorts:
            body["sortby"] = sorts

    ownership = filters.get("ownership")
    if ownership is not None:
        body["ownership"] = _enum_value(ownership, OwnershipOption, "ownership")

    query: dict[str, dict[str, Any]] = {}
    for key, value in filters.items():
        if key in _OPTIONS:
            continue
        spec, op = _parse_key(key)
        if spec.is_root:
            body[spec.name] = _root_value(spec, value)
            continue
        if value is None:
            raise InvalidFilterError(f"{key}=None: pass a value or leave the filter out")
        if _is_many(value):
            if not value:
                raise InvalidFilterError(
                    f"{key}=[]: an empty list matches nothing; pass at least one value "
                    "or leave the filter out"
                )
            if op not in ("eq", "in"):
                raise InvalidFilterError(
                    f"{key} takes one value, got {value!r}; use {spec.name}__in for a list"
                )
            op, value = "in", [_scalar(spec, v, key) for v in value]
        elif op == "in":
            value = [_scalar(spec, value, key)]  # ``in`` needs a list on the wire
        else:
            value = _scalar(spec, value, key)
        query.setdefault(spec.wire, {})[op] = value

    if query:
        body["query"] = query
    limit = body.setdefault("limit", DEFAULT_LIMIT)
    if limit > MAX_ITEMS:
        if warn is not None:
            warn(
                f"Capella's catalog returns at most {MAX_ITEMS} items ({limit} requested); "
                f"limiting to {MAX_ITEMS}"
            )
        body["limit"] = MAX_ITEMS
    return CatalogQuery(body=body, threaded=threaded)


def _parse_key(key: str) -> tuple[Field, str]:
    """Split ``field__op`` into the field and the operator (``eq`` when absent)."""
    name, sep, op = key.partition("__")
    spec = BY_NAME.get(name)
    if spec is None or name not in FILTER_NAMES:
        hint = suggest(name, FILTER_NAMES)
        raise InvalidFilterError(
            f"unknown filter {key!r}:{hint} valid fields: {', '.join(sorted(FILTER_NAMES))}"
        )
    if not sep:
        return spec, "eq"
    if spec.is_root:
        if op == "eq":
            return spec, op
        raise InvalidFilterError(f"{name} takes no operator: pass {name}=..., not {key}=...")
    if op not in OPERATORS:
        raise InvalidFilterError(
            f"unknown operator {op!r} in {key!r}:{suggest(op, OPERATORS)} "
            f"valid operators: {', '.join(OPERATORS)}"
        )
    if op not in spec.operators:
        raise InvalidFilterError(
            f"{key}: {name} takes names, which have no order; use {name}=... or {name}__in=[...]"
        )
    return spec, op


def _is_many(value: Any) -> bool:
    """A list of values (``in``); tuples and sets count, strings and mappings do not."""
    return isinstance(value, list | tuple | set | frozenset)


def _scalar(spec: Field, value: Any, key: str) -> Any:
    """One filter value in its wire form; InvalidFilterError when it cannot be."""
    if spec.enum is not None:
        return _enum_value(value, spec.enum, spec.name)
    if spec.kind is Kind.DATETIME:
        return format_datetime(value, key)
    if spec.kind in (Kind.NUMBER, Kind.INT):
        return _number(value, key)
    if isinstance(value, time) and spec.name == "local_time":
        return value.isoformat()
    if isinstance(value, BaseEnum):
        return value.value
    if isinstance(value, str):
        return value
    raise InvalidFilterError(f"{key} expects a string, got {value!r}")


def _number(value: Any, key: str) -> Any:
    if isinstance(value, bool) or value is None:
        raise InvalidFilterError(f"{key} expects a number, got {value!r}")
    if isinstance(value, numbers.Real | str):
        # The reference SDK documents some numeric filters as strings; they are sent as given.
        try:
            parsed = float(value)
        except ValueError:
            pass
        else:
            # NaN compares false with everything and inf with nothing useful: never a filter.
            if not math.isfinite(parsed):
                raise InvalidFilterError(f"{key} expects a finite number, got {value!r}")
            if isinstance(value, int | float | str):
                return value
            return float(value)
    raise InvalidFilterError(f"{key} expects a number, got {value!r}")


def _enum_value(value: Any, enum_cls: type[BaseEnum], name: str) -> Any:
    """The wire value of an enum member or of a raw value that is one of the enum's values."""
    if isinstance(value, enum_cls):
        return value.value
    if not isinstance(value, bool) and value in enum_cls:
        return enum_cls(value).value
    choices = [str(v) for v in enum_cls.values()]
    raise InvalidFilterError(
        f"invalid value {value!r} for {name}:{suggest(str(value), choices)} "
        f"valid values: {', '.join(choices)}"
    )


def _root_value(spec: Field, value: Any) -> Any:
    if spec.kind is Kind.BBOX:
        return _bbox(value)
    if spec.kind is Kind.GEOMETRY:
        return format_geometry(value)
    if spec.kind is Kind.STR_LIST:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, Iterable) or isinstance(values, Mapping):
            raise InvalidFilterError(f"{spec.name} expects a list of strings, got {value!r}")
        out = list(values)
        if not all(isinstance(v, str) for v in out):
            raise InvalidFilterError(f"{spec.name} expects a list of strings, got {value!r}")
        return out
    # limit
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidFilterError(f"limit must be a positive integer, got {value!r}")
    return value


def _bbox(value: Any) -> list[Any]:
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidFilterError(f"bbox expects 4 or 6 numbers, got {value!r}")
    out = list(value)
    if len(out) not in (4, 6) or any(
        isinstance(v, bool) or not isinstance(v, numbers.Real) for v in out
    ):
        raise InvalidFilterError(f"bbox expects 4 or 6 numbers, got {value!r}")
    box = check_bbox([v if isinstance(v, int | float) else float(v) for v in out])
    note = antimeridian_warning(box)
    if note is not None:
        warnings.warn(note, UserWarning, stacklevel=_stacklevel_outside_package())
    return box


# Where each side sits in a 2D (4 numbers) or 3D (6 numbers) STAC bbox.
_BBOX_SIDES = {4: (0, 1, 2, 3), 6: (0, 1, 3, 4)}


def _sides(box: list[Any]) -> tuple[float, float, float, float]:
    w, s, e, n = _BBOX_SIDES[len(box)]
    return box[w], box[s], box[e], box[n]


def check_bbox(box: list[Any]) -> list[Any]:
    """Return a STAC bbox (4 or 6 numbers) unchanged, or raise InvalidFilterError.

    West > east is allowed: STAC reads it as a box that crosses the antimeridian.
    """
    if not all(math.isfinite(v) for v in box):
        raise InvalidFilterError(f"bbox {box}: every number must be finite (no NaN or inf)")
    west, south, east, north = _sides(box)
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise InvalidFilterError(f"bbox {box}: longitudes must be between -180 and 180")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise InvalidFilterError(f"bbox {box}: latitudes must be between -90 and 90")
    if south > north:
        raise InvalidFilterError(
            f"bbox {box}: south ({south}) is greater than north ({north}); the order is "
            "west, south, east, north"
        )
    return box


def antimeridian_warning(box: list[Any]) -> str | None:
    """The warning for a bbox that crosses the antimeridian and is wider than 180 degrees
    (most often west and east swapped by accident), else None."""
    west, _, east, _ = _sides(box)
    width = east - west + 360
    if west <= east or width <= 180:
        return None
    swapped = list(box)
    w, _, e, _ = _BBOX_SIDES[len(box)]
    swapped[w], swapped[e] = east, west
    return (
        f"bbox {box} has west > east, which STAC reads as a box crossing the antimeridian, "
        f"{width:g} degrees wide; if you meant the box between them, pass {swapped}"
    )


def _stacklevel_outside_package() -> int:
    """The ``warnings.warn`` stacklevel (for the caller of this function) that points at the
    first frame outside the capella package: the user's line, whichever path led here."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "capella":
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _plain(value: Any) -> Any:
    """JSON data with tuples turned into lists and mapping subclasses into dicts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_GEOMETRY_TYPES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)


def format_geometry(value: Any) -> dict[str, Any]:
    """A GeoJSON geometry dict from a dict, a ``geojson`` object or ``__geo_interface__``.

    A Feature is accepted for its geometry.
    """
    if not isinstance(value, Mapping) and isinstance(value, GeoInterface):
        value = value.__geo_interface__
    if not isinstance(value, Mapping):
        raise InvalidFilterError(
            f"intersects expects a GeoJSON geometry (a dict or an object with "
            f"__geo_interface__), got {type(value).__name__}"
        )
    if value.get("type") == "Feature":
        return format_geometry(value.get("geometry"))
    geometry = _plain(value)
    kind = geometry.get("type")
    if kind not in _GEOMETRY_TYPES:
        raise InvalidFilterError(
            f"intersects expects a GeoJSON geometry, got type {kind!r}; valid types: "
            f"{', '.join(sorted(_GEOMETRY_TYPES))}"
        )
    member = "geometries" if kind == "GeometryCollection" else "coordinates"
    if member not in geometry:
        raise InvalidFilterError(f"intersects: a {kind} needs {member!r}")
    assert isinstance(geometry, dict)
    return geometry


def format_datetime(value: Any, key: str = "datetime") -> str:
    """ISO 8601 text for a filter: datetimes in UTC with ``Z`` (naive = UTC), dates at 00:00Z.

    Strings are sent as given once they parse as ISO 8601.
    """
    if isinstance(value, datetime):
        moment: datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.isoformat() + "Z"
    if isinstance(value, date):
        return f"{value.isoformat()}T00:00:00Z"
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise InvalidFilterError(
                f"{key} expects an ISO 8601 date or time (e.g. '2021-06-01T00:00:00Z'), "
                f"a datetime or a date; got {value!r}"
            ) from None
        return value
    raise InvalidFilterError(f"{key} expects a datetime, a date or an ISO 8601 string")


def sort_payload(sortby: Any) -> list[dict[str, str]]:
    """``"-datetime"`` or ``["-datetime", "+id"]`` to ``[{"field", "direction"}, ...]``."""
    entries = [sortby] if isinstance(sortby, str) else sortby
    if not isinstance(entries, list | tuple):
        raise InvalidFilterError(f"sortby expects a string or a list of strings, got {sortby!r}")
    sorts = []
    for entry in entries:
        if not isinstance(entry, str) or not entry:
            raise InvalidFilterError(f"sortby entries must be field names, got {entry!r}")
        sign, name = (entry[0], entry[1:]) if entry[0] in _DIRECTIONS else ("+", entry)
        spec = SORTABLE.get(name)
        if spec is None:
            raise InvalidFilterError(
                f"cannot sort by {name!r}:{suggest(name, SORTABLE)} "
                f"sortable fields: {', '.join(sorted(SORTABLE))}"
            )
        sorts.append({"field": spec.sort_key, "direction": _DIRECTIONS[sign]})
    return sorts


@attrs.frozen
class LazyJson:
    """Formats a body as JSON only when a log record is actually emitted."""

    value: Any

    def __str__(self) -> str:
        return json.dumps(self.value, default=str)
