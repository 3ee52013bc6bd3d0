"""``capella search``: the catalog, an option per common field and ``--filter`` for the rest."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any

import typer

from capella.cli import output
from capella.cli._context import Command, epilog, state_of, usage_error
from capella.cli._inputs import (
    one_or_many,
    parse_bbox,
    parse_range,
    parse_scalar,
    read_geometry,
    split_csv,
)
from capella.cli._options import (
    Given,
    Option,
    Options,
    ToKeywords,
    choices,
    completer,
    many,
    switch,
    text,
    when_given,
    with_options,
    within,
)
from capella.enumerations import (
    BaseEnum,
    CatalogObservationDirection,
    CatalogOrbitState,
    CatalogPolarization,
    CollectionType,
    InstrumentMode,
    OwnershipOption,
    ProductType,
)
from capella.fields import BY_NAME, FILTER_NAMES, OPERATORS, QUERY_FIELDS, SORTABLE, Field, Kind
from capella.query import DEFAULT_LIMIT, MAX_ITEMS, build_query


def _choices(enum_cls: type[BaseEnum]) -> list[str]:
    return [str(v) for v in enum_cls.values()]


def _fields_help() -> str:
    lines = []
    for field in QUERY_FIELDS:
        allowed = f": one of {', '.join(_choices(field.enum))}" if field.enum else ""
        doc = f": {field.doc}" if field.doc else ""
        lines.append(f"  {field.name} ({field.kind.value}){doc}{allowed}")
    return "\n".join(lines)


EPILOG = f"""Examples:

  capella search --product-type GEO --instrument-mode spotlight \
--bbox -122.5,37.7,-122.3,37.8 --limit 10

  capella search --datetime 2024-01-01/2024-02-01 --look-angle 25/35 --sortby -datetime \
--format table

  capella search --filter look_angle__gt=35 --filter polarizations=HH,VV --format ids

  capella search --intersects aoi.geojson --format geojson > items.geojson

  capella search --bbox -124.9,46.9,-122.4,48.5 --format png > footprints.png

--filter takes FIELD__OP=VALUE with OP one of {", ".join(OPERATORS)} (eq when left out). \
VALUE is JSON when it parses (35, true, ["a","b"]); A,B is a list. Fields:

