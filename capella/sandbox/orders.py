"""The sandbox's orders: pricing, review, placing, listing, and downloading with presigned URLs."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from capella.sandbox.api_errors import ApiError, check_uuid, not_found, validation_error
from capella.sandbox.assets import asset_files
from capella.sandbox.collects import CollectPool
from capella.sandbox.formats import format_time, money, parse_time
from capella.sandbox.json_types import Json
from capella.sandbox.ledger import Ledger
from capella.sandbox.presign import AssetUrls
from capella.sandbox.users import User, contract_id
from capella.sandbox.validation import Issues

__all__ = ["Orders"]


# Archive prices per instrument mode; analytics and open data are priced separately.
_ARCHIVE_PRICE = {"spotlight": 1200.0, "sliding_spotlight": 1500.0, "stripmap": 900.0}
_ANALYTICS_PRICE = 250.0
_FREE_COLLECTIONS = frozenset({"capella-open-data"})


class Orders:
    """The orders of one sandbox, by order id."""

    def __init__(self, ledger: Ledger, urls: AssetUrls, collects: CollectPool) -> None:
        self._ledger = ledger
        self._urls = urls
        self._collects = collects
        self.records: dict[str, Json] = {}

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
            if (item := self._ledger.item(g)) is None
            or item.get("collection") != c
            or c in self._ledger.config.forbidden_collections
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
            for order in self.records.values()
            if order.get("organizationId") == organization_id
            and order.get("orderStatus") == "completed"
            for entry in order.get("items", [])
        }

    def _price(self, item: Json, previously: bool) -> float:
        properties = item.get("properties", {})
        if previously or item.get("collection") in _FREE_COLLECTIONS:
            return 0.0
        if self._ledger.catalog.ownership(str(item["id"])) != "availableForPurchase":
            return 0.0  # owned by, shared with the organisation, or public: nothing to pay
        if properties.get("sar:product_type") in ("VC", "VS", "ACD"):
            return _ANALYTICS_PRICE
        return _ARCHIVE_PRICE.get(str(properties.get("sar:instrument_mode")), 1200.0)

    def _quote(self, user: User, body: Json) -> tuple[str, list[Json], float]:
        contract = contract_id(self._ledger.config, body.get("contractId"))
        pairs = self._order_items(body)
        before = self._ordered_before(user.organization_id)
        lines = []
        total = 0.0
        for granule, collection in pairs:
            item = self._ledger.item(granule)
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

    def review(self, user: User, body: Json) -> Json:
        """`POST /orders/review`: price the items, or deny when the total exceeds the funds."""
        with self._ledger.lock:
            _, lines, total = self._quote(user, body)
        details = {"summary": {"subtotal": money(total), "total": money(total)}, "lineItems": lines}
        if total > self._ledger.config.insufficient_funds_above:
            return {
                "authorized": False,
                "authorizationDenialReason": self._denial(total),
                "orderDetails": details,
            }
        return {"authorized": True, "orderDetails": details}

    def _denial(self, total: float) -> Json:
        available = self._ledger.config.insufficient_funds_above
        return {
            "code": "AUTHORIZATION_INSUFFICIENT_FUNDS",
            "message": (
                "This order will exceed your active contract period's value commitment. "
                f"Order cost: {money(total)}; Available Commitment: {money(available)}"
            ),
        }

    def submit(self, user: User, body: Json) -> Json:
        """`POST /orders`: place the order (a `rejected` order when funds are insufficient)."""
        with self._ledger.lock:
            contract, lines, total = self._quote(user, body)
            # Real order ids are time-based UUIDs; a random node keeps the host's MAC out of them.
            order_id = str(uuid.uuid1(node=secrets.randbits(48) | 1 << 40))
            if total > self._ledger.config.insufficient_funds_above:
                return {
                    "orderId": order_id,
                    "userId": user.id,
                    "organizationId": user.organization_id,
                    "orderStatus": "rejected",
                }
            now = self._ledger.now()
            order = self.make(user, order_id, now, contract, lines)
            self.records[order_id] = order
            self._ledger.persist("order", order_id, order)
            return order

    def make(
        self,
        user: User,
        order_id: str,
        ordered: datetime,
        contract: str,
        lines: list[Json],
    ) -> Json:
        """A completed order of the priced `lines`, placed by `user` at `ordered`."""
        items = []
        for line in lines:
            item = self._ledger.item(line["granuleId"])
            assert item is not None
            properties = item.get("properties", {})
            collect_id = properties.get("capella:collect_id")
            size = sum(f.size for f in asset_files(item, self._ledger.config.raster_size).values())
            items.append(
                {
                    "granuleId": line["granuleId"],
                    "collectionId": line["collectionId"],
                    "type": properties.get("sar:instrument_mode"),
                    "size": size,
                    "collectId": collect_id,
                    "collectionDate": properties.get("datetime"),
                    "taskingRequestId": self._collects.task_of_collect.get(str(collect_id)),
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
            "expirationDate": format_time(
                ordered + timedelta(seconds=self._ledger.config.order_ttl)
            ),
            "userId": user.id,
            "organizationId": user.organization_id,
            "contractId": contract,
            "items": items,
        }

    def listing(
        self, user: User, customer_id: str | None, organization_id: str | None
    ) -> list[Json]:
        """`GET /orders`: the orders of a customer (or an organisation) visible to `user`."""
        with self._ledger.lock:
            orders = [
                o for o in self.records.values() if o["organizationId"] == user.organization_id
            ]
        if organization_id is not None:
            if organization_id != user.organization_id:
                return []
            return orders if user.is_manager else [o for o in orders if o["userId"] == user.id]
        wanted = customer_id or user.id
        if wanted != user.id and not user.is_manager:
            return []
        return [o for o in orders if o["userId"] == wanted]

    def get(self, user: User, order_id: str) -> Json:
        """`GET /orders/{id}`."""
        check_uuid(order_id, "orderId")
        with self._ledger.lock:
            order = self.records.get(order_id)
        if order is None or order["organizationId"] != user.organization_id:
            raise not_found("Order", order_id)
        return order

    def download(self, user: User, order_id: str, base_url: str) -> list[Json]:
        """`GET /orders/{id}/download`: the order's items with presigned asset hrefs."""
        order = self.get(user, order_id)
        expires_at = parse_time(order["expirationDate"])
        if expires_at is None or expires_at <= self._ledger.now():
            raise ApiError(400, "ORDER_EXPIRED", "order expired")
        expires = int(expires_at.timestamp())
        result = []
        for entry in order["items"]:
            item = self._ledger.item(entry["granuleId"])
            if item is None:
                continue
            result.append(self._urls.presigned_item(item, base_url, expires))
        return result
