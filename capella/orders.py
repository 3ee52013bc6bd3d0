"""Orders: review, submit, list, and presigned items of an order.

Wire bodies and the order of calls match the reference SDK (review: catalog search, then
``POST /orders/review``; submit: optional ``GET /orders``, search, review, ``POST /orders``).
Unlike the reference, an order of any size orders every id, unknown ids are named instead of being
dropped, and a submit whose fate is unknown is never sent a second time.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import attrs
import dateutil.parser

from capella._http import ApiSession
from capella._logging import ClientLog
from capella.errors import (
    AmbiguousRequestError,
    CapellaConsoleClientError,
    InsufficientFundsError,
    InvalidInputError,
    NoValidStacIdsError,
    OrderRejectedError,
    UnknownStacIdsError,
)
from capella.results import StacSearchResult

Item = dict[str, Any]
ItemsLike = Iterable[Mapping[str, Any]]
IdsLike = str | Iterable[str]
SearchFn = Callable[..., StacSearchResult]

# Ids per catalog search: one page of the catalog (its page size is 900), far below the 10,000
# items a single query can reach.
SEARCH_ID_CHUNK = 900
# How many unknown ids an error message spells out (all of them are in ``.data``).
_MAX_NAMED = 20


def operation(name: str) -> ModuleType:
    """The generated operation module ``capella_api.api.orders.<name>``."""
    # Imported lazily: the generated package imports every model, which costs import time.
    return importlib.import_module(f"capella_api.api.orders.{name}")


def normalize_ids(ids: IdsLike | None) -> list[str]:
    """Turn a str or an iterable of str into a list without duplicates or empties, in order."""
    if ids is None:
        return []
    if isinstance(ids, str):
        ids = [ids]
    seen: dict[str, None] = {}
    for value in ids:
        if value is None:
            continue
        if not isinstance(value, str):
            raise InvalidInputError(f"ids must be strings, got {value!r}")
        if value.strip():
            seen.setdefault(value.strip())
    return list(seen)


def validate_uuid(value: str, what: str) -> str:
    """Return ``value`` if it is a UUID, else raise ``InvalidInputError`` naming ``what``."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        raise InvalidInputError(f"{what} {value!r} is not a valid UUID") from None
    return value


def _name_ids(ids: Sequence[str]) -> str:
    named = ", ".join(ids[:_MAX_NAMED])
    return named + (f" and {len(ids) - _MAX_NAMED} more" if len(ids) > _MAX_NAMED else "")


def describe_ids(ids: Sequence[str]) -> str:
    """``N STAC ids (a, b, ...)`` for messages, naming at most 20."""
    return f"{len(ids)} STAC id{'s' if len(ids) != 1 else ''} ({_name_ids(ids)})"


def order_payload(items: Sequence[Mapping[str, Any]], contract_id: str | None = None) -> Item:
    """The body of ``POST /orders/review`` and ``POST /orders`` (items grouped by collection)."""
    by_collection: dict[str, list[str]] = {}
    for item in items:
        stac_id, collection = item.get("id"), item.get("collection")
        if not isinstance(stac_id, str) or not isinstance(collection, str):
            raise InvalidInputError(
                f"cannot order item {stac_id!r}: a STAC item needs an 'id' and a 'collection'"
            )
        by_collection.setdefault(collection, []).append(stac_id)
    payload: Item = {
        "items": [
            {"collectionId": collection, "granuleId": stac_id}
            for collection, stac_ids in by_collection.items()
            for stac_id in stac_ids
        ]
    }
    if contract_id:
        payload["contractId"] = contract_id
    return payload


def parse_expiration(order: Mapping[str, Any]) -> datetime | None:
    """The order's ``expirationDate`` as an aware datetime (naive means UTC); None if unreadable."""
    raw = order.get("expirationDate")
    if not isinstance(raw, str):
        return None
    try:
        when = dateutil.parser.isoparse(raw)
    except (ValueError, OverflowError):
        try:
            when = dateutil.parser.parse(raw)
        except (ValueError, OverflowError):
            return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def active_orders(orders: Iterable[Mapping[str, Any]], now: datetime | None = None) -> list[Item]:
    """Orders that have not expired, the latest-expiring first (ties: the later-listed first)."""
    now = now or datetime.now(UTC)
    dated = [(parse_expiration(o), dict(o)) for o in orders]
    alive = [(when, o) for when, o in dated if when is not None and when > now]
    # Ascending, then reversed, as the reference does: among equal dates the later-listed first.
    alive.sort(key=lambda pair: pair[0])
    return [o for _, o in reversed(alive)]


