"""The sandbox speaks the Capella API's wire format: driven with plain httpx, no SDK."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from capella.sandbox import (
    DEMO_API_KEY,
    DEMO_CONTRACT_ID,
    DEMO_TOKEN,
    DEMO_USER,
    Sandbox,
    parse_fault,
)
from capella.sandbox.faults import FaultKind

pytestmark = pytest.mark.e2e

AUTH = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
STAC_ID = re.compile(r"CAPELLA_\w+_\w+_\w+_\d{14}_\d{14}")
API_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
SandboxFactory = Callable[..., Sandbox]
POINT = {"type": "Point", "coordinates": [-105.12036, 39.96533]}
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[10.0, 50.0], [10.1, 50.0], [10.1, 50.1], [10.0, 50.1], [10.0, 50.0]]],
}


def _api(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, headers=AUTH, timeout=30)


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An httpx client for the session sandbox, authenticated with the demo API key."""
    with _api(sandbox) as client:
        yield client


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    """A plain httpx client (no credentials), like the SDK's presigned downloads."""
    with httpx.Client(timeout=30) as client:
        yield client


def _error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return dict(error)


def _purchasable(api: httpx.Client, count: int, **body: Any) -> list[dict[str, str]]:
    page = api.post(
        "/catalog/search", json={"limit": count, "ownership": "availableForPurchase", **body}
    ).json()
    return [{"collectionId": f["collection"], "granuleId": f["id"]} for f in page["features"]]


def _order(api: httpx.Client, count: int = 1, **body: Any) -> dict[str, Any]:
    response = api.post("/orders", json={"items": _purchasable(api, count), **body})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _raster_href(api: httpx.Client) -> str:
    order = _order(api, 1)
    items = api.get(f"/orders/{order['orderId']}/download").json()
    return str(next(a["href"] for a in items[0]["assets"].values() if "data" in a["roles"]))


def _task(**properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": properties.pop("geometry", POINT),
        "properties": {"taskingrequestName": "sandbox test", **properties},
    }


def _open_task(api: httpx.Client, **properties: Any) -> str:
    """Create tasks until one stays open (the session sandbox completes every other one)."""
    for _ in range(4):
        created = api.post("/task", json=_task(**properties)).json()["properties"]
        if created["statusHistory"][0]["code"] != "completed":
            return str(created["taskingrequestId"])
    raise AssertionError("every new task completed")


def _repeat(**properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": properties.pop("geometry", POINT),
        "properties": {"repeatrequestName": "weekly", **properties},
    }


def _tr_search(api: httpx.Client, query: dict[str, Any], url: str = "") -> dict[str, Any]:
    response = api.post(f"/tasks/search{url}", json={"query": query})
    assert response.status_code == 200, response.text
    return dict(response.json())


# ------------------------------------------------------------------------------------- auth


