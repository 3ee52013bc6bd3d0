"""Fault injection for the sandbox: latency, error statuses, cut connections and asset quirks.

Faults are keyed by route, the operationId of the spec (``searchCatalog``, ``submitOrder``, ...)
or ``assets`` for the presigned asset host; ``*`` matches every route. A fault either fires a
fixed number of times (``times``) or stays until cleared. Tests switch them on through
``Sandbox.faults``; the command line takes the ``--fault ROUTE:KIND[=VALUE][:OPTION=VALUE...]``
spelling parsed by :func:`parse_fault`.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field, replace

__all__ = [
    "ROUTES",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "parse_fault",
]

# Every operationId of docs/architecture.md, plus the asset host.
ROUTES: frozenset[str] = frozenset(
    {
        "getUser",
        "searchCatalog",
        "reviewOrder",
        "submitOrder",
        "listOrders",
        "getOrder",
        "getOrderDownload",
        "createTaskingRequest",
        "getTaskingRequest",
        "updateTaskingRequest",
        "updateTaskingRequestStatus",
        "searchTaskingRequests",
        "listCollectsForTask",
        "createRepeatRequest",
        "updateRepeatRequest",
        "updateRepeatRequestStatus",
        "searchRepeatRequests",
        "listCollectionTypes",
        "assets",
    }
)

ANY_ROUTE = "*"
ERROR_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})


class FaultKind(enum.StrEnum):
    """What a fault does to a response."""

    LATENCY = "latency"  # sleep `seconds` before answering
    STATUS = "status"  # answer `status` (429 with Retry-After, 5xx) instead of the real response
    CUT = "cut"  # close the connection after `after_bytes` bytes of the body
    EXPIRED = "expired"  # asset URLs answer 403 "Request has expired" whatever their Expires
    IGNORE_RANGE = "ignore-range"  # the asset host answers 200 with the full body despite Range


_ASSET_ONLY = frozenset({FaultKind.EXPIRED, FaultKind.IGNORE_RANGE})


@dataclass(frozen=True)
class Fault:
    """One fault rule: which route, what kind, its parameters and how many times it fires."""

    route: str
    kind: FaultKind
    times: int | None = None  # None: until cleared
    seconds: float = 0.0
    status: int = 503
    retry_after: int = 1
    after_bytes: int = 0

    def __post_init__(self) -> None:
        if self.route != ANY_ROUTE and self.route not in ROUTES:
            raise ValueError(f"unknown route {self.route!r}; expected an operationId or 'assets'")
        if self.kind in _ASSET_ONLY and self.route not in ("assets", ANY_ROUTE):
            raise ValueError(f"fault {self.kind.value!r} applies to the 'assets' route only")
        if self.kind is FaultKind.STATUS and self.status not in ERROR_STATUSES:
            raise ValueError(f"status must be one of {sorted(ERROR_STATUSES)}, not {self.status}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be >= 1 (or None for a permanent fault)")
        if self.seconds < 0 or self.after_bytes < 0 or self.retry_after < 0:
            raise ValueError("seconds, after_bytes and retry_after must not be negative")


@dataclass
class FaultPlan:
    """The faults that apply to one request, taken from the injector when it arrives."""

    latency: float = 0.0
    status: Fault | None = None
    cut_after: int | None = None
    expired: bool = False
    ignore_range: bool = False
    fired: list[Fault] = field(default_factory=list)


@dataclass
class _Slot:
    fault: Fault
    remaining: int | None


class FaultInjector:
    """A thread-safe set of fault rules, consulted once per request."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._lock = threading.Lock()
        self._slots: list[_Slot] = []
        for fault in faults or []:
            self.add_fault(fault)

    def add(
        self,
        route: str,
        kind: FaultKind | str,
        *,
        times: int | None = None,
        seconds: float = 0.0,
        status: int = 503,
        retry_after: int = 1,
        after_bytes: int = 0,
    ) -> Fault:
        """Add a fault rule for `route` and return it."""
        fault = Fault(
            route=route,
            kind=_kind(kind),
            times=times,
            seconds=seconds,
            status=status,
            retry_after=retry_after,
            after_bytes=after_bytes,
        )
        return self.add_fault(fault)

    def add_fault(self, fault: Fault) -> Fault:
        """Add an already built fault rule and return it."""
        with self._lock:
            self._slots.append(_Slot(fault, fault.times))
        return fault

    def clear(self, route: str | None = None) -> None:
        """Remove every rule (or only those of `route`)."""
        with self._lock:
            self._slots = [s for s in self._slots if route is not None and s.fault.route != route]

    def active(self) -> list[Fault]:
        """The rules still armed, in the order they were added."""
        with self._lock:
            return [replace(s.fault, times=s.remaining) for s in self._slots]

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._slots)

    def take(self, route: str) -> FaultPlan:
        """Consume the rules that fire for one request to `route` and return what they do."""
        plan = FaultPlan()
        with self._lock:
            if not self._slots:
                return plan
            for slot in self._slots:
                fault = slot.fault
                if fault.route not in (route, ANY_ROUTE):
                    continue
                if fault.kind in _ASSET_ONLY and route != "assets":
                    continue
                # One status and one cut per request: later rules of the same kind wait their turn.
                if fault.kind is FaultKind.STATUS:
                    if plan.status is not None:
                        continue
                    plan.status = fault
                elif fault.kind is FaultKind.CUT:
                    if plan.cut_after is not None:
                        continue
                    plan.cut_after = fault.after_bytes
                elif fault.kind is FaultKind.LATENCY:
                    plan.latency += fault.seconds
                elif fault.kind is FaultKind.EXPIRED:
                    plan.expired = True
                else:
                    plan.ignore_range = True
                plan.fired.append(fault)
                if slot.remaining is not None:
                    slot.remaining -= 1
            self._slots = [s for s in self._slots if s.remaining is None or s.remaining > 0]
        return plan


