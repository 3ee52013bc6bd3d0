"""The sandbox's state: its books of orders, tasking and repeat requests, wired to one ledger.

Everything the HTTP layer (`app.py`) answers comes from a :class:`State`. The catalog is
regenerated from the seed on every start; orders, tasking requests and repeat requests live in
memory, or in SQLite when a database file is given, so that they survive a restart. The rules
live in the books (`orders.py`, `tasking.py`, `repeats.py`); this module builds them, loads or
seeds them, and answers what belongs to no book (the clock, credentials, asset signatures).
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from capella.sandbox.api_errors import ApiError
from capella.sandbox.assets import AssetFile
from capella.sandbox.catalog import Catalog
from capella.sandbox.collects import CollectPool
from capella.sandbox.config import DEMO_API_KEY, DEMO_CONTRACT_ID, DEMO_TOKEN, SandboxConfig
from capella.sandbox.formats import format_time, parse_time
from capella.sandbox.json_types import Json
from capella.sandbox.ledger import Ledger
from capella.sandbox.orders import Orders
from capella.sandbox.presign import AssetUrls
from capella.sandbox.repeats import RepeatRequests
from capella.sandbox.seeder import Seeder
from capella.sandbox.store import Store
from capella.sandbox.tasking import TaskingRequests, TaskRecord
from capella.sandbox.tasking_options import COLLECTION_TYPES
from capella.sandbox.users import COLLEAGUE, DEMO_USER, STRANGER, User, authenticate

__all__ = [
    "COLLECTION_TYPES",
    "DEMO_API_KEY",
    "DEMO_CONTRACT_ID",
    "DEMO_TOKEN",
    "DEMO_USER",
    "ApiError",
    "SandboxConfig",
    "State",
    "User",
    "format_time",
    "parse_time",
]


class State:
    """The sandbox's users, catalog, orders, tasking and repeat requests, behind one lock."""

    def __init__(self, config: SandboxConfig, catalog: Catalog | None = None) -> None:
        self.config = config
        self.catalog = catalog or Catalog(
            seed=config.seed, size=config.catalog_size, raster_size=config.raster_size
        )
        self.users: dict[str, User] = {u.id: u for u in (DEMO_USER, COLLEAGUE, STRANGER)}
        store = Store(config.db) if config.db is not None else None
        self.ledger = Ledger(config, self.catalog, store)
        self.urls = AssetUrls(secrets.token_bytes(32), config.raster_size, self.ledger.item)
        self.collects = CollectPool(self.catalog, config.seed)
        self.orders = Orders(self.ledger, self.urls, self.collects)
        self.tasks = TaskingRequests(self.ledger, self.collects)
        self.repeats = RepeatRequests(self.ledger)
        try:
            if store is None or store.meta("seed") is None:
                self._seed(store)
            else:
                self._load(store)
        except BaseException:
            self.close()
            raise
        used = [c for record in self.tasks.records.values() for c in record.collects]
        self.collects.start(used)

    def close(self) -> None:
        """Close the database, if any."""
        with self.ledger.lock:
            if self.ledger.store is not None:
                self.ledger.store.close()
                self.ledger.store = None

    # -------------------------------------------------------------------------------- clock

    def now(self) -> datetime:
        """The sandbox clock (wall clock plus whatever tests advanced it by)."""
        return self.ledger.now()

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (or back), e.g. to expire orders in a test."""
        with self.ledger.lock:
            self.ledger.clock_offset += timedelta(seconds=seconds)

    def reset_clock(self) -> None:
        """Put the sandbox clock back on the wall clock."""
        with self.ledger.lock:
            self.ledger.clock_offset = timedelta()

    # ---------------------------------------------------------------- credentials and catalog

    def authenticate(self, authorization: str | None) -> User | None:
        """The user behind an `Authorization` header, or None if it is missing or wrong."""
        return authenticate(self.config, authorization)

    def item(self, stac_id: str) -> Json | None:
        """The catalog item `stac_id`, or None."""
        return self.ledger.item(stac_id)

    def forbidden_collections(self, collections: Any) -> list[str]:
        """The collections of a search the demo organisation may not access."""
        if not isinstance(collections, list):
            return []
        return [c for c in collections if c in self.config.forbidden_collections]

    def sign(self, path: str, expires: int) -> str:
        """The presigned URL signature of `path` valid until `expires` (epoch seconds)."""
        return self.urls.sign(path, expires)

    def signature_ok(self, path: str, expires: int, signature: str) -> bool:
        """Whether `signature` is the one this server issued for `path` and `expires`."""
        return self.urls.signature_ok(path, expires, signature)

    def resolve_asset(self, parts: Sequence[str]) -> tuple[Json, AssetFile] | None:
        """The item and asset file behind `collection/Y/M/D/STAC_ID/filename`, or None."""
        return self.urls.resolve(parts)

    # ------------------------------------------------------------------ seeding and loading

    def _seed(self, store: Store | None) -> None:
        """Deterministic initial requests and orders for the demo organisation."""
        rng = random.Random(f"capella-sandbox-{self.config.seed}")
        Seeder(self.catalog, self.collects, self.tasks, self.repeats, self.orders, rng).run()
        if store is None:
            return
        rows: list[tuple[str, str, Json]] = []
        rows += [("order", k, v) for k, v in self.orders.records.items()]
        rows += [
            ("task", k, {"feature": r.feature, "collects": r.collects})
            for k, r in self.tasks.records.items()
        ]
        rows += [("repeat", k, v) for k, v in self.repeats.records.items()]
        store.save_many(rows)
        store.set_meta("secret", self.urls.secret.hex())
        store.set_meta("created_tasks", "0")
        store.set_meta("seed", str(self.config.seed))

    def _load(self, store: Store) -> None:
        stored_seed = store.meta("seed")
        if stored_seed != str(self.config.seed):
            raise ValueError(
                f"database {self.config.db} was created with seed {stored_seed}, "
                f"not {self.config.seed}"
            )
        self.urls.secret = bytes.fromhex(store.meta("secret") or self.urls.secret.hex())
        self.tasks.created = int(store.meta("created_tasks") or 0)
        for data in store.load("order"):
            self.orders.records[data["orderId"]] = data
        for data in store.load("task"):
            self.tasks.add(TaskRecord(data["feature"], data["collects"]), persist=False)
        for data in store.load("repeat"):
            self.repeats.add(data)
