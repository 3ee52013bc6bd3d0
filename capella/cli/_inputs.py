"""Parsing of command-line inputs: stdin records, GeoJSON, filters, intervals, ranges, bboxes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from capella.cli._context import usage_error
from capella.cli.output import message
from capella.query import check_bbox

STDIN = "-"

_GEOMETRY_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)


def read_stdin() -> str:
    """All of stdin (a hint goes to stderr first when stdin is a terminal)."""
    stream = sys.stdin
    if stream is None:
        usage_error("'-' reads stdin, but there is no stdin")
    interactive = stream.isatty()
    if interactive:
        message("reading from stdin (end with Ctrl-D)...")
    text = stream.read()
    if not text.strip():
        # In a pipeline this is the usual sign that the stage before failed (its error is above).
        usage_error(
            "nothing was entered on stdin"
            if interactive
            else "stdin is empty: the command before '|' produced nothing (see its message above)"
        )
    return text


def read_source(source: str, what: str) -> str:
    """The text of ``source``: ``-`` for stdin, inline JSON (``{...}``), or a file path."""
    if source == STDIN:
        return read_stdin()
    if source.lstrip().startswith(("{", "[")):
        return source
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        usage_error(f"{what}: no such file {source!r}")
    except OSError as exc:
        usage_error(f"{what}: cannot read {source!r}: {exc.strerror or exc}")


def parse_records(text: str) -> list[str | dict[str, Any]]:
    """Ids and STAC items from text.

    Accepts one JSON document (a FeatureCollection, a Feature, an array of items or ids), or
    lines that are each a JSON item or a plain id (as ``--format ids`` writes them); blank lines
    and ``#`` comments are skipped.
    """
    stripped = text.strip()
    if not stripped:
        return []
    try:
        return _flatten(json.loads(stripped))
    except ValueError:
        pass
    found: list[str | dict[str, Any]] = []
    for raw in stripped.splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        try:
            value = json.loads(entry)
        except ValueError:
            value = entry
        # A bare number or literal on a line is an id that happens to parse as JSON.
        found.extend(_flatten(value) if isinstance(value, dict | list | str) else [entry])
    return found


def _flatten(value: Any) -> list[str | dict[str, Any]]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for element in value for v in _flatten(element)]
    if isinstance(value, dict):
        if value.get("type") == "FeatureCollection":
            return _flatten(value.get("features") or [])
        return [value]
    usage_error(f"expected STAC items or ids, got {json.dumps(value)[:60]}")


def stac_ids_and_items(
    arguments: Sequence[str],
) -> tuple[list[str], list[dict[str, Any]]]:
    """The ids and items named by arguments (``-`` reads stdin); one of the two lists is empty.

    Items are passed on as items (they carry their collection, which saves a lookup); a mix of
    ids and items is reduced to ids.
    """
    entries: list[str | dict[str, Any]] = []
    for argument in arguments:
        entries.extend(parse_records(read_stdin()) if argument == STDIN else [argument])
    items = [e for e in entries if isinstance(e, dict)]
    if items and len(items) == len(entries):
        for item in items:
            if not isinstance(item.get("id"), str):
                usage_error("every STAC item needs an 'id'")
        return [], items
    stac_ids = [e if isinstance(e, str) else str(e.get("id", "")) for e in entries]
    if not all(stac_ids):
        usage_error("every STAC item needs an 'id'")
    return list(dict.fromkeys(stac_ids)), []


def request_ids(arguments: Sequence[str], id_keys: Sequence[str]) -> list[str]:
    """Request ids from arguments and stdin (``-``): plain ids, or JSON records holding one."""
    found: list[str] = []
    for argument in arguments:
        if argument != STDIN:
            found.append(argument)
            continue
        for entry in parse_records(read_stdin()):
            if isinstance(entry, str):
                found.append(entry)
                continue
            value = _first_key(entry, id_keys)
            if value is None:
                usage_error(f"record on stdin has none of {', '.join(id_keys)}")
            found.append(str(value))
    if not found:
        usage_error("no ids given (pass ids as arguments, or '-' to read them from stdin)")
    return list(dict.fromkeys(found))


def _first_key(record: dict[str, Any], keys: Iterable[str]) -> Any:
    for key in keys:
        for scope in (record, record.get("properties") or {}):
            if isinstance(scope, dict) and scope.get(key):
                return scope[key]
    return None


def read_geometry(source: str, what: str = "--geometry") -> dict[str, Any]:
    """A GeoJSON geometry from a file, ``-`` or inline JSON (a Feature or one-feature
    FeatureCollection is unwrapped)."""
    text = read_source(source, what)
    try:
        value = json.loads(text)
    except ValueError as exc:
        usage_error(f"{what}: not valid JSON ({exc})")
    if isinstance(value, dict) and value.get("type") == "FeatureCollection":
        features = value.get("features") or []
        if len(features) != 1:
            usage_error(f"{what}: expected one feature, the FeatureCollection has {len(features)}")
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in _GEOMETRY_TYPES | {
        "GeometryCollection"
    }:
        usage_error(f"{what}: expected a GeoJSON geometry, Feature or FeatureCollection")
    if value["type"] != "GeometryCollection" and "coordinates" not in value:
        usage_error(f"{what}: the geometry has no coordinates")
    return value


def parse_value(text: str) -> Any:
    """A filter value: JSON when it parses (``35``, ``true``, ``["a"]``), a list for ``a,b``,
    else the string itself."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    if "," in text:
        return [parse_scalar(part.strip()) for part in text.split(",") if part.strip()]
    return text


