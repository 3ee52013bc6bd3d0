"""What ``capella tasks`` and ``capella repeats`` share: options, search filters, bulk results.

Both create a request from the same constraint options and search, cancel and update the same
way. The options live in tables (``_options.py``): a command takes a table as one parameter,
``with_options`` spreads it into the command line, and the command receives the values given,
ready for the client. :func:`add_request_commands` adds ``search``, ``cancel`` and
``update`` for one :class:`RequestKind`, so both groups run one implementation.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Annotated, Any, NamedTuple, cast

import attrs
import typer

from capella.cli import output
from capella.cli._context import CliError, Command, ExitCode, epilog, state_of, usage_error
from capella.cli._inputs import parse_value, read_geometry, request_ids, split_csv
from capella.cli._options import (
    Given,
    Option,
    Options,
    choice,
    choices,
    converted,
    keyword,
    listed,
    many,
    number,
    switch,
    text,
    with_options,
    within,
)
from capella.enumerations import (
    ArchiveHoldback,
    BaseEnum,
    CollectionType,
    InstrumentMode,
    ObservationDirection,
    OrbitState,
    Polarization,
    ProductType,
    SquintMode,
    TaskingRequestStatus,
)
from capella.errors import InvalidFilterError
from capella.tasking.search import (
    REPEAT_REQUEST_FIELDS,
    TASKING_REQUEST_FIELDS,
    Field,
    Kind,
    build_query,
)


def local_time_value(text: str) -> Any:
    """``day`` as is; JSON time ranges parsed."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            return json.loads(stripped)
        except ValueError as exc:
            usage_error(f"--local-time {text!r}: not valid JSON ({exc})")
    return stripped


def orbital_planes_value(values: list[str]) -> list[int] | None:
    """``--orbital-plane 45,53`` -> [45, 53]."""
    planes = split_csv(values)
    if not planes:
        return None
    try:
        return [int(p) for p in planes]
    except ValueError:
        usage_error(f"--orbital-plane: expected numbers (45, 53, 97), got {', '.join(planes)}")


GEOMETRY_HELP = (
    "Point or Polygon: a GeoJSON file, '-' for stdin, or inline JSON (a Feature or "
    "one-feature FeatureCollection is unwrapped)."
)
PRODUCT_TYPES = many(
    "--product-type",
    "-p",
    help=f"Products to deliver (repeatable or comma-separated): {choices(ProductType)}.",
    values=ProductType,
)
DESCRIPTION = text("--description", help="Free text.")
CUSTOM_ATTRIBUTES = {
    "custom_attribute_1": text("--custom-attribute-1", help="Your metadata."),
    "custom_attribute_2": text("--custom-attribute-2", help="Your metadata."),
}

# What every new request starts with; geometry and name are read by `create_request`.
NEW_REQUEST = {
    "geometry": Option(
        Annotated[
            str,
            typer.Option(
                "--geometry", "-g", metavar="FILE|-", show_default=False, help=GEOMETRY_HELP
            ),
        ],
        default=...,
    ),
    "name": Option(
        Annotated[str, typer.Option("--name", show_default=False, help="Name of the request.")],
        default=...,
    ),
    "description": DESCRIPTION,
    "collection_type": choice("--collection-type", CollectionType, "{} (default spotlight)."),
}
# The collection constraints both kinds of request take, in the order --help lists them.
CONSTRAINTS = {
    "local_time": text(
        "--local-time",
        help="day, night, anytime, or JSON seconds of the day, e.g. '[[21600,64800]]'.",
        to_keywords=converted(local_time_value),
    ),
    "product_types": PRODUCT_TYPES,
    "off_nadir_min": number("--off-nadir-min", help="Degrees."),
    "off_nadir_max": number("--off-nadir-max", help="Degrees."),
    "image_width": number("--image-width", help="Metres."),
    "orbital_planes": many(
        "--orbital-plane",
        help="Allowed orbital planes: 45, 53, 97 (repeatable).",
        to_keywords=converted(orbital_planes_value),
    ),
    "asc_dsc": choice("--asc-dsc", OrbitState, "{} (default either)."),
    "look_direction": choice("--look-direction", ObservationDirection, "{} (default either)."),
    "polarization": choice("--polarization", Polarization, "{}"),
    "archive_holdback": choice("--archive-holdback", ArchiveHoldback, "{} (default none)."),
    **CUSTOM_ATTRIBUTES,
}
# The angle limits and the contract, listed after the constraints.
LIMITS = {
    "azimuth_angle_min": number("--azimuth-angle-min", help="Degrees from north."),
    "azimuth_angle_max": number("--azimuth-angle-max", help="Degrees from north."),
    "squint": choice(
        "--squint", SquintMode, "{} (default enabled for a point, disabled for an area)."
    ),
    "max_squint_angle": number("--max-squint-angle", help="Degrees."),
    "contract_id": text("--contract-id", help="Charge this contract (default: your default)."),
}


