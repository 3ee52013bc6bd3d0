"""Every operation of spec/openapi.yaml, driven against the sandbox, answers what the spec says.

One real request per operation (and its 400/401/403/404 and fault answers) goes to the running
sandbox with httpx; openapi-core then validates the response against the spec's description of
that operation and status.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from capella.sandbox import DEMO_API_KEY, DEMO_USER, Sandbox

pytestmark = pytest.mark.e2e

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"
AUTH = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
POINT = {"type": "Point", "coordinates": [-105.12, 39.96]}


# ------------------------------------------------------------------ httpx -> openapi-core


@dataclass
class SpecRequest:
    """An httpx request seen through openapi-core's Request protocol."""

    request: httpx.Request
    host_url: str
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        query = ImmutableMultiDict(list(self.request.url.params.multi_items()))
        self.parameters = RequestParameters(query=query, header=Headers(dict(self.request.headers)))

    @property
    def path(self) -> str:
        """The URL path."""
        return self.request.url.path

    @property
    def method(self) -> str:
        """The lower-case method."""
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        """The request body."""
        return self.request.content or None

    @property
    def content_type(self) -> str:
        """The request content type."""
        return self.request.headers.get("content-type", "application/json")


@dataclass
class SpecResponse:
    """An httpx response seen through openapi-core's Response protocol."""

    response: httpx.Response

    @property
    def status_code(self) -> int:
        """The status code."""
        return self.response.status_code

    @property
    def content_type(self) -> str:
        """The lower-case content type."""
        return self.response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        """The response headers."""
        return Headers(list(self.response.headers.multi_items()))

    @property
    def data(self) -> bytes:
        """The response body."""
        return self.response.content


# -------------------------------------------------------------------------------- fixtures


def _spec_dict() -> dict[str, Any]:
    with SPEC_PATH.open() as handle:
        loaded = yaml.safe_load(handle)
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def spec() -> OpenAPI:
    """The OpenAPI description of the API (spec/openapi.yaml)."""
    return OpenAPI.from_file_path(str(SPEC_PATH))


@pytest.fixture(scope="module")
def server_url() -> str:
    """The spec's server URL, which the adapter reports as the request's host."""
    return str(_spec_dict()["servers"][0]["url"]).rstrip("/")


@dataclass
class World:
    """Objects created once for the module: an order, tasks and a repeat request."""

    api: httpx.Client
    sandbox: Sandbox
    order_id: str
    expired_order_id: str
    open_task_id: str
    completed_task_id: str
    repeat_id: str
    items: list[dict[str, str]]

    def create_open_task(self) -> str:
        """A new tasking request that is not completed (the sandbox completes every other one)."""
        for _ in range(4):
            created = self.api.post("/task", json=_task()).json()["properties"]
            if created["statusHistory"][0]["code"] != "completed":
                return str(created["taskingrequestId"])
        raise AssertionError("every new task completed")

    def create_repeat(self) -> str:
        """A new repeat request."""
        created = self.api.post("/repeat-requests", json=_repeat()).json()
        return str(created["properties"]["repeatrequestId"])


@pytest.fixture(scope="module")
def world(sandbox: Sandbox) -> Iterator[World]:
    """An order, an open and a completed task and a repeat request in the session sandbox."""
    with httpx.Client(base_url=sandbox.url, headers=AUTH, timeout=30) as api:
        page = api.post(
            "/catalog/search", json={"limit": 2, "ownership": "availableForPurchase"}
        ).json()
        items = [{"collectionId": f["collection"], "granuleId": f["id"]} for f in page["features"]]
        order_id = api.post("/orders", json={"items": items}).json()["orderId"]
        orders = api.get("/orders", params={"customerId": DEMO_USER.id}).json()
        expired = min(orders, key=lambda o: o["expirationDate"])["orderId"]
        tasks = [api.post("/task", json=_task()).json()["properties"] for _ in range(2)]
        by_status = {t["statusHistory"][0]["code"] == "completed": t for t in tasks}
        repeat = api.post("/repeat-requests", json=_repeat()).json()
        yield World(
            api=api,
            sandbox=sandbox,
            order_id=order_id,
            expired_order_id=expired,
            open_task_id=by_status[False]["taskingrequestId"],
            completed_task_id=by_status[True]["taskingrequestId"],
            repeat_id=repeat["properties"]["repeatrequestId"],
            items=items,
        )


