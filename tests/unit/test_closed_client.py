"""A closed client sends nothing and opens nothing: API calls and downloads refuse alike."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient

URL = "https://assets.example.test/a/thumb.png"


def _server(seen: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"type": "FeatureCollection", "features": []})

    return httpx.MockTransport(answer)


def test_a_closed_client_refuses_api_calls_and_downloads(tmp_path: Path) -> None:
    seen: list[str] = []
    client = CapellaConsoleClient(api_key="k", no_token_check=True, transport=_server(seen))
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.search(collections=["capella-geo"])
    with pytest.raises(RuntimeError, match="closed"):
        client.download_asset(URL, tmp_path / "thumb.png")
    assert seen == []
    assert list(tmp_path.iterdir()) == []


def test_a_closed_async_client_refuses_api_calls_and_downloads(tmp_path: Path) -> None:
    seen: list[str] = []
    client = AsyncCapellaConsoleClient(api_key="k", no_token_check=True, transport=_server(seen))

    async def use_after_close() -> None:
        await client.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await client.search(collections=["capella-geo"])
        with pytest.raises(RuntimeError, match="closed"):
            await client.download_asset(URL, tmp_path / "thumb.png")

    asyncio.run(use_after_close())
    assert seen == []
    assert list(tmp_path.iterdir()) == []


def test_a_closed_async_client_opens_no_threaded_engine_for_s3() -> None:
    # S3 destinations run on a threaded engine; after aclose it must not be created again.
    client = AsyncCapellaConsoleClient(api_key="k", no_token_check=True)
    asyncio.run(client.aclose())
    transfers = client._downloads  # the client's download driver
    with pytest.raises(RuntimeError, match="closed"):
        transfers.threaded()
    assert transfers.threaded_engine is None
