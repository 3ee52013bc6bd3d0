"""What shapes one sandbox server, and the demo credentials it accepts by default."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar

from capella.errors import InvalidInputError

__all__ = ["CONTRACT_PREFIX", "DEMO_API_KEY", "DEMO_CONTRACT_ID", "DEMO_TOKEN", "SandboxConfig"]

DEMO_API_KEY = "capella-sandbox-demo-key"
DEMO_TOKEN = "capella-sandbox-demo-token"  # noqa: S105 (a documented demo credential)
# Contracts are opaque strings; the sandbox accepts any that starts with this prefix.
CONTRACT_PREFIX = "sandbox-contract-"
DEMO_CONTRACT_ID = f"{CONTRACT_PREFIX}demo"

_T = TypeVar("_T")


def _within(default: _T, low: float, high: float | None = None) -> _T:
    """A field whose value must lie between `low` and `high` (checked by the config)."""
    return field(default=default, metadata={"bounds": (low, high)})


def _set_of(default: frozenset[str]) -> frozenset[str]:
    """A field holding a set of strings; any iterable of them is taken (and frozen)."""
    return field(default=default, metadata={"frozen": True})


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that shapes one sandbox server (each field is a `Sandbox` keyword too)."""

    seed: int = 0
    db: str | Path | None = None
    api_keys: frozenset[str] = _set_of(frozenset({DEMO_API_KEY}))
    tokens: frozenset[str] = _set_of(frozenset({DEMO_TOKEN}))
    raster_size: int = _within(262_144, 1)
    catalog_size: int = _within(12_000, 1)
    completion_share: float = _within(0.5, 0.0, 1.0)
    insufficient_funds_above: float = 100_000.0
    order_ttl: float = _within(3600.0, 0.0)
    latency: float = _within(0.0, 0.0)
    contract_prefix: str = CONTRACT_PREFIX
    forbidden_collections: frozenset[str] = _set_of(frozenset({"capella-internal"}))

    def __post_init__(self) -> None:
        # The fields say what they accept; one loop checks them all (a new bound is one line).
        for spec in fields(self):
            value = getattr(self, spec.name)
            if spec.metadata.get("frozen"):
                # A list of keys is as good as a set; frozen, the config stays hashable.
                object.__setattr__(self, spec.name, frozenset(value))
            low, high = spec.metadata.get("bounds", (None, None))
            if low is not None and not low <= value <= (math.inf if high is None else high):
                allowed = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
                raise InvalidInputError(f"{spec.name} must be {allowed}, not {value!r}")