def test_api_key_authenticates(sandbox: Sandbox, web: httpx.Client) -> None:
    response = web.get(f"{sandbox.url}/user", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["id"] == DEMO_USER.id


def test_bearer_token_authenticates(sandbox: Sandbox, web: httpx.Client) -> None:
    response = web.get(f"{sandbox.url}/user", headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
    assert response.status_code == 200


def test_missing_authorization_is_the_gateway_401(sandbox: Sandbox, web: httpx.Client) -> None:
    response = web.post(f"{sandbox.url}/catalog/search", json={})
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.parametrize(
    "header",
    ["ApiKey wrong-key", "Bearer wrong-token", f"Bearer {DEMO_API_KEY}", f"ApiKey {DEMO_TOKEN}"],
)
def test_wrong_credentials_are_401(sandbox: Sandbox, header: str, web: httpx.Client) -> None:
    response = web.get(f"{sandbox.url}/user", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_configured_keys_replace_the_demo_key(
    sandbox_factory: SandboxFactory, web: httpx.Client
) -> None:
    custom = sandbox_factory(api_keys=["k1"], tokens=[])
    assert web.get(f"{custom.url}/user", headers={"Authorization": "ApiKey k1"}).is_success
    assert web.get(f"{custom.url}/user", headers=AUTH).status_code == 401


# --------------------------------------------------------------------------- user, general


def test_user_is_the_demo_organisation_manager(api: httpx.Client) -> None:
    user = api.get("/user").json()
    assert user["organizationId"] == DEMO_USER.organization_id
    assert user["email"] == DEMO_USER.email
    assert user["roles"] == ["organization-manager"]
    assert user["organization"]["name"]


def test_collection_types_lists_the_nine_types(api: httpx.Client) -> None:
    types = api.get("/collectiontypes").json()
    assert len(types) == 9
    assert {"name", "description", "collectMode"} <= set(types[0])
    assert "parallel_stripmap_100" in {t["name"] for t in types}


def test_unknown_path_is_a_404_envelope(api: httpx.Client) -> None:
    _error(api.get("/no/such/thing"), 404, "NOT_FOUND")
    _error(api.get("/user/"), 404, "NOT_FOUND")


def test_wrong_method_is_a_405_envelope(api: httpx.Client) -> None:
    response = api.delete("/user")
    _error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b""])
def test_malformed_json_is_a_validation_error(api: httpx.Client, body: bytes) -> None:
    response = api.post("/task", content=body, headers={"Content-Type": "application/json"})
    _error(response, 400, "VALIDATION_ERROR")


# ---------------------------------------------------------------------------------- catalog


def test_catalog_search_returns_a_page_with_a_next_link(
    api: httpx.Client, sandbox: Sandbox
) -> None:
    page = api.post("/catalog/search", json={"limit": 5}).json()
    assert page["type"] == "FeatureCollection"
    assert len(page["features"]) == page["numberReturned"] == 5
    assert page["numberMatched"] > 10_000
    assert page["links"][0]["href"].startswith(f"{sandbox.url}/catalog/search?page=2")


def test_catalog_page_in_the_url_wins_over_the_body(api: httpx.Client) -> None:
    first = api.post("/catalog/search", json={"limit": 3}).json()
    second = api.post("/catalog/search?page=2", json={"limit": 3, "page": 1}).json()
    body_second = api.post("/catalog/search", json={"limit": 3, "page": 2}).json()
    assert second["features"] == body_second["features"]
    assert {f["id"] for f in first["features"]}.isdisjoint(f["id"] for f in second["features"])


def test_catalog_search_filters_by_query(api: httpx.Client) -> None:
    body = {"limit": 20, "query": {"sar:product_type": {"in": ["SLC"]}}}
    page = api.post("/catalog/search", json=body).json()
    assert {f["properties"]["sar:product_type"] for f in page["features"]} == {"SLC"}


def test_catalog_forbidden_collection_is_a_403_string_error(api: httpx.Client) -> None:
    response = api.post("/catalog/search", json={"collections": ["capella-internal"]})
    assert response.status_code == 403
    assert response.json() == {
        "error": "Your organization is not permitted to access any of the collections your "
        "query is attempting to filter amongst (capella-internal)"
    }


def test_catalog_bad_input_is_a_validation_error(api: httpx.Client) -> None:
    error = _error(api.post("/catalog/search", json={"limit": 100_000}), 400, "VALIDATION_ERROR")
    assert error["detail"]
    _error(api.post("/catalog/search?page=zero", json={}), 400, "VALIDATION_ERROR")


# ----------------------------------------------------------------------------------- orders


def test_review_prices_each_item_in_money_strings(api: httpx.Client) -> None:
    items = _purchasable(api, 2)
    review = api.post("/orders/review", json={"items": items}).json()
    assert review["authorized"] is True
    summary = review["orderDetails"]["summary"]
    assert re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d\d", summary["total"])
    lines = review["orderDetails"]["lineItems"]
    assert [line["granuleId"] for line in lines] == [i["granuleId"] for i in items]
    assert all(line["order"]["finalListPrice"].startswith("$") for line in lines)


def test_review_above_the_funds_is_denied(sandbox_factory: SandboxFactory) -> None:
    poor = sandbox_factory(insufficient_funds_above=100.0)
    with _api(poor) as api:
        items = _purchasable(api, 3)
        review = api.post("/orders/review", json={"items": items}).json()
        assert review["authorized"] is False
        reason = review["authorizationDenialReason"]
        assert reason["code"] == "AUTHORIZATION_INSUFFICIENT_FUNDS"
        assert "Available Commitment: $100.00" in reason["message"]
        order = api.post("/orders", json={"items": items}).json()
        assert order["orderStatus"] == "rejected"
        assert order["orderId"] not in {o["orderId"] for o in api.get("/orders").json()}


def test_review_names_unknown_granules(api: httpx.Client) -> None:
    items = [*_purchasable(api, 1), {"collectionId": "capella-geo", "granuleId": "CAPELLA_NOPE"}]
    error = _error(api.post("/orders/review", json={"items": items}), 400, "ORDER_VALIDATION_ERROR")
    assert "CAPELLA_NOPE" in error["message"]


def test_review_checks_the_contract(api: httpx.Client) -> None:
    items = _purchasable(api, 1)
    body = {"items": items, "contractId": "not-a-contract"}
    _error(api.post("/orders/review", json=body), 400, "CONTRACT_NOT_FOUND")
    body = {"items": items, "contractId": "sandbox-contract-42"}
    assert api.post("/orders/review", json=body).json()["authorized"] is True


def test_submit_order_returns_the_order(api: httpx.Client) -> None:
    items = _purchasable(api, 2)
    order = api.post("/orders", json={"items": items, "contractId": DEMO_CONTRACT_ID}).json()
    uuid.UUID(order["orderId"])
    assert order["orderStatus"] == "completed"
    assert order["userId"] == DEMO_USER.id
    assert order["organizationId"] == DEMO_USER.organization_id
    assert order["contractId"] == DEMO_CONTRACT_ID
    assert API_TIME.match(order["orderDate"]) and API_TIME.match(order["expirationDate"])
    ordered = datetime.fromisoformat(order["orderDate"])
    assert datetime.fromisoformat(order["expirationDate"]) - ordered == timedelta(hours=1)
    entry = order["items"][0]
    assert {"granuleId", "collectionId", "type", "size", "collectId", "previouslyOrdered"} <= set(
        entry
    )
    assert entry["size"] > 0 and entry["previouslyOrdered"] is False


def test_ordering_again_marks_items_previously_ordered(fresh_sandbox: Sandbox) -> None:
    with _api(fresh_sandbox) as api:
        items = _purchasable(api, 1)
        api.post("/orders", json={"items": items})
        again = api.post("/orders", json={"items": items}).json()
        assert again["items"][0]["previouslyOrdered"] is True
        review = api.post("/orders/review", json={"items": items}).json()
        assert review["orderDetails"]["summary"]["total"] == "$0.00"


def test_trailing_slash_orders_path_is_accepted(api: httpx.Client) -> None:
    order = api.post("/orders/", json={"items": _purchasable(api, 1)}).json()
    assert order["orderStatus"] == "completed"
    listed = api.get("/orders/", params={"customerId": DEMO_USER.id}).json()
    assert order["orderId"] in {o["orderId"] for o in listed}


def test_list_orders_is_a_bare_array_of_the_customers_orders(api: httpx.Client) -> None:
    order = _order(api)
    listed = api.get("/orders", params={"customerId": DEMO_USER.id}).json()
    assert isinstance(listed, list)
    assert order in listed
    assert api.get("/orders", params={"customerId": str(uuid.uuid4())}).json() == []


def test_get_order_and_unknown_order(api: httpx.Client) -> None:
    order = _order(api)
    assert api.get(f"/orders/{order['orderId']}").json() == order
    _error(api.get(f"/orders/{uuid.uuid4()}"), 404, "NOT_FOUND")
    error = _error(api.get("/orders/not-a-uuid"), 400, "VALIDATION_ERROR")
    assert error["detail"][0]["message"] == "Invalid uuid"


def test_download_presigns_every_asset_but_the_license(api: httpx.Client, sandbox: Sandbox) -> None:
    order = _order(api, 2)
    items = api.get(f"/orders/{order['orderId']}/download").json()
    assert [i["id"] for i in items] == [e["granuleId"] for e in order["items"]]
    expires = int(datetime.fromisoformat(order["expirationDate"]).timestamp())
    for item in items:
        for key, asset in item["assets"].items():
            url = httpx.URL(asset["href"])
            assert str(url).startswith(f"{sandbox.url}/assets/{item['collection']}/")
            assert STAC_ID.search(url.path)
            if key == "license":
                assert not url.query
            else:
                assert url.params["Expires"] == str(expires)
                assert re.fullmatch(r"[0-9a-f]{64}", url.params["Signature"])


def test_download_of_an_expired_order_is_order_expired(api: httpx.Client) -> None:
    orders = api.get("/orders", params={"customerId": DEMO_USER.id}).json()
    expired = [
        o
        for o in orders
        if datetime.fromisoformat(o["expirationDate"]) < datetime.now().astimezone()
    ]
    assert expired, "the demo user starts with expired orders"
    response = api.get(f"/orders/{expired[0]['orderId']}/download")
    assert response.status_code == 400
    assert response.json() == {"error": {"message": "order expired", "code": "ORDER_EXPIRED"}}


# ----------------------------------------------------------------------------------- assets


def test_asset_get_without_range_is_the_whole_file(api: httpx.Client, web: httpx.Client) -> None:
    response = web.get(_raster_href(api))
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content) == 262_144
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-type"].startswith("image/tiff")
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith("GMT")


