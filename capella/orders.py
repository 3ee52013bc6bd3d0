"""Orders: review, submit, list, and presigned items of an order.

Wire bodies and the order of calls match the reference SDK (review: catalog search, then
``POST /orders/review``; submit: optional ``GET /orders``, search, review, ``POST /orders``).
Unlike the reference, an order of any size orders every id, unknown ids are named instead of being
dropped, and a submit whose fate is unknown is never sent a second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from capella._flow import CURRENT_USER, Context, Flow, call
from capella._logging import ClientLog
from capella._ops import Op
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
    import dateutil.parser  # imported on use: it costs import time for every client

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
    if isinstance(items, str | bytes | Mapping):
        raise InvalidInputError(
            f"items: expected a list of STAC items (dicts), not {type(items).__name__}; "
            "pass stac_ids=... for ids"
        )
    given = [_item(i) for i in items] if items is not None else []
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


def _item(item: object) -> Item:
    if not isinstance(item, Mapping):
        raise InvalidInputError(f"items: each item must be a STAC item (a dict), not {item!r}")
    return dict(item)


def checked_contract_id(contract_id: object) -> str | None:
    """``contract_id`` as a string, None for none ("" too); ``InvalidInputError`` otherwise."""
    if contract_id is None or contract_id == "":
        return None
    if isinstance(contract_id, str) and contract_id.strip():
        return contract_id
    raise InvalidInputError(f"contract_id: expected a contract id string, not {contract_id!r}")


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


# -- the operations (each runs on either session: ``session.run(orders.review(...))``) ------


def catalog_lookup(ctx: Context, ids: list[str]) -> Flow[StacSearchResult]:
    """The catalog items of ``ids`` (one search)."""
    from capella.pagination import search_catalog

    return (yield from search_catalog(ctx, ids=ids, limit=len(ids)))


def lookup_items(ctx: Context, stac_ids: Sequence[str]) -> Flow[list[Item]]:
    """The catalog items of ``stac_ids``, in that order; raise naming any unknown id."""
    found: dict[str, Item] = {}
    for chunk in id_chunks(stac_ids):
        add_found(found, (yield from catalog_lookup(ctx, chunk)))
    return items_in_order(stac_ids, found)


def review(
    ctx: Context,
    stac_ids: IdsLike | None = None,
    items: ItemsLike | None = None,
    contract_id: str | None = None,
) -> Flow[Item]:
    """Price an order; raise ``InsufficientFundsError`` when it would not be authorized."""
    contract_id = checked_contract_id(contract_id)
    ids, given = ids_and_items(stac_ids, items)
    stac_items = given if given else (yield from lookup_items(ctx, ids))
    ctx.log.info("reviewing order for %s", describe_ids(ids))
    body = order_payload(stac_items, contract_id)
    return checked_review((yield call(Op.REVIEW_ORDER, body=body)))


def submit(
    ctx: Context,
    stac_ids: IdsLike | None = None,
    items: ItemsLike | None = None,
    check_active_orders: bool = False,
    omit_search: bool = False,
    omit_review: bool = False,
    contract_id: str | None = None,
) -> Flow[str]:
    """Place an order (or reuse an active one) and return its order id; never sent twice."""
    log = ctx.log
    contract_id = checked_contract_id(contract_id)
    ids, given = ids_and_items(stac_ids, items)
    if check_active_orders:
        existing = order_holding((yield from fetch_active(ctx)), ids)
        if existing is not None:
            log.info("found active order %s containing all requested STAC ids", existing)
            return existing

    if omit_search and given:
        stac_items = given
    else:
        if omit_search:
            log.warning("omit_search=True only applies when items are given; searching")
        stac_items = yield from lookup_items(ctx, ids)

    if not omit_review:
        yield from review(ctx, items=stac_items, contract_id=contract_id)

    payload = order_payload(stac_items, contract_id)
    log.info("submitting order for %s", describe_ids(ids))
    try:
        order = yield call(Op.SUBMIT_ORDER, body=payload)
    except AmbiguousRequestError as exc:
        # The submit may have reached the server: find its order instead of resending.
        log.warning(AMBIGUOUS_SUBMIT_WARNING)
        try:
            active = yield from fetch_active(ctx)
        except CapellaConsoleClientError as lookup:
            raise ambiguous_lookup_failed(exc, lookup) from exc
        order = recovered_order(exc, payload, active, log)
    return submitted_order_id(order, ids, log)


def fetch_all(ctx: Context) -> Flow[list[Item]]:
    """Every order of the user (``GET /orders?customerId=...``)."""
    user = yield CURRENT_USER
    return checked_orders((yield call(Op.LIST_ORDERS, customer_id=str(user["id"]))))


def fetch_active(ctx: Context) -> Flow[list[Item]]:
    """The user's non-expired orders, the latest-expiring first."""
    return active_orders((yield from fetch_all(ctx)))


def fetch_one(ctx: Context, order_id: str) -> Flow[Item]:
    """One order (``GET /orders/{id}``)."""
    answer = yield call(Op.GET_ORDER, validate_uuid(order_id, "order id"))
    return checked_order(answer, order_id)


def list_orders(
    ctx: Context, order_ids: Sequence[str], is_active: bool = False
) -> Flow[list[Item]]:
    """Orders by id, active orders (optionally restricted to ids), or all orders."""
    ids = valid_order_ids(order_ids)
    if is_active:
        return restrict_orders((yield from fetch_active(ctx)), ids)
    if not ids:
        return (yield from fetch_all(ctx))
    orders = []
    for order_id in ids:
        orders.append((yield from fetch_one(ctx, order_id)))
    return orders


