"""Normalisation at the edge: what a caller passes becomes a checked wire value, or an error.

Every function raises :class:`~capella.errors.InvalidInputError` naming the argument and what it
accepts, so nothing invalid reaches the API.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from enum import Enum
from numbers import Integral, Real
from typing import Any, TypeVar

from capella.enumerations import LocalTimeOption, ProductType
from capella.errors import InvalidInputError

E = TypeVar("E", bound=Enum)

SECONDS_PER_DAY = 86400
GEOMETRY_TYPES = ("Point", "Polygon")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def _key(text: str) -> str:
    # "30 day", "30-day" and "30_DAY" all name the member whose value is "30_day".
    return re.sub(r"[\s\-]+", "_", text.strip()).lower()


def enum_member(name: str, value: Any, enum_cls: type[E]) -> E:
    """Return the member of ``enum_cls`` that ``value`` names (member, wire value or member name).

    Strings match case-insensitively, with spaces and hyphens read as underscores.
    """
    if isinstance(value, enum_cls):
        return value
    if not isinstance(value, bool):
        try:
            return enum_cls(value)
        except ValueError:
            pass
        if isinstance(value, str):
            wanted = _key(value)
            matches = {m for m in enum_cls if wanted in (_key(str(m.value)), _key(m.name))}
            if len(matches) == 1:
                return matches.pop()
    valid = ", ".join(repr(m.value) for m in enum_cls)
    raise InvalidInputError(f"{name}: {value!r} is not valid; expected one of {valid}")


def enum_value(name: str, value: Any, enum_cls: type[Enum]) -> Any:
    """The wire value of the member ``value`` names (see :func:`enum_member`)."""
    return enum_member(name, value, enum_cls).value


def enum_values(name: str, values: Any, enum_cls: type[Enum]) -> list[Any]:
    """Wire values of a sequence (or a single value), deduplicated in order."""
    items = [values] if isinstance(values, str | Enum) or not _is_sequence(values) else values
    out: list[Any] = []
    for item in items:
        wire = enum_value(name, item, enum_cls)
        if wire not in out:
            out.append(wire)
    return out


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence | set | frozenset) and not isinstance(value, str | bytes)


def as_list(value: Any) -> list[Any] | None:
    """``value`` as a list when it is a sequence or set (not a string), else None."""
    return list(value) if _is_sequence(value) else None


def to_datetime(name: str, value: Any) -> datetime:
    """A datetime in UTC (aware) from a datetime, a date or a string dateutil parses.

    Naive values are taken to be UTC; aware values are converted to UTC.
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time())
    elif isinstance(value, str):
        from dateutil.parser import parse as parse_datetime  # imported on use: it is slow to import

        try:
            parsed = parse_datetime(value)
        except (ValueError, OverflowError):
            raise InvalidInputError(
                f"{name}: {value!r} is not a date or time; pass a datetime or an ISO 8601 "
                "string such as '2026-05-01T12:00:00Z'"
            ) from None
    else:
        raise InvalidInputError(
            f"{name}: expected a datetime, a date or a string, not {type(value).__name__}"
        )
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_utc(dt: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS.mmmZ`` for an aware datetime."""
    return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def iso_datetime(name: str, value: Any) -> str:
    """The API's datetime string (UTC, milliseconds, ``Z``) for any accepted datetime value."""
    return iso_utc(to_datetime(name, value))


def uuid_str(name: str, value: Any) -> str:
    """``value`` when it is a UUID in canonical form (8-4-4-4-12 hex digits)."""
    if not isinstance(value, str) or not _UUID.match(value.strip()):
        raise InvalidInputError(
            f"{name}: {value!r} is not a valid UUID (expected e.g. "
            "'27a71826-7819-48cc-b8f2-0ad10bee0f97')"
        )
    return value.strip()


def request_ids(name: str, ids: Iterable[Any]) -> list[str]:
    """1..N request ids: None dropped, lists flattened, duplicates removed, UUIDs checked."""
    out: list[str] = []
    for item in ids:
        nested = as_list(item)
        for value in nested if nested is not None else [item]:
            if value is None:
                continue
            checked = uuid_str(name, value)
            if checked not in out:
                out.append(checked)
    if not out:
        raise InvalidInputError(f"{name}: pass at least one id")
    return out


def number(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    exclusive_minimum: bool = False,
) -> int | float:
    """A finite number (``integer``: an int) within the given bounds."""
    ok_type = isinstance(value, Integral) if integer else isinstance(value, Real)
    if isinstance(value, bool) or not ok_type or not math.isfinite(float(value)):
        kind = "an integer" if integer else "a number"
        raise InvalidInputError(f"{name}: expected {kind}, not {value!r}")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        relation = "greater than" if exclusive_minimum else "at least"
        raise InvalidInputError(f"{name}: must be {relation} {minimum:g}, not {value!r}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(f"{name}: must be at most {maximum:g}, not {value!r}")
    # numpy scalars and the like become plain Python numbers, which JSON can encode
    return int(value) if isinstance(value, Integral) else float(value)


def optional_str(name: str, value: Any) -> str | None:
    """``value`` when it is a string or None."""
    if value is not None and not isinstance(value, str):
        raise InvalidInputError(f"{name}: expected a string, not {type(value).__name__}")
    return value


def boolean(name: str, value: Any) -> bool:
    """``value`` when it is a bool."""
    if not isinstance(value, bool):
        raise InvalidInputError(f"{name}: expected True or False, not {value!r}")
    return value


def local_time(value: Any) -> str | list[list[int]]:
    """``day``/``night``/``anytime`` as given, or validated ``[[start, end], ...]`` seconds.

    A single flat ``[start, end]`` pair is accepted and sent as ``[[start, end]]``.
    """
    if isinstance(value, str | LocalTimeOption):
        return str(enum_value("local_time", value, LocalTimeOption))
    ranges = as_list(value)
    if ranges and all(isinstance(v, int) and not isinstance(v, bool) for v in ranges):
        ranges = [ranges]
    if not ranges:
        raise InvalidInputError(
            "local_time: expected 'day', 'night', 'anytime' or a list of [start, end] second "
            f"ranges such as [[21600, 64800]], not {value!r}"
        )
    out: list[list[int]] = []
    for item in ranges:
        pair = as_list(item)
        if pair is None or len(pair) != 2:
            raise InvalidInputError(f"local_time: each range must be [start, end], not {item!r}")
        start, end = (
            int(number("local_time", v, minimum=0, maximum=SECONDS_PER_DAY, integer=True))
            for v in pair
        )
        if start >= end:
            raise InvalidInputError(f"local_time: range {item!r} must have start < end")
        out.append([start, end])
    return out


def product_types(value: Any) -> list[str]:
    """Validated product types (a single value or a list), deduplicated in order."""
    return enum_values("product_types", value, ProductType)


def geometry(value: Any) -> dict[str, Any]:
    """A GeoJSON Point or Polygon dict from a dict, a Feature or ``__geo_interface__``."""
    data = getattr(value, "__geo_interface__", value)
    if not isinstance(data, Mapping):
        raise InvalidInputError(
            "geometry: expected a GeoJSON Point or Polygon (a dict, a geojson object or anything "
            f"with __geo_interface__), not {type(value).__name__}"
        )
    if data.get("type") == "Feature":
        return geometry(data.get("geometry"))
    kind = data.get("type")
    if kind not in GEOMETRY_TYPES:
        raise InvalidInputError(
            f"geometry: type {kind!r} is not supported; tasking takes a Point or a Polygon"
        )
    coordinates = data.get("coordinates")
    if kind == "Point":
        coords: Any = _position(coordinates)
    else:
        rings = as_list(coordinates)
        if not rings:
            raise InvalidInputError("geometry: a Polygon needs at least one linear ring")
        coords = [_ring(ring) for ring in rings]
    return {"type": kind, "coordinates": coords}


def _position(value: Any) -> list[float | int]:
    items = as_list(value)
    if items is None or len(items) not in (2, 3):
        raise InvalidInputError(f"geometry: a position is [longitude, latitude], not {value!r}")
    lon = number("geometry longitude", items[0], minimum=-180, maximum=180)
    lat = number("geometry latitude", items[1], minimum=-90, maximum=90)
    rest = [number("geometry altitude", v) for v in items[2:]]
    return [lon, lat, *rest]


def _ring(value: Any) -> list[list[float | int]]:
    positions = [_position(p) for p in as_list(value) or []]
    if len(positions) < 4 or positions[0] != positions[-1]:
        raise InvalidInputError(
            "geometry: each Polygon ring needs at least 4 positions, the last equal to the first"
        )
    return positions