def _task(**properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": POINT,
        "properties": {"taskingrequestName": "schema", "pre_approval": False, **properties},
    }


def _repeat(**properties: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": POINT,
        "properties": {"repeatrequestName": "schema", **properties},
    }


# ------------------------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    """One request to make and the status it must answer."""

    operation: str
    status: int
    send: Callable[[World], httpx.Request]


def _req(world: World, method: str, path: str, body: Any = None, **options: Any) -> httpx.Request:
    return world.api.build_request(method, path, json=body, **options)


_NOT_FOUND = str(uuid.UUID(int=1))

HAPPY: list[Case] = [
    Case("getUser", 200, lambda w: _req(w, "GET", "/user")),
    Case(
        "searchCatalog",
        200,
        lambda w: _req(w, "POST", "/catalog/search?page=2&limit=3", {"query": {}}),
    ),
    Case("reviewOrder", 200, lambda w: _req(w, "POST", "/orders/review", {"items": w.items})),
    Case("submitOrder", 200, lambda w: _req(w, "POST", "/orders", {"items": w.items})),
    Case(
        "listOrders",
        200,
        lambda w: _req(w, "GET", "/orders", params={"customerId": DEMO_USER.id}),
    ),
    Case("getOrder", 200, lambda w: _req(w, "GET", f"/orders/{w.order_id}")),
    Case("getOrderDownload", 200, lambda w: _req(w, "GET", f"/orders/{w.order_id}/download")),
    Case("createTaskingRequest", 200, lambda w: _req(w, "POST", "/task", _task())),
    Case("getTaskingRequest", 200, lambda w: _req(w, "GET", f"/task/{w.open_task_id}")),
    Case(
        "updateTaskingRequest",
        200,
        lambda w: _req(
            w,
            "PATCH",
            f"/task/{w.open_task_id}",
            {"properties": {"taskingrequestDescription": "patched"}},
        ),
    ),
    Case(
        "updateTaskingRequestStatus",
        200,
        lambda w: _req(w, "PATCH", f"/task/{w.create_open_task()}/status", {"status": "canceled"}),
    ),
    Case(
        "searchTaskingRequests",
        200,
        lambda w: _req(
            w,
            "POST",
            "/tasks/search?page=1&limit=20",
            {"query": {"userId": DEMO_USER.id, "includeRepeatingTasks": {"eq": False}}},
        ),
    ),
    Case(
        "listCollectsForTask",
        200,
        lambda w: _req(w, "GET", f"/collects/list/{w.completed_task_id}"),
    ),
    Case("createRepeatRequest", 200, lambda w: _req(w, "POST", "/repeat-requests", _repeat())),
    Case(
        "updateRepeatRequest",
        200,
        lambda w: _req(
            w,
            "PATCH",
            f"/repeat-requests/{w.repeat_id}",
            {"properties": {"repeatrequestDescription": "patched"}},
        ),
    ),
    Case(
        "updateRepeatRequestStatus",
        200,
        lambda w: _req(
            w, "PATCH", f"/repeat-requests/{w.create_repeat()}/status", {"code": "canceled"}
        ),
    ),
    Case(
        "searchRepeatRequests",
        200,
        lambda w: _req(
            w,
            "POST",
            "/repeat-requests/search?page=1&limit=10",
            {"filter": {"userId": DEMO_USER.id}},
        ),
    ),
    Case("listCollectionTypes", 200, lambda w: _req(w, "GET", "/collectiontypes")),
]

