"""What ``capella tasks`` and ``capella repeats`` share: options, search filters, bulk results."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer

from capella.cli import output
from capella.cli._context import CliError, ExitCode, usage_error
from capella.cli._inputs import parse_interval, parse_value, split_csv
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
from capella.tasking.search import Field, Kind, build_query


def choices(enum_cls: type[BaseEnum]) -> str:
    """The values of an enum for help texts."""
    return ", ".join(str(v) for v in enum_cls.values())


def completer(enum_cls: type[BaseEnum]) -> Callable[[str], list[str]]:
    """Shell completion of an enum's values."""
    values = [str(v) for v in enum_cls.values()]
    return lambda incomplete: [v for v in values if v.startswith(incomplete)]


# -- create options (shared by tasks and repeats) ---------------------------------------------

Geometry = Annotated[
    str,
    typer.Option(
        "--geometry",
        "-g",
        metavar="FILE|-",
        show_default=False,
        help="Point or Polygon: a GeoJSON file, '-' for stdin, or inline JSON (a Feature or "
        "one-feature FeatureCollection is unwrapped).",
    ),
]
Name = Annotated[str, typer.Option("--name", show_default=False, help="Name of the request.")]
Description = Annotated[str | None, typer.Option("--description", help="Free text.")]
CollectionTypeOpt = Annotated[
    str | None,
    typer.Option(
        "--collection-type",
        help=f"{choices(CollectionType)} (default spotlight).",
        autocompletion=completer(CollectionType),
    ),
]
LocalTime = Annotated[
    str | None,
    typer.Option(
        "--local-time",
        help="day, night, anytime, or JSON seconds of the day, e.g. '[[21600,64800]]'.",
    ),
]
ProductTypes = Annotated[
    list[str] | None,
    typer.Option(
        "--product-type",
        "-p",
        help=f"Products to deliver (repeatable or comma-separated): {choices(ProductType)}.",
        autocompletion=completer(ProductType),
    ),
]
OffNadirMin = Annotated[float | None, typer.Option("--off-nadir-min", help="Degrees.")]
OffNadirMax = Annotated[float | None, typer.Option("--off-nadir-max", help="Degrees.")]
ImageWidth = Annotated[float | None, typer.Option("--image-width", help="Metres.")]
OrbitalPlanes = Annotated[
    list[str] | None,
    typer.Option("--orbital-plane", help="Allowed orbital planes: 45, 53, 97 (repeatable)."),
]
AscDsc = Annotated[
    str | None,
    typer.Option(
        "--asc-dsc",
        help=f"{choices(OrbitState)} (default either).",
        autocompletion=completer(OrbitState),
    ),
]
LookDirection = Annotated[
    str | None,
    typer.Option(
        "--look-direction",
        help=f"{choices(ObservationDirection)} (default either).",
        autocompletion=completer(ObservationDirection),
    ),
]
PolarizationOpt = Annotated[
    str | None,
    typer.Option(
        "--polarization", help=choices(Polarization), autocompletion=completer(Polarization)
    ),
]
ArchiveHoldbackOpt = Annotated[
    str | None,
    typer.Option(
        "--archive-holdback",
        help=f"{choices(ArchiveHoldback)} (default none).",
        autocompletion=completer(ArchiveHoldback),
    ),
]
CustomAttribute1 = Annotated[
    str | None, typer.Option("--custom-attribute-1", help="Your metadata.")
]
CustomAttribute2 = Annotated[
    str | None, typer.Option("--custom-attribute-2", help="Your metadata.")
]
AzimuthMin = Annotated[
    float | None, typer.Option("--azimuth-angle-min", help="Degrees from north.")
]
AzimuthMax = Annotated[
    float | None, typer.Option("--azimuth-angle-max", help="Degrees from north.")
]
Squint = Annotated[
    str | None,
    typer.Option(
        "--squint",
        help=f"{choices(SquintMode)} (default enabled for a point, disabled for an area).",
        autocompletion=completer(SquintMode),
    ),
]
MaxSquint = Annotated[float | None, typer.Option("--max-squint-angle", help="Degrees.")]
ContractId = Annotated[
    str | None, typer.Option("--contract-id", help="Charge this contract (default: your default).")
]


def local_time_value(text: str | None) -> Any:
    """``day`` as is; JSON time ranges parsed."""
    if text is None:
        return None
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            return json.loads(stripped)
        except ValueError as exc:
            usage_error(f"--local-time {text!r}: not valid JSON ({exc})")
    return stripped


def orbital_planes_value(values: list[str] | None) -> list[int] | None:
    """``--orbital-plane 45,53`` -> [45, 53]."""
    planes = split_csv(values)
    if not planes:
        return None
    try:
        return [int(p) for p in planes]
    except ValueError:
        usage_error(f"--orbital-plane: expected numbers (45, 53, 97), got {', '.join(planes)}")


def given(**kwargs: Any) -> dict[str, Any]:
    """Only the keywords that were given, so that the client's defaults apply to the rest."""
    return {k: v for k, v in kwargs.items() if v is not None}


# -- search options ----------------------------------------------------------------------------

Status = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help=f"Current status(es), repeatable or comma-separated: {choices(TaskingRequestStatus)}.",
        autocompletion=completer(TaskingRequestStatus),
    ),
]
CollectionTypes = Annotated[
    list[str] | None,
    typer.Option(
        "--collection-type",
        help="Collection type(s), repeatable or comma-separated.",
        autocompletion=completer(CollectionType),
    ),
]
InstrumentModes = Annotated[
    list[str] | None,
    typer.Option(
        "--instrument-mode",
        help=f"Instrument mode(s): {choices(InstrumentMode)}.",
        autocompletion=completer(InstrumentMode),
    ),
]
SubmissionTime = Annotated[
    str | None,
    typer.Option(
        "--submission-time",
        metavar="START/END",
        help="Submitted in this interval (ISO 8601; '..' or nothing for an open side).",
    ),
]
ForOrg = Annotated[
    bool,
    typer.Option("--for-org", help="Your organization's requests (organization-manager role)."),
]
OrgId = Annotated[str | None, typer.Option("--org-id", help="Another organization's requests.")]
UserId = Annotated[str | None, typer.Option("--user-id", help="Another user's requests.")]
Filters = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        "-f",
        metavar="FIELD__OP=VALUE",
        help="Any search filter (repeatable), e.g. submission_time__gte=2024-01-01.",
    ),
]
Threaded = Annotated[
    bool, typer.Option("--threaded/--no-threaded", help="Fetch pages in parallel.")
]
PageSize = Annotated[int, typer.Option("--page-size", min=250, max=500, help="Requests per page.")]


def add_interval(filters: dict[str, Any], name: str, text: str | None, option: str) -> None:
    """``START/END`` -> ``name__gte`` / ``name__lte``; one instant -> ``name``."""
    if text is None:
        return
    start, end = parse_interval(text, option)
    if start is not None and start == end:
        filters[name] = start
        return
    if start is not None:
        filters[f"{name}__gte"] = start
    if end is not None:
        filters[f"{name}__lte"] = end


def add_list(filters: dict[str, Any], name: str, values: list[str] | None) -> None:
    """Repeatable/comma options -> one value or a list (any of)."""
    parts = split_csv(values)
    if parts:
        filters[name] = parts[0] if len(parts) == 1 else parts


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
    except TypeError as exc:
        # The library's message names the Python function; say it in command-line terms.
        text = str(exc).replace(f"{func}() got an unexpected keyword argument", "unknown filter")
        raise CliError(text.replace(f"{func}(): ", ""), ExitCode.USAGE) from None
    return filters


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
