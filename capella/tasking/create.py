"""Create tasking and repeat requests: typed arguments in, the reference SDK's wire body out."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypedDict, Unpack

from capella._flow import Context, Flow, call
from capella._logging import ClientLog
from capella.enumerations import (
    ArchiveHoldback,
    CollectionTier,
    CollectionType,
    InsarOrbit,
    ObservationDirection,
    OrbitalPlane,
    OrbitState,
    Polarization,
    RepeatCollectionTier,
    SquintMode,
)
from capella.errors import (
    CapellaConsoleClientError,
    InvalidInputError,
    RepeatRequestPayloadValidationError,
)
from capella.tasking import _values as v
from capella.tasking._entity import REPEAT, TASKING, Entity
from capella.tasking.types import (
    ArchiveHoldbackLike,
    CollectionTierLike,
    CollectionTypeLike,
    DatetimeLike,
    GeometryLike,
    InsarOrbitLike,
    LocalTimeLike,
    LookDirectionLike,
    OrbitalPlaneLike,
    OrbitStateLike,
    PolarizationLike,
    ProductTypeLike,
    RepeatCollectionTierLike,
    RepetitionIntervalLike,
    SquintLike,
)

DEFAULT_WINDOW = timedelta(days=7)
INSAR_TIERS = frozenset({RepeatCollectionTier.insar, RepeatCollectionTier.insar_internal})


class ApiSpellings(TypedDict, total=False):
    """Keywords spelled as the API spells them, accepted because the seed examples use them."""

    orbitalPlanes: Sequence[OrbitalPlaneLike] | None


def _now() -> datetime:
    return datetime.now(UTC)


def _not_over(name: str, end: datetime, now: datetime) -> None:
    """Refuse an end that has passed: nothing can be collected in a window entirely past."""
    if end <= now:
        raise InvalidInputError(
            f"{name} ({v.iso_utc(end)}) is in the past (now is {v.iso_utc(now)}); "
            f"pass a {name} after now"
        )


def _orbital_planes(
    func: str, orbital_planes: Sequence[OrbitalPlaneLike] | None, spellings: ApiSpellings
) -> Sequence[OrbitalPlaneLike] | None:
    unknown = sorted(set(spellings) - set(ApiSpellings.__annotations__))
    if unknown:
        raise TypeError(f"{func}() got an unexpected keyword argument {unknown[0]!r}")
    if "orbitalPlanes" in spellings:
        if orbital_planes is not None:
            raise TypeError(f"{func}() got both orbital_planes and orbitalPlanes; pass one")
        return spellings["orbitalPlanes"]
    return orbital_planes


Check = Callable[[str, Any], Any]
"""Turns one argument (its name, its value) into its wire value, or raises InvalidInputError."""
Fields = tuple[tuple[str, str, Check], ...]
"""Keyword, wire key and check of each argument that a part of the body is made of."""


def _optional(check: Check) -> Check:
    """``check`` for a value that may be None (None stays None: the key is left out)."""
    return lambda name, value: None if value is None else check(name, value)


def _enum(enum_cls: type[Enum]) -> Check:
    return lambda name, value: v.enum_value(name, value, enum_cls)


def _angle(maximum: float) -> Check:
    return _optional(lambda name, value: v.number(name, value, minimum=0, maximum=maximum))


def _positive(name: str, value: Any) -> Any:
    return v.number(name, value, minimum=0, exclusive_minimum=True)


def _count(name: str, value: Any) -> Any:
    return v.number(name, value, minimum=1, integer=True)


def _planes(name: str, value: Any) -> list[Any]:
    items = v.as_list(value)
    return v.enum_values(name, [value] if items is None else items, OrbitalPlane)


def _local_time(_name: str, value: Any) -> Any:
    return v.local_time(value)


COLLECT_CONSTRAINTS: Fields = (
    ("off_nadir_min", "offNadirMin", _angle(90)),
    ("off_nadir_max", "offNadirMax", _angle(90)),
    ("image_width", "imageWidth", _optional(_positive)),
    ("orbital_planes", "orbitalPlanes", _optional(_planes)),
    ("asc_dsc", "ascDsc", _enum(OrbitState)),
    ("look_direction", "lookDirection", _enum(ObservationDirection)),
    ("local_time", "localTime", _optional(_local_time)),
    ("polarization", "polarization", _optional(_enum(Polarization))),
    ("azimuth_angle_min", "azimuthAngleMin", _angle(360)),
    ("azimuth_angle_max", "azimuthAngleMax", _angle(360)),
    ("squint", "squint", _enum(SquintMode)),
    ("max_squint_angle", "maxSquintAngle", _angle(90)),
)
# Properties both requests have; the custom attributes are sent as null when unset, as the
# reference SDK does.
COMMON_PROPERTIES: Fields = (
    ("collection_type", "collectionType", _enum(CollectionType)),
    ("archive_holdback", "archiveHoldback", _enum(ArchiveHoldback)),
    ("custom_attribute_1", "customAttribute1", v.optional_str),
    ("custom_attribute_2", "customAttribute2", v.optional_str),
)
REPETITION_PROPERTIES: Fields = (
    ("repetition_interval", "repetitionInterval", _count),
    ("repetition_count", "repetitionCount", _optional(_count)),
    ("maintain_scene_framing", "maintainSceneFraming", _optional(v.boolean)),
    ("look_angle_tolerance", "lookAngleTolerance", _angle(90)),
    ("azimuth_angle_tolerance", "azimuthAngleTolerance", _angle(360)),
)


def _wire(fields: Fields, args: Mapping[str, Any]) -> dict[str, Any]:
    """The checked wire value of each field's argument, in the table's order."""
    return {key: check(name, args[name]) for name, key, check in fields}


def _set(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _collect_constraints(geometry_type: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """``collectConstraints``: only the keys whose value is set, camelCase as the API names them."""
    squint = args["squint"]
    if squint is None:
        # The reference SDK's default, which the API documents: squinted for a point only.
        squint = SquintMode.ENABLED if geometry_type == "Point" else SquintMode.DISABLED
    constraints = _set(_wire(COLLECT_CONSTRAINTS, {**args, "squint": squint}))
    nadir_min, nadir_max = constraints.get("offNadirMin"), constraints.get("offNadirMax")
    if nadir_min is not None and nadir_max is not None and nadir_min > nadir_max:
        raise InvalidInputError(
            f"off_nadir_min ({nadir_min:g}) must not be greater than off_nadir_max ({nadir_max:g})"
        )
    return constraints


def _feature(
    geometry: dict[str, Any],
    properties: dict[str, Any],
    product_types: Sequence[ProductTypeLike] | ProductTypeLike | None,
    contract_id: str | None,
) -> dict[str, Any]:
    if product_types is not None:
        properties["processingConfig"] = {"productTypes": v.product_types(product_types)}
    body: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": properties}
    if contract_id is not None:
        if not isinstance(contract_id, str) or not contract_id.strip():
            raise InvalidInputError(
                f"contract_id: expected a non-empty string, not {contract_id!r}"
            )
        body["contractId"] = contract_id
    return body


def _name(name: str, description: str | None) -> tuple[str, str]:
    if not isinstance(name, str):
        raise InvalidInputError(f"name: expected a string, not {type(name).__name__}")
    return name, v.optional_str("description", description) or ""


def announce(log: ClientLog, what: str, body: dict[str, Any]) -> None:
    """Log the request about to be created (its name; the payload at DEBUG)."""
    prefix = what.split()[0]  # "tasking" or "repeat": the wire names are f"{prefix}requestName"
    name = body["properties"][f"{prefix}requestName"]
    log.info("creating %s %r", what, name)
    log.debug("%s payload: %s", what, json.dumps(body))


def created(log: ClientLog, what: str, answer: Any) -> dict[str, Any]:
    """The API's answer to a create, checked to be the request; logs its id."""
    if not isinstance(answer, dict):
        raise CapellaConsoleClientError(
            f"creating a {what} returned {type(answer).__name__}, not the request",
            "INVALID_RESPONSE",
        )
    prefix = what.split()[0]
    properties = answer.get("properties") or {}
    log.info("created %s %s", what, properties.get(f"{prefix}requestId"))
    return answer


