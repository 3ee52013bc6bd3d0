"""The search engine of the sandbox's catalog: STAC item search with the query and sort extensions.

Everything that can be is precomputed once: one column of normalised values per property, the
default order, and an STRtree of the collects' footprints.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

import attrs
import shapely
from shapely.geometry import MultiPoint, shape
from shapely.strtree import STRtree

from capella.sandbox.api_errors import ApiError

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_RESULTS",
    "SearchError",
    "SearchIndex",
    "int_param",
    "invalid",
]

DEFAULT_LIMIT: Final = 10
MAX_LIMIT: Final = 1000
MAX_RESULTS: Final = 10_000
OPERATORS: Final = ("eq", "in", "gt", "gte", "lt", "lte")
OWNERSHIP_OPTIONS: Final = (
    "ownedByOrganization",
    "sharedWithOrganization",
    "publiclyAvailable",
    "availableForPurchase",
)

# The reference SDK's short field names (it sorts on ``properties.<short name>``).
SHORT_NAMES: Final = {
    "collect_id": "capella:collect_id",
    "resolution_ground_range": "capella:resolution_ground_range",
    "squint_angle": "capella:squint_angle",
    "layover_angle": "capella:layover_angle",
    "center_frequency": "sar:center_frequency",
    "frequency_band": "sar:frequency_band",
    "instrument_mode": "sar:instrument_mode",
    "looks_azimuth": "sar:looks_azimuth",
    "looks_equivalent_number": "sar:looks_equivalent_number",
    "looks_range": "sar:looks_range",
    "observation_direction": "sar:observation_direction",
    "pixel_spacing_azimuth": "sar:pixel_spacing_azimuth",
    "pixel_spacing_range": "sar:pixel_spacing_range",
    "polarizations": "sar:polarizations",
    "product_type": "sar:product_type",
    "resolution_azimuth": "sar:resolution_azimuth",
    "resolution_range": "sar:resolution_range",
    "orbit_state": "sat:orbit_state",
    "relative_orbit": "sat:relative_orbit",
    "absolute_orbit": "sat:absolute_orbit",
    "incidence_angle": "view:incidence_angle",
    "look_angle": "view:look_angle",
    "azimuth_angle": "view:azimuth",
    "orbital_plane": "capella:orbital_plane",
    "billable_area": "capella:billable_area",
    "hash": "capella:hash",
    "local_timezone": "locale:timezone",
    "local_datetime": "locale:datetime",
    "local_time": "locale:time",
    "epsg": "proj:epsg",
    "image_formation_algorithm": "capella:image_formation_algorithm",
    "collection_type": "capella:collection_type",
    "rgt_id": "capella:rgt_id",
    "archive_holdback_date": "capella:archive_holdback_date",
    "use_case": "capella:use_case",
}

# Compared as instants (``Z`` or any offset), not as strings.
DATETIME_FIELDS: Final = frozenset(
    {
        "datetime",
        "start_datetime",
        "end_datetime",
        "created",
        "updated",
        "capella:archive_holdback_date",
        "locale:datetime",
    }
)


class SearchError(ApiError):
    """A catalog search the API refuses (bad input), answered like any other API error."""

    def to_body(self) -> dict[str, Any]:
        """Return the Capella error envelope ``{"error": {message, code, detail?}}``."""
        return self.body


def invalid(message: str, path: str, code: str = "custom") -> SearchError:
    """Return a 400 VALIDATION_ERROR with one zod-like detail entry."""
    return SearchError(
        400, "VALIDATION_ERROR", message, [{"message": message, "code": code, "path": path}]
    )


def _parse_instant(value: str) -> float:
    """Parse an RFC 3339 / ISO 8601 string to epoch seconds (naive means UTC)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


# ---------------------------------------------------------------------------------------------
# search input parsing


