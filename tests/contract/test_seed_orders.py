"""The order, presign and list-orders snippets of the seed example usage, from cassettes."""

from __future__ import annotations

import pytest

from capella import CapellaConsoleClient

pytestmark = pytest.mark.vcr

OLYMPIC_NP_BBOX = [-122.4, 46.9, -124.9, 48.5]


def _olympic_geo(client: CapellaConsoleClient):  # type: ignore[no-untyped-def]
    return client.search(
        constellation="capella",
        instrument_mode="spotlight",
        bbox=OLYMPIC_NP_BBOX,
        product_type="GEO",
    )


def test_review_then_order_then_presign(client: CapellaConsoleClient) -> None:
    items = _olympic_geo(client)
    order_details = client.review_order(items=items)
    assert order_details["authorized"] is True
    assert "total" in order_details["orderDetails"]["summary"]

    first_two_ids = [item["id"] for item in items[:2]]
    order_id = client.submit_order(stac_ids=first_two_ids)
    items_presigned = client.get_presigned_items(order_id, stac_ids=first_two_ids)
    assert sorted(i["id"] for i in items_presigned) == sorted(first_two_ids)

    sorted_stac_ids = sorted(first_two_ids, reverse=True)
    ordered = client.get_presigned_items(order_id, sort_by=sorted_stac_ids)
    assert [i["id"] for i in ordered] == sorted_stac_ids


def test_list_orders(client: CapellaConsoleClient) -> None:
    all_orders = client.list_orders()
    assert all_orders
    specific_order_id = all_orders[0]["orderId"]
    specific_orders = client.list_orders(order_ids=[specific_order_id])
    assert [o["orderId"] for o in specific_orders] == [specific_order_id]
    for order in client.list_orders(is_active=True):
        assert order["expirationDate"]
