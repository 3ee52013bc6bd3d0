"""Validation of request bodies, reported as the real API's zod-like issues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity

from capella.sandbox.api_errors import validation_error
from capella.sandbox.formats import parse_time
from capella.sandbox.json_types import Json

__all__ = ["Issues", "check_geometry"]


class Issues:
    """Collects validation issues and raises them as one VALIDATION_ERROR."""

    def __init__(self) -> None:
        self.items: list[Json] = []

    def add(self, path: str, message: str, code: str = "custom") -> None:
        """Record one issue at `path`."""
        self.items.append({"message": message, "code": code, "path": path})

    def raise_if_any(self) -> None:
        """Raise the collected issues, if any."""
        if self.items:
            raise validation_error(self.items)

    def enum(self, path: str, value: Any, allowed: Sequence[Any], default: Any) -> Any:
        """`value` if it is one of `allowed` (or `default` when absent), else record an issue."""
        if value is None:
            return default
        if value not in allowed:
            options = " | ".join(f"'{a}'" for a in allowed)
            self.add(
                path,
                f"Invalid enum value. Expected {options}, received '{value}'",
                "invalid_enum_value",
            )
            return default
        return value

    def string(self, path: str, value: Any, *, required: bool = False, default: Any = None) -> Any:
        """`value` if it is a string (or null when optional), else record an issue."""
        if value is None:
            if required:
                self.add(path, "Required", "invalid_type")
            return default
        if not isinstance(value, str):
            self.add(path, f"Expected string, received {_type_name(value)}", "invalid_type")
            return default
        if required and not value.strip():
            self.add(path, "String must contain at least 1 character(s)", "too_small")
        return value

    def number(
        self, path: str, value: Any, low: float, high: float, *, integer: bool = False
    ) -> float | None:
        """`value` if it is a number within [low, high], else record an issue."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(path, f"Expected number, received {_type_name(value)}", "invalid_type")
            return None
        if integer and not float(value).is_integer():
            self.add(path, "Expected integer, received float", "invalid_type")
            return None
        if not low <= value <= high:
            self.add(path, f"Number must be between {low:g} and {high:g}", "too_big")
            return None
        return value

    def time(self, path: str, value: Any) -> datetime | None:
        """`value` as a datetime if it is an ISO 8601 string, else record an issue."""
        if value is None:
            return None
        moment = parse_time(value)
        if moment is None:
            self.add(path, "Invalid datetime", "invalid_string")
        return moment


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def _check_position(issues: Issues, path: str, position: Any) -> bool:
    if (
        not isinstance(position, list)
        or not 2 <= len(position) <= 3
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
    ):
        issues.add(path, "Expected a position [longitude, latitude]", "invalid_type")
        return False
    if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
        issues.add(path, "Longitude or latitude out of range", "too_big")
        return False
    return True


def check_geometry(issues: Issues, geometry: Any) -> None:
    """A tasking geometry must be a valid Point or a simple (non self-intersecting) Polygon."""
    if not isinstance(geometry, dict):
        issues.add(
            "geometry", "Required" if geometry is None else "Expected object", "invalid_type"
        )
        return
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        _check_position(issues, "geometry.coordinates", coordinates)
        return
    if kind != "Polygon":
        issues.add(
            "geometry.type",
            f"Invalid geometry type '{kind}'. Expected 'Point' | 'Polygon'",
            "invalid_union_discriminator",
        )
        return
    if not isinstance(coordinates, list) or not coordinates:
        issues.add("geometry.coordinates", "Expected an array of linear rings", "invalid_type")
        return
    for r, ring in enumerate(coordinates):
        path = f"geometry.coordinates.{r}"
        if not isinstance(ring, list) or len(ring) < 4:
            issues.add(path, "A linear ring needs at least 4 positions", "too_small")
            return
        if not all(_check_position(issues, f"{path}.{i}", p) for i, p in enumerate(ring)):
            return
        if ring[0] != ring[-1]:
            issues.add(path, "A linear ring must be closed", "custom")
            return
    polygon = shape(geometry)
    if not polygon.is_valid:
        issues.add("geometry", f"Invalid polygon: {explain_validity(polygon)}", "custom")