def _is_number(value: Any) -> bool:
    """Return whether ``value`` is a JSON number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def int_param(name: str, value: Any, minimum: int, maximum: int | None = None) -> int | None:
    """Validate an integer paging parameter (``limit``/``page``) from the body or query."""
    if value is None:
        return None
    number: int
    if isinstance(value, bool):
        raise invalid(f"{name} must be an integer", name, "invalid_type")
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and value.strip().lstrip("+-").isdigit()
    ):
        number = int(value)
    else:
        raise invalid(f"{name} must be an integer", name, "invalid_type")
    if number < minimum:
        raise invalid(f"{name} must be at least {minimum}", name, "too_small")
    if maximum is not None and number > maximum:
        raise invalid(f"{name} must be at most {maximum}", name, "too_big")
    return number


def _envelope(west: float, south: float, east: float, north: float) -> Any:
    """Return the box as a Polygon, or a LineString/Point when it is degenerate."""
    # box() would build a zero-area (invalid) polygon for a degenerate box.
    return MultiPoint([(west, south), (east, north)]).envelope


def _bbox_geometry(value: Any) -> list[Any]:
    """Return the shapely parts of a STAC bbox; west > east crosses the antimeridian."""
    if not isinstance(value, list | tuple) or len(value) not in (4, 6):
        raise invalid("bbox must be an array of 4 or 6 numbers", "bbox", "invalid_type")
    if not all(_is_number(v) and math.isfinite(v) for v in value):
        raise invalid("bbox must contain only numbers", "bbox", "invalid_type")
    if len(value) == 6:
        west, south, _, east, north, _ = (float(v) for v in value)
    else:
        west, south, east, north = (float(v) for v in value)
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise invalid("bbox longitudes must be within [-180, 180]", "bbox", "invalid_string")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise invalid("bbox latitudes must be within [-90, 90]", "bbox", "invalid_string")
    # Latitudes have no wrap-around, so south > north can only be a swap (the reference SDK's
    # San Francisco example sends one); tolerate it rather than match nothing.
    south, north = min(south, north), max(south, north)
    if west > east:
        return [_envelope(west, south, 180.0, north), _envelope(-180.0, south, east, north)]
    return [_envelope(west, south, east, north)]


_GEOMETRY_TYPES: Final = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


def _intersects_geometry(value: Any) -> Any:
    """Return the shapely geometry of a GeoJSON ``intersects`` value (a Feature is unwrapped)."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES:
        raise invalid(
            "intersects must be a GeoJSON Point, MultiPoint, LineString, MultiLineString, "
            "Polygon or MultiPolygon",
            "intersects",
            "invalid_type",
        )
    try:
        geometry = shape(value)
        empty = bool(geometry.is_empty)
        valid = bool(geometry.is_valid)
    except Exception as exc:  # shapely raises many types (ValueError, TypeError, GEOSException)
        raise invalid(f"intersects is not a valid geometry: {exc}", "intersects") from exc
    if empty:
        raise invalid("intersects is an empty geometry", "intersects")
    return geometry if valid else shapely.make_valid(geometry)


def _datetime_interval(value: Any) -> tuple[float | None, float | None]:
    """Parse a root STAC ``datetime``: an instant, or ``start/end`` with ``..`` open ends."""
    if not isinstance(value, str) or not value.strip():
        raise invalid("datetime must be an RFC 3339 instant or interval", "datetime")
    parts = value.strip().split("/")
    try:
        if len(parts) == 1:
            instant = _parse_instant(parts[0])
            return instant, instant
        if len(parts) == 2:
            lo = None if parts[0] in ("", "..") else _parse_instant(parts[0])
            hi = None if parts[1] in ("", "..") else _parse_instant(parts[1])
            if lo is None and hi is None:
                raise ValueError("both ends open")
            if lo is not None and hi is not None and lo > hi:
                raise ValueError("start after end")
            return lo, hi
    except ValueError as exc:
        raise invalid(f"invalid datetime {value!r}: {exc}", "datetime", "invalid_date") from exc
    raise invalid(f"invalid datetime interval {value!r}", "datetime", "invalid_date")