def test_asset_head_has_the_headers_and_no_body(api: httpx.Client, web: httpx.Client) -> None:
    href = _raster_href(api)
    head = web.head(href)
    assert head.status_code == 200
    assert head.content == b""
    get = web.get(href)
    for name in ("content-length", "etag", "last-modified", "content-type", "accept-ranges"):
        assert head.headers[name] == get.headers[name]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=262000-", 262000, 262143),
        ("bytes=-10", 262134, 262143),
        ("bytes=262100-999999", 262100, 262143),
        ("bytes=-999999", 0, 262143),
    ],
)
def test_asset_ranges_are_206_slices(
    api: httpx.Client, header: str, start: int, end: int, web: httpx.Client
) -> None:
    href = _raster_href(api)
    whole = web.get(href).content
    response = web.get(href, headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {start}-{end}/262144"
    assert response.content == whole[start : end + 1]
    assert int(response.headers["content-length"]) == end - start + 1


@pytest.mark.parametrize("header", ["bytes=262144-", "bytes=300000-300010", "bytes=-0"])
def test_unsatisfiable_range_is_416(api: httpx.Client, header: str, web: httpx.Client) -> None:
    response = web.get(_raster_href(api), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == "bytes */262144"
    assert b"<Code>InvalidRange</Code>" in response.content


def test_if_range_honours_matching_validators_only(api: httpx.Client, web: httpx.Client) -> None:
    href = _raster_href(api)
    headers = web.head(href).headers
    for validator in (headers["etag"], headers["last-modified"]):
        response = web.get(href, headers={"Range": "bytes=10-19", "If-Range": validator})
        assert response.status_code == 206
    stale = web.get(href, headers={"Range": "bytes=10-19", "If-Range": '"stale"'})
    assert stale.status_code == 200
    assert len(stale.content) == 262_144


def test_bad_signature_is_an_s3_403(api: httpx.Client, web: httpx.Client) -> None:
    href = _raster_href(api)
    response = web.get(re.sub(r"Signature=\w+", "Signature=" + "0" * 64, href))
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content
    unsigned = web.get(href.split("?")[0])
    assert unsigned.status_code == 403
    assert b"<Code>AccessDenied</Code>" in unsigned.content


def test_past_expires_is_request_has_expired(
    api: httpx.Client, sandbox: Sandbox, web: httpx.Client
) -> None:
    href = _raster_href(api)
    sandbox.state.advance_clock(2 * 3600)
    response = web.get(href)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content
    assert b"Request has expired" in response.content


def test_unknown_asset_is_no_such_key(
    api: httpx.Client, sandbox: Sandbox, web: httpx.Client
) -> None:
    path = "/assets/capella-geo/2024/1/1/CAPELLA_C02_SP_GEO_HH_20240101000000_20240101000010/x.tif"
    expires = int(time.time()) + 60
    signature = sandbox.state.sign(path, expires)
    response = web.get(f"{sandbox.url}{path}?Expires={expires}&Signature={signature}")
    assert response.status_code == 404
    assert b"<Code>NoSuchKey</Code>" in response.content


def test_license_is_public(api: httpx.Client, web: httpx.Client) -> None:
    order = _order(api)
    item = api.get(f"/orders/{order['orderId']}/download").json()[0]
    response = web.get(item["assets"]["license"]["href"])
    assert response.status_code == 200
    assert item["id"].encode() in response.content


# ---------------------------------------------------------------------------------- tasking


def test_create_task_answers_the_full_feature(api: httpx.Client) -> None:
    body = _task(pre_approval=True, collectConstraints={"localTime": "day", "squint": "enabled"})
    body["contractId"] = DEMO_CONTRACT_ID
    feature = api.post("/task", json=body).json()
    p = feature["properties"]
    uuid.UUID(p["taskingrequestId"])
    assert feature["geometry"] == POINT
    assert p["preApproval"] is True and "pre_approval" not in p
    assert p["orgId"] == DEMO_USER.organization_id and p["userId"] == DEMO_USER.id
    assert p["repeatrequestId"] is None
    assert API_TIME.match(p["submissionTime"])
    assert p["windowDuration"] == 7 * 86400
    assert p["statusHistory"][-1] == {
        "time": p["submissionTime"],
        "code": "received",
        "message": "Request created",
    }
    assert p["collectConstraints"]["localTime"] == [[21600, 64800]]
    assert p["collectionTier"] == "standard" and p["collectionType"] == "spotlight"
    assert p["type"] == "spotlight"
    assert p["billingEnvironment"] and "productTypes" in p["processingConfig"]


def test_create_task_fills_constraint_defaults(api: httpx.Client) -> None:
    feature = api.post("/task", json=_task(preApproval=False, geometry=SQUARE)).json()
    constraints = feature["properties"]["collectConstraints"]
    assert constraints["localTime"] == [[0, 86400]]
    assert constraints["ascDsc"] == "either" and constraints["lookDirection"] == "either"
    assert constraints["squint"] == "disabled"
    assert feature["properties"]["preApproval"] is False


def test_created_tasks_complete_with_real_collects(
    sandbox_factory: SandboxFactory,
) -> None:
    always = sandbox_factory(completion_share=1.0)
    with _api(always) as api:
        task = api.post("/task", json=_task(windowOpen="2026-01-01T00:00:00Z")).json()
        task_id = task["properties"]["taskingrequestId"]
        assert task["properties"]["statusHistory"][0]["code"] == "completed"
        collects = api.get(f"/collects/list/{task_id}").json()
        assert collects and all(c["taskingrequestId"] == task_id for c in collects)
        ids = [c["collectId"] for c in collects]
        body = {"query": {"capella:collect_id": {"in": ids}}, "limit": 100}
        found = api.post("/catalog/search", json=body).json()["features"]
        assert {f["properties"]["capella:collect_id"] for f in found} == set(ids)


def test_created_tasks_wait_for_review_when_none_complete(
    sandbox_factory: SandboxFactory,
) -> None:
    never = sandbox_factory(completion_share=0.0)
    with _api(never) as api:
        review = api.post("/task", json=_task()).json()["properties"]
        submitted = api.post("/task", json=_task(pre_approval=True)).json()["properties"]
        assert review["statusHistory"][0]["code"] == "review"
        assert submitted["statusHistory"][0]["code"] == "submitted"
        assert api.get(f"/collects/list/{review['taskingrequestId']}").json() == []


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (_task(geometry={"type": "MultiPolygon", "coordinates": []}), "geometry.type"),
        (
            _task(
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                }
            ),
            "geometry",
        ),
        ({"type": "Feature", "geometry": POINT, "properties": {}}, "properties.taskingrequestName"),
        (_task(collectionTier="tomorrow"), "properties.collectionTier"),
        (_task(collectionType="spotlight_huge"), "properties.collectionType"),
        (_task(archiveHoldback="2_years"), "properties.archiveHoldback"),
        (_task(collectConstraints={"ascDsc": "up"}), "properties.collectConstraints.ascDsc"),
        (
            _task(collectConstraints={"lookDirection": "down"}),
            "properties.collectConstraints.lookDirection",
        ),
        (_task(collectConstraints={"squint": "sideways"}), "properties.collectConstraints.squint"),
        (
            _task(collectConstraints={"polarization": "HV"}),
            "properties.collectConstraints.polarization",
        ),
        (
            _task(windowOpen="2026-05-08T00:00:00Z", windowClose="2026-05-01T00:00:00Z"),
            "properties.windowClose",
        ),
    ],
)
def test_invalid_task_is_a_validation_error(
    api: httpx.Client, body: dict[str, Any], path: str
) -> None:
    error = _error(api.post("/task", json=body), 400, "VALIDATION_ERROR")
    assert path in [d["path"] for d in error["detail"]], error