def granule_ids(order: Mapping[str, Any]) -> set[str]:
    """The STAC ids (``granuleId``) an order contains."""
    items = order.get("items") or []
    return {str(i["granuleId"]) for i in items if isinstance(i, Mapping) and "granuleId" in i}


def sort_items(items: Sequence[Item], sort_by: Sequence[str]) -> list[Item]:
    """Items in the order of ``sort_by``; items it does not name follow in their given order."""
    rank = {stac_id: n for n, stac_id in enumerate(normalize_ids(sort_by))}
    unranked = len(rank)
    # sorted() is stable, so unnamed items keep the server's order.
    return sorted(items, key=lambda item: rank.get(str(item.get("id")), unranked))


# -- the decisions of each operation (I/O-free: the sync and async shells both call them) ---------


def ids_and_items(
    stac_ids: IdsLike | None, items: ItemsLike | None
) -> tuple[list[str], list[Item]]:
    """Resolve ``stac_ids`` (precedence) or ``items`` into ids, plus the given items if any."""
    given = [dict(i) for i in items] if items is not None else []
    ids = normalize_ids(stac_ids)
    if not ids:
        ids = normalize_ids(
            str(i["id"]) for i in given if isinstance(i, Mapping) and i.get("id") is not None
        )
    if not ids:
        raise InvalidInputError("Please provide stac_ids or items")
    if given:
        # The same item twice would be ordered twice; keep the first of each id.
        unique: dict[str, Item] = {}
        for item in given:
            unique.setdefault(str(item.get("id")), item)
        given = list(unique.values())
    return ids, given


def id_chunks(stac_ids: Sequence[str]) -> list[list[str]]:
    """The ids in chunks of one catalog search each, in order."""
    return [
        list(stac_ids[start : start + SEARCH_ID_CHUNK])
        for start in range(0, len(stac_ids), SEARCH_ID_CHUNK)
    ]


def add_found(found: dict[str, Item], items: Iterable[Mapping[str, Any]]) -> None:
    """Record catalog items by id (the first of each id wins)."""
    for item in items:
        found.setdefault(str(item.get("id")), dict(item))


def items_in_order(stac_ids: Sequence[str], found: Mapping[str, Item]) -> list[Item]:
    """The found items of ``stac_ids``, in that order; raise naming any id not found."""
    unknown = [i for i in stac_ids if i not in found]
    if len(unknown) == len(stac_ids):
        raise NoValidStacIdsError(
            f"No valid STAC IDs: none of {describe_ids(unknown)} is in the catalog",
            "NO_VALID_STAC_IDS",
            {"unknown": unknown},
        )
    if unknown:
        raise UnknownStacIdsError(
            f"{describe_ids(unknown)} not found in the catalog; nothing was ordered. "
            f"Remove them or check their spelling.",
            "UNKNOWN_STAC_IDS",
            {"unknown": unknown, "found": [i for i in stac_ids if i in found]},
        )
    return [found[i] for i in stac_ids]


def checked_review(review: Any) -> Item:
    """The answer of ``POST /orders/review``; ``InsufficientFundsError`` if not authorized."""
    if not isinstance(review, dict):
        raise CapellaConsoleClientError("POST /orders/review did not return an object")
    if not review.get("authorized", False):
        reason = review.get("authorizationDenialReason") or {}
        message = reason.get("message") if isinstance(reason, dict) else None
        raise InsufficientFundsError(message or "the order review was not authorized")
    return review


def submitted_order_id(order: Any, ids: Sequence[str], log: ClientLog) -> str:
    """The order id of a ``POST /orders`` answer; ``OrderRejectedError`` if it was rejected."""
    if not isinstance(order, dict) or "orderId" not in order:
        raise CapellaConsoleClientError("POST /orders did not return an order id")
    order_id = str(order["orderId"])
    if order.get("orderStatus") == "rejected":
        raise OrderRejectedError(f"Order {order_id} for {describe_ids(ids)} rejected.")
    log.info("successfully submitted order %s", order_id)
    return order_id


AMBIGUOUS_SUBMIT_WARNING = (
    "the order submission may or may not have been received; looking for an active order "
    "with the same items instead of submitting again"
)
_AMBIGUOUS_HINT = (
    "Check client.list_orders(is_active=True) before submitting again, or the items may "
    "be ordered (and charged) twice."
)


def ambiguous_lookup_failed(
    exc: AmbiguousRequestError, lookup: CapellaConsoleClientError
) -> AmbiguousRequestError:
    """The error when an ambiguous submit's order could not be looked for either."""
    return AmbiguousRequestError(
        f"{exc.message}. Looking for the order afterwards failed too ({lookup.message}). "
        + _AMBIGUOUS_HINT,
        exc.code,
    )


