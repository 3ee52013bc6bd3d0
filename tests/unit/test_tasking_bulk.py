"""Cancel and update of many requests: one result per id, one shape, every failure caught."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.errors import InvalidInputError

A = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
B = "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
C = "cccccccc-cccc-cccc-cccc-cccccccccccc"
D = "dddddddd-dddd-dddd-dddd-dddddddddddd"
E = "eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee"

FINALIZED = {
    "error": {
        "message": "This transaction has been finalized with a status of 'customer-cancelled'. "
        "It cannot be further modified.",
        "code": "UNABLE_TO_UPDATE_FINALIZED_TRANSACTION",
    }
}

Handler = Callable[[httpx.Request], httpx.Response]


def _id_of(request: httpx.Request) -> str:
    parts = request.url.path.split("/")
    return parts[2]


class BulkApi:
    """Answers PATCHes; ``special`` maps an id to its own answer (or exception)."""

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[httpx.Request] = []
        self.special: dict[str, Handler] = {}
        self.delay = delay
        self._lock = threading.Lock()
        self._in_flight = 0
        self.max_in_flight = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            time.sleep(self.delay)
            request_id = _id_of(request)
            if request_id in self.special:
                return self.special[request_id](request)
            body = json.loads(request.content)
            if request.url.path.endswith("/status"):
                return httpx.Response(200, json={"status": body["status"]})
            key = "taskingrequestId" if request.url.path.startswith("/task/") else "repeatrequestId"
            return httpx.Response(
                200, json={"type": "Feature", "properties": {key: request_id, **body["properties"]}}
            )
        finally:
            with self._lock:
                self._in_flight -= 1

    def bodies(self) -> dict[str, Any]:
        return {f"{r.method} {r.url.path}": json.loads(r.content) for r in self.requests}


@pytest.fixture
def api() -> BulkApi:
    return BulkApi()


@pytest.fixture
def client(api: BulkApi) -> Iterator[CapellaConsoleClient]:
    # No retry sleeps: a retried transport error fails at once.
    with CapellaConsoleClient(
        api_key="test-api-key",
        no_token_check=True,
        transport=httpx.MockTransport(api),
        max_retries=0,
    ) as c:
        yield c


def _raise(exc: Exception) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


# -- cancel -----------------------------------------------------------------------------------


def test_cancel_tasking_requests_patches_each_status(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    result = client.cancel_tasking_requests(A, B, C)
    assert result == {A: {"success": True}, B: {"success": True}, C: {"success": True}}
    assert list(result) == [A, B, C]
    assert api.bodies() == {f"PATCH /task/{i}/status": {"status": "canceled"} for i in (A, B, C)}


def test_cancel_repeat_requests_patches_each_status(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    result = client.cancel_repeat_requests(A, B)
    assert result == {A: {"success": True}, B: {"success": True}}
    assert api.bodies() == {
        f"PATCH /repeat-requests/{i}/status": {"status": "canceled"} for i in (A, B)
    }


def test_ids_are_deduplicated_in_order_and_none_is_dropped(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    result = client.cancel_tasking_requests(C, None, A, C, [B, A])  # type: ignore[arg-type]
    assert list(result) == [C, A, B]
    assert len(api.requests) == 3


@pytest.mark.parametrize("ids", [(), (None,), (None, None)])
def test_no_ids_is_refused(client: CapellaConsoleClient, api: BulkApi, ids: tuple[Any]) -> None:
    with pytest.raises(InvalidInputError, match="at least one"):
        client.cancel_tasking_requests(*ids)
    assert api.requests == []


def test_a_malformed_id_is_refused_before_any_request(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    with pytest.raises(InvalidInputError, match="not-a-uuid"):
        client.cancel_tasking_requests(A, "not-a-uuid", B)
    with pytest.raises(InvalidInputError, match="repeat_request_ids"):
        client.update_repeat_requests(A, "../x", name="n")
    assert api.requests == []


def test_every_kind_of_failure_has_the_same_shape(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    api.special = {
        A: lambda _: httpx.Response(400, json=FINALIZED),
        B: _raise(httpx.ReadTimeout("timed out")),
        C: lambda _: httpx.Response(502, text="<html>Bad Gateway</html>"),
        D: _raise(RuntimeError("boom")),
    }
    result = client.cancel_tasking_requests(A, B, C, D, E)
    assert list(result) == [A, B, C, D, E]
    assert result[E] == {"success": True}
    for failed in (A, B, C, D):
        assert result[failed]["success"] is False
        assert set(result[failed]) == {"success", "error"}
        assert set(result[failed]["error"]) == {"code", "message"}
    assert result[A]["error"] == FINALIZED["error"]
    assert result[B]["error"]["code"] == "AMBIGUOUS_REQUEST"
    assert result[C]["error"]["code"] == "GENERAL_API_ERROR"
    assert "502" in result[C]["error"]["message"]
    assert result[D]["error"] == {"code": "CLIENT_ERROR", "message": "RuntimeError: boom"}


def test_a_cancel_answered_without_json_still_succeeded(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    api.special = {A: lambda _: httpx.Response(200, text="OK")}
    assert client.cancel_tasking_requests(A) == {A: {"success": True}}


def test_a_gateway_message_body_gets_the_same_shape(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    api.special = {A: lambda _: httpx.Response(403, json={"message": "Forbidden"})}
    result = client.cancel_repeat_requests(A)
    assert result == {
        A: {"success": False, "error": {"code": "GENERAL_API_ERROR", "message": "Forbidden"}}
    }


def test_fan_out_is_parallel_and_bounded_to_ten() -> None:
    api = BulkApi(delay=0.02)
    ids = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(25)]
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as client:
        result = client.cancel_tasking_requests(*ids)
    assert list(result) == ids
    assert 1 < api.max_in_flight <= 10


def test_summary_is_logged(
    client: CapellaConsoleClient, api: BulkApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="capella")
    api.special = {B: lambda _: httpx.Response(400, json=FINALIZED)}
    client.cancel_tasking_requests(A, B)
    messages = [r.getMessage() for r in caplog.records]
    assert "canceled 1 of 2 tasking requests" in messages
    assert any(
        m.startswith(f"{B}: failed: UNABLE_TO_UPDATE_FINALIZED_TRANSACTION") for m in messages
    )


def test_verbose_client_prints_the_summary_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with CapellaConsoleClient(
        api_key="test-api-key",
        no_token_check=True,
        verbose=True,
        transport=httpx.MockTransport(BulkApi()),
    ) as client:
        client.cancel_repeat_requests(A)
    assert "canceled 1 of 1 repeat requests" in capsys.readouterr().err


# -- update -----------------------------------------------------------------------------------


def test_update_tasking_requests_sends_only_the_given_fields(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    result = client.update_tasking_requests(
        A, name="updated name", description="updated description"
    )
    assert api.bodies() == {
        f"PATCH /task/{A}": {
            "properties": {
                "taskingrequestName": "updated name",
                "taskingrequestDescription": "updated description",
            }
        }
    }
    updated = result[A]
    assert updated["properties"]["taskingrequestName"] == "updated name"
    assert "success" not in updated


def test_update_every_field_of_repeat_requests(client: CapellaConsoleClient, api: BulkApi) -> None:
    result = client.update_repeat_requests(
        A,
        B,
        C,
        name="n",
        description="d",
        custom_attribute_1="campaign-2026",
        custom_attribute_2="x",
        product_types=["GEO", "slc"],  # type: ignore[list-item]
    )
    expected = {
        "properties": {
            "repeatrequestName": "n",
            "repeatrequestDescription": "d",
            "customAttribute1": "campaign-2026",
            "customAttribute2": "x",
            "processingConfig": {"productTypes": ["GEO", "SLC"]},
        }
    }
    assert api.bodies() == {f"PATCH /repeat-requests/{i}": expected for i in (A, B, C)}
    assert [r["properties"]["repeatrequestId"] for r in result.values()] == [A, B, C]


def test_update_with_no_fields_sends_empty_properties(
    client: CapellaConsoleClient, api: BulkApi
) -> None:
    client.update_tasking_requests(A)
    assert api.bodies() == {f"PATCH /task/{A}": {"properties": {}}}


def test_update_refuses_unknown_fields(client: CapellaConsoleClient, api: BulkApi) -> None:
    with pytest.raises(TypeError, match="window_open"):
        client.update_tasking_requests(A, window_open="2026-01-01")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="status"):
        client.update_repeat_requests(A, status="canceled")  # type: ignore[call-arg]
    assert api.requests == []


@pytest.mark.parametrize(
    ("fields", "match"),
    [
        ({"product_types": ["GEOC"]}, "product_types"),
        ({"name": 5}, "name"),
        ({"custom_attribute_2": ["x"]}, "custom_attribute_2"),
    ],
)
def test_update_validates_values_before_any_request(
    client: CapellaConsoleClient, api: BulkApi, fields: dict[str, Any], match: str
) -> None:
    with pytest.raises(InvalidInputError, match=match):
        client.update_tasking_requests(A, B, **fields)
    assert api.requests == []


def test_update_partial_failures(client: CapellaConsoleClient, api: BulkApi) -> None:
    api.special = {
        A: lambda _: httpx.Response(
            400,
            json={
                "error": {
                    "message": "Cannot update tasking request in current state",
                    "code": "UNABLE_TO_UPDATE_TASKING_REQUEST",
                }
            },
        ),
        B: _raise(httpx.ConnectError("refused")),
        C: lambda _: httpx.Response(200, text="{not json"),
        D: lambda _: httpx.Response(200, json=["not", "a", "feature"]),
    }
    result = client.update_tasking_requests(A, B, C, D, E, custom_attribute_1="campaign-2026")
    assert list(result) == [A, B, C, D, E]
    assert result[A] == {
        "success": False,
        "error": {
            "code": "UNABLE_TO_UPDATE_TASKING_REQUEST",
            "message": "Cannot update tasking request in current state",
        },
    }
    assert result[B]["error"]["code"] == "CONNECTION_ERROR"
    assert result[C]["error"]["code"] == "INVALID_RESPONSE"
    assert result[D]["error"]["code"] == "INVALID_RESPONSE"
    for failed in (A, B, C, D):
        assert result[failed]["success"] is False
        assert set(result[failed]["error"]) == {"code", "message"}
    assert result[E]["properties"]["customAttribute1"] == "campaign-2026"


def test_seed_loop_over_update_results(client: CapellaConsoleClient, api: BulkApi) -> None:
    api.special = {B: lambda _: httpx.Response(400, json=FINALIZED)}
    result = client.update_tasking_requests(A, B, C, custom_attribute_1="campaign-2026")
    lines = []
    for tr_id, tr_result in result.items():
        if tr_result.get("success") is False:
            lines.append(f"{tr_id} failed: {tr_result['error']['code']}")
        else:
            lines.append(f"{tr_id} updated: {tr_result['properties']['taskingrequestId']}")
    assert lines == [
        f"{A} updated: {A}",
        f"{B} failed: UNABLE_TO_UPDATE_FINALIZED_TRANSACTION",
        f"{C} updated: {C}",
    ]


def test_bulk_methods_name_their_ids_and_requests_for_the_entity() -> None:
    import inspect

    from capella.tasking import bulk

    update = inspect.signature(CapellaConsoleClient.update_repeat_requests).parameters
    assert list(update)[:3] == ["self", "repeat_request_ids", "name"]
    assert update["repeat_request_ids"].kind is inspect.Parameter.VAR_POSITIONAL
    assert update["product_types"].default is None
    cancel = inspect.signature(CapellaConsoleClient.cancel_tasking_requests).parameters
    assert list(cancel) == ["self", "tasking_request_ids"]
    assert "1..N repeat requests" in (CapellaConsoleClient.update_repeat_requests.__doc__ or "")
    assert "1..N tasking requests" in (CapellaConsoleClient.cancel_tasking_requests.__doc__ or "")
    assert bulk.cancel_repeat_requests.__name__ == "cancel_repeat_requests"