def test_legacy_archive_holdback_spelling_is_accepted(api: httpx.Client) -> None:
    feature = api.post("/task", json=_task(archiveHoldback="30 day")).json()
    assert feature["properties"]["archiveHoldback"] == "30_day"


def test_unknown_task_contract_is_contract_not_found(api: httpx.Client) -> None:
    body = {**_task(), "contractId": "nope"}
    error = _error(api.post("/task", json=body), 400, "CONTRACT_NOT_FOUND")
    assert error["message"] == "Contract not found"


def test_get_task_and_unknown_task(api: httpx.Client) -> None:
    created = api.post("/task", json=_task()).json()
    task_id = created["properties"]["taskingrequestId"]
    assert api.get(f"/task/{task_id}").json() == created
    _error(api.get(f"/task/{uuid.uuid4()}"), 404, "NOT_FOUND")
    _error(api.get("/task/abc"), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("prefix", ["/task", "/tasks"])
def test_patch_task_updates_editable_properties(api: httpx.Client, prefix: str) -> None:
    task_id = _open_task(api)
    changes = {
        "taskingrequestName": "renamed",
        "taskingrequestDescription": "new",
        "customAttribute1": "a",
        "customAttribute2": None,
        "processingConfig": {"productTypes": ["GEO", "SICD"]},
    }
    updated = api.patch(f"{prefix}/{task_id}", json={"properties": changes}).json()
    assert {k: updated["properties"][k] for k in changes} == changes
    assert api.patch(f"{prefix}/{task_id}", json={"properties": {}}).is_success
    bad = api.patch(f"{prefix}/{task_id}", json={"properties": {"windowOpen": "x"}})
    _error(bad, 400, "VALIDATION_ERROR")


def test_patch_of_a_finished_task_is_refused(api: httpx.Client) -> None:
    completed = _tr_search(api, {"lastStatusCode": {"eq": "completed"}})["results"][0]
    task_id = completed["properties"]["taskingrequestId"]
    response = api.patch(f"/task/{task_id}", json={"properties": {"taskingrequestName": "x"}})
    _error(response, 400, "UNABLE_TO_UPDATE_TASKING_REQUEST")


@pytest.mark.parametrize("spelling", ["canceled", "cancelled"])
def test_cancel_task_then_cancel_again(api: httpx.Client, spelling: str) -> None:
    task_id = _open_task(api)
    canceled = api.patch(f"/task/{task_id}/status", json={"status": spelling}).json()
    assert canceled["properties"]["statusHistory"][0]["code"] == "canceled"
    again = api.patch(f"/task/{task_id}/status", json={"status": "canceled"})
    error = _error(again, 400, "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION")
    assert error["message"] == (
        "This transaction has been finalized with a status of 'customer-cancelled'. "
        "It cannot be further modified."
    )
    renamed = api.patch(f"/task/{task_id}", json={"properties": {"taskingrequestName": "x"}})
    _error(renamed, 400, "UNABLE_TO_UPDATE_TASKING_REQUEST")


def test_approve_and_reject_apply_to_tasks_in_review(api: httpx.Client) -> None:
    pending = [_open_task(api, pre_approval=False)]
    approved = api.patch(f"/task/{pending[0]}/status", json={"status": "approved"}).json()
    assert approved["properties"]["statusHistory"][0]["code"] == "submitted"
    again = api.patch(f"/task/{pending[0]}/status", json={"status": "rejected"})
    _error(again, 400, "UNABLE_TO_UPDATE_TASKING_REQUEST")
    _error(
        api.patch(f"/task/{pending[0]}/status", json={"status": "paused"}), 400, "VALIDATION_ERROR"
    )


# ---------------------------------------------------------------------------- task search


def test_task_search_pages_the_demo_users_tasks(api: httpx.Client) -> None:
    query = {"includeRepeatingTasks": {"eq": False}, "userId": DEMO_USER.id}
    first = _tr_search(api, query, "?page=1&limit=250")
    assert first["currentPage"] == 1 and first["totalPages"] >= 3
    assert len(first["results"]) == 250
    last = _tr_search(api, query, f"?page={first['totalPages']}&limit=250")
    assert 0 < len(last["results"]) <= 250
    ids = [r["properties"]["taskingrequestId"] for r in first["results"] + last["results"]]
    assert len(set(ids)) == len(ids)
    assert all(r["properties"]["repeatrequestId"] is None for r in first["results"])


def test_task_search_defaults_and_limits(api: httpx.Client) -> None:
    page = _tr_search(api, {})
    assert len(page["results"]) == 250
    body_paged = api.post("/tasks/search", json={"query": {}, "page": 2, "limit": 10}).json()
    assert body_paged["currentPage"] == 2 and len(body_paged["results"]) == 10
    url_wins = api.post("/tasks/search?page=3&limit=5", json={"page": 2, "limit": 10}).json()
    assert url_wins["currentPage"] == 3 and len(url_wins["results"]) == 5
    _error(api.post("/tasks/search?limit=501", json={}), 400, "VALIDATION_ERROR")
    _error(api.post("/tasks/search?page=0", json={}), 400, "VALIDATION_ERROR")


def test_task_search_filters(api: httpx.Client) -> None:
    org = {"organizationIds": [DEMO_USER.organization_id]}
    everyone = _tr_search(api, {**org}, "?limit=500")
    owners = {r["properties"]["userId"] for r in everyone["results"]}
    assert DEMO_USER.id in owners and len(owners) == 2
    assert all(r["properties"]["orgId"] == DEMO_USER.organization_id for r in everyone["results"])

    completed = _tr_search(api, {**org, "lastStatusCode": {"eq": "completed"}})["results"]
    assert completed
    assert {r["properties"]["statusHistory"][0]["code"] for r in completed} == {"completed"}
    open_ones = _tr_search(api, {"lastStatusCode": ["accepted", "review", "submitted"]})["results"]
    assert {r["properties"]["statusHistory"][0]["code"] for r in open_ones} <= {
        "accepted",
        "review",
        "submitted",
    }
    stripmaps = _tr_search(api, {"collectionType": {"eq": "stripmap_50"}})["results"]
    assert stripmaps and {r["properties"]["collectionType"] for r in stripmaps} == {"stripmap_50"}
    urgent = _tr_search(api, {"collectionTier": ["urgent"], "type": {"eq": "spotlight"}})
    assert {r["properties"]["collectionTier"] for r in urgent["results"]} == {"urgent"}

    one = completed[0]["properties"]["taskingrequestId"]
    by_id = _tr_search(api, {**org, "taskingrequestIds": {"eq": one}})["results"]
    assert [r["properties"]["taskingrequestId"] for r in by_id] == [one]

    since = "2026-01-01T00:00:00Z"
    recent = _tr_search(api, {"submissionTime": {"gte": since}})["results"]
    assert all(r["properties"]["submissionTime"] >= since for r in recent)
    window = _tr_search(api, {"windowOpen": "2025-01-01T00:00:00Z/2025-12-31T23:59:59Z"})
    assert all(r["properties"]["windowOpen"].startswith("2025") for r in window["results"])
    last_time = _tr_search(api, {"lastStatusTime": {"lt": since}})["results"]
    assert all(r["properties"]["statusHistory"][0]["time"] < since for r in last_time)


def test_task_search_includes_repeating_tasks_on_request(api: httpx.Client) -> None:
    done = {"lastStatusCode": {"eq": "completed"}}
    without = _tr_search(api, {**done, "includeRepeatingTasks": {"eq": False}}, "?limit=500")
    with_them = _tr_search(api, {**done, "includeRepeatingTasks": True}, "?limit=500")
    assert with_them["totalPages"] == 1
    children = [r for r in with_them["results"] if r["properties"]["repeatrequestId"]]
    assert children
    assert len(with_them["results"]) == len(without["results"]) + len(children)


def test_task_search_sorts(api: httpx.Client) -> None:
    body = {"query": {}, "sort": "windowOpen", "order": "asc", "limit": 50}
    results = api.post("/tasks/search", json=body).json()["results"]
    opens = [r["properties"]["windowOpen"] for r in results]
    assert opens == sorted(opens)
    default = _tr_search(api, {}, "?limit=50")["results"]
    times = [r["properties"]["submissionTime"] for r in default]
    assert times == sorted(times, reverse=True)


def test_collects_of_a_completed_seeded_task(api: httpx.Client, sandbox: Sandbox) -> None:
    completed = _tr_search(api, {"lastStatusCode": {"eq": "completed"}})["results"]
    task_id = completed[0]["properties"]["taskingrequestId"]
    collects = api.get(f"/collects/list/{task_id}").json()
    assert collects
    for collect in collects:
        assert sandbox.state.catalog.items_of_collect(collect["collectId"])
        assert collect["collectStatusHistory"][0]["code"] == "delivered"
        assert len(collect["centerEcef"]) == 3
    _error(api.get(f"/collects/list/{uuid.uuid4()}"), 404, "NOT_FOUND")


# ------------------------------------------------------------------------- repeat requests


def test_create_repeat_request_answers_the_full_feature(api: httpx.Client) -> None:
    body = _repeat(
        repetitionProperties={"repeatStart": "2026-05-01T00:00:00.000Z", "repetitionInterval": 14},
        collectConstraints={"localTime": "night"},
    )
    feature = api.post("/repeat-requests", json=body).json()
    p = feature["properties"]
    uuid.UUID(p["repeatrequestId"])
    assert p["repetitionProperties"]["repetitionInterval"] == 14
    assert p["repetitionProperties"]["repeatStart"] == "2026-05-01T00:00:00.000Z"
    assert p["repetitionProperties"]["repeatEnd"] is None
    assert p["statusHistory"][-1]["code"] == "received"
    assert p["collectionTier"] == "routine"
    assert p["costPerImageEstimate"].startswith("$")
    assert p["collectConstraints"]["localTime"] == [[0, 21600], [64800, 86400]]


@pytest.mark.parametrize(
    ("properties", "path"),
    [
        (
            {
                "repetitionProperties": {
                    "repeatStart": "2026-05-01T00:00:00Z",
                    "repeatEnd": "2026-06-01T00:00:00Z",
                    "repetitionCount": 3,
                }
            },
            "properties.repetitionProperties",
        ),
        ({"collectionTier": "insar"}, "properties.insar.orbit"),
        ({"collectionTier": "standard"}, "properties.collectionTier"),
        ({"repeatrequestName": None}, "properties.repeatrequestName"),
    ],
)
def test_invalid_repeat_request_is_a_validation_error(
    api: httpx.Client, properties: dict[str, Any], path: str
) -> None:
    error = _error(
        api.post("/repeat-requests", json=_repeat(**properties)), 400, "VALIDATION_ERROR"
    )
    assert path in [d["path"] for d in error["detail"]], error


def test_insar_repeat_request_with_an_orbit(api: httpx.Client) -> None:
    body = _repeat(collectionTier="insar", insar={"orbit": "MIO_53_2P95"})
    feature = api.post("/repeat-requests", json=body).json()
    assert feature["properties"]["insar"] == {"orbit": "MIO_53_2P95"}
    _error(
        api.post("/repeat-requests", json={**_repeat(), "contractId": "x"}),
        400,
        "CONTRACT_NOT_FOUND",
    )


def test_update_and_cancel_a_repeat_request(api: httpx.Client) -> None:
    rr_id = api.post("/repeat-requests", json=_repeat()).json()["properties"]["repeatrequestId"]
    renamed = api.patch(
        f"/repeat-requests/{rr_id}", json={"properties": {"repeatrequestName": "renamed"}}
    ).json()
    assert renamed["properties"]["repeatrequestName"] == "renamed"
    approved = api.patch(f"/repeat-requests/{rr_id}/status", json={"code": "submitted"}).json()
    assert approved["properties"]["statusHistory"][0]["code"] == "submitted"
    canceled = api.patch(f"/repeat-requests/{rr_id}/status", json={"status": "cancelled"}).json()
    assert canceled["properties"]["statusHistory"][0]["code"] == "canceled"
    again = api.patch(f"/repeat-requests/{rr_id}/status", json={"code": "canceled"})
    _error(again, 400, "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION")
    patch = api.patch(f"/repeat-requests/{rr_id}", json={"properties": {"customAttribute1": "x"}})
    _error(patch, 400, "UNABLE_TO_UPDATE_REPEAT_REQUEST")
    _error(api.patch(f"/repeat-requests/{uuid.uuid4()}", json={}), 404, "NOT_FOUND")


@pytest.mark.parametrize("key", ["filter", "query"])
def test_repeat_search_accepts_filter_or_query(api: httpx.Client, key: str) -> None:
    body = {key: {"userId": DEMO_USER.id, "lastStatusCode": {"eq": "active"}}}
    page = api.post("/repeat-requests/search?page=1&limit=250", json=body).json()
    assert page["currentPage"] == 1 and page["totalPages"] == 1
    assert page["results"]
    assert {r["properties"]["statusHistory"][0]["code"] for r in page["results"]} == {"active"}


def test_repeat_search_filters_on_repetition_properties(api: httpx.Client) -> None:
    since = "2026-01-01T00:00:00Z"
    body = {"filter": {"repetitionProperties.repeatStart": {"gte": since}}}
    results = api.post("/repeat-requests/search", json=body).json()["results"]
    assert all(r["properties"]["repetitionProperties"]["repeatStart"] >= since for r in results)
    weekly = {"filter": {"repetitionProperties.repetitionInterval": {"eq": 7}}}
    results = api.post("/repeat-requests/search", json=weekly).json()["results"]
    assert results
    assert {r["properties"]["repetitionProperties"]["repetitionInterval"] for r in results} == {7}


# ----------------------------------------------------------------------------------- faults


def test_latency_fault_delays_the_route(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("getUser", "latency", seconds=0.3, times=1)
    started = time.monotonic()
    assert api.get("/user").is_success
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    api.get("/user")
    assert time.monotonic() - started < 0.3


def test_429_fault_has_retry_after_and_runs_out(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("searchCatalog", "status", status=429, retry_after=7, times=2)
    for _ in range(2):
        response = api.post("/catalog/search", json={"limit": 1})
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
        assert response.json()["error"]["code"]
    assert api.post("/catalog/search", json={"limit": 1}).is_success


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_faults_answer_json_envelopes(api: httpx.Client, sandbox: Sandbox, status: int) -> None:
    sandbox.faults.add("getUser", FaultKind.STATUS, status=status, times=1)
    response = api.get("/user")
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_502_fault_answers_gateway_html(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("listOrders", "status", status=502)
    for _ in range(2):  # permanent until cleared
        response = api.get("/orders")
        assert response.status_code == 502
        assert response.headers["content-type"].startswith("text/html")
        assert "502 Bad Gateway" in response.text
    sandbox.faults.clear()
    assert api.get("/orders").is_success


def test_cut_fault_leaves_an_incomplete_asset_body(
    api: httpx.Client, sandbox: Sandbox, web: httpx.Client
) -> None:
    href = _raster_href(api)
    sandbox.faults.add("assets", "cut", after_bytes=12345, times=1)
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), web.stream("GET", href) as response:
        assert response.headers["content-length"] == "262144"
        for chunk in response.iter_bytes():
            received += chunk
    assert len(received) == 12345
    assert len(web.get(href).content) == 262_144


def test_cut_fault_on_an_api_route(api: httpx.Client, sandbox: Sandbox) -> None:
    sandbox.faults.add("searchTaskingRequests", "cut", after_bytes=100, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/tasks/search", json={})
    assert api.post("/tasks/search", json={}).is_success


def test_expired_fault_makes_asset_urls_expired(
    api: httpx.Client, sandbox: Sandbox, web: httpx.Client
) -> None:
    href = _raster_href(api)
    sandbox.faults.add("assets", "expired", times=1)
    response = web.get(href)
    assert response.status_code == 403
    assert b"Request has expired" in response.content
    assert web.get(href).status_code == 200


def test_ignore_range_fault_answers_the_whole_body(
    api: httpx.Client, sandbox: Sandbox, web: httpx.Client
) -> None:
    href = _raster_href(api)
    sandbox.faults.add("assets", "ignore-range")
    response = web.get(href, headers={"Range": "bytes=100-"})
    assert response.status_code == 200
    assert len(response.content) == 262_144


def test_asset_status_faults_answer_s3_errors(
    api: httpx.Client, sandbox: Sandbox, web: httpx.Client
) -> None:
    href = _raster_href(api)
    sandbox.faults.add("assets", "status", status=503, times=1)
    response = web.get(href)
    assert response.status_code == 503
    assert b"<Error>" in response.content and response.headers["retry-after"] == "1"


def test_an_abandoned_download_stops_streaming(
    sandbox_factory: SandboxFactory, caplog: pytest.LogCaptureFixture
) -> None:
    big = sandbox_factory(raster_size=64 << 20, catalog_size=200)
    with _api(big) as api, httpx.stream("GET", _raster_href(api)) as response:
        next(response.iter_raw())
    big.stop()
    # Writing on after the peer left makes asyncio log "socket.send() raised exception."
    assert not [r for r in caplog.records if "socket.send()" in r.getMessage()]


def test_global_latency_option(sandbox_factory: SandboxFactory, web: httpx.Client) -> None:
    slow = sandbox_factory(latency=0.2)
    started = time.monotonic()
    assert web.get(f"{slow.url}/user", headers=AUTH).is_success
    assert time.monotonic() - started >= 0.2


def test_fault_specs_parse_like_the_command_line() -> None:
    fault = parse_fault("assets:status=503:times=2")
    assert (fault.route, fault.kind, fault.status, fault.times) == ("assets", "status", 503, 2)
    assert parse_fault("searchCatalog:latency=0.5").seconds == 0.5
    assert parse_fault("assets:cut=100").after_bytes == 100
    assert parse_fault("*:status=429:retry-after=3").retry_after == 3
    assert parse_fault("assets:ignore-range").kind is FaultKind.IGNORE_RANGE
    for bad in ("assets", "nowhere:status=500", "assets:status=404", "getUser:expired", "x:y"):
        with pytest.raises(ValueError):
            parse_fault(bad)


def test_faults_given_at_start_apply(sandbox_factory: SandboxFactory, web: httpx.Client) -> None:
    faulty = sandbox_factory(faults=["getUser:status=503:times=1"])
    assert web.get(f"{faulty.url}/user", headers=AUTH).status_code == 503
    assert web.get(f"{faulty.url}/user", headers=AUTH).status_code == 200


# ------------------------------------------------------------------------ server lifecycle


def test_state_persists_in_sqlite_across_restarts(
    sandbox_factory: SandboxFactory, tmp_path: Path, web: httpx.Client
) -> None:
    db = tmp_path / "sandbox.db"
    first = sandbox_factory(db=db, completion_share=0.5)  # every second new task completes
    with _api(first) as api:
        order = _order(api)
        href = _raster_href(api)
        task_id = api.post("/task", json=_task()).json()["properties"]["taskingrequestId"]
        api.patch(f"/task/{task_id}", json={"properties": {"taskingrequestName": "kept"}})
        done_id = api.post("/task", json=_task()).json()["properties"]["taskingrequestId"]
        collects = api.get(f"/collects/list/{done_id}").json()
        assert collects
        repeat = api.post("/repeat-requests", json=_repeat()).json()
    first_url = first.url
    first.stop()

    second = sandbox_factory(db=db, completion_share=0.5)
    with _api(second) as api:
        assert api.get(f"/orders/{order['orderId']}").json() == order
        assert api.get(f"/task/{task_id}").json()["properties"]["taskingrequestName"] == "kept"
        assert api.get(f"/collects/list/{done_id}").json() == collects
        rr_id = repeat["properties"]["repeatrequestId"]
        found = api.post("/repeat-requests/search", json={"filter": {"repeatrequestIds": [rr_id]}})
        assert found.json()["results"] == [repeat]
        # Presigned URLs stay valid: the signing secret is kept with the data.
        assert web.get(href.replace(first_url, second.url)).status_code == 200
        # The count of created tasks is kept too: the 3rd stays open, the 4th completes anew.
        third = api.post("/task", json=_task()).json()["properties"]
        assert third["statusHistory"][0]["code"] != "completed"
        fourth = api.post("/task", json=_task()).json()["properties"]["taskingrequestId"]
        new_collects = api.get(f"/collects/list/{fourth}").json()
        assert new_collects
        assert {c["collectId"] for c in new_collects}.isdisjoint(c["collectId"] for c in collects)
    with pytest.raises(ValueError, match="seed"):
        Sandbox(db=db, seed=1, catalog_size=100).start()


def test_sandbox_context_manager_stops_its_thread_and_socket(
    sandbox_catalog: Any, web: httpx.Client
) -> None:
    before = set(threading.enumerate())
    with Sandbox(catalog=sandbox_catalog) as running:
        port = running.port
        assert running.running
        assert web.get(f"{running.url}/user", headers=AUTH).is_success
    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_python_m_capella_sandbox_prints_its_url_and_stops_cleanly(web: httpx.Client) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "capella.sandbox", "--port", "0", "--raster-size", "4096"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        assert url, lines
        assert DEMO_API_KEY in "".join(lines) and DEMO_TOKEN in "".join(lines)
        assert web.get(f"{url.group()}/user", headers=AUTH).is_success
        process.terminate()
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
