"""A reference SDK user's code against the sandbox, with both clients: its except clauses hold.

Issue 14: a refused connection during a download is a ``ConnectError`` (the asset's own error
for ``download_asset``, the aggregate for ``download_products``), and search results group by
``start_datetime`` / ``end_datetime`` as the reference's do.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient
from capella.exceptions import CapellaConsoleClientError, ConnectError
from capella.sandbox import DEMO_API_KEY, Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.anyio]

OLYMPIC_NP_BBOX = [-122.4, 46.9, -124.9, 48.5]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def no_retry_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failed transfers are still retried, without the backoff pauses between attempts."""
    from capella._http import RetrySettings

    monkeypatch.setattr(RetrySettings, "backoff", lambda self, attempt, rng: 0.0)


class Shell:
    """Either client behind one awaitable call shape."""

    def __init__(self, client: Any, is_async: bool) -> None:
        self.client, self.is_async = client, is_async

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self.client, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            return await result if self.is_async else result

        return call


@pytest.fixture(params=["sync", "async"])
async def api(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Shell]:
    if request.param == "sync":
        with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
            yield Shell(client, is_async=False)
    else:
        async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as aio:
            yield Shell(aio, is_async=True)


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def refused(href: str, port: int) -> str:
    """The presigned URL, sent to a port that refuses connections."""
    return str(httpx.URL(href).copy_with(host="127.0.0.1", port=port))


async def presigned(api: Shell) -> list[dict[str, Any]]:
    items = await api.search(bbox=OLYMPIC_NP_BBOX, product_type="GEO", limit=2)
    order_id = await api.submit_order(items=items)
    found: list[dict[str, Any]] = await api.get_presigned_items(order_id)
    return found


async def test_download_asset_to_a_refusing_host_raises_connect_error(
    api: Shell, tmp_path: Path
) -> None:
    item = (await presigned(api))[0]
    href = refused(item["assets"]["thumbnail"]["href"], closed_port())
    with pytest.raises(ConnectError):  # the clause a reference user wrote
        await api.download_asset(href, local_path=tmp_path / "thumb.png")
    assert list(tmp_path.iterdir()) == []


async def test_download_products_to_a_refusing_host_raises_connect_error(
    api: Shell, tmp_path: Path
) -> None:
    port = closed_port()
    items = await presigned(api)
    for item in items:
        for asset in item["assets"].values():
            asset["href"] = refused(asset["href"], port)
    with pytest.raises(ConnectError) as info:
        await api.download_products(
            items_presigned=items, local_dir=tmp_path, include=["thumbnail", "metadata"]
        )
    assert f"{2 * len(items)} of {2 * len(items)} downloads failed" in str(info.value)


async def test_a_refused_and_an_expired_asset_are_one_error_but_no_connect_error(
    api: Shell, sandbox: Sandbox, tmp_path: Path
) -> None:
    item = (await presigned(api))[0]
    item["assets"]["thumbnail"]["href"] = refused(
        item["assets"]["thumbnail"]["href"], closed_port()
    )
    sandbox.faults.add(route="assets", kind="expired")  # no order to presign again from
    with pytest.raises(CapellaConsoleClientError) as info:
        await api.download_products(
            items_presigned=[item], local_dir=tmp_path, include=["thumbnail", "metadata"]
        )
    assert not isinstance(info.value, ConnectError)
    assert "2 of 2 downloads failed" in str(info.value)


@pytest.mark.parametrize("field", ["start_datetime", "end_datetime"])
async def test_search_results_group_by_start_and_end_datetime(api: Shell, field: str) -> None:
    items = await api.search(bbox=OLYMPIC_NP_BBOX, limit=20)
    groups = items.groupby(field)
    assert sum(groups.value_counts().values()) == len(items)
    assert set(groups) == {item["properties"][field] for item in items}