def recovered_order(
    exc: AmbiguousRequestError, payload: Item, active: Iterable[Item], log: ClientLog
) -> Item:
    """The active order an ambiguous submit created; raise ``AmbiguousRequestError`` if none.

    Never resends: the caller either gets the order the server did create, or the error.
    """
    wanted = {i["granuleId"] for i in payload["items"]}
    candidates = [o for o in active if granule_ids(o) == wanted]
    if not candidates:
        raise AmbiguousRequestError(
            f"{exc.message}. No active order with these items was found. " + _AMBIGUOUS_HINT,
            exc.code,
        ) from exc
    # Several identical orders: the newest is the one this submit created, if any did.
    candidates.sort(key=lambda o: str(o.get("orderDate", "")), reverse=True)
    log.info("the submission did reach the server: order %s", candidates[0]["orderId"])
    return candidates[0]


def checked_orders(orders: Any) -> list[Item]:
    """The answer of ``GET /orders``, checked to be a list."""
    if not isinstance(orders, list):
        raise CapellaConsoleClientError("GET /orders did not return a list")
    return orders


def checked_order(order: Any, order_id: str) -> Item:
    """The answer of ``GET /orders/{id}``, checked to be an object."""
    if not isinstance(order, dict):
        raise CapellaConsoleClientError(f"GET /orders/{order_id} did not return an object")
    return order


def order_holding(active: Iterable[Mapping[str, Any]], stac_ids: Iterable[str]) -> str | None:
    """The id of the first of ``active`` containing ALL ``stac_ids``, or None."""
    wanted = set(stac_ids)
    for order in active:
        if granule_ids(order) >= wanted:
            return str(order["orderId"])
    return None


def valid_order_ids(order_ids: IdsLike | None) -> list[str]:
    """Order ids without duplicates, each checked to be a UUID."""
    return [validate_uuid(i, "order id") for i in normalize_ids(order_ids)]


def restrict_orders(orders: list[Item], order_ids: Sequence[str]) -> list[Item]:
    """The orders whose id is one of ``order_ids`` (all of them when none is given)."""
    if not order_ids:
        return orders
    keep = set(order_ids)
    return [o for o in orders if o.get("orderId") in keep]


def selected_presigned(
    answer: Any,
    order_id: str,
    stac_ids: IdsLike | None,
    sort_by: Sequence[str] | None,
    log: ClientLog,
) -> list[Item]:
    """The items of ``GET /orders/{id}/download``, filtered to ``stac_ids`` and sorted."""
    if not isinstance(answer, list):
        raise CapellaConsoleClientError(f"GET /orders/{order_id}/download did not return a list")
    items: list[Item] = [i for i in answer if isinstance(i, dict)]
    wanted = normalize_ids(stac_ids)
    if wanted:
        keep = set(wanted)
        present = {str(i.get("id")) for i in items}
        missing = [i for i in wanted if i not in present]
        if missing:
            log.warning("order %s does not contain %s", order_id, describe_ids(missing))
        items = [i for i in items if i.get("id") in keep]
    if sort_by:
        items = sort_items(items, sort_by)
    return items


def order_stac_ids(order: Mapping[str, Any]) -> list[str]:
    """The STAC ids an order contains, in the order's item order."""
    items = order.get("items") or []
    return normalize_ids(str(i["granuleId"]) for i in items if "granuleId" in i)


def empty_order_result() -> StacSearchResult:
    """The result ``stac_items_of_order`` starts from (an order without items gives this)."""
    return StacSearchResult({"ids": [], "limit": 0})


def warn_missing_items(
    order_id: str, ids: Sequence[str], result: StacSearchResult, log: ClientLog
) -> None:
    """Log the ids of an order that the catalog no longer has."""
    missing = set(ids) - set(result.stac_ids)
    if missing:
        log.warning(
            "order %s lists %s no longer in the catalog", order_id, describe_ids(sorted(missing))
        )


# -- the sync shell ----------------------------------------------------------------------------


