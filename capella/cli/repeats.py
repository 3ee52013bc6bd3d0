"""``capella repeats create|search|cancel|update``: repeat requests (recurring tasking)."""

from __future__ import annotations

from typing import Annotated

import typer

from capella.cli import _tasking as t
from capella.cli import output
from capella.cli._context import Command, epilog, new_app, state_of
from capella.cli._inputs import read_geometry, request_ids, split_csv
from capella.enumerations import InsarOrbit, RepeatCollectionTier
from capella.tasking.search import REPEAT_REQUEST_FIELDS

app = new_app("repeats", "Create, search, cancel and update repeat requests.")

_ID_KEYS = ("repeatrequestId", "repeat_request_id", "id")

IdsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="REPEAT_REQUEST_ID... | -",
        show_default=False,
        help="Repeat request ids, or '-' to read ids (or JSON records holding one) from stdin.",
    ),
]

CREATE_EPILOG = """Examples:

  capella repeats create --name weekly-harbour -g harbour.geojson --repetition-interval 7 \
--repetition-count 10

  capella repeats create --name insar -g site.geojson --collection-tier insar \
--collection-type stripmap_100 --insar-orbit MIO_53_2P95 --repeat-end 2026-12-01

Without --repeat-end or --repetition-count the series runs until cancelled.
"""


@app.command("create", cls=Command, epilog=epilog(CREATE_EPILOG))
def create(
    ctx: typer.Context,
    geometry: t.Geometry,
    name: t.Name,
    description: t.Description = None,
    collection_type: t.CollectionTypeOpt = None,
    collection_tier: Annotated[
        str | None,
        typer.Option(
            "--collection-tier",
            help=f"{t.choices(RepeatCollectionTier)} (default routine).",
            autocompletion=t.completer(RepeatCollectionTier),
        ),
    ] = None,
    repeat_start: Annotated[
        str | None, typer.Option("--repeat-start", help="First collection (default now).")
    ] = None,
    repeat_end: Annotated[
        str | None,
        typer.Option("--repeat-end", help="Last collection (excludes --repetition-count)."),
    ] = None,
    repetition_interval: Annotated[
        int | None,
        typer.Option("--repetition-interval", min=1, help="Days between collections (default 7)."),
    ] = None,
    repetition_count: Annotated[
        int | None,
        typer.Option("--repetition-count", min=1, help="Number of collections."),
    ] = None,
    local_time: t.LocalTime = None,
    product_types: t.ProductTypes = None,
    off_nadir_min: t.OffNadirMin = None,
    off_nadir_max: t.OffNadirMax = None,
    image_width: t.ImageWidth = None,
    orbital_planes: t.OrbitalPlanes = None,
    asc_dsc: t.AscDsc = None,
    look_direction: t.LookDirection = None,
    polarization: t.PolarizationOpt = None,
    archive_holdback: t.ArchiveHoldbackOpt = None,
    custom_attribute_1: t.CustomAttribute1 = None,
    custom_attribute_2: t.CustomAttribute2 = None,
    azimuth_angle_min: t.AzimuthMin = None,
    azimuth_angle_max: t.AzimuthMax = None,
    squint: t.Squint = None,
    max_squint_angle: t.MaxSquint = None,
    contract_id: t.ContractId = None,
    maintain_scene_framing: Annotated[
        bool | None,
        typer.Option(
            "--maintain-scene-framing/--no-maintain-scene-framing",
            show_default=False,
            help="Keep look direction, pass and orbital plane across collections.",
        ),
    ] = None,
    look_angle_tolerance: Annotated[
        float | None, typer.Option("--look-angle-tolerance", help="Degrees.")
    ] = None,
    azimuth_angle_tolerance: Annotated[
        float | None, typer.Option("--azimuth-angle-tolerance", help="Degrees.")
    ] = None,
    window_duration: Annotated[
        float | None, typer.Option("--window-duration", help="Seconds per derived request.")
    ] = None,
    insar_orbit: Annotated[
        str | None,
        typer.Option(
            "--insar-orbit",
            help=f"{t.choices(InsarOrbit)} (required by the insar tier).",
            autocompletion=t.completer(InsarOrbit),
        ),
    ] = None,
) -> None:
    """Create a repeat request: a series of collections of one point or area."""
    keywords = t.given(
        description=description,
        collection_type=collection_type,
        collection_tier=collection_tier,
        repeat_start=repeat_start,
        repeat_end=repeat_end,
        repetition_interval=repetition_interval,
        repetition_count=repetition_count,
        local_time=t.local_time_value(local_time),
        product_types=split_csv(product_types) or None,
        off_nadir_min=off_nadir_min,
        off_nadir_max=off_nadir_max,
        image_width=image_width,
        orbital_planes=t.orbital_planes_value(orbital_planes),
        asc_dsc=asc_dsc,
        look_direction=look_direction,
        polarization=polarization,
        archive_holdback=archive_holdback,
        custom_attribute_1=custom_attribute_1,
        custom_attribute_2=custom_attribute_2,
        azimuth_angle_min=azimuth_angle_min,
        azimuth_angle_max=azimuth_angle_max,
        squint=squint,
        max_squint_angle=max_squint_angle,
        contract_id=contract_id,
        maintain_scene_framing=maintain_scene_framing,
        look_angle_tolerance=look_angle_tolerance,
        azimuth_angle_tolerance=azimuth_angle_tolerance,
        window_duration=window_duration,
        insar_orbit=insar_orbit,
    )
    shape = read_geometry(geometry)
    created = state_of(ctx).client().create_repeat_request(geometry=shape, name=name, **keywords)
    output.json_record(created)


