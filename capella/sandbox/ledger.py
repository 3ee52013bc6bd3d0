"""What the books of orders and requests share: configuration, catalog, lock, clock, storage."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from capella.sandbox.catalog import Catalog
from capella.sandbox.config import SandboxConfig
from capella.sandbox.json_types import Json
from capella.sandbox.store import Store

__all__ = ["Ledger"]


@dataclass
class Ledger:
    """One server's configuration, catalog and optional database, one lock and one clock."""

    config: SandboxConfig
    catalog: Catalog
    store: Store | None = None
    # Reentrant: a book's method may call another's while holding it.
    lock: threading.RLock = field(default_factory=threading.RLock)
    clock_offset: timedelta = field(default_factory=timedelta)

    def now(self) -> datetime:
        """The sandbox clock (wall clock plus whatever tests advanced it by)."""
        return datetime.now(UTC) + self.clock_offset

    def item(self, stac_id: str) -> Json | None:
        """The catalog item `stac_id`, or None."""
        return self.catalog.get(stac_id)

    def persist(self, kind: str, ident: str, data: Json) -> None:
        """Write one record to the database, if there is one."""
        if self.store is not None:
            self.store.save(kind, ident, data)
