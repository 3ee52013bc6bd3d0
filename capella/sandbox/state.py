"""The sandbox's data and rules: users, orders, tasking and repeat requests, and their storage.

Everything the HTTP layer (`app.py`) answers comes from a :class:`State`. The catalog is
regenerated from the seed on every start; orders, tasking requests and repeat requests live in
memory, or in SQLite when a database file is given, so that they survive a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from shapely.geometry import shape
from shapely.validation import explain_validity

from capella.sandbox.assets import AssetFile, asset_by_filename, asset_files
from capella.sandbox.catalog import Catalog
from capella.sandbox.store import Store

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

Json = dict[str, Any]

DEMO_API_KEY = "capella-sandbox-demo-key"
DEMO_TOKEN = "capella-sandbox-demo-token"  # noqa: S105 (a documented demo credential)
# Contracts are opaque strings; the sandbox accepts any that starts with this prefix.
CONTRACT_PREFIX = "sandbox-contract-"
DEMO_CONTRACT_ID = f"{CONTRACT_PREFIX}demo"


@dataclass(frozen=True)
class User:
    """A sandbox user and the organisation it belongs to."""

    id: str
    organization_id: str
    email: str
    organization_name: str
    roles: tuple[str, ...] = ("organization-manager",)

    @property
    def is_manager(self) -> bool:
        """Whether the user sees the whole organisation's requests and orders."""
        return "organization-manager" in self.roles or "admin" in self.roles

    def to_json(self) -> Json:
        """The `GET /user` body."""
        return {
            "id": self.id,
            "organizationId": self.organization_id,
            "email": self.email,
            "roles": list(self.roles),
            "organization": {"name": self.organization_name},
            "apiEnvironmentRole": "sandbox",
        }


DEMO_USER = User(
    id="5b6a3c0e-8d51-4a7f-9c1e-2f4d6a8b0c11",
    organization_id="0d7e2f4a-6b8c-4d1e-a3f5-7c9e1b3d5f22",
    email="demo@sandbox.capella.invalid",
    organization_name="Capella Sandbox Demo Org",
)
# A colleague in the demo organisation (owns requests the demo user sees as a manager) and a user
# of another organisation (whose requests must never be visible). Neither can log in.
_COLLEAGUE = User(
    id="8c2d4e6f-1a3b-4c5d-8e7f-9a0b1c2d3e33",
    organization_id=DEMO_USER.organization_id,
    email="colleague@sandbox.capella.invalid",
    organization_name=DEMO_USER.organization_name,
    roles=("user",),
)
_STRANGER = User(
    id="3f5a7b9c-2d4e-4f6a-8b0c-1d2e3f4a5b44",
    organization_id="9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c55",
    email="someone@elsewhere.invalid",
    organization_name="Another Org",
    roles=("organization-manager",),
)


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


class ApiError(Exception):
    """An API error answered with `status` and the `{"error": {...}}` envelope (or `body`)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        *,
        body: Json | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self._body = body

    @property
    def body(self) -> Json:
        """The JSON error body."""
        if self._body is not None:
            return self._body
        error: Json = {"message": self.message, "code": self.code}
        if self.detail is not None:
            error["detail"] = self.detail
        return {"error": error}


def validation_error(issues: list[Json]) -> ApiError:
    """A 400 VALIDATION_ERROR carrying zod-like issues `{message, code, path}`."""
    return ApiError(400, "VALIDATION_ERROR", "Validation Error", detail=issues)


def not_found(what: str, ident: str) -> ApiError:
    """A 404 NOT_FOUND for `what` `ident`."""
    return ApiError(404, "NOT_FOUND", f"{what} {ident} not found")


def check_uuid(value: str, path: str) -> None:
    """Refuse a path id that is not a UUID, the way the real API's validator does."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise validation_error(
            [{"message": "Invalid uuid", "code": "invalid_string", "path": path}]
        ) from None


# ------------------------------------------------------------------------------------- time