def parse_scalar(text: str) -> Any:
    """A JSON scalar when ``text`` is one (``45``, ``2.5``, ``true``), else the string."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, int | float | bool | str) else text


def split_csv(values: Iterable[str] | None) -> list[str]:
    """Repeated options that may also hold comma lists: ``-x a -x b,c`` -> [a, b, c]."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def one_or_many(values: Sequence[Any]) -> Any:
    """One value as itself, several as a list (the client's ``field=x`` vs ``field=[x, y]``)."""
    return values[0] if len(values) == 1 else list(values)


def _open(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "..") else value


def parse_interval(text: str, option: str) -> tuple[str | None, str | None]:
    """``start/end`` with ``..`` or nothing for an open side -> (start, end).

    A single instant (no ``/``) is returned as (instant, instant).
    """
    if "/" not in text:
        value = text.strip()
        if not value:
            usage_error(f"{option}: empty value")
        return value, value
    start, _, end = text.partition("/")
    lo, hi = _open(start), _open(end)
    if lo is None and hi is None:
        usage_error(f"{option} {text!r}: at least one side of the interval must be given")
    return lo, hi


def parse_range(text: str, option: str) -> tuple[float | None, float | None]:
    """``MIN/MAX`` (either side may be open: ``25/``, ``/35``, ``25/..``) or one number."""
    lo_text, hi_text = parse_interval(text, option)

    def number(value: str | None) -> float | None:
        if value is None:
            return None
        try:
            parsed = float(value)
        except ValueError:
            usage_error(f"{option} {text!r}: {value!r} is not a number")
        return int(parsed) if parsed.is_integer() else parsed

    lo, hi = number(lo_text), number(hi_text)
    if lo is not None and hi is not None and lo > hi:
        usage_error(f"{option} {text!r}: the minimum is greater than the maximum")
    return lo, hi


def parse_bbox(text: str) -> list[float]:
    """``west,south,east,north`` -> four numbers."""
    parts = [p.strip() for p in text.split(",")]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        usage_error(f"--bbox {text!r}: expected four numbers WEST,SOUTH,EAST,NORTH")
    if len(numbers) != 4:
        usage_error(f"--bbox {text!r}: expected four numbers WEST,SOUTH,EAST,NORTH")
    # The library's checks (finite, in range, south <= north) and its antimeridian warning,
    # which the command turns into a note on stderr.
    return check_bbox(numbers)
