"""Validation of the fields tasking and repeat requests share: constraints, holdback, processing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from capella.sandbox.formats import format_time
from capella.sandbox.json_types import Json
from capella.sandbox.tasking_options import (
    ARCHIVE_HOLDBACKS,
    ASC_DSC,
    COLLECTION_TYPES,
    LEGACY_HOLDBACKS,
    LOCAL_TIMES,
    LOOK_DIRECTIONS,
    ORBITAL_PLANES,
    POLARIZATIONS,
    PRODUCT_TYPES,
    SQUINTS,
    list_price,
)
from capella.sandbox.users import User
from capella.sandbox.validation import Issues

__all__ = ["RequestBasics", "common_properties", "processing", "updates"]


@dataclass(frozen=True)
class RequestBasics:
    """What every new tasking or repeat request holds: who asked, where, what and when."""

    user: User
    geometry: Json
    name: str
    description: str
    contract: str
    submitted: datetime
    history: list[Json]
    tier: str  # the collection tier, which with type and holdback sets the price
    # The validated fields of `common_properties`.
    collection_type: str
    holdback: str
    custom: Json
    constraints: Json
    processing: Json | None

    def feature(self, prefix: str, ident: str, properties: Json) -> Json:
        """The request feature `ident`: the properties every request starts with, then
        `properties` (`prefix` is ``taskingrequest`` or ``repeatrequest``)."""
        return {
            "type": "Feature",
            "geometry": self.geometry,
            "properties": {**self._header(prefix, ident), **properties},
        }

    def _header(self, prefix: str, ident: str) -> Json:
        return {
            "submissionTime": format_time(self.submitted),
            f"{prefix}Id": ident,
            f"{prefix}Name": self.name,
            f"{prefix}Description": self.description,
            "orgId": self.user.organization_id,
            "userId": self.user.id,
        }

    def billing(self) -> Json:
        """The custom attributes and the contract."""
        return {
            "customAttribute1": self.custom["customAttribute1"],
            "customAttribute2": self.custom["customAttribute2"],
            "contractId": self.contract,
        }

    @property
    def price(self) -> float:
        """The list price of one collection of this request."""
        return list_price(self.collection_type, self.tier, self.holdback)

    def collection(self) -> Json:
        """The collection properties: tier, type, mode, holdback, status, constraints."""
        return {
            "collectionTier": self.tier,
            "collectionType": self.collection_type,
            "type": COLLECTION_TYPES[self.collection_type].collect_mode,
            "archiveHoldback": self.holdback,
            "statusHistory": self.history,
            "collectConstraints": self.constraints,
            "processingConfig": self.processing,
            "billingEnvironment": "default",
        }


def common_properties(issues: Issues, body: Json, properties: Json) -> Json:
    """Validate what tasking and repeat requests share; return it normalised."""
    if body.get("type", "Feature") != "Feature":
        issues.add("type", "Expected 'Feature'", "invalid_literal")
    collection_type = issues.enum(
        "properties.collectionType",
        properties.get("collectionType"),
        tuple(COLLECTION_TYPES),
        "spotlight",
    )
    holdback = properties.get("archiveHoldback")
    holdback = LEGACY_HOLDBACKS.get(holdback, holdback) if isinstance(holdback, str) else holdback
    holdback = issues.enum("properties.archiveHoldback", holdback, ARCHIVE_HOLDBACKS, "none")
    custom = {
        key: issues.string(f"properties.{key}", properties.get(key))
        for key in ("customAttribute1", "customAttribute2")
    }
    constraints = _constraints(
        issues, properties.get("collectConstraints"), collection_type, body.get("geometry")
    )
    config = processing(issues, properties.get("processingConfig"))
    return {
        "collection_type": collection_type,
        "holdback": holdback,
        "custom": custom,
        "constraints": constraints,
        "processing": config,
    }


def _constraints(issues: Issues, raw: Any, collection_type: str, geometry: Any) -> Json:
    kind = COLLECTION_TYPES[collection_type]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        issues.add("properties.collectConstraints", "Expected object", "invalid_type")
        raw = {}
    path = "properties.collectConstraints"
    point = isinstance(geometry, dict) and geometry.get("type") == "Point"
    result: Json = {
        "ascDsc": issues.enum(f"{path}.ascDsc", raw.get("ascDsc"), ASC_DSC, "either"),
        "lookDirection": issues.enum(
            f"{path}.lookDirection", raw.get("lookDirection"), LOOK_DIRECTIONS, "either"
        ),
        "squint": issues.enum(
            f"{path}.squint", raw.get("squint"), SQUINTS, "enabled" if point else "disabled"
        ),
        "polarization": issues.enum(
            f"{path}.polarization", raw.get("polarization"), POLARIZATIONS, "HH"
        ),
        "localTime": _local_time(issues, f"{path}.localTime", raw.get("localTime")),
        "orbitalPlanes": [],
        "collectMode": kind.collect_mode,
        "imageLength": kind.image_length,
    }
    planes = raw.get("orbitalPlanes")
    if planes is not None:
        if not isinstance(planes, list) or any(p not in ORBITAL_PLANES for p in planes):
            issues.add(
                f"{path}.orbitalPlanes",
                "Orbital planes must be among 45, 53, 97",
                "invalid_enum_value",
            )
        else:
            result["orbitalPlanes"] = planes
    numbers = {
        "offNadirMin": (0, 90, 25),
        "offNadirMax": (0, 90, 40),
        "imageWidth": (1, 1_000_000, kind.image_width),
        "azimuthAngleMin": (0, 360, None),
        "azimuthAngleMax": (0, 360, None),
        "maxSquintAngle": (0, 90, None),
        "grazingAngleMin": (0, 90, None),
        "grazingAngleMax": (0, 90, None),
    }
    for key, (low, high, default) in numbers.items():
        value = issues.number(f"{path}.{key}", raw.get(key), low, high)
        if value is not None:
            result[key] = value
        elif default is not None:
            result[key] = default
    if result["offNadirMin"] > result["offNadirMax"]:
        if "offNadirMax" in raw:
            issues.add(f"{path}.offNadirMin", "offNadirMin must not exceed offNadirMax")
        else:
            result["offNadirMax"] = result["offNadirMin"]
    return result


def _local_time(issues: Issues, path: str, value: Any) -> list[list[int]]:
    if value is None:
        return LOCAL_TIMES["anytime"]
    if isinstance(value, str):
        if value in LOCAL_TIMES:
            return LOCAL_TIMES[value]
        issues.add(
            path,
            f"Invalid enum value. Expected 'day' | 'night' | 'anytime', received '{value}'",
            "invalid_enum_value",
        )
        return LOCAL_TIMES["anytime"]
    ok = isinstance(value, list) and all(
        isinstance(pair, list)
        and len(pair) == 2
        and all(isinstance(s, int) and not isinstance(s, bool) for s in pair)
        and 0 <= pair[0] < pair[1] <= 86400
        for pair in value
    )
    if not ok or not value:
        issues.add(path, "Expected [[startSeconds, endSeconds], ...] within a day", "custom")
        return LOCAL_TIMES["anytime"]
    return [list(pair) for pair in value]


def processing(issues: Issues, raw: Any) -> Json | None:
    """The processing config of a request: the product types asked for, with GEO always in."""
    if raw is None:
        return {"productTypes": ["SLC", "GEO", "GEC", "SICD", "SIDD"]}
    types = raw.get("productTypes") if isinstance(raw, dict) else None
    if not isinstance(types, list) or not all(t in PRODUCT_TYPES for t in types):
        issues.add(
            "properties.processingConfig.productTypes",
            f"Product types must be among {', '.join(PRODUCT_TYPES)}",
            "invalid_enum_value",
        )
        return None
    # GEO is always produced (Capella: "GEO is mandatory and cannot be removed").
    return {"productTypes": list(dict.fromkeys([*types, "GEO"]))}


def updates(body: Json, prefix: str) -> Json:
    """The validated property changes of a PATCH on a `prefix` (tasking or repeat) request."""
    properties = body.get("properties", {})
    issues = Issues()
    if not isinstance(properties, dict):
        issues.add("properties", "Expected object", "invalid_type")
        issues.raise_if_any()
    allowed = {
        f"{prefix}Name",
        f"{prefix}Description",
        "customAttribute1",
        "customAttribute2",
        "processingConfig",
    }
    unknown = sorted(set(properties) - allowed)
    if unknown:
        issues.add(
            "properties",
            f"Unrecognized key(s) in object: {', '.join(repr(k) for k in unknown)}",
            "unrecognized_keys",
        )
    changes: Json = {}
    for key in sorted(allowed & set(properties)):
        if key == "processingConfig":
            changes[key] = processing(issues, properties[key])
        else:
            required = key == f"{prefix}Name"
            changes[key] = issues.string(f"properties.{key}", properties[key], required=required)
    issues.raise_if_any()
    return changes