def _kind(value: FaultKind | str) -> FaultKind:
    if isinstance(value, FaultKind):
        return value
    try:
        return FaultKind(value.strip().lower().replace("_", "-"))
    except ValueError:
        allowed = ", ".join(k.value for k in FaultKind)
        raise ValueError(f"unknown fault kind {value!r}; expected one of {allowed}") from None


def parse_fault(spec: str) -> Fault:
    """Parse ``ROUTE:KIND[=VALUE][:OPTION=VALUE...]``, e.g. ``assets:status=503:times=2``.

    KIND is ``latency=SECONDS``, ``status=CODE``, ``cut=BYTES``, ``expired`` or ``ignore-range``;
    OPTIONs are ``times=N`` and ``retry-after=SECONDS``.
    """
    parts = [p.strip() for p in spec.split(":")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError(f"fault {spec!r}: expected ROUTE:KIND[=VALUE][:OPTION=VALUE...]")
    route = parts[0]
    name, _, value = parts[1].partition("=")
    kind = _kind(name)
    options: dict[str, str] = {}
    for part in parts[2:]:
        key, sep, val = part.partition("=")
        if not sep:
            raise ValueError(f"fault {spec!r}: option {part!r} needs a value")
        options[key.strip().lower().replace("_", "-")] = val.strip()
    unknown = set(options) - {"times", "retry-after"}
    if unknown:
        raise ValueError(f"fault {spec!r}: unknown option(s) {', '.join(sorted(unknown))}")
    try:
        times = int(options["times"]) if "times" in options else None
        retry_after = int(options.get("retry-after", "1"))
        seconds = float(value) if kind is FaultKind.LATENCY else 0.0
        status = int(value) if kind is FaultKind.STATUS else 503
        after_bytes = int(value) if kind is FaultKind.CUT else 0
    except ValueError:
        raise ValueError(f"fault {spec!r}: expected a number") from None
    if kind in (FaultKind.LATENCY, FaultKind.STATUS, FaultKind.CUT) and not value:
        raise ValueError(f"fault {spec!r}: {kind.value} needs a value, e.g. {kind.value}=1")
    return Fault(
        route=route,
        kind=kind,
        times=times,
        seconds=seconds,
        status=status,
        retry_after=retry_after,
        after_bytes=after_bytes,
    )