def add_create_command(
    app: typer.Typer, kind: RequestKind, options: Options, examples: str, summary: str
) -> None:
    """Add ``create`` to `app`: one request of `kind` from the `options` table, printed as one
    JSON record (`examples` for the epilog, `summary` for --help)."""

    @app.command("create", cls=Command, epilog=epilog(examples), help=summary)
    @with_options
    def create(ctx: typer.Context, given: Given = options) -> None:
        keywords = dict(given)
        shape = read_geometry(keywords.pop("geometry"))
        operation = getattr(state_of(ctx).client(), f"create_{kind.snake}")
        output.json_record(operation(geometry=shape, **keywords))


# -- search --------------------------------------------------------------------------------------


def _if_set(name: str, value: str | None) -> Mapping[str, Any]:
    # An empty --org-id or --user-id scopes nothing, as if it were not given.
    return {name: value} if value else {}


def interval_option(flag: str, help_text: str) -> Option:
    """A ``START/END`` search option of the filter named like the parameter."""
    return text(flag, metavar="START/END", help=help_text, to_keywords=within(flag))


def search_filters(
    func: str, fields: Mapping[str, Field], base: dict[str, Any], expressions: list[str] | None
) -> dict[str, Any]:
    """Options plus ``--filter`` expressions, validated against the search's filter table."""
    filters = dict(base)
    for expr in expressions or []:
        key, sep, raw = expr.partition("=")
        key = key.strip()
        if not sep or not key:
            usage_error(f"--filter {expr!r}: expected FIELD__OP=VALUE")
        if key in filters:
            usage_error(f"--filter {key}=... repeats a filter already set")
        field = fields.get(key.partition("__")[0])
        value = raw.strip()
        # Ids, times and enum values stay strings; only numbers (repetition_interval) are parsed.
        if field is not None and field.kind is Kind.INT:
            filters[key] = parse_value(value)
        elif "," in value:
            filters[key] = [p.strip() for p in value.split(",") if p.strip()]
        else:
            filters[key] = value
    try:
        build_query(func, fields, filters)
    except InvalidFilterError as exc:
        # The library's message names the Python function; the command line has none.
        raise CliError(str(exc).replace(f"{func}(): ", ""), ExitCode.USAGE) from None
    return filters


