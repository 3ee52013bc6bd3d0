"""get_task, is_task_completed and get_collects_for_task."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.errors import InvalidInputError, TaskNotCompleteError
from capella.tasking import current_status

TASK_ID = "27a71826-7819-48cc-b8f2-0ad10bee0f97"
COLLECTS = [{"collectId": "c1", "taskingrequestId": TASK_ID}]


def _task(*codes: str) -> dict[str, Any]:
    """A tasking request whose history lists ``codes`` newest first, as the API does."""
    times = [f"2026-05-0{9 - i}T00:00:00.000Z" for i in range(len(codes))]
    return {
        "type": "Feature",
        "properties": {
            "taskingrequestId": TASK_ID,
            "statusHistory": [{"code": c, "time": t} for c, t in zip(codes, times, strict=True)],
        },
    }


class FakeApi:
    def __init__(self, task: dict[str, Any]) -> None:
        self.task = task
        self.paths: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(f"{request.method} {request.url.path}")
        if request.url.path == f"/task/{TASK_ID}":
            return httpx.Response(200, json=self.task)
        if request.url.path == f"/collects/list/{TASK_ID}":
            return httpx.Response(200, json=COLLECTS)
        return httpx.Response(404, json={"error": {"code": "NOT_FOUND", "message": "no"}})


@pytest.fixture
def api() -> FakeApi:
    return FakeApi(_task("completed", "active", "accepted", "submitted", "received"))


@pytest.fixture
def client(api: FakeApi) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(
        api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
    ) as c:
        yield c


def test_get_task_fetches_the_task(client: CapellaConsoleClient, api: FakeApi) -> None:
    assert client.get_task(TASK_ID) == api.task
    assert api.paths == [f"GET /task/{TASK_ID}"]


@pytest.mark.parametrize("bad", ["not-a-uuid", "", f"{TASK_ID}/status", "../orders", None, 7])
def test_get_task_refuses_a_malformed_id_before_any_request(
    client: CapellaConsoleClient, api: FakeApi, bad: Any
) -> None:
    with pytest.raises(InvalidInputError, match="tasking_request_id"):
        client.get_task(bad)
    assert api.paths == []


def test_is_task_completed(client: CapellaConsoleClient) -> None:
    assert client.is_task_completed(_task("completed", "active", "received"))
    assert not client.is_task_completed(_task("active", "accepted", "received"))
    assert not client.is_task_completed({"properties": {}})


@pytest.mark.parametrize(
    "task",
    [{}, [], "completed", TASK_ID, {"properties": None}, {"properties": {"statusHistory": "x"}}],
)
def test_is_task_completed_refuses_what_is_not_a_request_instead_of_answering_false(
    client: CapellaConsoleClient, task: Any
) -> None:
    with pytest.raises(InvalidInputError, match="task: expected a tasking or repeat request"):
        client.is_task_completed(task)
    with pytest.raises(InvalidInputError, match="statusHistory"):
        current_status(task)


def test_current_status_is_the_first_event() -> None:
    assert current_status(_task("accepted", "submitted", "received")) == "accepted"
    assert current_status({"properties": {}}) is None


def test_get_collects_for_a_completed_task(client: CapellaConsoleClient, api: FakeApi) -> None:
    assert client.get_collects_for_task(TASK_ID) == COLLECTS
    assert api.paths == [f"GET /task/{TASK_ID}", f"GET /collects/list/{TASK_ID}"]


def test_get_collects_for_an_incomplete_task_raises(api: FakeApi) -> None:
    api.task = _task("active", "accepted", "submitted", "received")
    with (
        CapellaConsoleClient(
            api_key="test-api-key", no_token_check=True, transport=httpx.MockTransport(api)
        ) as client,
        pytest.raises(TaskNotCompleteError, match="current status: active"),
    ):
        client.get_collects_for_task(TASK_ID)
    assert api.paths == [f"GET /task/{TASK_ID}"]
