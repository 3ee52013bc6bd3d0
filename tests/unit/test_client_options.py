"""Client options: one home (capella._config), checked at the edge, reaching every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient
from capella._config import DEFAULT_BASE_URL, resolve_base_url
from capella.errors import InvalidInputError

Factory = Callable[..., Any]
CLIENTS: list[Factory] = [CapellaConsoleClient, AsyncCapellaConsoleClient]


def test_base_url_argument_wins_over_the_environment() -> None:
    env = {"CAPELLA_API_URL": "https://env.test"}
    assert resolve_base_url("https://arg.test/", env) == "https://arg.test"


def test_base_url_comes_from_the_environment_without_an_argument() -> None:
    assert resolve_base_url(None, {"CAPELLA_API_URL": "https://env.test"}) == "https://env.test"


def test_base_url_defaults_to_the_public_api() -> None:
    assert resolve_base_url(None, {}) == DEFAULT_BASE_URL


@pytest.mark.parametrize("factory", CLIENTS)
def test_clients_read_capella_api_url(factory: Factory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAPELLA_API_URL", "https://sandbox.test/")
    client = factory(api_key="k", no_token_check=True)
    assert client.base_url == "https://sandbox.test"
    assert client.search_url == "https://sandbox.test/catalog/search"


@pytest.mark.parametrize("factory", CLIENTS)
@pytest.mark.parametrize(
    ("option", "value", "names"),
    [
        ("timeout", "abc", "timeout"),
        ("timeout", float("nan"), "timeout"),
        ("timeout", 0, "timeout"),
        ("max_retries", -1, "max_retries"),
        ("max_retries", 1.5, "max_retries"),
        ("download_connections", 0, "download_connections"),
        ("segment_threshold", 0, "segment_threshold"),
        ("segment_threshold", "64M", "segment_threshold"),
        ("base_url", "api.capellaspace.com", "https://"),
        ("base_url", "ftp://api.test", "https://"),
        ("search_url", "/catalog/search", "search_url"),
    ],
)
def test_a_careless_option_is_a_typed_error_naming_it(
    factory: Factory, option: str, value: object, names: str
) -> None:
    with pytest.raises(InvalidInputError, match=names):
        factory(api_key="k", no_token_check=True, **{option: value})


def test_timeout_and_retries_reach_the_requests() -> None:
    seen: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(503)

    client = CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="https://api.test",
        timeout=7.5,
        max_retries=2,
        transport=httpx.MockTransport(answer),
    )
    client._session._sleep = lambda _: None
    with pytest.raises(Exception, match="503"):
        client.whoami()
    assert len(seen) == 3  # the first attempt and max_retries=2 retries
    assert {t["read"] for t in seen} == {7.5}