SEARCH_EPILOG = (
    """Examples:

  capella repeats search --status active --format table

  capella repeats search --filter repetition_interval__lte=7 --format ids

Filters (for --filter): """
    + ", ".join(REPEAT_REQUEST_FIELDS)
    + "\n"
)


@app.command("search", cls=Command, epilog=epilog(SEARCH_EPILOG))
def search(
    ctx: typer.Context,
    status: t.Status = None,
    collection_type: t.CollectionTypes = None,
    collection_tier: Annotated[
        list[str] | None,
        typer.Option(
            "--collection-tier",
            help=f"Tier(s): {t.choices(RepeatCollectionTier)}.",
            autocompletion=t.completer(RepeatCollectionTier),
        ),
    ] = None,
    instrument_mode: t.InstrumentModes = None,
    submission_time: t.SubmissionTime = None,
    repeat_start: Annotated[
        str | None,
        typer.Option("--repeat-start", metavar="START/END", help="Series starts in this interval."),
    ] = None,
    request_id: Annotated[
        list[str] | None, typer.Option("--id", help="Repeat request id(s).")
    ] = None,
    for_org: t.ForOrg = False,
    org_id: t.OrgId = None,
    user_id: t.UserId = None,
    filters: t.Filters = None,
    threaded: t.Threaded = True,
    page_size: t.PageSize = 250,
    fmt: Annotated[
        output.ListFormat, typer.Option("--format", "-o", help="Output format.")
    ] = output.ListFormat.NDJSON,
) -> None:
    """Search your repeat requests (one JSON record per request)."""
    base: dict[str, object] = {}
    t.add_list(base, "status", status)
    t.add_list(base, "collection_type", collection_type)
    t.add_list(base, "collection_tier", collection_tier)
    t.add_list(base, "instrument_mode", instrument_mode)
    t.add_list(base, "repeat_request_id", request_id)
    t.add_interval(base, "submission_time", submission_time, "--submission-time")
    t.add_interval(base, "repeat_start", repeat_start, "--repeat-start")
    if org_id:
        base["org_id"] = org_id
    if user_id:
        base["user_id"] = user_id
    keywords = t.search_filters("search_repeat_requests", REPEAT_REQUEST_FIELDS, base, filters)
    result = (
        state_of(ctx)
        .client()
        .search_repeat_requests(for_org=for_org, threaded=threaded, page_size=page_size, **keywords)
    )
    output.records(result, fmt, id_of=output.repeat_request_id, columns=output.REPEAT_COLUMNS)


CANCEL_EPILOG = """Examples:

  capella repeats cancel 37a71826-7819-48cc-b8f2-0ad10bee0f97 --yes

  capella repeats search --status active --format ids | capella repeats cancel -

Prints {"id", "success", "error"} per id. Exit 3 if some failed, 1 if all did.
"""


@app.command("cancel", cls=Command, epilog=epilog(CANCEL_EPILOG))
def cancel(
    ctx: typer.Context,
    request_ids_: IdsArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Cancel repeat requests."""
    ids = request_ids(request_ids_, _ID_KEYS)
    t.confirm_cancel(len(ids), "repeat request", yes)
    results = state_of(ctx).client().cancel_repeat_requests(*ids)
    raise typer.Exit(t.bulk_records(results))


UPDATE_EPILOG = """Examples:

  capella repeats update 37a71826-7819-48cc-b8f2-0ad10bee0f97 --description "weekly, harbour"

  capella repeats search --status active --format ids \
| capella repeats update - --product-type GEO,SLC

Prints {"id", "success", "error"|"request"} per id. Exit 3 if some failed, 1 if all did.
"""


@app.command("update", cls=Command, epilog=epilog(UPDATE_EPILOG))
def update(
    ctx: typer.Context,
    request_ids_: IdsArgument,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    description: t.Description = None,
    custom_attribute_1: t.CustomAttribute1 = None,
    custom_attribute_2: t.CustomAttribute2 = None,
    product_types: t.ProductTypes = None,
) -> None:
    """Update the name, description, custom attributes or product types of repeat requests."""
    fields = t.require_update(
        t.given(
            name=name,
            description=description,
            custom_attribute_1=custom_attribute_1,
            custom_attribute_2=custom_attribute_2,
            product_types=split_csv(product_types) or None,
        )
    )
    ids = request_ids(request_ids_, _ID_KEYS)
    results = state_of(ctx).client().update_repeat_requests(*ids, **fields)
    raise typer.Exit(t.bulk_records(results, payload_key="request"))