# The search options both kinds share; each kind adds its tier, time and id options.
SEARCH_STATUS = {
    "status": many(
        "--status",
        help=f"Current status(es), repeatable or comma-separated: {choices(TaskingRequestStatus)}.",
        values=TaskingRequestStatus,
        to_keywords=listed,
    ),
    "collection_type": many(
        "--collection-type",
        help="Collection type(s), repeatable or comma-separated.",
        values=CollectionType,
        to_keywords=listed,
    ),
}
SEARCH_MODE = {
    "instrument_mode": many(
        "--instrument-mode",
        help=f"Instrument mode(s): {choices(InstrumentMode)}.",
        values=InstrumentMode,
        to_keywords=listed,
    ),
    "submission_time": interval_option(
        "--submission-time",
        "Submitted in this interval (ISO 8601; '..' or nothing for an open side).",
    ),
}
SEARCH_SCOPE = {
    "for_org": switch(
        "--for-org", help="Your organization's requests (organization-manager role)."
    ),
    "org_id": text("--org-id", help="Another organization's requests.", to_keywords=_if_set),
    "user_id": text("--user-id", help="Another user's requests.", to_keywords=_if_set),
    "filters": many(
        "--filter",
        "-f",
        metavar="FIELD__OP=VALUE",
        help="Any search filter (repeatable), e.g. submission_time__gte=2024-01-01.",
        to_keywords=keyword,
    ),
    "threaded": switch("--threaded/--no-threaded", help="Fetch pages in parallel.", default=True),
    "page_size": Option(
        Annotated[int, typer.Option("--page-size", min=250, max=500, help="Requests per page.")],
        default=250,
    ),
    "fmt": Option(
        Annotated[output.ListFormat, typer.Option("--format", "-o", help="Output format.")],
        default=output.ListFormat.NDJSON,
    ),
}


# Options of the search call itself; the rest of SEARCH_SCOPE are filters.
_CALL_OPTIONS = ("for_org", "filters", "threaded", "page_size", "fmt")


# -- bulk results ------------------------------------------------------------------------------


def confirm_cancel(count: int, what: str, yes: bool) -> None:
    """Ask before cancelling, but only a person at a terminal (scripts pass --yes or pipe)."""
    if yes or sys.stdin is None or not sys.stdin.isatty():
        return
    if not typer.confirm(
        f"Cancel {count} {what}{'s' if count > 1 else ''}? Cancellation fees may apply",
        err=True,
    ):
        raise typer.Abort()


def bulk_records(results: Mapping[str, Any], *, payload_key: str | None = None) -> ExitCode:
    """One ``{"id", "success", "error"|payload_key}`` record per id; the exit code they imply."""
    failed = 0
    for request_id, result in results.items():
        ok = not (isinstance(result, Mapping) and result.get("success") is False)
        record: dict[str, Any] = {"id": request_id, "success": ok}
        if not ok:
            failed += 1
            record["error"] = result.get("error")
        elif payload_key is not None:
            record[payload_key] = result
        output.json_record(record)
    if failed:
        output.message(f"{failed} of {len(results)} failed")
    if not failed:
        return ExitCode.OK
    return ExitCode.ERROR if failed == len(results) else ExitCode.PARTIAL


def require_update(fields: dict[str, Any]) -> dict[str, Any]:
    """The update keywords; a usage error when there is nothing to update."""
    if not fields:
        usage_error(
            "nothing to update: pass --name, --description, --custom-attribute-1, "
            "--custom-attribute-2 or --product-type"
        )
    return fields


# -- the commands both kinds have --------------------------------------------------------------


class Operations(NamedTuple):
    """A client's operations on one kind of request."""

    search: Callable[..., Any]
    cancel: Callable[..., Any]
    update: Callable[..., Any]


