"""Output writers: data goes to stdout (ndjson, GeoJSON, ids, a table), messages to stderr."""

from __future__ import annotations

import enum
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import PurePath
from typing import Any, TextIO

import attrs
import typer

from capella.views import cell_text  # the cells read as in the results' Jupyter table

Record = Mapping[str, Any]


class Format(enum.StrEnum):
    """Output formats of commands that list STAC items."""

    NDJSON = "ndjson"
    GEOJSON = "geojson"
    IDS = "ids"
    TABLE = "table"
    PNG = "png"


# Formats that write bytes, not text: refused when stdout is a terminal.
BINARY_FORMATS: frozenset[Format] = frozenset({Format.PNG})


class ListFormat(enum.StrEnum):
    """Output formats of commands that list orders or requests."""

    NDJSON = "ndjson"
    IDS = "ids"
    TABLE = "table"


def _default(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if attrs.has(type(value)):
        return attrs.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: Any) -> str:
    """Compact JSON on one line (newline-delimited JSON)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default)


def _stdout() -> TextIO:
    # Looked up on each call, so that test runners that swap sys.stdout see the output.
    return sys.stdout


def line(text: str) -> None:
    """Write one line to stdout."""
    out = _stdout()
    out.write(text + "\n")
    out.flush()


def message(text: str) -> None:
    """Write a human message to stderr."""
    typer.echo(text, err=True)


def json_record(value: Any) -> None:
    """Write one JSON value on one line."""
    line(dumps(value))


def ndjson(records: Iterable[Any]) -> int:
    """Write each record on its own line; return how many."""
    count = 0
    for record in records:
        json_record(record)
        count += 1
    return count


def feature_collection(features: Iterable[Any]) -> int:
    """Write a GeoJSON FeatureCollection, streaming the features; return how many."""
    out = _stdout()
    out.write('{"type":"FeatureCollection","features":[')
    count = 0
    for feature in features:
        out.write(("," if count else "") + dumps(feature))
        count += 1
    out.write("]}\n")
    out.flush()
    return count


def ids(records: Iterable[Any], id_of: Callable[[Any], Any]) -> int:
    """Write one id per line; return how many."""
    count = 0
    for record in records:
        line(str(id_of(record)))
        count += 1
    return count


def dig(record: Any, *path: str) -> Any:
    """``record[path[0]][path[1]]...``, or None when a step is missing."""
    value = record
    for key in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@attrs.frozen
class Column:
    """One table column: a header and how to read the cell from a record."""

    header: str
    get: Callable[[Any], Any]


def table(records: Iterable[Any], columns: Sequence[Column]) -> int:
    """Write a rich table (for people; use ndjson for scripts); return the row count."""
    from rich.console import Console
    from rich.table import Table

    out = _stdout()
    grid = Table(box=None, header_style="bold", pad_edge=False)
    for column in columns:
        grid.add_column(column.header, overflow="fold")
    count = 0
    for record in records:
        grid.add_row(*(cell_text(column.get(record)) for column in columns))
        count += 1
    # Not a terminal: no colours, and a width generous enough that ids are not folded.
    tty = out.isatty()
    width = None if tty else max(shutil.get_terminal_size((200, 24)).columns, 200)
    Console(file=out, width=width, no_color=not tty, highlight=False).print(grid)
    return count


# -- record kinds -----------------------------------------------------------------------------


def item_id(item: Any) -> Any:
    """The STAC id of an item."""
    return dig(item, "id")


def order_id(order: Any) -> Any:
    """The id of an order."""
    return dig(order, "orderId")


def tasking_request_id(request: Any) -> Any:
    """The id of a tasking request Feature."""
    return dig(request, "properties", "taskingrequestId")


def repeat_request_id(request: Any) -> Any:
    """The id of a repeat request Feature."""
    return dig(request, "properties", "repeatrequestId")


def _status(request: Any) -> Any:
    history = dig(request, "properties", "statusHistory")
    return dig(history[0], "code") if isinstance(history, list) and history else None


ITEM_COLUMNS: tuple[Column, ...] = (
    Column("id", item_id),
    Column("datetime", lambda r: dig(r, "properties", "datetime")),
    Column("product", lambda r: dig(r, "properties", "sar:product_type")),
    Column("mode", lambda r: dig(r, "properties", "sar:instrument_mode")),
    Column("pol", lambda r: dig(r, "properties", "sar:polarizations")),
    Column("look", lambda r: dig(r, "properties", "view:look_angle")),
    Column("platform", lambda r: dig(r, "properties", "platform")),
    Column("collection", lambda r: dig(r, "collection")),
)

ORDER_COLUMNS: tuple[Column, ...] = (
    Column("orderId", order_id),
    Column("status", lambda r: dig(r, "orderStatus")),
    Column("orderDate", lambda r: dig(r, "orderDate")),
    Column("expirationDate", lambda r: dig(r, "expirationDate")),
    Column("items", lambda r: len(dig(r, "items") or [])),
)

TASK_COLUMNS: tuple[Column, ...] = (
    Column("taskingrequestId", tasking_request_id),
    Column("name", lambda r: dig(r, "properties", "taskingrequestName")),
    Column("status", _status),
    Column("tier", lambda r: dig(r, "properties", "collectionTier")),
    Column("type", lambda r: dig(r, "properties", "collectionType")),
    Column("windowOpen", lambda r: dig(r, "properties", "windowOpen")),
    Column("windowClose", lambda r: dig(r, "properties", "windowClose")),
)

REPEAT_COLUMNS: tuple[Column, ...] = (
    Column("repeatrequestId", repeat_request_id),
    Column("name", lambda r: dig(r, "properties", "repeatrequestName")),
    Column("status", _status),
    Column("tier", lambda r: dig(r, "properties", "collectionTier")),
    Column("start", lambda r: dig(r, "properties", "repetitionProperties", "repeatStart")),
    Column("end", lambda r: dig(r, "properties", "repetitionProperties", "repeatEnd")),
    Column(
        "interval", lambda r: dig(r, "properties", "repetitionProperties", "repetitionInterval")
    ),
)


def refuse_terminal(fmt: ListFormat | Format) -> None:
    """Stop with a usage error when ``fmt`` is binary and stdout is a terminal."""
    if fmt in BINARY_FORMATS and _stdout().isatty():
        from capella.cli._context import usage_error

        usage_error(
            f"--format {fmt.value} writes binary data: redirect stdout to a file, "
            f"e.g. > footprints.{fmt.value}"
        )


def png(result: Any) -> int:
    """Write a search result's footprint map as PNG bytes; return how many items it holds."""
    out = _stdout()
    out.flush()
    out.buffer.write(result.to_png())
    out.buffer.flush()
    return len(result)


def records(
    rows: Iterable[Any],
    fmt: ListFormat | Format,
    *,
    id_of: Callable[[Any], Any],
    columns: Sequence[Column],
) -> int:
    """Write records in ``fmt``; return how many."""
    if fmt is Format.GEOJSON:
        return feature_collection(rows)
    if fmt is Format.PNG:
        return png(rows)
    if fmt in (Format.IDS, ListFormat.IDS):
        return ids(rows, id_of)
    if fmt in (Format.TABLE, ListFormat.TABLE):
        return table(rows, columns)
    return ndjson(rows)
