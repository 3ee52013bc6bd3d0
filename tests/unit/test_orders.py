"""Orders: review, submit, list and presign, against a scripted API (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.errors import (
    AmbiguousRequestError,
    InsufficientFundsError,
    InvalidInputError,
    NoValidStacIdsError,
    OrderExpiredError,
    OrderRejectedError,
    UnknownStacIdsError,
)
from capella.orders import active_orders, parse_expiration, sort_items

USER_ID = "5b6a3c0e-8d51-4a7f-9c1e-2f4d6a8b0c11"
ORDER_ID = "0a1b2c3d-0000-4000-8000-000000000001"
CONTRACT = "contract-42"


def stac_id(n: int, product: str = "GEO") -> str:
    return f"CAPELLA_C05_SP_{product}_HH_20240101{n // 10000:06d}_20240101{n % 10000:06d}"


def item(n: int, collection: str = "capella-geo", product: str = "GEO") -> dict[str, Any]:
    sid = stac_id(n, product)
    return {
        "type": "Feature",
        "id": sid,
        "collection": collection,
        "properties": {"sar:product_type": product},
        "assets": {
            "HH": {"href": f"https://assets.test/{sid}/{sid}.tif?sig=s"},
            "thumbnail": {"href": f"https://assets.test/{sid}/{sid}_thumb.png?sig=s"},
        },
    }


def iso(when: datetime, aware: bool = True) -> str:
    text = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    return text + "Z" if aware else text


class FakeApi:
    """Just enough of the Capella API for the order flows, recording every request."""

    def __init__(self, catalog: list[dict[str, Any]]) -> None:
        self.catalog = {i["id"]: i for i in catalog}
        self.orders: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.review_answer: dict[str, Any] = {"authorized": True, "orderDetails": {"summary": {}}}
        self.order_status = "completed"
        # Hooks: called with the request before the normal answer; may raise or answer instead.
        self.on_submit: Callable[[httpx.Request], httpx.Response | None] | None = None
        self.presigned: list[dict[str, Any]] | None = None
        self.next_order = 1
        self.listing_error: httpx.Response | None = None

    # -- helpers for tests
    def calls(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]

    def bodies(self, path: str) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.url.path == path and r.content]

    def add_order(
        self, ids: list[str], expires: str | None, order_id: str | None = None
    ) -> dict[str, Any]:
        order = {
            "orderId": order_id or f"0a1b2c3d-0000-4000-8000-{self.next_order:012d}",
            "orderStatus": "completed",
            "userId": USER_ID,
            "orderDate": iso(datetime.now(UTC)),
            "expirationDate": expires,
            "items": [{"granuleId": i, "collectionId": "capella-geo"} for i in ids],
        }
        self.next_order += 1
        self.orders.append(order)
        return order

    # -- the transport
    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, method = request.url.path, request.method
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        if path == "/user":
            return httpx.Response(200, json={"id": USER_ID, "organizationId": "o", "email": "e"})
        if path == "/catalog/search":
            return self._search(request, body)
        if path == "/orders/review":
            return httpx.Response(200, json=self.review_answer)
        if path == "/orders" and method == "POST":
            return self._submit(request, body)
        if path == "/orders" and method == "GET":
            assert request.url.params.get("customerId") == USER_ID
            if self.listing_error is not None:
                return self.listing_error
            return httpx.Response(200, json=self.orders)
        if path.startswith("/orders/") and path.endswith("/download"):
            if self.presigned is None:
                return httpx.Response(403, json={"error": "order expired"})
            return httpx.Response(200, json=self.presigned)
        if path.startswith("/orders/"):
            wanted = path.rsplit("/", 1)[-1]
            for order in self.orders:
                if order["orderId"] == wanted:
                    return httpx.Response(200, json=order)
            return httpx.Response(404, json={"error": {"message": "no", "code": "NOT_FOUND"}})
        raise AssertionError(f"unexpected {method} {path}")

    def _search(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        matches = [self.catalog[i] for i in body.get("ids", []) if i in self.catalog]
        limit = int(body.get("limit") or request.url.params.get("limit") or 10)
        page = int(body.get("page") or request.url.params.get("page") or 1)
        chunk = matches[(page - 1) * limit : page * limit]
        links = []
        if page * limit < len(matches):
            links.append(
                {"rel": "next", "href": f"https://api.test/catalog/search?page={page + 1}"}
            )
        return httpx.Response(
            200,
            json={"features": chunk, "numberMatched": len(matches), "links": links},
        )

    def _submit(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        order = self.add_order(
            [i["granuleId"] for i in body["items"]], iso(datetime.now(UTC) + timedelta(hours=1))
        )
        order["orderStatus"] = self.order_status
        if self.on_submit is not None:
            answer = self.on_submit(request)
            if answer is not None:
                return answer
        return httpx.Response(200, json=order)


CATALOG = [item(n) for n in range(1, 1101)] + [item(5000, "capella-slc", "SLC")]


@pytest.fixture
def api() -> FakeApi:
    return FakeApi(CATALOG)


@pytest.fixture
def client(api: FakeApi) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="https://api.test",
        transport=httpx.MockTransport(api),
    ) as c:
        yield c


# -- review --------------------------------------------------------------------------------


def test_review_sends_the_reference_body_with_contract_id(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    ids = [stac_id(1), stac_id(5000, "SLC"), stac_id(2)]
    review = client.review_order(stac_ids=ids, contract_id=CONTRACT)
    assert review["authorized"] is True
    assert api.calls() == ["POST /catalog/search", "POST /orders/review"]
    assert api.bodies("/orders/review") == [
        {
            "items": [
                {"collectionId": "capella-geo", "granuleId": stac_id(1)},
                {"collectionId": "capella-geo", "granuleId": stac_id(2)},
                {"collectionId": "capella-slc", "granuleId": stac_id(5000, "SLC")},
            ],
            "contractId": CONTRACT,
        }
    ]


def test_review_of_items_does_not_search_and_omits_contract_id(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.review_order(items=[item(3)])
    assert api.calls() == ["POST /orders/review"]
    assert api.bodies("/orders/review") == [
        {"items": [{"collectionId": "capella-geo", "granuleId": stac_id(3)}]}
    ]


def test_review_denied_raises_insufficient_funds_with_the_api_message(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.review_answer = {
        "authorized": False,
        "authorizationDenialReason": {
            "code": "AUTHORIZATION_INSUFFICIENT_FUNDS",
            "message": "Order cost: $1,000.00; Available Commitment: $0.00",
        },
    }
    with pytest.raises(InsufficientFundsError) as info:
        client.review_order(stac_ids=[stac_id(1)])
    assert info.value.args == ("Order cost: $1,000.00; Available Commitment: $0.00",)


def test_review_without_authorized_field_counts_as_denied(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.review_answer = {}
    with pytest.raises(InsufficientFundsError):
        client.review_order(stac_ids=[stac_id(1)])


def test_review_needs_ids_or_items(client: CapellaConsoleClient) -> None:
    with pytest.raises(InvalidInputError, match="stac_ids or items"):
        client.review_order()


# -- submit --------------------------------------------------------------------------------


def test_submit_by_ids_searches_reviews_then_posts_the_same_body(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    order_id = client.submit_order(stac_ids=[stac_id(1), stac_id(2)], contract_id=CONTRACT)
    assert api.calls() == ["POST /catalog/search", "POST /orders/review", "POST /orders"]
    expected = {
        "items": [
            {"collectionId": "capella-geo", "granuleId": stac_id(1)},
            {"collectionId": "capella-geo", "granuleId": stac_id(2)},
        ],
        "contractId": CONTRACT,
    }
    assert api.bodies("/orders") == [expected]
    assert api.bodies("/orders/review") == [expected]
    assert order_id == api.orders[-1]["orderId"]


def test_submit_searches_with_a_limit_covering_every_id(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.submit_order(stac_ids=[stac_id(1), stac_id(2), stac_id(3)])
    (search,) = api.bodies("/catalog/search")
    assert search["ids"] == [stac_id(1), stac_id(2), stac_id(3)]
    assert search["limit"] == 3


def test_600_ids_order_600_items(client: CapellaConsoleClient, api: FakeApi) -> None:
    ids = [stac_id(n) for n in range(1, 601)]
    client.submit_order(stac_ids=ids)
    (posted,) = api.bodies("/orders")
    assert [i["granuleId"] for i in posted["items"]] == ids
    assert api.calls().count("POST /catalog/search") == 1


def test_1000_ids_are_looked_up_in_chunks_and_all_ordered(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    ids = [stac_id(n) for n in range(1, 1001)]
    client.submit_order(stac_ids=ids, omit_review=True)
    searches = api.bodies("/catalog/search")
    assert [len(s["ids"]) for s in searches] == [900, 100]
    (posted,) = api.bodies("/orders")
    assert len(posted["items"]) == 1000


def test_unknown_ids_are_named_and_nothing_is_ordered(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    bogus = ["CAPELLA_C99_SP_GEO_HH_20990101000000_20990101000001", "not-an-id"]
    with pytest.raises(UnknownStacIdsError) as info:
        client.submit_order(stac_ids=[stac_id(1), *bogus])
    assert all(b in str(info.value) for b in bogus)
    assert info.value.data["unknown"] == bogus
    assert isinstance(info.value, NoValidStacIdsError)
    assert "POST /orders" not in api.calls()
    assert "POST /orders/review" not in api.calls()


def test_no_valid_id_raises_no_valid_stac_ids(client: CapellaConsoleClient, api: FakeApi) -> None:
    with pytest.raises(NoValidStacIdsError) as info:
        client.submit_order(stac_ids=["nope"])
    assert not isinstance(info.value, UnknownStacIdsError)
    assert "nope" in str(info.value)
    assert api.calls() == ["POST /catalog/search"]


def test_review_names_unknown_ids_too(client: CapellaConsoleClient) -> None:
    with pytest.raises(UnknownStacIdsError, match="missing-1"):
        client.review_order(stac_ids=[stac_id(1), "missing-1"])


def test_rejected_order_raises(client: CapellaConsoleClient, api: FakeApi) -> None:
    api.order_status = "rejected"
    with pytest.raises(OrderRejectedError, match="rejected"):
        client.submit_order(stac_ids=[stac_id(1)])


def test_omit_search_and_review_with_items_posts_only_the_order(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.submit_order(items=[item(1), item(2)], omit_search=True, omit_review=True)
    assert api.calls() == ["POST /orders"]


def test_items_are_checked_against_the_catalog_unless_omit_search(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.submit_order(items=[item(1)])
    assert api.calls() == ["POST /catalog/search", "POST /orders/review", "POST /orders"]


def test_omit_search_without_items_still_searches(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    client.submit_order(stac_ids=[stac_id(1)], omit_search=True, omit_review=True)
    assert api.calls() == ["POST /catalog/search", "POST /orders"]


def test_duplicate_ids_are_ordered_once(client: CapellaConsoleClient, api: FakeApi) -> None:
    client.submit_order(stac_ids=[stac_id(1), stac_id(1), stac_id(2)], omit_review=True)
    (posted,) = api.bodies("/orders")
    assert [i["granuleId"] for i in posted["items"]] == [stac_id(1), stac_id(2)]


@pytest.mark.parametrize(
    ("arguments", "names"),
    [
        ({"items": "abc"}, "items"),
        ({"items": {"id": "x"}}, "items"),
        ({"items": [None]}, "items"),
        ({"stac_ids": [stac_id(1)], "contract_id": 123}, "contract_id"),
        ({"stac_ids": [stac_id(1)], "contract_id": " "}, "contract_id"),
    ],
)
def test_careless_order_arguments_are_typed_errors_before_any_request(
    client: CapellaConsoleClient, api: FakeApi, arguments: dict[str, Any], names: str
) -> None:
    for method in (client.review_order, client.submit_order):
        with pytest.raises(InvalidInputError, match=names):
            method(**arguments)
    assert api.calls() == []


def test_a_single_id_string_is_one_id(client: CapellaConsoleClient, api: FakeApi) -> None:
    client.submit_order(stac_ids=stac_id(1), omit_review=True)
    (posted,) = api.bodies("/orders")
    assert [i["granuleId"] for i in posted["items"]] == [stac_id(1)]


# -- never submit twice ----------------------------------------------------------------------


def _read_timeout(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def test_ambiguous_submit_finds_the_order_the_server_created(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.on_submit = _read_timeout  # the server created the order, the answer never arrived
    order_id = client.submit_order(stac_ids=[stac_id(1), stac_id(2)])
    assert api.calls().count("POST /orders") == 1
    assert api.calls()[-1] == "GET /orders"
    assert order_id == api.orders[-1]["orderId"]


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_on_submit_is_ambiguous_and_never_resent(
    client: CapellaConsoleClient, api: FakeApi, status: int
) -> None:
    # The gateway gave up waiting; the order service behind it created the order all the same.
    api.on_submit = lambda request: httpx.Response(status, text="<html>Bad Gateway</html>")
    order_id = client.submit_order(stac_ids=[stac_id(1), stac_id(2)])
    assert api.calls().count("POST /orders") == 1
    assert api.calls()[-1] == "GET /orders"
    assert order_id == api.orders[-1]["orderId"]


def test_ambiguous_submit_does_not_mistake_a_different_order_for_its_own(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.add_order([stac_id(1), stac_id(2), stac_id(3)], iso(datetime.now(UTC) + timedelta(hours=1)))

    def lost(request: httpx.Request) -> httpx.Response:
        api.orders.pop()  # the request never reached the order service
        raise httpx.ReadTimeout("timed out", request=request)

    api.on_submit = lost
    with pytest.raises(AmbiguousRequestError) as info:
        client.submit_order(stac_ids=[stac_id(1), stac_id(2)])
    assert "list_orders(is_active=True)" in str(info.value)
    assert api.calls().count("POST /orders") == 1


def test_ambiguous_submit_raises_when_the_lookup_fails_too(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.on_submit = _read_timeout
    api.listing_error = httpx.Response(400, json={"error": {"message": "boom", "code": "X"}})
    with pytest.raises(AmbiguousRequestError, match="boom"):
        client.submit_order(stac_ids=[stac_id(1)], omit_review=True)
    assert api.calls().count("POST /orders") == 1


# -- active orders -------------------------------------------------------------------------


def test_check_active_orders_returns_the_latest_expiring_order_holding_all_ids(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    now = datetime.now(UTC)
    ids = [stac_id(1), stac_id(2)]
    api.add_order(ids, iso(now - timedelta(minutes=5)))  # expired
    soon = api.add_order([*ids, stac_id(3)], iso(now + timedelta(minutes=10), aware=False))
    later = api.add_order(ids, iso(now + timedelta(minutes=50)))
    api.add_order([stac_id(1)], iso(now + timedelta(hours=5)))  # lacks an id
    assert client.submit_order(stac_ids=ids, check_active_orders=True) == later["orderId"]
    assert api.calls() == ["GET /user", "GET /orders"]
    api.orders.remove(later)
    assert client.submit_order(stac_ids=ids, check_active_orders=True) == soon["orderId"]


def test_check_active_orders_submits_when_none_holds_every_id(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.add_order([stac_id(1)], iso(datetime.now(UTC) + timedelta(hours=1)))
    client.submit_order(stac_ids=[stac_id(1), stac_id(2)], check_active_orders=True)
    assert api.calls() == [
        "GET /user",
        "GET /orders",
        "POST /catalog/search",
        "POST /orders/review",
        "POST /orders",
    ]


def test_naive_expiration_dates_are_utc() -> None:
    aware = parse_expiration({"expirationDate": "2024-05-06T05:38:02.644Z"})
    naive = parse_expiration({"expirationDate": "2024-05-06T05:38:02.644"})
    offset = parse_expiration({"expirationDate": "2024-05-06T07:38:02.644+02:00"})
    assert aware == naive == offset
    assert parse_expiration({"expirationDate": "soon"}) is None
    assert parse_expiration({}) is None


def test_active_orders_sorts_by_instant_not_by_text() -> None:
    now = datetime(2024, 1, 1, 12, tzinfo=UTC)
    orders = [
        {"orderId": "a", "expirationDate": "2024-01-01T14:30:00+02:00"},  # 12:30 UTC
        {"orderId": "b", "expirationDate": "2024-01-01T13:00:00Z"},
        {"orderId": "c", "expirationDate": "2024-01-01T11:00:00"},  # expired
        {"orderId": "d"},
    ]
    assert [o["orderId"] for o in active_orders(orders, now)] == ["b", "a"]


# -- list ----------------------------------------------------------------------------------


def test_list_orders_sends_the_lazily_fetched_customer_id(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    api.add_order([stac_id(1)], iso(datetime.now(UTC)))
    assert client.list_orders() == api.orders
    assert api.calls() == ["GET /user", "GET /orders"]
    assert api.requests[-1].url.params["customerId"] == USER_ID
    client.list_orders()
    assert api.calls().count("GET /user") == 1


def test_list_orders_by_ids_positional_and_keyword(
    client: CapellaConsoleClient, api: FakeApi
) -> None:
    first = api.add_order([stac_id(1)], None)
    second = api.add_order([stac_id(2)], None)
    assert client.list_orders(first["orderId"], second["orderId"]) == [first, second]
    assert client.list_orders(order_ids=[second["orderId"]]) == [second]
    assert client.list_orders(first["orderId"], None, first["orderId"]) == [first]
    assert api.calls() == [f"GET /orders/{o['orderId']}" for o in (first, second, second, first)]


def test_list_active_orders_optionally_by_id(client: CapellaConsoleClient, api: FakeApi) -> None:
    now = datetime.now(UTC)
    api.add_order([stac_id(1)], iso(now - timedelta(hours=1)))
    live1 = api.add_order([stac_id(2)], iso(now + timedelta(hours=1)))
    live2 = api.add_order([stac_id(3)], iso(now + timedelta(hours=2)))
    assert client.list_orders(is_active=True) == [live2, live1]
    assert client.list_orders(is_active=True, order_ids=[live1["orderId"]]) == [live1]


def test_list_orders_rejects_ids_that_are_not_uuids(client: CapellaConsoleClient) -> None:
    with pytest.raises(InvalidInputError, match="not a valid UUID"):
        client.list_orders("abc")


def test_stac_items_of_order(client: CapellaConsoleClient, api: FakeApi) -> None:
    order = api.add_order([stac_id(2), stac_id(1)], None)
    assert client.get_stac_items_of_order(order["orderId"], ids_only=True) == [
        stac_id(2),
        stac_id(1),
    ]
    result = client.get_stac_items_of_order(order["orderId"])
    assert not isinstance(result, list)
    assert sorted(result.stac_ids) == [stac_id(1), stac_id(2)]
    assert api.bodies("/catalog/search")[-1]["limit"] == 2


# -- presigned -----------------------------------------------------------------------------


def test_presigned_items_filter_and_exact_sort(client: CapellaConsoleClient, api: FakeApi) -> None:
    api.presigned = [item(n) for n in (1, 2, 3, 4)]
    everything = client.get_presigned_items(ORDER_ID)
    assert [i["id"] for i in everything] == [stac_id(n) for n in (1, 2, 3, 4)]

    some = client.get_presigned_items(ORDER_ID, stac_ids=[stac_id(3), stac_id(1)])
    assert [i["id"] for i in some] == [stac_id(1), stac_id(3)]

    wanted = [stac_id(n) for n in (3, 1, 4, 2)]
    assert [i["id"] for i in client.get_presigned_items(ORDER_ID, sort_by=wanted)] == wanted

    partial = client.get_presigned_items(ORDER_ID, sort_by=[stac_id(4), "unknown"])
    assert [i["id"] for i in partial] == [stac_id(n) for n in (4, 1, 2, 3)]

    both = client.get_presigned_items(ORDER_ID, stac_ids=wanted[:2], sort_by=wanted)
    assert [i["id"] for i in both] == wanted[:2]


def test_sort_items_is_deterministic_with_duplicates() -> None:
    items = [{"id": x} for x in "abcd"]
    assert [i["id"] for i in sort_items(items, ["c", "a", "c", "b"])] == ["c", "a", "b", "d"]


def test_presigned_assets_are_the_items_assets(client: CapellaConsoleClient, api: FakeApi) -> None:
    api.presigned = [item(1), item(2)]
    assets = client.get_presigned_assets(ORDER_ID, sort_by=[stac_id(2), stac_id(1)])
    assert assets == [item(2)["assets"], item(1)["assets"]]


def test_expired_order_raises_order_expired(client: CapellaConsoleClient, api: FakeApi) -> None:
    api.presigned = None
    with pytest.raises(OrderExpiredError):
        client.get_presigned_items(ORDER_ID)


def test_presigned_items_validate_the_order_id(client: CapellaConsoleClient) -> None:
    with pytest.raises(InvalidInputError):
        client.get_presigned_items("../user")