def presigned_items(
    ctx: Context,
    order_id: str,
    stac_ids: IdsLike | None = None,
    sort_by: Sequence[str] | None = None,
) -> Flow[list[Item]]:
    """The order's STAC items with presigned hrefs, filtered and sorted as asked."""
    validate_uuid(order_id, "order id")
    ctx.log.info("getting presigned items for order %s", order_id)
    answer = yield call(Op.GET_ORDER_DOWNLOAD, order_id)
    return selected_presigned(answer, order_id, stac_ids, sort_by, ctx.log)


def stac_ids_of_order(ctx: Context, order_id: str) -> Flow[list[str]]:
    """The STAC ids an order contains, in the order's item order."""
    return order_stac_ids((yield from fetch_one(ctx, order_id)))


def stac_items_of_order(ctx: Context, order_id: str) -> Flow[StacSearchResult]:
    """The catalog items of an order (every one of them, however many)."""
    ids = yield from stac_ids_of_order(ctx, order_id)
    result = empty_order_result()
    for n, chunk in enumerate(id_chunks(ids)):
        page = yield from catalog_lookup(ctx, chunk)
        result = page if n == 0 else result.merge(page)
    warn_missing_items(order_id, ids, result, ctx.log)
    return result


# -- the client methods (``CapellaConsoleClient`` and the async client take these) -------------


def review_order(
    ctx: Context,
    stac_ids: Sequence[str] | str | None = None,
    items: Iterable[Mapping[str, Any]] | None = None,
    contract_id: str | None = None,
) -> Flow[dict[str, Any]]:
    """Price an order of STAC ids (or items) without placing it; return the review.

    Raises ``InsufficientFundsError`` when the order would not be authorized,
    ``NoValidStacIdsError`` when no id is in the catalog, and its subclass
    ``UnknownStacIdsError`` naming the ids that are not.

    >>> client.review_order(items=results)["orderDetails"]["summary"]
    """
    return (yield from review(ctx, stac_ids, items, contract_id))


def submit_order(
    ctx: Context,
    stac_ids: Sequence[str] | str | None = None,
    items: Iterable[Mapping[str, Any]] | None = None,
    check_active_orders: bool = False,
    omit_search: bool = False,
    omit_review: bool = False,
    contract_id: str | None = None,
) -> Flow[str]:
    """Order STAC ids (precedence) or items and return the order id.

    ``check_active_orders`` returns the latest-expiring active order that already holds every
    id instead; ``omit_search`` trusts the given items (no catalog lookup); ``omit_review``
    skips the price check. Every id is ordered, however many; unknown ids raise
    ``UnknownStacIdsError`` and nothing is ordered. An order is never submitted twice: if
    the connection fails after the request was sent (or a gateway answers 502/504), the client
    looks for the order it may have created and returns it, or raises ``AmbiguousRequestError``.

    >>> order_id = client.submit_order(items=results, check_active_orders=True)
    """
    return (
        yield from submit(
            ctx, stac_ids, items, check_active_orders, omit_search, omit_review, contract_id
        )
    )


def list_orders_of(
    ctx: Context,
    *ids: str | None,
    is_active: bool | None = False,
    order_ids: Sequence[str] | str | None = None,
) -> Flow[list[dict[str, Any]]]:
    """List your orders: the given ones (``*ids`` or ``order_ids=[...]``), or all of them.

    ``is_active=True`` keeps the non-expired orders (latest-expiring first), restricted to
    the given ids if any.

    >>> client.list_orders(is_active=True)
    >>> client.list_orders(order_ids=[order_id])
    """
    wanted = normalize_ids([i for i in ids if i is not None]) + normalize_ids(order_ids)
    return (yield from list_orders(ctx, wanted, is_active=bool(is_active)))


def get_stac_items_of_order(
    ctx: Context, order_id: str, ids_only: bool = False
) -> Flow[list[str] | StacSearchResult]:
    """The STAC items of an order (its STAC ids with ``ids_only=True``)."""
    if ids_only:
        return (yield from stac_ids_of_order(ctx, order_id))
    return (yield from stac_items_of_order(ctx, order_id))


def get_presigned_items(
    ctx: Context,
    order_id: str,
    stac_ids: Sequence[str] | str | None = None,
    sort_by: Sequence[str] | None = None,
) -> Flow[list[dict[str, Any]]]:
    """The STAC items of an order with presigned asset hrefs.

    ``stac_ids`` keeps only those items; ``sort_by`` (a list of STAC ids) returns the items
    in exactly that order, items it does not name last in the API's order.

    >>> client.get_presigned_items(order_id, sort_by=sorted(ids))[0]["assets"]["HH"]["href"]
    """
    return (yield from presigned_items(ctx, order_id, stac_ids, sort_by))


def get_presigned_assets(
    ctx: Context,
    order_id: str,
    stac_ids: Sequence[str] | str | None = None,
    sort_by: Sequence[str] | None = None,
    assets_only: bool | None = True,
) -> Flow[list[dict[str, Any]]]:
    """The ``assets`` of each presigned item of an order (see ``get_presigned_items``)."""
    if not assets_only:
        ctx.log.warning(
            "assets_only has no effect and is kept for compatibility; "
            "use get_presigned_items for whole items"
        )
    items = yield from presigned_items(ctx, order_id, stac_ids, sort_by)
    return [dict(item.get("assets") or {}) for item in items]