@attrs.frozen
class RequestKind:
    """How ``capella tasks`` and ``capella repeats`` differ for search, cancel and update."""

    noun: str  # "tasking request": its ids, keys and the client's names follow from it
    fields: Mapping[str, Field]  # the search's filter table, which also names the tiers
    window: tuple[str, str]  # the search's time filter offered as an option, and its help
    columns: tuple[output.Column, ...]  # of ``--format table``; the first holds the id

    def operations(self, client: Any) -> Operations:
        """What `client` offers for this kind: ``search_``, ``cancel_``, ``update_<noun>s``."""
        return Operations(
            *(getattr(client, f"{verb}_{self.snake}s") for verb in Operations._fields)
        )

    @property
    def tiers(self) -> type[BaseEnum]:
        """The collection tiers, as the filter table types them."""
        return cast(type[BaseEnum], self.fields["collection_tier"].enum)

    @property
    def snake(self) -> str:
        """The noun as a Python name: ``tasking_request``."""
        return self.noun.replace(" ", "_")

    @property
    def id_keys(self) -> tuple[str, ...]:
        """Where a JSON record on stdin holds the id (``taskingrequestId``, ...)."""
        return (self.noun.replace(" ", "") + "Id", f"{self.snake}_id", "id")

    @property
    def ids(self) -> Options:
        """The ``ID... | -`` argument, as the option ``request_ids_``."""
        argument = typer.Argument(
            metavar=f"{self.snake.upper()}_ID... | -",
            show_default=False,
            help=f"{self.noun.capitalize()} ids, or '-' to read ids (or JSON records holding one) "
            "from stdin.",
        )
        return Options({"request_ids_": Option(Annotated[list[str], argument], default=...)})

    @property
    def search_options(self) -> Options:
        """The shared search options with this kind's tiers, time filter and ``--id``."""
        name, window_help = self.window
        flag = "--" + name.replace("_", "-")
        tiers = many(
            "--collection-tier",
            help=f"Tier(s): {choices(self.tiers)}.",
            values=self.tiers,
            to_keywords=listed,
        )
        ids = many("--id", help=f"{self.noun.capitalize()} id(s).", to_keywords=listed)
        return Options(
            SEARCH_STATUS,
            {"collection_tier": tiers},
            SEARCH_MODE,
            {name: interval_option(flag, window_help), f"{self.snake}_id": ids},
            SEARCH_SCOPE,
        )


# The two kinds side by side: what tells them apart, the rest follows from the noun.
TASKING_REQUESTS = RequestKind(
    "tasking request",
    TASKING_REQUEST_FIELDS,
    window=("window_open", "Window opens in this interval."),
    columns=output.TASK_COLUMNS,
)
REPEAT_REQUESTS = RequestKind(
    "repeat request",
    REPEAT_REQUEST_FIELDS,
    window=("repeat_start", "Series starts in this interval."),
    columns=output.REPEAT_COLUMNS,
)

_UPDATES = Options(
    {
        "name": text("--name", help="New name."),
        "description": DESCRIPTION,
        **CUSTOM_ATTRIBUTES,
        "product_types": PRODUCT_TYPES,
    }
)
_YES = Options({"yes": switch("--yes", "-y", help="Do not ask for confirmation.")})


def add_request_commands(app: typer.Typer, kind: RequestKind, epilogs: Mapping[str, str]) -> None:
    """Add ``search``, ``cancel`` and ``update`` of one kind of request to `app`.

    `epilogs` holds each command's examples.
    """
    columns = kind.columns

    def command(name: str, text: str) -> Callable[[Callable[..., None]], Any]:
        decorate = app.command(name, cls=Command, epilog=epilog(epilogs[name]), help=text)
        return lambda function: decorate(with_options(function))

    @command("search", f"Search your {kind.noun}s (one JSON record per request).")
    def search(ctx: typer.Context, options: Given = kind.search_options) -> None:
        call = {name: options.pop(name) for name in _CALL_OPTIONS if name in options}
        fmt = call.pop("fmt")
        keywords = search_filters(
            f"search_{kind.snake}s", kind.fields, options, call.pop("filters", None)
        )
        result = kind.operations(state_of(ctx).client()).search(**call, **keywords)
        output.records(result, fmt, id_of=columns[0].get, columns=columns)

    @command("cancel", f"Cancel {kind.noun}s.")
    def cancel(ctx: typer.Context, given: Given = kind.ids, confirm: Given = _YES) -> None:
        request_ids_ = request_ids(given["request_ids_"], kind.id_keys)
        confirm_cancel(len(request_ids_), kind.noun, bool(confirm.get("yes")))
        results = kind.operations(state_of(ctx).client()).cancel(*request_ids_)
        raise typer.Exit(bulk_records(results))

    @command(
        "update",
        f"Update the name, description, custom attributes or product types of {kind.noun}s.",
    )
    def update(ctx: typer.Context, given: Given = kind.ids, fields: Given = _UPDATES) -> None:
        changes = require_update(fields)
        request_ids_ = request_ids(given["request_ids_"], kind.id_keys)
        results = kind.operations(state_of(ctx).client()).update(*request_ids_, **changes)
        raise typer.Exit(bulk_records(results, payload_key="request"))
