"""What shapes one sandbox server, and the demo credentials it accepts by default."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["CONTRACT_PREFIX", "DEMO_API_KEY", "DEMO_CONTRACT_ID", "DEMO_TOKEN", "SandboxConfig"]

DEMO_API_KEY = "capella-sandbox-demo-key"
DEMO_TOKEN = "capella-sandbox-demo-token"  # noqa: S105 (a documented demo credential)
# Contracts are opaque strings; the sandbox accepts any that starts with this prefix.
CONTRACT_PREFIX = "sandbox-contract-"
DEMO_CONTRACT_ID = f"{CONTRACT_PREFIX}demo"


@dataclass(frozen=True)
class SandboxConfig:
    """Everything that shapes one sandbox server."""

    seed: int = 0
    db: str | Path | None = None
    api_keys: frozenset[str] = frozenset({DEMO_API_KEY})
    tokens: frozenset[str] = frozenset({DEMO_TOKEN})
    raster_size: int = 262_144
    catalog_size: int = 12_000
    completion_share: float = 0.5
    insufficient_funds_above: float = 100_000.0
    order_ttl: float = 3600.0
    latency: float = 0.0
    contract_prefix: str = CONTRACT_PREFIX
    forbidden_collections: frozenset[str] = frozenset({"capella-internal"})

    def __post_init__(self) -> None:
        if not 0.0 <= self.completion_share <= 1.0:
            raise ValueError("completion_share must be between 0 and 1")
        if self.raster_size < 1 or self.catalog_size < 1:
            raise ValueError("raster_size and catalog_size must be positive")
        if self.order_ttl < 0 or self.latency < 0:
            raise ValueError("order_ttl and latency must not be negative")