def _string_list(value: Any, name: str) -> list[str]:
    """Validate a root array of strings (``ids``, ``collections``); a bare string is one item."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(f"{name} must be an array of strings", name, "invalid_type")
    return value


@attrs.frozen
class _Condition:
    """One normalised ``query`` condition: field, operator and coerced value."""

    field: str
    op: str
    value: Any


_Column = list[Any]


class SearchIndex:
    """What a search reads: property columns, the default order and a tree of footprints."""

    def __init__(
        self,
        items: list[dict[str, Any]],
        footprints: list[Any],
        item_collect: list[int],
        ownership: list[str],
        by_id: dict[str, int],
    ) -> None:
        self._by_id = by_id
        self._ownership = ownership
        self._collect_items_idx: list[list[int]] = [[] for _ in footprints]
        for n, c in enumerate(item_collect):
            self._collect_items_idx[c].append(n)
        self._tree = STRtree(footprints)
        self._build_columns(items)

    def sorted_by(self, candidates: list[int], sortby: Any) -> list[int]:
        """The candidates in the order ``sortby`` asks for (400 when it names no field)."""
        return self._sorted(candidates, self._sort_keys(sortby))

    def _build_columns(self, items: list[dict[str, Any]]) -> None:
        """Precompute one column of comparable values per property, and the default order."""
        names: dict[str, None] = {}
        for item in items:
            names.update(dict.fromkeys(item["properties"]))
        keys = list(names)
        # One C-level itemgetter call per item, then a transpose: touching 12,000 property dicts
        # once instead of once per property keeps construction fast.
        getter = operator.itemgetter(*keys)
        rows: list[tuple[Any, ...]] = []
        for item in items:
            props = item["properties"]
            try:
                rows.append(getter(props))
            except KeyError:
                rows.append(tuple(props.get(k) for k in keys))
        self._columns: dict[str, _Column] = {}
        self._kinds: dict[str, str] = {}
        for name, values in zip(keys, zip(*rows, strict=True), strict=True):
            raw = list(values)
            sample = next((v for v in raw if v is not None), None)
            if name in DATETIME_FIELDS:
                kind = "datetime"
                column: _Column = [None if v is None else _parse_instant(v) for v in raw]
            elif isinstance(sample, list):
                kind = "array"
                column = [None if v is None else tuple(v) for v in raw]
            elif _is_number(sample):
                kind = "number"
                column = raw
            else:
                kind = "string"
                column = raw
            self._columns[name] = column
            self._kinds[name] = kind
        self._array_element_kind = {
            name: ("number" if any(_is_number(e) for t in col if t for e in t) else "string")
            for name, col in self._columns.items()
            if self._kinds[name] == "array"
        }
        self._ids: _Column = [item["id"] for item in items]
        self._collection_col: _Column = [item["collection"] for item in items]
        when = self._columns["datetime"]
        # Default order: newest first, then id; total, so pages of any size never overlap.
        self._order = sorted(range(len(items)), key=lambda i: (-when[i], self._ids[i]))
        self._rank = [0] * len(items)
        for rank, i in enumerate(self._order):
            self._rank[i] = rank

    def filter(self, body: dict[str, Any]) -> list[int]:
        """Return the indices of the matching items, in the default order."""
        # Validate everything first so that bad input is reported even when nothing matches.
        ids = _string_list(body["ids"], "ids") if body.get("ids") is not None else None
        collections = (
            _string_list(body["collections"], "collections")
            if body.get("collections") is not None
            else None
        )
        if body.get("bbox") is not None and body.get("intersects") is not None:
            raise invalid("bbox and intersects are mutually exclusive", "bbox")
        area: list[Any] | None = None
        if body.get("bbox") is not None:
            area = _bbox_geometry(body["bbox"])
        elif body.get("intersects") is not None:
            area = [_intersects_geometry(body["intersects"])]
        interval = (
            _datetime_interval(body["datetime"]) if body.get("datetime") is not None else None
        )
        ownership = body.get("ownership")
        if ownership is not None and ownership not in OWNERSHIP_OPTIONS:
            raise invalid(
                f"ownership must be one of {', '.join(OWNERSHIP_OPTIONS)}",
                "ownership",
                "invalid_enum_value",
            )
        conditions = self._conditions(body.get("query"))

        candidates: list[int]
        if ids is not None:
            found = {self._by_id[s] for s in ids if s in self._by_id}
            candidates = sorted(found, key=self._rank.__getitem__)
        else:
            candidates = self._order
        if area is not None:
            hits: set[int] = set()
            for part in area:
                for g in self._tree.query(part, predicate="intersects").tolist():
                    hits.update(self._collect_items_idx[g])
            if len(hits) < len(candidates) // 8:
                candidates = sorted(hits.intersection(candidates), key=self._rank.__getitem__)
            else:
                candidates = [i for i in candidates if i in hits]
        if collections is not None:
            wanted = set(collections)
            col = self._collection_col
            candidates = [i for i in candidates if col[i] in wanted]
        if ownership is not None:
            own = self._ownership
            candidates = [i for i in candidates if own[i] == ownership]
        if interval is not None:
            lo, hi = interval
            when = self._columns["datetime"]
            if lo is not None:
                candidates = [i for i in candidates if when[i] >= lo]
            if hi is not None:
                candidates = [i for i in candidates if when[i] <= hi]
        for condition in conditions:
            candidates = self._apply(candidates, condition)
        return candidates

    def _resolve(self, name: str) -> str:
        """Map a property name (full, or the SDK's short name) to the catalog's full name."""
        if name in self._columns:
            return name
        return SHORT_NAMES.get(name, name)

    def _conditions(self, query: Any) -> list[_Condition]:
        """Validate and normalise the ``query`` object into conditions."""
        if query is None:
            return []
        if not isinstance(query, dict):
            raise invalid("query must be an object", "query", "invalid_type")
        out: list[_Condition] = []
        for raw_name, ops in query.items():
            name = self._resolve(str(raw_name))
            if not isinstance(ops, dict):
                # A bare value means eq, a bare list means in (lenient, like the tasks search).
                ops = {"in" if isinstance(ops, list) else "eq": ops}
            for op, value in ops.items():
                path = f"query.{raw_name}.{op}"
                if op not in OPERATORS:
                    raise invalid(
                        f"unknown operator {op!r} (supported: {', '.join(OPERATORS)})",
                        path,
                        "invalid_enum_value",
                    )
                if op == "in" and not isinstance(value, list):
                    value = [value]
                if op == "eq" and isinstance(value, list) and self._kinds.get(name) != "array":
                    op = "in"
                if isinstance(value, list):
                    coerced: Any = tuple(self._coerce(name, v, path) for v in value)
                else:
                    coerced = self._coerce(name, value, path)
                out.append(_Condition(name, op, coerced))
        return out

    def _coerce(self, name: str, value: Any, path: str) -> Any:
        """Coerce a query value to the comparable type of the field; 400 when impossible."""
        kind = self._kinds.get(name)
        if kind == "array":
            kind = self._array_element_kind[name]
        if kind == "number":
            if _is_number(value):
                return value
            if isinstance(value, str):
                try:
                    return float(value)
                except ValueError:
                    pass
            raise invalid(f"{name} expects a number, got {value!r}", path, "invalid_type")
        if kind == "datetime":
            if isinstance(value, str):
                try:
                    return _parse_instant(value)
                except ValueError:
                    pass
            raise invalid(
                f"{name} expects an RFC 3339 datetime, got {value!r}", path, "invalid_date"
            )
        if kind == "string":
            if isinstance(value, str):
                return value
            if _is_number(value):
                return str(value)
            raise invalid(f"{name} expects a string, got {value!r}", path, "invalid_type")
        return value  # unknown field: nothing will match, whatever the value

    def _apply(self, candidates: list[int], cond: _Condition) -> list[int]:
        """Keep the candidates that satisfy one condition."""
        col = self._columns.get(cond.field)
        if col is None:
            return []
        op, v = cond.op, cond.value
        if self._kinds[cond.field] == "array":
            return self._apply_array(candidates, col, op, v)
        if op == "eq":
            return [i for i in candidates if col[i] == v]
        if op == "in":
            wanted = set(v)
            return [i for i in candidates if col[i] in wanted]
        if op == "gt":
            return [i for i in candidates if (x := col[i]) is not None and x > v]
        if op == "gte":
            return [i for i in candidates if (x := col[i]) is not None and x >= v]
        if op == "lt":
            return [i for i in candidates if (x := col[i]) is not None and x < v]
        return [i for i in candidates if (x := col[i]) is not None and x <= v]

    @staticmethod
    def _apply_array(candidates: list[int], col: _Column, op: str, v: Any) -> list[int]:
        """Keep candidates whose array property matches: any element satisfies the operator."""
        if op == "in":
            wanted = set(v)
            return [i for i in candidates if (x := col[i]) is not None and not wanted.isdisjoint(x)]
        if op == "eq" and isinstance(v, tuple):
            target = sorted(v)
            return [i for i in candidates if (x := col[i]) is not None and sorted(x) == target]
        if op == "eq":
            return [i for i in candidates if (x := col[i]) is not None and v in x]
        tests: dict[str, Callable[[Any], bool]] = {
            "gt": lambda e: bool(e > v),
            "gte": lambda e: bool(e >= v),
            "lt": lambda e: bool(e < v),
            "lte": lambda e: bool(e <= v),
        }
        test = tests[op]
        return [i for i in candidates if (x := col[i]) is not None and any(map(test, x))]

    def _sort_keys(self, sortby: Any) -> list[tuple[_Column, bool]]:
        """Validate ``sortby`` into (column, descending) pairs, most significant first."""
        if sortby is None:
            return []
        entries: Sequence[Any]
        if isinstance(sortby, str):
            entries = [s for s in sortby.split(",") if s.strip()]
        elif isinstance(sortby, list):
            entries = sortby
        else:
            raise invalid("sortby must be an array of {field, direction}", "sortby", "invalid_type")
        keys: list[tuple[_Column, bool]] = []
        for n, entry in enumerate(entries):
            path = f"sortby.{n}"
            if isinstance(entry, str):
                # Older clients sent "properties.datetime" or "-properties.datetime".
                text = entry.strip()
                direction = "desc" if text.startswith("-") else "asc"
                field = text.lstrip("+-")
            elif isinstance(entry, dict) and isinstance(entry.get("field"), str):
                field = entry["field"]
                direction = str(entry.get("direction", "asc")).lower()
            else:
                raise invalid("sortby entries need a string field", path, "invalid_type")
            if direction not in ("asc", "desc"):
                raise invalid(
                    f"sort direction must be asc or desc, got {direction!r}",
                    f"{path}.direction",
                    "invalid_enum_value",
                )
            keys.append((self._sort_column(field, f"{path}.field"), direction == "desc"))
        return keys

    def _sort_column(self, field: str, path: str) -> _Column:
        """Return the column a sort field refers to; 400 when the field is unknown."""
        if field == "id":
            return self._ids
        if field == "collection":
            return self._collection_col
        name = self._resolve(field.removeprefix("properties."))
        column = self._columns.get(name)
        if column is None:
            raise invalid(f"cannot sort on unknown field {field!r}", path, "invalid_enum_value")
        return column

    @staticmethod
    def _sorted(candidates: list[int], keys: list[tuple[_Column, bool]]) -> list[int]:
        """Sort candidates by the keys, stable over the default order; missing values last."""
        if not keys:
            return candidates
        result = list(candidates)
        # Successive stable sorts from the least significant key give the multi-key order.
        for col, descending in reversed(keys):
            result.sort(key=_sort_key(col, descending), reverse=descending)
        return result


def _sort_key(col: _Column, descending: bool) -> Callable[[int], tuple[bool, Any]]:
    """Return a sort key over ``col`` that puts missing values last in either direction."""
    if descending:
        return lambda i: (col[i] is not None, col[i])
    return lambda i: (col[i] is None, col[i])