{_fields_help()}
"""


def _canonical(field: Field, value: Any) -> Any:
    """An enum field's value in the enum's own spelling (``geo`` -> ``GEO``)."""
    if field.enum is None or not isinstance(value, str):
        return value
    for choice in field.enum.values():
        if isinstance(choice, str) and choice.lower() == value.lower():
            return choice
    return value


def parse_filter_value(field: Field | None, raw: str) -> Any:
    """A ``--filter`` value read the way the field expects it."""
    text = raw.strip()
    if field is None or text.startswith(("[", "{")):
        # Unknown fields still get a value: the query reports the unknown name with a hint.
        try:
            return json.loads(text)
        except ValueError:
            pass
    if field is not None and field.kind in (Kind.STR, Kind.DATETIME, Kind.STR_LIST):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        values = [_canonical(field, p) for p in parts]
        if field.kind is Kind.STR_LIST:
            return values
        return values[0] if len(values) == 1 else values
    if field is not None and field.kind is Kind.BBOX:
        return parse_bbox(text)
    if "," in text:
        return [parse_scalar(p.strip()) for p in text.split(",") if p.strip()]
    return parse_scalar(text)


def parse_filters(expressions: list[str]) -> dict[str, Any]:
    """``FIELD__OP=VALUE`` expressions -> search keywords."""
    filters: dict[str, Any] = {}
    for expr in expressions:
        key, sep, raw = expr.partition("=")
        key = key.strip()
        if not sep or not key:
            usage_error(f"--filter {expr!r}: expected FIELD__OP=VALUE, e.g. look_angle__gt=35")
        name = key.partition("__")[0]
        filters[key] = parse_filter_value(BY_NAME.get(name), raw)
    return filters


def _field(name: str | None = None) -> ToKeywords:
    """The catalog field `name` (by default the option's own name), in its enum's spelling: one
    value, or a list (any of)."""

    def keywords(option: str, given: str | list[str] | None) -> Mapping[str, Any]:
        key = name or option
        parts = split_csv([given] if isinstance(given, str) else given)
        values = [_canonical(BY_NAME[key], part) for part in parts]
        return {key: one_or_many(values)} if values else {}

    return keywords


def _ownership(text: str) -> str:
    # Any case is accepted; the API wants its own spelling.
    match = [o for o in _choices(OwnershipOption) if o.lower() == text.lower()]
    return match[0] if match else text


def _complete_filter(incomplete: str) -> list[str]:
    return [f"{n}__" for n in FILTER_NAMES if n.startswith(incomplete)]


def _complete_sort(incomplete: str) -> list[str]:
    keys = (f"{sign}{n}" for sign in ("+", "-") for n in SORTABLE)
    return [key for key in keys if key.startswith(incomplete)]


def _one_of(enum_cls: type[BaseEnum], flag: str, help_text: str) -> Option:
    # One value of the catalog field named like the option, in any case, completed from its enum.
    return text(flag, help=help_text, autocompletion=completer(enum_cls), to_keywords=_field())


def _any_of(enum_cls: type[BaseEnum], *flags: str, help: str, field: str | None = None) -> Option:
    # Values of a catalog field, repeatable or comma-separated; --help lists them.
    described = f"{help}: {choices(enum_cls)}."
    return many(*flags, help=described, values=enum_cls, to_keywords=_field(field))


# Each option of ``capella search`` and the search keywords it makes, in the order --help lists
# them. Two options that set one keyword (say --product-type and --filter product_type=...) are
# a usage error.
SEARCH_OPTIONS = Options(
    {
        "product_type": _any_of(
            ProductType,
            "--product-type",
            "-p",
            help="Product type(s), repeatable or comma-separated",
        ),
        "instrument_mode": _any_of(
            InstrumentMode, "--instrument-mode", "-m", help="Instrument mode(s)"
        ),
        "polarization": _any_of(
            CatalogPolarization, "--polarization", help="Polarization(s)", field="polarizations"
        ),
        "collection": many(
            "--collection",
            "-c",
            help="STAC collection(s), e.g. capella-geo.",
            to_keywords=when_given(split_csv, "collections"),
        ),
        "platform": many("--platform", help="Platform(s), e.g. capella-7.", to_keywords=_field()),
        "collection_type": many(
            "--collection-type",
            help="Collection type(s), e.g. spotlight_ultra.",
            values=CollectionType,
            to_keywords=_field(),
        ),
        "orbit_state": _one_of(CatalogOrbitState, "--orbit-state", "ascending or descending."),
        "observation_direction": _one_of(
            CatalogObservationDirection, "--observation-direction", "Look direction: left or right."
        ),
        "collect_id": many("--collect-id", help="Collect UUID(s).", to_keywords=_field()),
        "stac_id": many(
            "--id", help="STAC id(s) to fetch.", to_keywords=when_given(split_csv, "ids")
        ),
        "ownership": text(
            "--ownership",
            help=f"One of {choices(OwnershipOption)}.",
            autocompletion=completer(OwnershipOption),
            to_keywords=when_given(_ownership),
        ),
        "bbox": text(
            "--bbox",
            help="WEST,SOUTH,EAST,NORTH in degrees (WGS84).",
            to_keywords=when_given(parse_bbox),
        ),
        "intersects": text(
            "--intersects",
            metavar="FILE|-",
            help="GeoJSON geometry, Feature or one-feature FeatureCollection: a file, '-' for "
            "stdin, or inline JSON.",
            to_keywords=when_given(lambda source: read_geometry(source, "--intersects")),
        ),
        "datetime": text(
            "--datetime",
            "-d",
            help="An instant, or an interval START/END (ISO 8601; '..' or nothing for an open "
            "side), e.g. 2024-01-01/2024-02-01 or 2024-01-01T00:00:00Z/..",
            to_keywords=within("--datetime"),
        ),
        "look_angle": text(
            "--look-angle",
            metavar="MIN/MAX",
            help="Look angle range in degrees.",
            to_keywords=within("--look-angle", parse_range),
        ),
        "incidence_angle": text(
            "--incidence-angle",
            metavar="MIN/MAX",
            help="Incidence angle range in degrees.",
            to_keywords=within("--incidence-angle", parse_range),
        ),
        "filters": many(
            "--filter",
            "-f",
            metavar="FIELD__OP=VALUE",
            help="Any catalog filter (repeatable), e.g. look_angle__gt=35; fields below.",
            autocompletion=_complete_filter,
            to_keywords=lambda _, given: parse_filters(given or []),
        ),
        "sortby": many(
            "--sortby",
            "-s",
            help="Sort key(s): +FIELD or -FIELD, e.g. -datetime (repeatable).",
            autocompletion=_complete_sort,
            to_keywords=when_given(split_csv),
        ),
        "limit": Option(
            Annotated[
                int | None,
                typer.Option(
                    "--limit",
                    "-n",
                    min=1,
                    max=MAX_ITEMS,
                    show_default=False,
                    help=f"Maximum number of items (default {DEFAULT_LIMIT}).",
                ),
            ]
        ),
        "threaded": switch(
            "--threaded",
            help="Fetch pages in parallel (large searches).",
            to_keywords=when_given(bool),
        ),
    }
)


@with_options
def search(
    ctx: typer.Context,
    keywords: Given = SEARCH_OPTIONS,
    fmt: Annotated[
        output.Format,
        typer.Option(
            "--format",
            "-o",
            help="Output format: one item per line, a "
            "FeatureCollection, ids, a table for people, or a footprint map (png, to a file).",
        ),
    ] = output.Format.NDJSON,
) -> None:
    """Search the catalog; writes one STAC item per line (ndjson) to stdout."""
    output.refuse_terminal(fmt)
    # The same validation the client runs, before any credentials are needed.
    build_query(keywords)
    result = state_of(ctx).client().search(**keywords)
    count = output.records(result, fmt, id_of=output.item_id, columns=output.ITEM_COLUMNS)
    if "limit" not in keywords and count >= DEFAULT_LIMIT:
        # Planet's users were bitten by a silent default limit: say when it was reached.
        output.message(f"{count} items: the default limit; pass --limit to get more")


def register(app: typer.Typer) -> None:
    """Add ``search`` to ``app``."""
    app.command("search", cls=Command, epilog=epilog(EPILOG))(search)
