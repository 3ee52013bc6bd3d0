"""``capella search``: the catalog, an option per common field and ``--filter`` for the rest."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from capella.cli import output
from capella.cli._context import Command, epilog, state_of, usage_error
from capella.cli._inputs import (
    parse_bbox,
    parse_interval,
    parse_range,
    parse_scalar,
    read_geometry,
    split_csv,
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


def _completer(enum_cls: type[BaseEnum]) -> Any:
    def complete(incomplete: str) -> list[str]:
        return [v for v in _choices(enum_cls) if v.lower().startswith(incomplete.lower())]

    return complete


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


def _set(filters: dict[str, Any], key: str, values: list[Any], option: str) -> None:
    if not values:
        return
    if key in filters:
        usage_error(f"{option} and --filter {key}=... both set {key}")
    filters[key] = values[0] if len(values) == 1 else values


def _set_range(filters: dict[str, Any], name: str, text: str | None, option: str) -> None:
    if text is None:
        return
    lo, hi = parse_range(text, option)
    if lo is not None and lo == hi:
        _set(filters, name, [lo], option)
        return
    if lo is not None:
        _set(filters, f"{name}__gte", [lo], option)
    if hi is not None:
        _set(filters, f"{name}__lte", [hi], option)


def build_filters(
    *,
    product_type: list[str] | None = None,
    instrument_mode: list[str] | None = None,
    polarization: list[str] | None = None,
    collection: list[str] | None = None,
    platform: list[str] | None = None,
    collection_type: list[str] | None = None,
    orbit_state: str | None = None,
    observation_direction: str | None = None,
    collect_id: list[str] | None = None,
    stac_id: list[str] | None = None,
    ownership: str | None = None,
    bbox: str | None = None,
    intersects: str | None = None,
    datetime: str | None = None,
    look_angle: str | None = None,
    incidence_angle: str | None = None,
    filters: list[str] | None = None,
    sortby: list[str] | None = None,
    limit: int | None = None,
    threaded: bool = False,
) -> dict[str, Any]:
    """The ``client.search`` keywords for the options (validated; InvalidInputError if not)."""
    out = parse_filters(filters or [])

    def enum_list(name: str, values: list[str] | None, option: str) -> None:
        field = BY_NAME[name]
        _set(out, name, [_canonical(field, v) for v in split_csv(values)], option)

    enum_list("product_type", product_type, "--product-type")
    enum_list("instrument_mode", instrument_mode, "--instrument-mode")
    enum_list("polarizations", polarization, "--polarization")
    enum_list("collection_type", collection_type, "--collection-type")
    enum_list("orbit_state", [orbit_state] if orbit_state else None, "--orbit-state")
    enum_list(
        "observation_direction",
        [observation_direction] if observation_direction else None,
        "--observation-direction",
    )
    _set(out, "platform", split_csv(platform), "--platform")
    _set(out, "collect_id", split_csv(collect_id), "--collect-id")
    if collection:
        out["collections"] = split_csv(collection)
    if stac_id:
        out["ids"] = split_csv(stac_id)
    if ownership:
        match = [o for o in _choices(OwnershipOption) if o.lower() == ownership.lower()]
        out["ownership"] = match[0] if match else ownership
    if bbox:
        out["bbox"] = parse_bbox(bbox)
    if intersects:
        out["intersects"] = read_geometry(intersects, "--intersects")
    if datetime:
        start, end = parse_interval(datetime, "--datetime")
        if start is not None and start == end:
            _set(out, "datetime", [start], "--datetime")
        else:
            if start is not None:
                _set(out, "datetime__gte", [start], "--datetime")
            if end is not None:
                _set(out, "datetime__lte", [end], "--datetime")
    _set_range(out, "look_angle", look_angle, "--look-angle")
    _set_range(out, "incidence_angle", incidence_angle, "--incidence-angle")
    if sortby:
        out["sortby"] = split_csv(sortby)
    if limit is not None:
        out["limit"] = limit
    if threaded:
        out["threaded"] = True
    # The same validation the client runs, before any credentials are needed.
    build_query(out)
    return out


def search(
    ctx: typer.Context,
    product_type: Annotated[
        list[str] | None,
        typer.Option(
            "--product-type",
            "-p",
            help="Product type(s), repeatable or comma-separated: "
            f"{', '.join(_choices(ProductType))}.",
            autocompletion=_completer(ProductType),
        ),
    ] = None,
    instrument_mode: Annotated[
        list[str] | None,
        typer.Option(
            "--instrument-mode",
            "-m",
            help=f"Instrument mode(s): {', '.join(_choices(InstrumentMode))}.",
            autocompletion=_completer(InstrumentMode),
        ),
    ] = None,
    polarization: Annotated[
        list[str] | None,
        typer.Option(
            "--polarization",
            help=f"Polarization(s): {', '.join(_choices(CatalogPolarization))}.",
            autocompletion=_completer(CatalogPolarization),
        ),
    ] = None,
    collection: Annotated[
        list[str] | None,
        typer.Option("--collection", "-c", help="STAC collection(s), e.g. capella-geo."),
    ] = None,
    platform: Annotated[
        list[str] | None, typer.Option("--platform", help="Platform(s), e.g. capella-7.")
    ] = None,
    collection_type: Annotated[
        list[str] | None,
        typer.Option(
            "--collection-type",
            help="Collection type(s), e.g. spotlight_ultra.",
            autocompletion=_completer(CollectionType),
        ),
    ] = None,
    orbit_state: Annotated[
        str | None,
        typer.Option(
            "--orbit-state",
            help="ascending or descending.",
            autocompletion=_completer(CatalogOrbitState),
        ),
    ] = None,
    observation_direction: Annotated[
        str | None,
        typer.Option(
            "--observation-direction",
            help="Look direction: left or right.",
            autocompletion=_completer(CatalogObservationDirection),
        ),
    ] = None,
    collect_id: Annotated[
        list[str] | None, typer.Option("--collect-id", help="Collect UUID(s).")
    ] = None,
    stac_id: Annotated[list[str] | None, typer.Option("--id", help="STAC id(s) to fetch.")] = None,
    ownership: Annotated[
        str | None,
        typer.Option(
            "--ownership",
            help=f"One of {', '.join(_choices(OwnershipOption))}.",
            autocompletion=_completer(OwnershipOption),
        ),
    ] = None,
    bbox: Annotated[
        str | None,
        typer.Option("--bbox", help="WEST,SOUTH,EAST,NORTH in degrees (WGS84)."),
    ] = None,
    intersects: Annotated[
        str | None,
        typer.Option(
            "--intersects",
            metavar="FILE|-",
            help="GeoJSON geometry, Feature or one-feature FeatureCollection: a file, '-' for "
            "stdin, or inline JSON.",
        ),
    ] = None,
    datetime: Annotated[
        str | None,
        typer.Option(
            "--datetime",
            "-d",
            help="An instant, or an interval START/END (ISO 8601; '..' or nothing for an open "
            "side), e.g. 2024-01-01/2024-02-01 or 2024-01-01T00:00:00Z/..",
        ),
    ] = None,
    look_angle: Annotated[
        str | None,
        typer.Option("--look-angle", metavar="MIN/MAX", help="Look angle range in degrees."),
    ] = None,
    incidence_angle: Annotated[
        str | None,
        typer.Option(
            "--incidence-angle", metavar="MIN/MAX", help="Incidence angle range in degrees."
        ),
    ] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            "-f",
            metavar="FIELD__OP=VALUE",
            help="Any catalog filter (repeatable), e.g. look_angle__gt=35; fields below.",
            autocompletion=lambda incomplete: [
                f"{n}__" for n in FILTER_NAMES if n.startswith(incomplete)
            ],
        ),
    ] = None,
    sortby: Annotated[
        list[str] | None,
        typer.Option(
            "--sortby",
            "-s",
            help="Sort key(s): +FIELD or -FIELD, e.g. -datetime (repeatable).",
            autocompletion=lambda incomplete: [
                f"{sign}{n}"
                for sign in ("+", "-")
                for n in SORTABLE
                if f"{sign}{n}".startswith(incomplete)
            ],
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            min=1,
            max=MAX_ITEMS,
            show_default=False,
            help=f"Maximum number of items (default {DEFAULT_LIMIT}).",
        ),
    ] = None,
    threaded: Annotated[
        bool, typer.Option("--threaded", help="Fetch pages in parallel (large searches).")
    ] = False,
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
    keywords = build_filters(
        product_type=product_type,
        instrument_mode=instrument_mode,
        polarization=polarization,
        collection=collection,
        platform=platform,
        collection_type=collection_type,
        orbit_state=orbit_state,
        observation_direction=observation_direction,
        collect_id=collect_id,
        stac_id=stac_id,
        ownership=ownership,
        bbox=bbox,
        intersects=intersects,
        datetime=datetime,
        look_angle=look_angle,
        incidence_angle=incidence_angle,
        filters=filters,
        sortby=sortby,
        limit=limit,
        threaded=threaded,
    )
    result = state_of(ctx).client().search(**keywords)
    count = output.records(result, fmt, id_of=output.item_id, columns=output.ITEM_COLUMNS)
    if limit is None and count >= DEFAULT_LIMIT:
        # Planet's users were bitten by a silent default limit: say when it was reached.
        output.message(f"{count} items: the default limit; pass --limit to get more")


def register(app: typer.Typer) -> None:
    """Add ``search`` to ``app``."""
    app.command("search", cls=Command, epilog=epilog(EPILOG))(search)
