"""``AsyncCapellaConsoleClient``: the sync client's methods and parameters, awaitable.

Behaviour against a server is tested end to end (tests/e2e/test_async_client.py); here, the
surface and what is decided before or instead of a request.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient
from capella.errors import CapellaConsoleClientError, InvalidFilterError, InvalidInputError

USER = {"id": "u-1", "organizationId": "o-1", "email": "e@example.invalid"}
# The sync client takes S3 destinations as well; the async one writes to local folders only.
DESTINATIONS = {"local_dir", "local_path"}
DOWNLOADS = {"download_asset", "download_product", "download_products"}


def public_methods() -> list[str]:
    return [
        name
        for name in dir(CapellaConsoleClient)
        if not name.startswith("_")
        and not isinstance(inspect.getattr_static(CapellaConsoleClient, name), property)
        and name != "close"  # aclose
    ]


@pytest.mark.parametrize("name", public_methods())
def test_every_method_has_the_sync_parameters(name: str) -> None:
    sync = inspect.signature(getattr(CapellaConsoleClient, name))
    aio = inspect.signature(getattr(AsyncCapellaConsoleClient, name))
    assert list(aio.parameters) == list(sync.parameters)
    for (pname, mine), theirs in zip(aio.parameters.items(), sync.parameters.values(), strict=True):
        assert (mine.kind, mine.default) == (theirs.kind, theirs.default), pname
        if pname != "self" and pname not in DESTINATIONS:
            assert mine.annotation == theirs.annotation, pname
    if name not in DOWNLOADS:
        assert aio.return_annotation == sync.return_annotation


@pytest.mark.parametrize("name", public_methods())
def test_every_method_that_sends_is_a_coroutine_function(name: str) -> None:
    method = getattr(AsyncCapellaConsoleClient, name)
    assert method.__doc__, name
    assert inspect.iscoroutinefunction(method) is (name != "is_task_completed")


def test_is_task_completed_reads_the_task_it_is_given() -> None:
    task = {"properties": {"statusHistory": [{"code": "completed"}]}}
    assert AsyncCapellaConsoleClient.is_task_completed(task) is True


# -- a scripted API --------------------------------------------------------------------------------


class Api:
    """Answers ``GET /user`` and tasking searches; records every request."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answer is not None:
            return self.answer(request)
        if request.url.path == "/user":
            return httpx.Response(200, json=USER)
        return httpx.Response(200, json={"results": [], "totalPages": 1})

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def run(api: Api, work: Callable[[AsyncCapellaConsoleClient], Any], **options: Any) -> Any:
    async def go() -> Any:
        client = AsyncCapellaConsoleClient(
            api_key="k",
            base_url="https://api.test",
            transport=httpx.MockTransport(api),
            **options,
        )
        async with client:
            return await work(client)

    return asyncio.run(go())


def test_the_token_is_checked_on_entering_unless_told_not_to() -> None:
    api = Api()
    run(api, lambda c: asyncio.sleep(0))
    assert api.paths() == ["GET /user"]
    api = Api()
    run(api, lambda c: asyncio.sleep(0), no_token_check=True)
    assert api.paths() == []


def test_a_tasking_search_fetches_the_user_once_and_only_when_it_scopes() -> None:
    api = Api()

    async def searches(client: AsyncCapellaConsoleClient) -> None:
        await asyncio.gather(
            client.search_tasking_requests(status="completed"),
            client.search_tasking_requests(for_org=True),
        )
        await client.search_tasking_requests(org_id="o-2")

    run(api, searches, no_token_check=True)
    assert api.paths().count("GET /user") == 1
    queries = [json.loads(r.content)["query"] for r in api.requests if r.method == "POST"]
    assert sorted(str(q.get("userId") or q.get("organizationIds")) for q in queries[:2]) == [
        "['o-1']",
        "u-1",
    ]
    assert queries[2] == {"includeRepeatingTasks": {"eq": False}, "organizationIds": {"eq": "o-2"}}


def test_invalid_arguments_raise_before_any_request() -> None:
    api = Api()

    async def attempts(client: AsyncCapellaConsoleClient) -> list[type[Exception]]:
        raised: list[type[Exception]] = []
        calls = [
            lambda: client.search(look_angel__gt=3),
            lambda: client.search_tasking_requests(status="finished"),
            lambda: client.create_tasking_request(geometry={"type": "Point"}, name="n"),
            lambda: client.list_orders("not-a-uuid"),
            lambda: client.update_tasking_requests("nope", name="x"),
            lambda: client.download_products(order_id="x", include=["rasterz"]),
        ]
        for call in calls:
            try:
                await call()
            except (InvalidInputError, TypeError) as exc:
                raised.append(type(exc))
        return raised

    raised = run(api, attempts, no_token_check=True)
    assert len(raised) == 6
    assert InvalidFilterError in raised
    assert api.paths() == []


def test_a_failing_page_of_a_threaded_search_fails_the_search_and_nothing_leaks() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body.get("limit") == 1:  # the count probe
            return httpx.Response(200, json={"features": [], "numberMatched": 5000})
        if request.url.params.get("page") == "3" or body.get("page") == 3:
            return httpx.Response(400, json={"error": {"message": "bad page", "code": "X"}})
        return httpx.Response(200, json={"features": [], "numberMatched": 5000})

    unhandled: list[dict[str, Any]] = []

    async def search(client: AsyncCapellaConsoleClient) -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: unhandled.append(ctx))
        with pytest.raises(CapellaConsoleClientError, match="bad page"):
            await client.search(constellation="capella", limit=5000, threaded=True)
        await asyncio.sleep(0.01)

    run(Api(answer), search, no_token_check=True)
    assert unhandled == []


def test_the_deprecation_warning_points_at_the_awaiting_caller() -> None:
    async def go() -> list[Any]:
        transport = httpx.MockTransport(Api())
        async with AsyncCapellaConsoleClient(
            api_key="k", no_token_check=True, transport=transport
        ) as client:
            with (
                pytest.warns(DeprecationWarning) as caught,
                pytest.raises(InvalidInputError, match="assets_presigned or order_id"),
            ):
                await client.download_product()
        return list(caught)

    assert asyncio.run(go())[0].filename == __file__
