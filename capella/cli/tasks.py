"""``capella tasks create|show|search|collects|cancel|update``: tasking requests."""

from __future__ import annotations

from typing import Annotated

import typer

from capella.cli import _tasking as t
from capella.cli import output
from capella.cli._context import Command, epilog, new_app, state_of
from capella.cli._inputs import read_geometry, request_ids, split_csv
from capella.enumerations import CollectionTier
from capella.tasking.search import TASKING_REQUEST_FIELDS

app = new_app("tasks", "Create, inspect, search, cancel and update tasking requests.")

_ID_KEYS = ("taskingrequestId", "tasking_request_id", "id")

IdsArgument = Annotated[
    list[str],
    typer.Argument(
        metavar="TASKING_REQUEST_ID... | -",
        show_default=False,
        help="Tasking request ids, or '-' to read ids (or JSON records holding one) from stdin.",
    ),
]

CREATE_EPILOG = """Examples:

  capella tasks create --name harbour --geometry point.geojson --collection-tier priority

  echo '{"type":"Point","coordinates":[11.15,49.6]}' | capella tasks create --name test -g - |
  jq -r .properties.taskingrequestId

Prints the created tasking request as one JSON object.
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
            help=f"{t.choices(CollectionTier)} (default standard).",
            autocompletion=t.completer(CollectionTier),
        ),
    ] = None,
    window_open: Annotated[
        str | None, typer.Option("--window-open", help="Earliest collection time (default now).")
    ] = None,
    window_close: Annotated[
        str | None,
        typer.Option("--window-close", help="Latest collection time (default open + 7 days)."),
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
    pre_approval: Annotated[
        bool, typer.Option("--pre-approval", help="Skip the cost review step.")
    ] = False,
    azimuth_angle_min: t.AzimuthMin = None,
    azimuth_angle_max: t.AzimuthMax = None,
    squint: t.Squint = None,
    max_squint_angle: t.MaxSquint = None,
    contract_id: t.ContractId = None,
) -> None:
    """Create a tasking request for a point or area."""
    keywords = t.given(
        description=description,
        collection_type=collection_type,
        collection_tier=collection_tier,
        window_open=window_open,
        window_close=window_close,
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
        pre_approval=pre_approval or None,
        azimuth_angle_min=azimuth_angle_min,
        azimuth_angle_max=azimuth_angle_max,
        squint=squint,
        max_squint_angle=max_squint_angle,
        contract_id=contract_id,
    )
    shape = read_geometry(geometry)
    created = state_of(ctx).client().create_tasking_request(geometry=shape, name=name, **keywords)
    output.json_record(created)


@app.command(
    "show",
    cls=Command,
    epilog=epilog(
        "Example:\n\n  capella tasks show 34c78a57-2d68-4b4a-a7ba-c188f9e2645d "
        "| jq .properties.statusHistory\n"
    ),
)
def show(ctx: typer.Context, request_ids_: IdsArgument) -> None:
    """Print tasking requests by id (one JSON record each)."""
    client = state_of(ctx).client()
    for request_id in request_ids(request_ids_, _ID_KEYS):
        output.json_record(client.get_task(request_id))


@app.command(
    "collects",
    cls=Command,
    epilog=epilog(
        "Example:\n\n  capella tasks collects 34c78a57-2d68-4b4a-a7ba-c188f9e2645d "
        "| jq -r .collectId\n"
    ),
)
def collects(
    ctx: typer.Context, request_id: Annotated[str, typer.Argument(help="Tasking request id.")]
) -> None:
    """Print the collects of a completed tasking request (one JSON record each)."""
    output.ndjson(state_of(ctx).client().get_collects_for_task(request_id))


SEARCH_EPILOG = (
    """Examples:

  capella tasks search --status completed --submission-time 2024-01-01/.. --format table

  capella tasks search --status review --format ids | capella tasks cancel - --yes

Filters (for --filter): """
    + ", ".join(TASKING_REQUEST_FIELDS)
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
            help=f"Tier(s): {t.choices(CollectionTier)}.",
            autocompletion=t.completer(CollectionTier),
        ),
    ] = None,
    instrument_mode: t.InstrumentModes = None,
    submission_time: t.SubmissionTime = None,
    window_open: Annotated[
        str | None,
        typer.Option("--window-open", metavar="START/END", help="Window opens in this interval."),
    ] = None,
    request_id: Annotated[
        list[str] | None, typer.Option("--id", help="Tasking request id(s).")
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
    """Search your tasking requests (one JSON record per request)."""
    base: dict[str, object] = {}
    t.add_list(base, "status", status)
    t.add_list(base, "collection_type", collection_type)
    t.add_list(base, "collection_tier", collection_tier)
    t.add_list(base, "instrument_mode", instrument_mode)
    t.add_list(base, "tasking_request_id", request_id)
    t.add_interval(base, "submission_time", submission_time, "--submission-time")
    t.add_interval(base, "window_open", window_open, "--window-open")
    if org_id:
        base["org_id"] = org_id
    if user_id:
        base["user_id"] = user_id
    keywords = t.search_filters("search_tasking_requests", TASKING_REQUEST_FIELDS, base, filters)
    result = (
        state_of(ctx)
        .client()
        .search_tasking_requests(
            for_org=for_org, threaded=threaded, page_size=page_size, **keywords
        )
    )
    output.records(result, fmt, id_of=output.tasking_request_id, columns=output.TASK_COLUMNS)


CANCEL_EPILOG = """Examples:

  capella tasks cancel 34c78a57-2d68-4b4a-a7ba-c188f9e2645d --yes

  capella tasks search --status review --format ids | capella tasks cancel -

Prints {"id", "success", "error"} per id. Exit 3 if some failed, 1 if all did. Cancellation fees
may apply; at a terminal you are asked to confirm unless --yes is given.
"""


@app.command("cancel", cls=Command, epilog=epilog(CANCEL_EPILOG))
def cancel(
    ctx: typer.Context,
    request_ids_: IdsArgument,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Cancel tasking requests."""
    ids = request_ids(request_ids_, _ID_KEYS)
    t.confirm_cancel(len(ids), "tasking request", yes)
    results = state_of(ctx).client().cancel_tasking_requests(*ids)
    raise typer.Exit(t.bulk_records(results))


UPDATE_EPILOG = """Examples:

  capella tasks update 34c78a57-2d68-4b4a-a7ba-c188f9e2645d --name "harbour, weekly"

  capella tasks search --status accepted --format ids \
| capella tasks update - --custom-attribute-1 campaign-7

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
    """Update the name, description, custom attributes or product types of tasking requests."""
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
    results = state_of(ctx).client().update_tasking_requests(*ids, **fields)
    raise typer.Exit(t.bulk_records(results, payload_key="request"))