ERRORS: list[Case] = [
    Case("searchCatalog", 400, lambda w: _req(w, "POST", "/catalog/search", {"limit": 100_000})),
    Case(
        "searchCatalog",
        403,
        lambda w: _req(w, "POST", "/catalog/search", {"collections": ["capella-internal"]}),
    ),
    Case(
        "reviewOrder",
        400,
        lambda w: _req(
            w,
            "POST",
            "/orders/review",
            {"items": [{"collectionId": "capella-geo", "granuleId": "CAPELLA_NOPE"}]},
        ),
    ),
    Case(
        "submitOrder",
        400,
        lambda w: _req(w, "POST", "/orders", {"items": w.items, "contractId": "no-such-contract"}),
    ),
    Case("getOrder", 404, lambda w: _req(w, "GET", f"/orders/{_NOT_FOUND}")),
    Case("getOrder", 400, lambda w: _req(w, "GET", "/orders/not-a-uuid")),
    Case(
        "getOrderDownload", 400, lambda w: _req(w, "GET", f"/orders/{w.expired_order_id}/download")
    ),
    Case("getOrderDownload", 404, lambda w: _req(w, "GET", f"/orders/{_NOT_FOUND}/download")),
    Case(
        "createTaskingRequest",
        400,
        lambda w: _req(
            w,
            "POST",
            "/task",
            {**_task(), "geometry": {"type": "MultiPolygon", "coordinates": []}},
        ),
    ),
    Case(
        "createTaskingRequest",
        400,
        lambda w: _req(w, "POST", "/task", {**_task(), "contractId": "x"}),
    ),
    Case("getTaskingRequest", 404, lambda w: _req(w, "GET", f"/task/{_NOT_FOUND}")),
    Case(
        "updateTaskingRequest",
        400,
        lambda w: _req(
            w,
            "PATCH",
            f"/task/{w.completed_task_id}",
            {"properties": {"taskingrequestName": "late"}},
        ),
    ),
    Case(
        "updateTaskingRequestStatus",
        400,
        lambda w: _req(w, "PATCH", f"/task/{w.completed_task_id}/status", {"status": "canceled"}),
    ),
    Case("searchTaskingRequests", 400, lambda w: _req(w, "POST", "/tasks/search?limit=501", {})),
    Case("listCollectsForTask", 404, lambda w: _req(w, "GET", f"/collects/list/{_NOT_FOUND}")),
    Case(
        "createRepeatRequest",
        400,
        lambda w: _req(
            w,
            "POST",
            "/repeat-requests",
            _repeat(
                repetitionProperties={
                    "repeatEnd": "2030-01-01T00:00:00Z",
                    "repetitionCount": 3,
                }
            ),
        ),
    ),
    Case(
        "updateRepeatRequest",
        404,
        lambda w: _req(w, "PATCH", f"/repeat-requests/{_NOT_FOUND}", {"properties": {}}),
    ),
    Case(
        "updateRepeatRequestStatus",
        400,
        lambda w: _req(w, "PATCH", f"/repeat-requests/{w.repeat_id}/status", {"code": "paused"}),
    ),
    Case(
        "searchRepeatRequests",
        400,
        lambda w: _req(w, "POST", "/repeat-requests/search?page=0", {"filter": {}}),
    ),
]


def _validate(spec: OpenAPI, request: SpecRequest, response: httpx.Response) -> None:
    spec.validate_response(request, SpecResponse(response))


def _check(spec: OpenAPI, server_url: str, world: World, case: Case) -> httpx.Response:
    request = case.send(world)
    response = world.api.send(request)
    assert response.status_code == case.status, response.text
    _validate(spec, SpecRequest(request, server_url), response)
    return response


def _operation_ids() -> set[str]:
    return {
        operation["operationId"]
        for methods in _spec_dict()["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


# ------------------------------------------------------------------------------------ tests


def test_every_operation_of_the_spec_is_exercised() -> None:
    assert {c.operation for c in HAPPY} == _operation_ids()


@pytest.mark.parametrize("case", HAPPY, ids=lambda c: c.operation)
def test_success_response_matches_the_spec(
    spec: OpenAPI, server_url: str, world: World, case: Case
) -> None:
    _check(spec, server_url, world, case)


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: f"{c.operation}-{c.status}")
def test_error_response_matches_the_spec(
    spec: OpenAPI, server_url: str, world: World, case: Case
) -> None:
    _check(spec, server_url, world, case)


@pytest.mark.parametrize("case", HAPPY, ids=lambda c: c.operation)
def test_unauthorized_response_matches_the_spec(
    spec: OpenAPI, server_url: str, world: World, case: Case
) -> None:
    request = case.send(world)
    del request.headers["Authorization"]
    response = world.api.send(request)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    _validate(spec, SpecRequest(request, server_url), response)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_fault_responses_match_the_spec(
    spec: OpenAPI, server_url: str, world: World, status: int
) -> None:
    world.sandbox.faults.add("getUser", "status", status=status, times=1)
    case = Case("getUser", status, lambda w: _req(w, "GET", "/user"))
    _check(spec, server_url, world, case)
