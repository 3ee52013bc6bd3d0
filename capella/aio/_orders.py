"""Orders on asyncio: the calls of :class:`capella.orders.OrderApi`, awaited.

Every decision (which ids, which body, what an answer means, which order an ambiguous submit
created) is made by the functions of :mod:`capella.orders`; this module only sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

import attrs

from capella._logging import ClientLog
from capella.aio._http import AsyncApiSession
from capella.errors import AmbiguousRequestError, CapellaConsoleClientError
from capella.orders import (
    AMBIGUOUS_SUBMIT_WARNING,
    IdsLike,
    Item,
    ItemsLike,
    active_orders,
    add_found,
    ambiguous_lookup_failed,
    checked_order,
    checked_orders,
    checked_review,
    describe_ids,
    empty_order_result,
    id_chunks,
    ids_and_items,
    items_in_order,
    operation,
    order_holding,
    order_payload,
    order_stac_ids,
    recovered_order,
    restrict_orders,
    selected_presigned,
    submitted_order_id,
    valid_order_ids,
    validate_uuid,
    warn_missing_items,
)
from capella.results import StacSearchResult

AsyncSearchFn = Callable[..., Awaitable[StacSearchResult]]


@attrs.frozen
class AsyncOrderApi:
    """Order operations bound to one async client's session, catalog search and user."""

    session: AsyncApiSession
    search: AsyncSearchFn
    customer_id: Callable[[], Awaitable[str]]
    log: ClientLog

    async def lookup_items(self, stac_ids: Sequence[str]) -> list[Item]:
        """The catalog items of ``stac_ids``, in that order; raise naming any unknown id."""
        found: dict[str, Item] = {}
        for chunk in id_chunks(stac_ids):
            add_found(found, await self.search(ids=chunk, limit=len(chunk)))
        return items_in_order(stac_ids, found)

    async def review(
        self,
        stac_ids: IdsLike | None = None,
        items: ItemsLike | None = None,
        contract_id: str | None = None,
    ) -> Item:
        """Price an order; raise ``InsufficientFundsError`` when it would not be authorized."""
        ids, given = ids_and_items(stac_ids, items)
        stac_items = given if given else await self.lookup_items(ids)
        self.log.info("reviewing order for %s", describe_ids(ids))
        body = order_payload(stac_items, contract_id)
        return checked_review(await self.session.call_json(operation("review_order"), body=body))

    async def submit(
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
            existing = await self.find_active_order(ids)
            if existing is not None:
                self.log.info("found active order %s containing all requested STAC ids", existing)
                return existing

        if omit_search and given:
            stac_items = given
        else:
            if omit_search:
                self.log.warning("omit_search=True only applies when items are given; searching")
            stac_items = await self.lookup_items(ids)

        if not omit_review:
            await self.review(items=stac_items, contract_id=contract_id)

        payload = order_payload(stac_items, contract_id)
        self.log.info("submitting order for %s", describe_ids(ids))
        try:
            order = await self.session.call_json(operation("submit_order"), body=payload)
        except AmbiguousRequestError as exc:
            order = await self._recover_ambiguous_submit(exc, payload)
        return submitted_order_id(order, ids, self.log)

    async def _recover_ambiguous_submit(self, exc: AmbiguousRequestError, payload: Item) -> Item:
        """After a submit that may have reached the server, find its order instead of resending."""
        self.log.warning(AMBIGUOUS_SUBMIT_WARNING)
        try:
            active = await self.fetch_active()
        except CapellaConsoleClientError as lookup:
            raise ambiguous_lookup_failed(exc, lookup) from exc
        return recovered_order(exc, payload, active, self.log)

    async def fetch_all(self) -> list[Item]:
        """Every order of the user (``GET /orders?customerId=...``)."""
        customer_id = await self.customer_id()
        return checked_orders(
            await self.session.call_json(operation("list_orders"), customer_id=customer_id)
        )

    async def fetch_active(self) -> list[Item]:
        """The user's non-expired orders, the latest-expiring first."""
        return active_orders(await self.fetch_all())

    async def fetch_one(self, order_id: str) -> Item:
        """One order (``GET /orders/{id}``)."""
        answer = await self.session.call_json(
            operation("get_order"), validate_uuid(order_id, "order id")
        )
        return checked_order(answer, order_id)

    async def find_active_order(self, stac_ids: Iterable[str]) -> str | None:
        """The latest-expiring active order containing ALL ``stac_ids``, or None."""
        return order_holding(await self.fetch_active(), stac_ids)

    async def list_orders(self, order_ids: Sequence[str], is_active: bool = False) -> list[Item]:
        """Orders by id, active orders (optionally restricted to ids), or all orders."""
        ids = valid_order_ids(order_ids)
        if is_active:
            return restrict_orders(await self.fetch_active(), ids)
        if ids:
            return [await self.fetch_one(i) for i in ids]
        return await self.fetch_all()

    async def presigned_items(
        self,
        order_id: str,
        stac_ids: IdsLike | None = None,
        sort_by: Sequence[str] | None = None,
    ) -> list[Item]:
        """The order's STAC items with presigned hrefs, filtered and sorted as asked."""
        validate_uuid(order_id, "order id")
        self.log.info("getting presigned items for order %s", order_id)
        answer: Any = await self.session.call_json(operation("get_order_download"), order_id)
        return selected_presigned(answer, order_id, stac_ids, sort_by, self.log)

    async def stac_ids_of_order(self, order_id: str) -> list[str]:
        """The STAC ids an order contains, in the order's item order."""
        return order_stac_ids(await self.fetch_one(order_id))

    async def stac_items_of_order(self, order_id: str) -> StacSearchResult:
        """The catalog items of an order (every one of them, however many)."""
        ids = await self.stac_ids_of_order(order_id)
        result = empty_order_result()
        for n, chunk in enumerate(id_chunks(ids)):
            page = await self.search(ids=chunk, limit=len(chunk))
            result = page if n == 0 else result.merge(page)
        warn_missing_items(order_id, ids, result, self.log)
        return result