Parts = tuple[dict[str, Any], dict[str, Any]]
"""An entity's own properties: those after the name and description, those at the end."""


def _tasking_parts(args: Mapping[str, Any], now: datetime) -> Parts:
    """The collection window (default: now to 7 days on) and tier; the pre-approval flag."""
    window_open, window_close = args["window_open"], args["window_close"]
    opens = now if window_open is None else v.to_datetime("window_open", window_open)
    closes = (
        opens + DEFAULT_WINDOW
        if window_close is None
        else v.to_datetime("window_close", window_close)
    )
    _not_over("window_close", closes, now)
    if closes <= opens:
        raise InvalidInputError(
            f"window_close ({v.iso_utc(closes)}) must be after window_open ({v.iso_utc(opens)})"
        )
    head = {
        "windowOpen": v.iso_utc(opens),
        "windowClose": v.iso_utc(closes),
        "collectionTier": v.enum_value("collection_tier", args["collection_tier"], CollectionTier),
    }
    # snake_case on the wire: the key the reference SDK sends (responses say preApproval).
    return head, {"pre_approval": v.boolean("pre_approval", args["pre_approval"])}


def _repeat_parts(args: Mapping[str, Any], now: datetime) -> Parts:
    """The tier (and its InSAR orbit); the series' start, end and cadence, window duration."""
    repeat_start, repeat_end = args["repeat_start"], args["repeat_end"]
    if repeat_end is not None and args["repetition_count"] is not None:
        raise RepeatRequestPayloadValidationError(
            "repeat_end and repetition_count exclude each other; pass only one of them"
        )
    tier = v.enum_member("collection_tier", args["collection_tier"], RepeatCollectionTier)
    insar_orbit = args["insar_orbit"]
    orbit = None if insar_orbit is None else v.enum_value("insar_orbit", insar_orbit, InsarOrbit)
    if tier in INSAR_TIERS and orbit is None:
        raise RepeatRequestPayloadValidationError(
            f"the {tier.value!r} tier requires insar_orbit "
            f"({', '.join(o.value for o in InsarOrbit)})"
        )
    if orbit is not None and tier not in INSAR_TIERS:
        raise RepeatRequestPayloadValidationError(
            f"insar_orbit applies to the insar tiers only, not to {tier.value!r}"
        )
    starts = now if repeat_start is None else v.to_datetime("repeat_start", repeat_start)
    repetition: dict[str, Any] = {"repeatStart": v.iso_utc(starts)}
    if repeat_end is not None:
        ends = v.to_datetime("repeat_end", repeat_end)
        _not_over("repeat_end", ends, now)
        if ends <= starts:
            raise InvalidInputError(
                f"repeat_end ({v.iso_utc(ends)}) must be after repeat_start ({v.iso_utc(starts)})"
            )
        repetition["repeatEnd"] = v.iso_utc(ends)
    tail = {
        "repetitionProperties": repetition | _set(_wire(REPETITION_PROPERTIES, args)),
        # The reference SDK silently drops 0; a zero-length window is refused here instead.
        "windowDuration": _optional(_positive)("window_duration", args["window_duration"]),
        "insar": None if orbit is None else {"orbit": orbit},
    }
    return {"collectionTier": tier.value}, _set(tail)