@attrs.frozen
class OrderApi:
    """Order operations bound to one client's session, catalog search and user."""

    session: ApiSession
    search: SearchFn
    customer_id: Callable[[], str]
    log: ClientLog

    # -- catalog lookups --------------------------------------------------------------------

    def lookup_items(self, stac_ids: Sequence[str]) -> list[Item]:
        """The catalog items of ``stac_ids``, in that order; raise naming any unknown id."""
        found: dict[str, Item] = {}
        for chunk in id_chunks(stac_ids):
            add_found(found, self.search(ids=chunk, limit=len(chunk)))
        return items_in_order(stac_ids, found)

    # -- review and submit ------------------------------------------------------------------

    def review(
        self,
        stac_ids: IdsLike | None = None,
        items: ItemsLike | None = None,
        contract_id: str | None = None,
    ) -> Item:
        """Price an order; raise ``InsufficientFundsError`` when it would not be authorized."""
        ids, given = ids_and_items(stac_ids, items)
        stac_items = given if given else self.lookup_items(ids)
        self.log.info("reviewing order for %s", describe_ids(ids))
        body = order_payload(stac_items, contract_id)
        return checked_review(self.session.call_json(operation("review_order"), body=body))

    def submit(
        self,
        stac_ids: IdsLike | None = None,
        items: ItemsLike | None = None,
        check_active_orders: bool = False,
        omit_search: bool = False,
        omit_review: bool = False,
        contract_id: str | None = None,
    ) -> str:
        """Place an order (or reuse an active one) and return its order id."""
        ids, given = ids_and_items(stac_ids, items)
        if check_active_orders:
            existing = self.find_active_order(ids)
            if existing is not None:
                self.log.info("found active order %s containing all requested STAC ids", existing)
                return existing

        if omit_search and given:
            stac_items = given
        else:
            if omit_search:
                self.log.warning("omit_search=True only applies when items are given; searching")
            stac_items = self.lookup_items(ids)

        if not omit_review:
            self.review(items=stac_items, contract_id=contract_id)

        payload = order_payload(stac_items, contract_id)
        self.log.info("submitting order for %s", describe_ids(ids))
        try:
            order = self.session.call_json(operation("submit_order"), body=payload)
        except AmbiguousRequestError as exc:
            order = self._recover_ambiguous_submit(exc, payload)
        return submitted_order_id(order, ids, self.log)

    def _recover_ambiguous_submit(self, exc: AmbiguousRequestError, payload: Item) -> Item:
        """After a submit that may have reached the server, find its order instead of resending."""
        self.log.warning(AMBIGUOUS_SUBMIT_WARNING)
        try:
            active = self.fetch_active()
        except CapellaConsoleClientError as lookup:
            raise ambiguous_lookup_failed(exc, lookup) from exc
        return recovered_order(exc, payload, active, self.log)

    # -- listing ----------------------------------------------------------------------------

    def fetch_all(self) -> list[Item]:
        """Every order of the user (``GET /orders?customerId=...``)."""
        return checked_orders(
            self.session.call_json(operation("list_orders"), customer_id=self.customer_id())
        )

    def fetch_active(self) -> list[Item]:
        """The user's non-expired orders, the latest-expiring first."""
        return active_orders(self.fetch_all())

    def fetch_one(self, order_id: str) -> Item:
        """One order (``GET /orders/{id}``)."""
        order = self.session.call_json(operation("get_order"), validate_uuid(order_id, "order id"))
        return checked_order(order, order_id)

    def find_active_order(self, stac_ids: Iterable[str]) -> str | None:
        """The latest-expiring active order containing ALL ``stac_ids``, or None."""
        return order_holding(self.fetch_active(), stac_ids)

    def list_orders(self, order_ids: Sequence[str], is_active: bool = False) -> list[Item]:
        """Orders by id, active orders (optionally restricted to ids), or all orders."""
        ids = valid_order_ids(order_ids)
        if is_active:
            return restrict_orders(self.fetch_active(), ids)
        if ids:
            return [self.fetch_one(i) for i in ids]
        return self.fetch_all()

    # -- presigned items --------------------------------------------------------------------

    def presigned_items(
        self,
        order_id: str,
        stac_ids: IdsLike | None = None,
        sort_by: Sequence[str] | None = None,
    ) -> list[Item]:
        """The order's STAC items with presigned hrefs, filtered and sorted as asked."""
        validate_uuid(order_id, "order id")
        self.log.info("getting presigned items for order %s", order_id)
        answer = self.session.call_json(operation("get_order_download"), order_id)
        return selected_presigned(answer, order_id, stac_ids, sort_by, self.log)

    def stac_ids_of_order(self, order_id: str) -> list[str]:
        """The STAC ids an order contains, in the order's item order."""
        return order_stac_ids(self.fetch_one(order_id))

    def stac_items_of_order(self, order_id: str) -> StacSearchResult:
        """The catalog items of an order (every one of them, however many)."""
        ids = self.stac_ids_of_order(order_id)
        result = empty_order_result()
        for n, chunk in enumerate(id_chunks(ids)):
            page = self.search(ids=chunk, limit=len(chunk))
            result = page if n == 0 else result.merge(page)
        warn_missing_items(order_id, ids, result, self.log)
        return result