def format_time(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.mmmZ`, the API's timestamp format."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware UTC datetime (naive means UTC), or None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def money(amount: float) -> str:
    """`$1,200.00`."""
    return f"${amount:,.2f}"


# ------------------------------------------------------------------------------ enumerations

PRODUCT_TYPES = ("SLC", "GEO", "SICD", "GEC", "SIDD", "CPHD", "CSI", "CSIDD", "VC", "VS", "ACD")
TASK_TIERS = ("urgent", "priority", "standard", "flexible", "internal", "1_day", "3_day", "7_day")
REPEAT_TIERS = ("flexible", "routine", "internal", "insar", "insar-internal", "background")
ARCHIVE_HOLDBACKS = ("none", "1_year", "30_day", "permanent")
LEGACY_HOLDBACKS = {"1 year": "1_year", "30 day": "30_day"}
ASC_DSC = ("ascending", "descending", "either")
LOOK_DIRECTIONS = ("left", "right", "either")
SQUINTS = ("enabled", "disabled", "forward", "backward")
POLARIZATIONS = ("HH", "VV")
ORBITAL_PLANES = (45, 53, 97)
INSAR_ORBITS = ("MIO_53_2P95", "SSO_97_7P00")
LOCAL_TIMES: dict[str, list[list[int]]] = {
    "day": [[21600, 64800]],
    "night": [[0, 21600], [64800, 86400]],
    "anytime": [[0, 86400]],
}


@dataclass(frozen=True)
class CollectionType:
    """A tasking collection type: its instrument mode, default scene size and list price."""

    name: str
    collect_mode: str
    image_width: int
    image_length: int
    price: float
    description: str


COLLECTION_TYPES: dict[str, CollectionType] = {
    c.name: c
    for c in (
        CollectionType("spotlight", "spotlight", 5000, 5000, 3000.0, "Spotlight, 5 x 5 km scene"),
        CollectionType(
            "spotlight_ultra", "spotlight", 5000, 5000, 6000.0, "Long-dwell spotlight, 5 x 5 km"
        ),
        CollectionType(
            "spotlight_wide", "sliding_spotlight", 5000, 10000, 4500.0, "Wide spotlight, 5 x 10 km"
        ),
        CollectionType("stripmap_20", "stripmap", 5000, 20000, 2500.0, "Stripmap, 5 x 20 km"),
        CollectionType("stripmap_50", "stripmap", 5000, 50000, 3500.0, "Stripmap, 5 x 50 km"),
        CollectionType("stripmap_100", "stripmap", 5000, 100000, 5000.0, "Stripmap, 5 x 100 km"),
        CollectionType(
            "parallel_stripmap_20",
            "stripmap",
            10000,
            20000,
            3750.0,
            "Parallel stripmap, 10 x 20 km",
        ),
        CollectionType(
            "parallel_stripmap_50",
            "stripmap",
            10000,
            50000,
            5250.0,
            "Parallel stripmap, 10 x 50 km",
        ),
        CollectionType(
            "parallel_stripmap_100",
            "stripmap",
            10000,
            100000,
            7500.0,
            "Parallel stripmap, 10 x 100 km",
        ),
    )
}

_TIER_FACTOR = {
    "urgent": 3.0,
    "priority": 2.0,
    "standard": 1.0,
    "flexible": 0.8,
    "internal": 0.0,
    "1_day": 3.0,
    "3_day": 2.0,
    "7_day": 1.0,
    "routine": 1.0,
    "insar": 1.0,
    "insar-internal": 0.0,
    "background": 0.6,
}
_HOLDBACK_FACTOR = {"none": 1.0, "30_day": 1.25, "1_year": 1.5, "permanent": 2.0}
# Archive prices per instrument mode; analytics and open data are priced separately.
_ARCHIVE_PRICE = {"spotlight": 1200.0, "sliding_spotlight": 1500.0, "stripmap": 900.0}
_ANALYTICS_PRICE = 250.0
_FREE_COLLECTIONS = frozenset({"capella-open-data"})

_STATUS_MESSAGES = {
    "received": "Request created",
    "review": "Tasking request ready for review.",
    "submitted": "Request submitted through automatic approval",
    "approved": "Request approved and submitted for scheduling",
    "accepted": "Request can be completely satisfied during validity window.",
    "active": "Request is active: collects are being scheduled.",
    "completed": "Tasking request has been completed.",
    "canceled": "Request canceled by customer.",
    "rejected": "Request rejected.",
    "expired": "Request window closed before it could be satisfied.",
    "failed": "Request failed.",
    "anomaly": "An anomaly occurred while collecting.",
}
# Statuses after which a request can no longer change, and how the billing side names them.
_FINAL_TRANSACTIONS = {
    "completed": "completed",
    "canceled": "customer-cancelled",
    "rejected": "customer-rejected",
    "expired": "expired",
    "failed": "failed",
    "error": "failed",
}
_COLLECT_HISTORY = (
    ("delivered", "The products have been processed and delivered"),
    ("qa", "The products are in quality assurance"),
    ("processing", "The collect is being processed"),
    ("collected", "The collect has been downlinked"),
    ("tasked", "The collect has been tasked to a satellite"),
    ("predicted", "A collect opportunity has been predicted"),
)

# Search keys that name something other than the property of the same name.
_TASK_KEYS = {
    "organizationIds": "orgId",
    "organizationId": "orgId",
    "taskingrequestIds": "taskingrequestId",
    "repeatrequestIds": "repeatrequestId",
}
_TIME_KEYS = frozenset(
    {
        "submissionTime",
        "windowOpen",
        "windowClose",
        "lastStatusTime",
        "repetitionProperties.repeatStart",
        "repetitionProperties.repeatEnd",
    }
)
SEARCH_DEFAULT_LIMIT = 250
SEARCH_MAX_LIMIT = 500


# ------------------------------------------------------------------------------- validation


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


def _area_sqkm(geometry: Json, width: int, length: int) -> float:
    if geometry.get("type") != "Polygon":
        return width * length / 1e6
    polygon = shape(geometry)
    lat = polygon.centroid.y
    return float(polygon.area) * 111.32 * 111.32 * max(math.cos(math.radians(lat)), 0.01)


# ------------------------------------------------------------------------------ the records


@dataclass
class TaskRecord:
    """A stored tasking request: the feature the API returns plus its collects."""

    feature: Json
    collects: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The taskingrequestId."""
        return str(self.feature["properties"]["taskingrequestId"])


def _status(feature: Json) -> str:
    history = feature["properties"].get("statusHistory") or [{}]
    return str(history[0].get("code", ""))


def _history(codes: Sequence[str], times: Sequence[datetime]) -> list[Json]:
    """Status events, newest first, from codes and times given oldest first."""
    events = []
    for code, moment in zip(codes, times, strict=True):
        wire = "submitted" if code == "approved" else code
        events.append(
            {"time": format_time(moment), "code": wire, "message": _STATUS_MESSAGES[code]}
        )
    return events[::-1]


def _transaction_status(status: str) -> str:
    return _FINAL_TRANSACTIONS.get(status, "in-progress")


# ----------------------------------------------------------------------------------- state


class State:
    """The sandbox's users, catalog, orders, tasking and repeat requests, behind one lock."""

    def __init__(self, config: SandboxConfig, catalog: Catalog | None = None) -> None:
        self.config = config
        self.catalog = catalog or Catalog(
            seed=config.seed, size=config.catalog_size, raster_size=config.raster_size
        )
        self.users: dict[str, User] = {u.id: u for u in (DEMO_USER, _COLLEAGUE, _STRANGER)}
        self._lock = threading.RLock()
        self._clock_offset = timedelta()
        self.orders: dict[str, Json] = {}
        self.tasks: dict[str, TaskRecord] = {}
        self.repeats: dict[str, Json] = {}
        self._created_tasks = 0
        self._store = Store(config.db) if config.db is not None else None
        self._collect_pool: list[str] = []
        self._task_of_collect: dict[str, str] = {}
        self._secret = secrets.token_bytes(32)
        try:
            if self._store is None or self._store.meta("seed") is None:
                self._seed()
            else:
                self._load()
        except BaseException:
            self.close()
            raise
        self._index_collects()

    # ------------------------------------------------------------------ lifecycle and clock

    def close(self) -> None:
        """Close the database, if any."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    def now(self) -> datetime:
        """The sandbox clock (wall clock plus whatever tests advanced it by)."""
        return datetime.now(UTC) + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (or back), e.g. to expire orders in a test."""
        with self._lock:
            self._clock_offset += timedelta(seconds=seconds)

    def reset_clock(self) -> None:
        """Put the sandbox clock back on the wall clock."""
        with self._lock:
            self._clock_offset = timedelta()

    # ---------------------------------------------------------------------------- users

    def authenticate(self, authorization: str | None) -> User | None:
        """The user behind an `Authorization` header, or None if it is missing or wrong."""
        if not authorization:
            return None
        scheme, _, credential = authorization.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "apikey" and credential in self.config.api_keys:
            return DEMO_USER
        if scheme.lower() == "bearer" and credential in self.config.tokens:
            return DEMO_USER
        return None

    def contract_ok(self, contract_id: Any) -> bool:
        """Whether `contract_id` names a contract of the sandbox (None: the default contract)."""
        return contract_id is None or (
            isinstance(contract_id, str)
            and (
                contract_id == DEMO_CONTRACT_ID
                or contract_id.startswith(self.config.contract_prefix)
            )
        )

    def _check_contract(self, contract_id: Any) -> str:
        if not self.contract_ok(contract_id):
            raise ApiError(400, "CONTRACT_NOT_FOUND", "Contract not found")
        return str(contract_id or DEMO_CONTRACT_ID)

    # -------------------------------------------------------------------------- catalog

    def item(self, stac_id: str) -> Json | None:
        """The catalog item `stac_id`, or None."""
        try:
            return self.catalog.get(stac_id)
        except KeyError:
            return None

    def forbidden_collections(self, collections: Any) -> list[str]:
        """The collections of a search the demo organisation may not access."""
        if not isinstance(collections, list):
            return []
        return [c for c in collections if c in self.config.forbidden_collections]

    # -------------------------------------------------------------------------- signing

    def sign(self, path: str, expires: int) -> str:
        """The presigned URL signature of `path` valid until `expires` (epoch seconds)."""
        message = f"{path}\n{expires}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def signature_ok(self, path: str, expires: int, signature: str) -> bool:
        """Whether `signature` is the one this server issued for `path` and `expires`."""
        return hmac.compare_digest(self.sign(path, expires), signature)

    # --------------------------------------------------------------------------- orders

    def _order_items(self, body: Json) -> list[tuple[str, str]]:
        raw = body.get("items", body.get("Items"))
        if not isinstance(raw, list) or not raw:
            raise validation_error(
                [
                    {
                        "message": "items must be a non-empty array",
                        "code": "too_small",
                        "path": "items",
                    }
                ]
            )
        issues = Issues()
        pairs: list[tuple[str, str]] = []
        for i, entry in enumerate(raw):
            if not isinstance(entry, dict):
                issues.add(f"items.{i}", "Expected object", "invalid_type")
                continue
            granule = entry.get("granuleId", entry.get("GranuleId"))
            collection = entry.get("collectionId", entry.get("CollectionId"))
            if not isinstance(granule, str) or not isinstance(collection, str):
                issues.add(f"items.{i}", "granuleId and collectionId are required", "invalid_type")
                continue
            if (granule, collection) not in pairs:
                pairs.append((granule, collection))
        issues.raise_if_any()
        missing = [
            g
            for g, c in pairs
            if (item := self.item(g)) is None
            or item.get("collection") != c
            or c in self.config.forbidden_collections
        ]
        if missing:
            raise ApiError(
                400,
                "ORDER_VALIDATION_ERROR",
                f"Invalid order items: not found or not orderable: {', '.join(missing)}",
                detail=[
                    {"message": "Granule not found", "code": "not_found", "granuleId": g}
                    for g in missing
                ],
            )
        return pairs

    def _ordered_before(self, organization_id: str) -> set[str]:
        return {
            entry["granuleId"]
            for order in self.orders.values()
            if order.get("organizationId") == organization_id
            and order.get("orderStatus") == "completed"
            for entry in order.get("items", [])
        }

    def _price(self, item: Json, previously: bool) -> float:
        properties = item.get("properties", {})
        if previously or item.get("collection") in _FREE_COLLECTIONS:
            return 0.0
        if self.catalog.ownership(str(item["id"])) != "availableForPurchase":
            return 0.0  # owned by, shared with the organisation, or public: nothing to pay
        if properties.get("sar:product_type") in ("VC", "VS", "ACD"):
            return _ANALYTICS_PRICE
        return _ARCHIVE_PRICE.get(str(properties.get("sar:instrument_mode")), 1200.0)

    def _quote(self, user: User, body: Json) -> tuple[str, list[Json], float]:
        contract = self._check_contract(body.get("contractId"))
        pairs = self._order_items(body)
        before = self._ordered_before(user.organization_id)
        lines = []
        total = 0.0
        for granule, collection in pairs:
            item = self.item(granule)
            assert item is not None
            price = self._price(item, granule in before)
            total += price
            lines.append(
                {
                    "granuleId": granule,
                    "collectionId": collection,
                    "previouslyOrdered": granule in before,
                    "order": {"finalListPrice": money(price)},
                }
            )
        return contract, lines, total

    def review_order(self, user: User, body: Json) -> Json:
        """`POST /orders/review`: price the items, or deny when the total exceeds the funds."""
        with self._lock:
            _, lines, total = self._quote(user, body)
        details = {"summary": {"subtotal": money(total), "total": money(total)}, "lineItems": lines}
        if total > self.config.insufficient_funds_above:
            return {
                "authorized": False,
                "authorizationDenialReason": self._denial(total),
                "orderDetails": details,
            }
        return {"authorized": True, "orderDetails": details}

    def _denial(self, total: float) -> Json:
        available = self.config.insufficient_funds_above
        return {
            "code": "AUTHORIZATION_INSUFFICIENT_FUNDS",
            "message": (
                "This order will exceed your active contract period's value commitment. "
                f"Order cost: {money(total)}; Available Commitment: {money(available)}"
            ),
        }

    def submit_order(self, user: User, body: Json) -> Json:
        """`POST /orders`: place the order (a `rejected` order when funds are insufficient)."""
        with self._lock:
            contract, lines, total = self._quote(user, body)
            # Real order ids are time-based UUIDs; a random node keeps the host's MAC out of them.
            order_id = str(uuid.uuid1(node=secrets.randbits(48) | 1 << 40))
            if total > self.config.insufficient_funds_above:
                return {
                    "orderId": order_id,
                    "userId": user.id,
                    "organizationId": user.organization_id,
                    "orderStatus": "rejected",
                }
            now = self.now()
            order = self._make_order(user, order_id, now, contract, lines)
            self.orders[order_id] = order
            self._persist("order", order_id, order)
            return order

    def _make_order(
        self,
        user: User,
        order_id: str,
        ordered: datetime,
        contract: str,
        lines: list[Json],
    ) -> Json:
        items = []
        for line in lines:
            item = self.item(line["granuleId"])
            assert item is not None
            properties = item.get("properties", {})
            collect_id = properties.get("capella:collect_id")
            size = sum(f.size for f in asset_files(item, self.config.raster_size).values())
            items.append(
                {
                    "granuleId": line["granuleId"],
                    "collectionId": line["collectionId"],
                    "type": properties.get("sar:instrument_mode"),
                    "size": size,
                    "collectId": collect_id,
                    "collectionDate": properties.get("datetime"),
                    "taskingRequestId": self._task_of_collect.get(str(collect_id)),
                    "previouslyOrdered": line["previouslyOrdered"],
                    "itemStatus": "completed",
                }
            )
            if items[-1]["taskingRequestId"] is None:
                del items[-1]["taskingRequestId"]
        return {
            "orderId": order_id,
            "orderStatus": "completed",
            "orderDate": format_time(ordered),
            "expirationDate": format_time(ordered + timedelta(seconds=self.config.order_ttl)),
            "userId": user.id,
            "organizationId": user.organization_id,
            "contractId": contract,
            "items": items,
        }

    def list_orders(
        self, user: User, customer_id: str | None, organization_id: str | None
    ) -> list[Json]:
        """`GET /orders`: the orders of a customer (or an organisation) visible to `user`."""
        with self._lock:
            orders = [
                o for o in self.orders.values() if o["organizationId"] == user.organization_id
            ]
        if organization_id is not None:
            if organization_id != user.organization_id:
                return []
            return orders if user.is_manager else [o for o in orders if o["userId"] == user.id]
        wanted = customer_id or user.id
        if wanted != user.id and not user.is_manager:
            return []
        return [o for o in orders if o["userId"] == wanted]

    def get_order(self, user: User, order_id: str) -> Json:
        """`GET /orders/{id}`."""
        check_uuid(order_id, "orderId")
        with self._lock:
            order = self.orders.get(order_id)
        if order is None or order["organizationId"] != user.organization_id:
            raise not_found("Order", order_id)
        return order

    def order_download(self, user: User, order_id: str, base_url: str) -> list[Json]:
        """`GET /orders/{id}/download`: the order's items with presigned asset hrefs."""
        order = self.get_order(user, order_id)
        expires_at = parse_time(order["expirationDate"])
        if expires_at is None or expires_at <= self.now():
            raise ApiError(400, "ORDER_EXPIRED", "order expired")
        expires = int(expires_at.timestamp())
        result = []
        for entry in order["items"]:
            item = self.item(entry["granuleId"])
            if item is None:
                continue
            result.append(self.presigned_item(item, base_url, expires))
        return result

    def asset_path(self, item: Json, filename: str) -> str:
        """The asset host path of one of `item`'s files."""
        moment = parse_time(item.get("properties", {}).get("datetime")) or datetime(1970, 1, 1)
        return (
            f"/assets/{quote(str(item.get('collection')), safe='')}/{moment.year}/{moment.month}/"
            f"{moment.day}/{quote(str(item['id']), safe='')}/{quote(filename, safe='')}"
        )

    def presigned_item(self, item: Json, base_url: str, expires: int) -> Json:
        """A copy of `item` whose downloadable assets carry presigned hrefs."""
        files = asset_files(item, self.config.raster_size)
        assets = {}
        for key, asset in (item.get("assets") or {}).items():
            asset = dict(asset)
            file = files.get(key)
            if file is None:
                pass
            elif key == "license":
                asset["href"] = base_url + self.asset_path(item, file.filename)  # public
            else:
                path = self.asset_path(item, file.filename)
                # Signed as the server will see it: the decoded path.
                signature = self.sign(unquote(path), expires)
                asset["href"] = f"{base_url}{path}?Expires={expires}&Signature={signature}"
            assets[key] = asset
        return {**item, "assets": assets}

    def resolve_asset(self, parts: Sequence[str]) -> tuple[Json, AssetFile] | None:
        """The item and asset file behind `collection/Y/M/D/STAC_ID/filename`, or None."""
        if len(parts) != 6:
            return None
        collection, year, month, day, stac_id, filename = parts
        item = self.item(stac_id)
        if item is None or item.get("collection") != collection:
            return None
        moment = parse_time(item.get("properties", {}).get("datetime"))
        if moment is None or [year, month, day] != [
            str(moment.year),
            str(moment.month),
            str(moment.day),
        ]:
            return None
        file = asset_by_filename(item, filename, self.config.raster_size)
        return None if file is None else (item, file)

    # ------------------------------------------------------------------ tasking requests

    def _visible(self, user: User, properties: Json) -> bool:
        if properties.get("orgId") != user.organization_id:
            return False
        return user.is_manager or properties.get("userId") == user.id

    def _task(self, user: User, task_id: str) -> TaskRecord:
        check_uuid(task_id, "taskingrequestId")
        record = self.tasks.get(task_id)
        if record is None or not self._visible(user, record.feature["properties"]):
            raise not_found("Tasking request", task_id)
        return record

    def get_task(self, user: User, task_id: str) -> Json:
        """`GET /task/{id}`."""
        with self._lock:
            return self._task(user, task_id).feature

    def create_task(self, user: User, body: Json) -> Json:
        """`POST /task`: validate, store and answer with the full tasking request feature."""
        properties = body.get("properties")
        issues = Issues()
        check_geometry(issues, body.get("geometry"))
        if not isinstance(properties, dict):
            issues.add("properties", "Required", "invalid_type")
            issues.raise_if_any()
            raise AssertionError("unreachable")
        name = issues.string(
            "properties.taskingrequestName", properties.get("taskingrequestName"), required=True
        )
        description = issues.string(
            "properties.taskingrequestDescription",
            properties.get("taskingrequestDescription"),
            default="",
        )
        now = self.now()
        window_open = issues.time("properties.windowOpen", properties.get("windowOpen")) or now
        window_close = issues.time("properties.windowClose", properties.get("windowClose"))
        window_close = window_close or window_open + timedelta(days=7)
        if window_close <= window_open:
            issues.add("properties.windowClose", "windowClose must be after windowOpen")
        tier = issues.enum(
            "properties.collectionTier", properties.get("collectionTier"), TASK_TIERS, "standard"
        )
        common = self._common_properties(issues, body, properties)
        pre_approval = properties.get("preApproval", properties.get("pre_approval", False))
        if not isinstance(pre_approval, bool):
            issues.add("properties.preApproval", "Expected boolean", "invalid_type")
        issues.raise_if_any()
        contract = self._check_contract(body.get("contractId"))
        with self._lock:
            self._created_tasks += 1
            share = self.config.completion_share
            completes = math.floor(self._created_tasks * share) > math.floor(
                (self._created_tasks - 1) * share
            )
            task_id = str(uuid.uuid4())
            codes = ["received", "submitted" if pre_approval else "review"]
            if completes:
                codes = ["received", "submitted", "accepted", "active", "completed"]
            feature = self._task_feature(
                task_id=task_id,
                user=user,
                geometry=body["geometry"],
                name=name,
                description=description,
                window_open=window_open,
                window_close=window_close,
                tier=tier,
                pre_approval=bool(pre_approval),
                contract=contract,
                history=_history(codes, [now] * len(codes)),
                submitted=now,
                **common,
            )
            record = TaskRecord(feature, self._take_collects(2) if completes else [])
            self._add_task(record)
            if self._store is not None:
                self._store.set_meta("created_tasks", str(self._created_tasks))
            return feature

    def _common_properties(self, issues: Issues, body: Json, properties: Json) -> Json:
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
        holdback = (
            LEGACY_HOLDBACKS.get(holdback, holdback) if isinstance(holdback, str) else holdback
        )
        holdback = issues.enum("properties.archiveHoldback", holdback, ARCHIVE_HOLDBACKS, "none")
        custom = {
            key: issues.string(f"properties.{key}", properties.get(key))
            for key in ("customAttribute1", "customAttribute2")
        }
        constraints = self._constraints(
            issues, properties.get("collectConstraints"), collection_type, body.get("geometry")
        )
        processing = self._processing(issues, properties.get("processingConfig"))
        return {
            "collection_type": collection_type,
            "holdback": holdback,
            "custom": custom,
            "constraints": constraints,
            "processing": processing,
        }

    def _constraints(self, issues: Issues, raw: Any, collection_type: str, geometry: Any) -> Json:
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
            "localTime": self._local_time(issues, f"{path}.localTime", raw.get("localTime")),
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

    @staticmethod
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

    @staticmethod
    def _processing(issues: Issues, raw: Any) -> Json | None:
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

    def _task_feature(
        self,
        *,
        task_id: str,
        user: User,
        geometry: Json,
        name: str,
        description: str,
        window_open: datetime,
        window_close: datetime,
        tier: str,
        pre_approval: bool,
        contract: str,
        history: list[Json],
        submitted: datetime,
        collection_type: str,
        holdback: str,
        custom: Json,
        constraints: Json,
        processing: Json | None,
        repeat_id: str | None = None,
    ) -> Json:
        kind = COLLECTION_TYPES[collection_type]
        price = kind.price * _TIER_FACTOR.get(tier, 1.0) * _HOLDBACK_FACTOR.get(holdback, 1.0)
        area = _area_sqkm(geometry, int(constraints.get("imageWidth", 5000)), kind.image_length)
        status = history[0]["code"]
        return {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "submissionTime": format_time(submitted),
                "taskingrequestId": task_id,
                "taskingrequestName": name,
                "taskingrequestDescription": description,
                "orgId": user.organization_id,
                "userId": user.id,
                "repeatrequestId": repeat_id,
                "windowOpen": format_time(window_open),
                "windowDuration": int((window_close - window_open).total_seconds()),
                "windowClose": format_time(window_close),
                "collectionTier": tier,
                "collectionType": collection_type,
                "type": kind.collect_mode,
                "archiveHoldback": holdback,
                "statusHistory": history,
                "collectConstraints": constraints,
                "processingConfig": processing,
                "billingEnvironment": "default",
                "preApproval": pre_approval,
                "customAttribute1": custom["customAttribute1"],
                "customAttribute2": custom["customAttribute2"],
                "contractId": contract,
                "transactionStatus": _transaction_status(status),
                "sandbox": True,
                "order": {
                    "summary": {"subtotal": money(price), "total": money(price)},
                    "lineItems": [
                        {
                            "taskId": task_id,
                            "accountingSize": {"unit": "sqkm", "value": round(area, 2)},
                        }
                    ],
                    "archiveHoldback": holdback,
                    "managedOrganizationIds": ["*"],
                },
            },
        }

    def update_task(self, user: User, task_id: str, body: Json) -> Json:
        """`PATCH /task/{id}`: change name, description, custom attributes or product types."""
        with self._lock:
            record = self._task(user, task_id)
            changes = self._updates(body, "taskingrequest")
            if _status(record.feature) in _FINAL_TRANSACTIONS:
                raise ApiError(
                    400,
                    "UNABLE_TO_UPDATE_TASKING_REQUEST",
                    "Cannot update tasking request in current state",
                )
            record.feature["properties"].update(changes)
            self._persist_task(record)
            return record.feature

    @staticmethod
    def _updates(body: Json, prefix: str) -> Json:
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
                changes[key] = State._processing(issues, properties[key])
            else:
                required = key == f"{prefix}Name"
                changes[key] = issues.string(
                    f"properties.{key}", properties[key], required=required
                )
        issues.raise_if_any()
        return changes

    def update_task_status(self, user: User, task_id: str, body: Json) -> Json:
        """`PATCH /task/{id}/status`: cancel, approve or reject; answer with the feature."""
        with self._lock:
            record = self._task(user, task_id)
            self._change_status(record.feature, body, repeat=False)
            self._persist_task(record)
            return record.feature

    def _change_status(self, feature: Json, body: Json, *, repeat: bool) -> None:
        wanted = body.get("status", body.get("code"))
        actions = ("canceled", "cancelled", "approved", "rejected", "submitted")
        if wanted not in actions:
            raise validation_error(
                [
                    {
                        "message": "Invalid enum value. Expected "
                        + ("'canceled' | 'submitted'" if repeat else "'canceled' | 'approved'")
                        + " | 'rejected'",
                        "code": "invalid_enum_value",
                        "path": "status",
                    }
                ]
            )
        # Both spellings of cancel; `submitted` is how repeat requests say `approved`.
        action = {"cancelled": "canceled", "submitted": "approved"}.get(wanted, str(wanted))
        properties = feature["properties"]
        current = _status(feature)
        if current in _FINAL_TRANSACTIONS:
            raise ApiError(
                400,
                "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION",
                f"This transaction has been finalized with a status of "
                f"'{_FINAL_TRANSACTIONS[current]}'. It cannot be further modified.",
            )
        if action != "canceled" and current not in ("review", "received"):
            code = "UNABLE_TO_UPDATE_" + ("REPEAT_REQUEST" if repeat else "TASKING_REQUEST")
            raise ApiError(400, code, f"Cannot set status '{wanted}' on a request in '{current}'")
        event = _history([action], [self.now()])[0]
        properties["statusHistory"].insert(0, event)
        properties["transactionStatus"] = _transaction_status(event["code"])

    def collects_of_task(self, user: User, task_id: str) -> list[Json]:
        """`GET /collects/list/{id}`: the task's collects (empty until it has collected)."""
        with self._lock:
            record = self._task(user, task_id)
            properties = record.feature["properties"]
            return [
                self._collect(cid, task_id, properties.get("repeatrequestId"))
                for cid in record.collects
            ]

    def _collect(self, collect_id: str, task_id: str, repeat_id: str | None) -> Json:
        items = self.catalog.items_of_collect(collect_id)
        item: Json = items[0] if items else {"properties": {}, "bbox": [0, 0, 0, 0]}
        p = item.get("properties", {})
        rng = random.Random(collect_id)
        bbox = item.get("bbox") or [0, 0, 0, 0]
        lon, lat = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        start = parse_time(p.get("start_datetime")) or parse_time(p.get("datetime")) or self.now()
        end = parse_time(p.get("end_datetime")) or start + timedelta(seconds=10)
        duration = round(max((end - start).total_seconds(), 1.0), 3)
        look = float(p.get("view:look_angle", 30.0))
        platform = str(p.get("platform", "capella-0"))
        spacecraft = int("".join(ch for ch in platform if ch.isdigit()) or 0)
        local = str(p.get("locale:time", "12:00:00"))
        hours, minutes, seconds = [*local.split(":"), "0", "0"][:3]
        history = [
            {
                "time": format_time(end + timedelta(hours=len(_COLLECT_HISTORY) - 1 - i)),
                "code": code,
                "message": message,
            }
            for i, (code, message) in enumerate(_COLLECT_HISTORY)
        ]
        kind = COLLECTION_TYPES.get(
            str(p.get("capella:collection_type")), COLLECTION_TYPES["spotlight"]
        )
        return {
            "center": [lon, lat, 0.0],
            "centerEcef": _ecef(lon, lat),
            "spacecraftId": spacecraft,
            "collectId": collect_id,
            "tileId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "tileGroupId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "taskingrequestId": task_id,
            "repeatrequestId": repeat_id,
            "windowOpen": format_time(start),
            "windowClose": format_time(end),
            "windowDuration": duration,
            "accessProperties": {
                "ascdsc": p.get("sat:orbit_state", "ascending"),
                "lookDirection": p.get("sar:observation_direction", "right"),
                "localTime": int(hours) * 3600 + int(minutes) * 60 + int(float(seconds)),
                "azimuthOpen": round(rng.uniform(0, 360), 1),
                "azimuthClose": round(rng.uniform(0, 360), 1),
                "elevationMin": round(90 - look - 1.0, 1),
                "elevationMax": round(90 - look + 1.0, 1),
                "offNadirMin": round(look - 0.4, 1),
                "offNadirMax": round(look + 0.4, 1),
            },
            "collectProperties": {
                "collectDuration": duration,
                "imageLength": kind.image_length,
                "imageWidth": kind.image_width,
                "grr": float(p.get("capella:resolution_ground_range", 0.5)),
                "azr": float(p.get("sar:resolution_azimuth", 0.5)),
                "bandwidth": None,
                "nesz": round(rng.uniform(-20, -14), 1),
                "meanSquint": float(p.get("capella:squint_angle", 0.0)),
                "polarization": (p.get("sar:polarizations") or ["HH"])[0],
            },
            "collectStatusHistory": history,
        }

    # ---------------------------------------------------------------------- repeat requests

    def _repeat(self, user: User, repeat_id: str) -> Json:
        check_uuid(repeat_id, "repeatrequestId")
        feature = self.repeats.get(repeat_id)
        if feature is None or not self._visible(user, feature["properties"]):
            raise not_found("Repeat request", repeat_id)
        return feature

    def create_repeat(self, user: User, body: Json) -> Json:
        """`POST /repeat-requests`: validate, store and answer with the repeat request feature."""
        properties = body.get("properties")
        issues = Issues()
        check_geometry(issues, body.get("geometry"))
        if not isinstance(properties, dict):
            issues.add("properties", "Required", "invalid_type")
            issues.raise_if_any()
            raise AssertionError("unreachable")
        name = issues.string(
            "properties.repeatrequestName", properties.get("repeatrequestName"), required=True
        )
        description = issues.string(
            "properties.repeatrequestDescription",
            properties.get("repeatrequestDescription"),
            default="",
        )
        tier = issues.enum(
            "properties.collectionTier", properties.get("collectionTier"), REPEAT_TIERS, "routine"
        )
        common = self._common_properties(issues, body, properties)
        repetition = self._repetition(issues, properties.get("repetitionProperties"))
        window = issues.number(
            "properties.windowDuration",
            properties.get("windowDuration"),
            1,
            30 * 86400,
            integer=True,
        )
        insar = properties.get("insar")
        orbit = insar.get("orbit") if isinstance(insar, dict) else None
        if tier in ("insar", "insar-internal") and orbit is None:
            issues.add("properties.insar.orbit", "insar.orbit is required for the insar tier")
        elif orbit is not None:
            issues.enum("properties.insar.orbit", orbit, INSAR_ORBITS, None)
        issues.raise_if_any()
        contract = self._check_contract(body.get("contractId"))
        with self._lock:
            repeat_id = str(uuid.uuid4())
            now = self.now()
            feature = self._repeat_feature(
                repeat_id=repeat_id,
                user=user,
                geometry=body["geometry"],
                name=name,
                description=description,
                tier=tier,
                repetition=repetition,
                window=int(window or repetition["repetitionInterval"] * 86400),
                insar={"orbit": orbit} if orbit else None,
                contract=contract,
                history=_history(["received", "review"], [now, now]),
                submitted=now,
                **common,
            )
            self.repeats[repeat_id] = feature
            self._persist("repeat", repeat_id, feature)
            return feature

    def _repetition(self, issues: Issues, raw: Any) -> Json:
        path = "properties.repetitionProperties"
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            issues.add(path, "Expected object", "invalid_type")
            raw = {}
        start = issues.time(f"{path}.repeatStart", raw.get("repeatStart")) or self.now()
        end = issues.time(f"{path}.repeatEnd", raw.get("repeatEnd"))
        count = issues.number(
            f"{path}.repetitionCount", raw.get("repetitionCount"), 1, 10_000, integer=True
        )
        interval = issues.number(
            f"{path}.repetitionInterval", raw.get("repetitionInterval"), 1, 365, integer=True
        )
        if end is not None and count is not None:
            issues.add(path, "repeatEnd and repetitionCount are mutually exclusive")
        if end is not None and end <= start:
            issues.add(f"{path}.repeatEnd", "repeatEnd must be after repeatStart")
        framing = raw.get("maintainSceneFraming", False)
        if not isinstance(framing, bool):
            issues.add(f"{path}.maintainSceneFraming", "Expected boolean", "invalid_type")
        look = issues.number(f"{path}.lookAngleTolerance", raw.get("lookAngleTolerance"), 0, 90)
        azimuth = issues.number(
            f"{path}.azimuthAngleTolerance", raw.get("azimuthAngleTolerance"), 0, 360
        )
        result: Json = {
            "repeatStart": format_time(start),
            "repeatEnd": None if end is None else format_time(end),
            "repetitionInterval": int(interval or 7),
            "repetitionCount": None if count is None else int(count),
            "maintainSceneFraming": bool(framing),
            "lookAngleTolerance": 10 if look is None else look,
        }
        if azimuth is not None:
            result["azimuthAngleTolerance"] = azimuth
        return result

    def _repeat_feature(
        self,
        *,
        repeat_id: str,
        user: User,
        geometry: Json,
        name: str,
        description: str,
        tier: str,
        repetition: Json,
        window: int,
        insar: Json | None,
        contract: str,
        history: list[Json],
        submitted: datetime,
        collection_type: str,
        holdback: str,
        custom: Json,
        constraints: Json,
        processing: Json | None,
    ) -> Json:
        kind = COLLECTION_TYPES[collection_type]
        price = kind.price * _TIER_FACTOR.get(tier, 1.0) * _HOLDBACK_FACTOR.get(holdback, 1.0)
        return {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "submissionTime": format_time(submitted),
                "repeatrequestId": repeat_id,
                "repeatrequestName": name,
                "repeatrequestDescription": description,
                "orgId": user.organization_id,
                "userId": user.id,
                "windowDuration": window,
                "repetitionProperties": repetition,
                "collectionTier": tier,
                "collectionType": collection_type,
                "type": kind.collect_mode,
                "archiveHoldback": holdback,
                "statusHistory": history,
                "collectConstraints": constraints,
                "processingConfig": processing,
                "billingEnvironment": "default",
                "parentRepeatrequest": None,
                "sandbox": True,
                "costPerImageEstimate": money(price),
                "customAttribute1": custom["customAttribute1"],
                "customAttribute2": custom["customAttribute2"],
                "contractId": contract,
                "insar": insar,
                "transactionStatus": _transaction_status(history[0]["code"]),
            },
        }

    def update_repeat(self, user: User, repeat_id: str, body: Json) -> Json:
        """`PATCH /repeat-requests/{id}`."""
        with self._lock:
            feature = self._repeat(user, repeat_id)
            changes = self._updates(body, "repeatrequest")
            if _status(feature) in _FINAL_TRANSACTIONS:
                raise ApiError(
                    400,
                    "UNABLE_TO_UPDATE_REPEAT_REQUEST",
                    "Cannot update repeat request in current state",
                )
            feature["properties"].update(changes)
            self._persist("repeat", repeat_id, feature)
            return feature

    def update_repeat_status(self, user: User, repeat_id: str, body: Json) -> Json:
        """`PATCH /repeat-requests/{id}/status` (`status` or `code`)."""
        with self._lock:
            feature = self._repeat(user, repeat_id)
            self._change_status(feature, body, repeat=True)
            self._persist("repeat", repeat_id, feature)
            return feature

    # ------------------------------------------------------------------------------ search

    def search_tasks(self, user: User, filters: Any, page: int, limit: int, body: Json) -> Json:
        """`POST /tasks/search`: one page of the visible tasking requests matching `filters`."""
        with self._lock:
            features = [r.feature for r in self.tasks.values()]
        return self._search(user, features, filters, page, limit, body, tasks=True)

    def search_repeats(self, user: User, filters: Any, page: int, limit: int, body: Json) -> Json:
        """`POST /repeat-requests/search`."""
        with self._lock:
            features = list(self.repeats.values())
        return self._search(user, features, filters, page, limit, body, tasks=False)

    def _search(
        self,
        user: User,
        features: list[Json],
        filters: Any,
        page: int,
        limit: int,
        body: Json,
        *,
        tasks: bool,
    ) -> Json:
        if filters is None:
            filters = {}
        if not isinstance(filters, dict):
            raise validation_error(
                [{"message": "Expected object", "code": "invalid_type", "path": "query"}]
            )
        filters = dict(filters)
        # Without an explicit scope the caller sees their own requests (the SDK always scopes).
        if "userId" not in filters and not ({"organizationIds", "organizationId"} & set(filters)):
            filters["userId"] = user.id
        include_repeating = filters.pop("includeRepeatingTasks", True)
        predicates = [_predicate(key, condition) for key, condition in filters.items()]
        if tasks and not _truthy(include_repeating):
            predicates.append(lambda p: p.get("repeatrequestId") is None)
        matched = [
            f
            for f in features
            if self._visible(user, f["properties"])
            and all(pred(f["properties"]) for pred in predicates)
        ]
        sort_key = body.get("sort", "submissionTime")
        descending = str(body.get("order", "desc")).lower() != "asc"
        if not isinstance(sort_key, str):
            raise validation_error(
                [{"message": "Expected string", "code": "invalid_type", "path": "sort"}]
            )
        id_key = "taskingrequestId" if tasks else "repeatrequestId"
        matched.sort(key=lambda f: str(f["properties"][id_key]))
        matched.sort(
            key=lambda f: _sortable(_lookup(f["properties"], sort_key.removeprefix("properties."))),
            reverse=descending,
        )
        total_pages = max(1, math.ceil(len(matched) / limit))
        start = (page - 1) * limit
        return {
            "results": matched[start : start + limit],
            "currentPage": page,
            "totalPages": total_pages,
        }

    # ----------------------------------------------------------------------- persistence

    def _persist(self, kind: str, ident: str, data: Json) -> None:
        if self._store is not None:
            self._store.save(kind, ident, data)

    def _persist_task(self, record: TaskRecord) -> None:
        self._persist("task", record.id, {"feature": record.feature, "collects": record.collects})

    def _add_task(self, record: TaskRecord, *, persist: bool = True) -> None:
        self.tasks[record.id] = record
        for collect_id in record.collects:
            self._task_of_collect.setdefault(collect_id, record.id)
        if persist:
            self._persist_task(record)

    def _load(self) -> None:
        assert self._store is not None
        stored_seed = self._store.meta("seed")
        if stored_seed != str(self.config.seed):
            raise ValueError(
                f"database {self.config.db} was created with seed {stored_seed}, "
                f"not {self.config.seed}"
            )
        self._secret = bytes.fromhex(self._store.meta("secret") or self._secret.hex())
        self._created_tasks = int(self._store.meta("created_tasks") or 0)
        for data in self._store.load("order"):
            self.orders[data["orderId"]] = data
        for data in self._store.load("task"):
            record = TaskRecord(data["feature"], data["collects"])
            self.tasks[record.id] = record
        for data in self._store.load("repeat"):
            self.repeats[data["properties"]["repeatrequestId"]] = data

    def _index_collects(self) -> None:
        used: set[str] = set()
        for record in self.tasks.values():
            for collect_id in record.collects:
                used.add(collect_id)
                self._task_of_collect.setdefault(collect_id, record.id)
        self._collect_pool = [c for c in self._all_collects() if c not in used]

    def _all_collects(self) -> list[str]:
        collects = sorted(set(self.catalog.collect_ids()))
        random.Random(f"capella-sandbox-collects-{self.config.seed}").shuffle(collects)
        return collects

    def _take_collects(self, count: int) -> list[str]:
        if len(self._collect_pool) < count:
            # Out of untasked collects: start over (a collect may then belong to two tasks).
            self._collect_pool = self._all_collects()
        taken, self._collect_pool = self._collect_pool[:count], self._collect_pool[count:]
        return taken

    # -------------------------------------------------------------------------- seeding

    def _seed(self) -> None:
        """Deterministic initial requests and orders for the demo organisation."""
        _Seeder(self, random.Random(f"capella-sandbox-{self.config.seed}")).run()
        if self._store is not None:
            rows: list[tuple[str, str, Json]] = []
            rows += [("order", k, v) for k, v in self.orders.items()]
            rows += [
                ("task", k, {"feature": r.feature, "collects": r.collects})
                for k, r in self.tasks.items()
            ]
            rows += [("repeat", k, v) for k, v in self.repeats.items()]
            self._store.save_many(rows)
            self._store.set_meta("secret", self._secret.hex())
            self._store.set_meta("created_tasks", "0")
            self._store.set_meta("seed", str(self.config.seed))


def _ecef(lon: float, lat: float) -> list[float]:
    a, e2 = 6378137.0, 6.69437999014e-3
    phi, lam = math.radians(lat), math.radians(lon)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return [
        round(n * math.cos(phi) * math.cos(lam), 1),
        round(n * math.cos(phi) * math.sin(lam), 1),
        round(n * (1 - e2) * math.sin(phi), 1),
    ]


# ---------------------------------------------------------------------------- search helpers


def _truthy(value: Any) -> bool:
    if isinstance(value, dict):
        value = value.get("eq", True)
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _lookup(properties: Json, key: str) -> Any:
    if key == "lastStatusCode":
        return (properties.get("statusHistory") or [{}])[0].get("code")
    if key == "lastStatusTime":
        return (properties.get("statusHistory") or [{}])[0].get("time")
    value: Any = properties
    for part in _TASK_KEYS.get(key, key).split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _sortable(value: Any) -> tuple[int, float, str]:
    if value is None:
        return (0, 0.0, "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (1, float(value), "")
    return (2, 0.0, str(value))


def _normalise(value: Any, timed: bool) -> Any:
    if timed:
        return parse_time(value)
    if isinstance(value, str):
        return value.lower()
    return value


def _compare(op: str, actual: Any, expected: Any, timed: bool) -> bool:
    if op in ("in", "nin"):
        if not isinstance(expected, list):
            raise validation_error(
                [{"message": f"'{op}' expects an array", "code": "invalid_type", "path": "query"}]
            )
        found = any(_compare("eq", actual, e, timed) for e in expected)
        return found if op == "in" else not found
    if isinstance(actual, list) and op in ("eq", "neq", "ne"):
        found = any(_compare("eq", a, expected, timed) for a in actual)
        return found if op == "eq" else not found
    left, right = _normalise(actual, timed), _normalise(expected, timed)
    if op == "eq":
        return bool(left == right)
    if op in ("neq", "ne"):
        return bool(left != right)
    if left is None or right is None:
        return False
    if op in ("contains", "startsWith", "endsWith"):
        text, part = str(left), str(right)
        return {
            "contains": part in text,
            "startsWith": text.startswith(part),
            "endsWith": text.endswith(part),
        }[op]
    try:
        return bool(
            {"gt": left > right, "gte": left >= right, "lt": left < right, "lte": left <= right}[op]
        )
    except TypeError:
        return False


_OPERATORS = frozenset(
    {"eq", "neq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "contains", "startsWith", "endsWith"}
)


def _predicate(key: str, condition: Any) -> Callable[[Json], bool]:
    timed = key in _TIME_KEYS
    if isinstance(condition, dict):
        unknown = set(condition) - _OPERATORS
        if unknown:
            raise validation_error(
                [
                    {
                        "message": f"Unknown operator(s) {', '.join(sorted(unknown))}",
                        "code": "unrecognized_keys",
                        "path": f"query.{key}",
                    }
                ]
            )
        checks = list(condition.items())
        return lambda p: all(_compare(op, _lookup(p, key), v, timed) for op, v in checks)
    if isinstance(condition, list):
        return lambda p: _compare("in", _lookup(p, key), condition, timed)
    if timed and isinstance(condition, str) and "/" in condition:
        # A datetime interval "start/end"; ".." or an empty side leaves it open.
        low, _, high = condition.partition("/")
        bounds = [(op, v) for op, v in (("gte", low), ("lte", high)) if v not in ("", "..")]
        return lambda p: all(_compare(op, _lookup(p, key), v, True) for op, v in bounds)
    return lambda p: _compare("eq", _lookup(p, key), condition, timed)


# ---------------------------------------------------------------------------------- seeder


_TASK_STATUS_WEIGHTS = {
    "completed": 26,
    "accepted": 12,
    "active": 8,
    "canceled": 10,
    "review": 8,
    "submitted": 8,
    "received": 4,
    "expired": 10,
    "rejected": 4,
    "failed": 3,
    "anomaly": 2,
}
_REPEAT_STATUS_WEIGHTS = {
    "active": 10,
    "submitted": 4,
    "review": 3,
    "received": 2,
    "completed": 5,
    "canceled": 4,
    "expired": 2,
}
_PATHS = {
    "received": ["received"],
    "review": ["received", "review"],
    "submitted": ["received", "submitted"],
    "accepted": ["received", "submitted", "accepted"],
    "active": ["received", "submitted", "accepted", "active"],
    "completed": ["received", "submitted", "accepted", "active", "completed"],
    "canceled": ["received", "submitted", "accepted", "canceled"],
    "expired": ["received", "submitted", "accepted", "expired"],
    "rejected": ["received", "review", "rejected"],
    "failed": ["received", "submitted", "accepted", "failed"],
    "anomaly": ["received", "submitted", "accepted", "active", "anomaly"],
}
_PLACES = [
    ("Rotterdam port", 4.05, 51.95),
    ("Singapore strait", 103.85, 1.25),
    ("Denver airport", -104.67, 39.86),
    ("Suez canal", 32.55, 30.45),
    ("Lake Mead", -114.45, 36.15),
    ("Sao Paulo", -46.63, -23.55),
    ("Tokyo bay", 139.85, 35.55),
    ("Nile delta", 31.2, 30.9),
    ("Cape Town", 18.42, -33.92),
    ("Svalbard", 15.6, 78.22),
    ("Panama canal", -79.68, 9.12),
    ("Mumbai", 72.88, 19.07),
]


class _Seeder:
    """Builds the deterministic starting requests and orders of a seed."""

    def __init__(self, state: State, rng: random.Random) -> None:
        self.state = state
        self.rng = rng
        # Midnight today: stable within a day, so that open requests have open windows.
        self.anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def run(self) -> None:
        state = self.state
        state._collect_pool = state._all_collects()
        for user, count in ((DEMO_USER, 540), (_COLLEAGUE, 120), (_STRANGER, 40)):
            for _ in range(count):
                status = self.choose(_TASK_STATUS_WEIGHTS)
                state._add_task(self.task(user, status), persist=False)
        for user, count in ((DEMO_USER, 30), (_COLLEAGUE, 6), (_STRANGER, 4)):
            for _ in range(count):
                repeat = self.repeat(user, self.choose(_REPEAT_STATUS_WEIGHTS))
                state.repeats[repeat["properties"]["repeatrequestId"]] = repeat
                if _status(repeat) in ("active", "completed", "canceled"):
                    for n in range(self.rng.randint(2, 4)):
                        child = self.task(
                            user,
                            self.rng.choice(["completed", "completed", "accepted", "expired"]),
                            repeat=repeat,
                            number=n + 1,
                        )
                        state._add_task(child, persist=False)
        self.orders()

    def choose(self, weights: Mapping[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def place(self) -> tuple[str, Json]:
        name, lon, lat = self.rng.choice(_PLACES)
        lon += self.rng.uniform(-0.2, 0.2)
        lat += self.rng.uniform(-0.2, 0.2)
        if self.rng.random() < 0.8:
            return name, {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]}
        d = 0.03
        ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
        ring = [[round(x, 5), round(y, 5)] for x, y in ring]
        return name, {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    def task(
        self, user: User, status: str, *, repeat: Json | None = None, number: int = 0
    ) -> TaskRecord:
        rng = self.rng
        task_id = self.uuid()
        collects: list[str] = []
        collection_type = rng.choice(list(COLLECTION_TYPES))
        name, geometry = self.place()
        if status in ("completed", "anomaly"):
            collects = self.state._take_collects(rng.choice([1, 1, 2, 2, 3]))
            items = self.state.catalog.items_of_collect(collects[0]) if collects else []
            if items:
                p = items[0].get("properties", {})
                bbox = items[0].get("bbox") or [0, 0, 0, 0]
                geometry = {
                    "type": "Point",
                    "coordinates": [
                        round((bbox[0] + bbox[2]) / 2, 5),
                        round((bbox[1] + bbox[3]) / 2, 5),
                    ],
                }
                if p.get("capella:collection_type") in COLLECTION_TYPES:
                    collection_type = p["capella:collection_type"]
                collected = parse_time(p.get("datetime")) or self.anchor - timedelta(days=30)
            else:
                collected = self.anchor - timedelta(days=rng.randint(5, 700))
            window_open = collected - timedelta(hours=rng.randint(12, 96))
        elif status in ("received", "review", "submitted", "accepted", "active"):
            window_open = self.anchor + timedelta(hours=rng.randint(-72, 240))
            collected = window_open
        else:
            window_open = self.anchor - timedelta(days=rng.randint(10, 700))
            collected = window_open
        tier = rng.choice(["standard", "standard", "priority", "urgent", "flexible", "7_day"])
        days = {"urgent": 1, "priority": 3, "flexible": 14}.get(tier, 7)
        window_close = max(window_open + timedelta(days=days), collected + timedelta(hours=6))
        submitted = window_open - timedelta(minutes=rng.randint(5, 2880))
        if status in ("received", "review", "submitted"):
            submitted = min(submitted, self.anchor - timedelta(minutes=rng.randint(5, 600)))
        codes = _PATHS[status]
        times = [submitted + timedelta(seconds=i * rng.randint(1, 600)) for i in range(len(codes))]
        if status in ("completed", "anomaly"):
            times[-1] = collected + timedelta(hours=rng.randint(2, 8))
        holdback = rng.choice(["none", "none", "none", "30_day", "1_year"])
        kind = COLLECTION_TYPES[collection_type]
        constraints = {
            "ascDsc": rng.choice(ASC_DSC),
            "lookDirection": rng.choice(LOOK_DIRECTIONS),
            "squint": "enabled" if geometry["type"] == "Point" else "disabled",
            "polarization": rng.choice(POLARIZATIONS),
            "localTime": LOCAL_TIMES[rng.choice(list(LOCAL_TIMES))],
            "orbitalPlanes": [],
            "collectMode": kind.collect_mode,
            "imageLength": kind.image_length,
            "offNadirMin": 25,
            "offNadirMax": 40,
            "imageWidth": kind.image_width,
        }
        display = (
            name if repeat is None else f"{repeat['properties']['repeatrequestName']} #{number}"
        )
        feature = self.state._task_feature(
            task_id=task_id,
            user=user,
            geometry=geometry if repeat is None else repeat["geometry"],
            name=f"{display}" if repeat else f"{name} {collection_type}",
            description="" if rng.random() < 0.7 else f"Monitoring {name}",
            window_open=window_open,
            window_close=window_close,
            tier=tier,
            pre_approval=codes[1:2] != ["review"],
            contract=DEMO_CONTRACT_ID,
            history=_history(codes, times),
            submitted=submitted,
            collection_type=collection_type,
            holdback=holdback,
            custom={"customAttribute1": None, "customAttribute2": None},
            constraints=constraints,
            processing={"productTypes": ["SLC", "GEO", "GEC", "SICD", "SIDD"]},
            repeat_id=None if repeat is None else repeat["properties"]["repeatrequestId"],
        )
        return TaskRecord(feature, collects)

    def repeat(self, user: User, status: str) -> Json:
        rng = self.rng
        name, geometry = self.place()
        collection_type = rng.choice(["spotlight", "spotlight_wide", "stripmap_20"])
        kind = COLLECTION_TYPES[collection_type]
        start = self.anchor - timedelta(days=rng.randint(-20, 400))
        interval = rng.choice([1, 7, 7, 14, 30])
        codes = {
            "active": ["received", "submitted", "active"],
            "completed": ["received", "submitted", "active", "completed"],
            "canceled": ["received", "submitted", "active", "canceled"],
            "expired": ["received", "submitted", "expired"],
        }.get(status, _PATHS.get(status, ["received"]))
        submitted = start - timedelta(days=rng.randint(1, 10))
        times = [submitted + timedelta(minutes=i * rng.randint(1, 90)) for i in range(len(codes))]
        count = rng.choice([None, None, 10, 52])
        tier = rng.choice(["routine", "routine", "flexible", "insar"])
        return self.state._repeat_feature(
            repeat_id=self.uuid(),
            user=user,
            geometry=geometry,
            name=f"{name} every {interval} day{'s' if interval > 1 else ''}",
            description="",
            tier=tier,
            repetition={
                "repeatStart": format_time(start),
                "repeatEnd": None
                if count is not None
                else format_time(start + timedelta(days=rng.choice([90, 180, 365]))),
                "repetitionInterval": interval,
                "repetitionCount": count,
                "maintainSceneFraming": rng.random() < 0.5,
                "lookAngleTolerance": 10,
            },
            window=interval * 86400,
            insar={"orbit": rng.choice(INSAR_ORBITS)} if tier == "insar" else None,
            contract=DEMO_CONTRACT_ID,
            history=_history(codes, times),
            submitted=submitted,
            collection_type=collection_type,
            holdback="none",
            custom={"customAttribute1": None, "customAttribute2": None},
            constraints={
                "ascDsc": "either",
                "lookDirection": "either",
                "squint": "enabled" if geometry["type"] == "Point" else "disabled",
                "localTime": LOCAL_TIMES["anytime"],
                "orbitalPlanes": [],
                "collectMode": kind.collect_mode,
                "imageLength": kind.image_length,
                "imageWidth": kind.image_width,
                "offNadirMin": 25,
                "offNadirMax": 40,
                "polarization": "HH",
            },
            processing=None,
        )

    def orders(self) -> None:
        """Three expired orders of the demo user, over collects of its completed tasks."""
        completed = [
            r
            for r in self.state.tasks.values()
            if r.collects and r.feature["properties"]["userId"] == DEMO_USER.id
        ]
        for n, record in enumerate(completed[:3]):
            items = self.state.catalog.items_of_collect(record.collects[0])[:2]
            if not items:
                continue
            lines = [
                {
                    "granuleId": item["id"],
                    "collectionId": item.get("collection"),
                    "previouslyOrdered": False,
                }
                for item in items
            ]
            ordered = self.anchor - timedelta(days=30 * (n + 1))
            order_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            order = self.state._make_order(DEMO_USER, order_id, ordered, DEMO_CONTRACT_ID, lines)
            self.state.orders[order_id] = order