PARTS: dict[Entity, Callable[[Mapping[str, Any], datetime], Parts]] = {
    TASKING: _tasking_parts,
    REPEAT: _repeat_parts,
}


def request_body(entity: Entity, args: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The wire body of a create from its arguments by name; each one checked first.

    Keys are those the reference SDK sends: the name and description, the entity's own head
    properties, the common ones, ``collectConstraints``, the entity's own tail properties.
    """
    planes = _orbital_planes(entity.func("create"), args["orbital_planes"], args["api_spellings"])
    geo = v.geometry(args["geometry"])
    name, description = _name(args["name"], args["description"])
    head, tail = PARTS[entity](args, now)
    properties: dict[str, Any] = {
        f"{entity.prefix}Name": name,
        f"{entity.prefix}Description": description,
        **head,
        **_wire(COMMON_PROPERTIES, args),
        "collectConstraints": _collect_constraints(geo["type"], {**args, "orbital_planes": planes}),
        **tail,
    }
    return _feature(geo, properties, args["product_types"], args["contract_id"])


def _create(ctx: Context, entity: Entity, args: Mapping[str, Any]) -> Flow[dict[str, Any]]:
    """Create the request of ``args`` (a create function's arguments by name); the answer."""
    body = request_body(entity, args, _now())
    announce(ctx.log, entity.noun, body)
    return created(ctx.log, entity.noun, (yield call(entity.create, body=body)))


def create_tasking_request(
    ctx: Context,
    /,
    *,
    geometry: GeometryLike,
    name: str,
    description: str = "",
    collection_type: CollectionTypeLike = "spotlight",
    collection_tier: CollectionTierLike = "standard",
    window_open: DatetimeLike | None = None,
    window_close: DatetimeLike | None = None,
    local_time: LocalTimeLike | None = None,
    product_types: Sequence[ProductTypeLike] | None = None,
    off_nadir_min: float | None = None,
    off_nadir_max: float | None = None,
    image_width: float | None = None,
    orbital_planes: Sequence[OrbitalPlaneLike] | None = None,
    asc_dsc: OrbitStateLike = "either",
    look_direction: LookDirectionLike = "either",
    polarization: PolarizationLike | None = None,
    archive_holdback: ArchiveHoldbackLike = "none",
    custom_attribute_1: str | None = None,
    custom_attribute_2: str | None = None,
    pre_approval: bool = False,
    azimuth_angle_min: float | None = None,
    azimuth_angle_max: float | None = None,
    squint: SquintLike | None = None,
    max_squint_angle: float | None = None,
    contract_id: str | None = None,
    **api_spellings: Unpack[ApiSpellings],
) -> Flow[dict[str, Any]]:
    """Create a tasking request (``POST /task``) and return it as the API answers.

    Only ``geometry`` and ``name`` are required. Enum arguments take the enum member or its value.
    Every argument is checked before the request; a bad one raises ``InvalidInputError``.

    Args:
        geometry: the area or point of interest: a GeoJSON Point or Polygon (dict, ``geojson``
            object or anything with ``__geo_interface__``).
        name: name of the request. description: free text, default ``""``.
        collection_type: collect mode, looks and resolution, default ``spotlight``.
        collection_tier: how soon after ``window_open`` to collect, default ``standard``.
        window_open: earliest collection time, default now. window_close: latest collection
            time, default ``window_open`` + 7 days; it must be in the future. Datetimes (naive
            means UTC, aware ones are converted), dates or strings.
        local_time: ``day``, ``night``, ``anytime`` or ``[[start, end], ...]`` seconds of the
            local day (0 to 86400).
        product_types: products to deliver with the imagery, e.g. ``["GEO", "SLC"]``.
        off_nadir_min, off_nadir_max: off-nadir angle range in degrees.
        image_width: image width in metres.
        orbital_planes: allowed orbital planes (45, 53, 97); ``orbitalPlanes`` is accepted too.
        asc_dsc: ascending, descending or either pass (default either).
        look_direction: left, right or either (default either).
        polarization: ``HH`` or ``VV``.
        archive_holdback: period the imagery is held back from the public archive: ``none``
            (default), ``30_day``, ``1_year`` or ``permanent`` (``"30 day"``, ``one_year``,
            ... are read as those).
        custom_attribute_1, custom_attribute_2: your own metadata, e.g. correlation ids.
        pre_approval: skip the cost review step.
        azimuth_angle_min, azimuth_angle_max: azimuth range in degrees clockwise from north.
        squint: ``enabled``, ``disabled``, ``forward`` or ``backward``; default ``enabled`` for
            a point and ``disabled`` for an area.
        max_squint_angle: largest absolute squint angle in degrees.
        contract_id: the contract to charge (default: the organization's default contract).
    """
    # The arguments by name: the field tables say what each becomes on the wire.
    return (yield from _create(ctx, TASKING, locals()))


def create_repeat_request(
    ctx: Context,
    /,
    *,
    geometry: GeometryLike,
    name: str,
    description: str = "",
    collection_type: CollectionTypeLike = "spotlight",
    collection_tier: RepeatCollectionTierLike = "routine",
    repeat_start: DatetimeLike | None = None,
    repeat_end: DatetimeLike | None = None,
    repetition_interval: RepetitionIntervalLike = 7,
    repetition_count: int | None = None,
    local_time: LocalTimeLike | None = None,
    product_types: Sequence[ProductTypeLike] | None = None,
    off_nadir_min: float | None = None,
    off_nadir_max: float | None = None,
    image_width: float | None = None,
    orbital_planes: Sequence[OrbitalPlaneLike] | None = None,
    asc_dsc: OrbitStateLike = "either",
    look_direction: LookDirectionLike = "either",
    polarization: PolarizationLike | None = None,
    archive_holdback: ArchiveHoldbackLike = "none",
    custom_attribute_1: str | None = None,
    custom_attribute_2: str | None = None,
    azimuth_angle_min: float | None = None,
    azimuth_angle_max: float | None = None,
    squint: SquintLike | None = None,
    max_squint_angle: float | None = None,
    contract_id: str | None = None,
    maintain_scene_framing: bool | None = None,
    look_angle_tolerance: float | None = None,
    azimuth_angle_tolerance: float | None = None,
    window_duration: float | None = None,
    insar_orbit: InsarOrbitLike | None = None,
    **api_spellings: Unpack[ApiSpellings],
) -> Flow[dict[str, Any]]:
    """Create a repeat request (``POST /repeat-requests``) and return it as the API answers.

    Only ``geometry`` and ``name`` are required; the collect arguments are those of
    ``create_tasking_request`` (there is no ``pre_approval``). The cadence:

    Args:
        collection_tier: ``routine`` (default), ``flexible``, ``internal``, ``insar`` or
            ``insar-internal``; the insar tiers require ``insar_orbit``.
        repeat_start: when the series starts, default now.
        repeat_end: when it ends (in the future). Exclusive with ``repetition_count``; with
            neither, the series runs until cancelled.
        repetition_interval: days between the starts of derived requests, default 7 (see
            ``RepeatCycle``).
        repetition_count: number of acquisitions in the series.
        maintain_scene_framing: keep look direction, pass direction and orbital plane constant.
        look_angle_tolerance, azimuth_angle_tolerance: allowed deviation across acquisitions,
            in degrees.
        window_duration: duration of each derived request in seconds (must be positive).
        insar_orbit: ``MIO_53_2P95`` or ``SSO_97_7P00``, for the insar tiers.
    """
    return (yield from _create(ctx, REPEAT, locals()))
