"""Clients pickle as their configuration, so that they can be sent to another process."""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient
from capella.errors import InvalidInputError

Factory = Callable[..., Any]
CLIENTS: list[Factory] = [CapellaConsoleClient, AsyncCapellaConsoleClient]
# Nothing listens on port 1: a rebuilt client that sent a request there would fail loudly.
NOWHERE = "http://127.0.0.1:1"


def _travel(client: Any) -> Any:
    return pickle.loads(pickle.dumps(client))


@pytest.mark.parametrize("factory", CLIENTS)
def test_a_client_pickles_as_its_options(factory: Factory) -> None:
    client = factory(
        api_key="key-1",
        no_token_check=True,
        base_url=NOWHERE,
        search_url="http://127.0.0.1:2/search",
        max_retries=5,
        timeout=httpx.Timeout(7.0, connect=2.0),
        download_connections=3,
        gc_pause=False,
    )
    restored = _travel(client)
    assert type(restored) is type(client)
    assert restored.options == client.options
    assert restored._session is not client._session


@pytest.mark.parametrize("factory", CLIENTS)
def test_the_api_key_travels_and_is_sent_from_the_rebuilt_client(factory: Factory) -> None:
    client = factory(api_key="key-1", no_token_check=True, base_url=NOWHERE)
    restored = _travel(client)
    assert restored._session.client_options["headers"]["Authorization"] == "ApiKey key-1"


@pytest.mark.parametrize("factory", CLIENTS)
def test_a_token_travels_as_a_token(factory: Factory) -> None:
    restored = _travel(factory(token="tok-1", no_token_check=True, base_url=NOWHERE))
    assert restored._session.client_options["headers"]["Authorization"] == "Bearer tok-1"


@pytest.mark.parametrize("factory", CLIENTS)
def test_a_client_without_auth_stays_without_auth(factory: Factory) -> None:
    restored = _travel(factory(no_auth=True, base_url=NOWHERE))
    assert "Authorization" not in restored._session.client_options["headers"]


def test_the_rebuilt_client_keeps_the_original_key_not_the_workers_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAPELLA_API_KEY", "caller-key")
    data = pickle.dumps(CapellaConsoleClient(no_token_check=True, base_url=NOWHERE))
    monkeypatch.setenv("CAPELLA_API_KEY", "worker-key")
    monkeypatch.setenv("CAPELLA_API_URL", "http://127.0.0.1:3")
    restored = pickle.loads(data)
    assert restored._session.client_options["headers"]["Authorization"] == "ApiKey caller-key"
    assert restored.base_url == NOWHERE


def test_a_checked_client_is_not_checked_again_where_it_is_unpickled() -> None:
    # The key was checked by the caller; a worker rebuilding the client sends no GET /user
    # (here it would fail: nothing listens at NOWHERE).
    checked = CapellaConsoleClient(api_key="key-1", no_token_check=True, base_url=NOWHERE)
    assert _travel(checked).base_url == NOWHERE


def test_the_download_settings_travel() -> None:
    client = CapellaConsoleClient(
        api_key="k", no_token_check=True, base_url=NOWHERE, segment_threshold=1234
    )
    assert _travel(client)._downloads.settings.segment_threshold == 1234


@pytest.mark.parametrize("factory", CLIENTS)
def test_repr_of_a_client_and_of_its_travelling_state_show_no_secret(factory: Factory) -> None:
    client = factory(api_key="very-secret-key", no_token_check=True, base_url=NOWHERE)
    for shown in (repr(client), repr(client._state), repr(_travel(client)._state)):
        assert "very-secret-key" not in shown


def test_the_rebuilt_client_still_redacts_its_key_in_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    restored = _travel(
        CapellaConsoleClient(api_key="very-secret-key", no_token_check=True, base_url=NOWHERE)
    )
    with caplog.at_level(logging.INFO, logger="capella"):
        restored._log.log(logging.INFO, "sent %s", "ApiKey very-secret-key")
    assert caplog.messages and all("very-secret-key" not in m for m in caplog.messages)


def test_a_client_with_a_custom_transport_refuses_to_travel() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    client = CapellaConsoleClient(
        api_key="k", no_token_check=True, base_url=NOWHERE, transport=transport
    )
    with pytest.raises(InvalidInputError, match="custom transport"):
        pickle.dumps(client)


def test_a_rebuilt_client_opens_no_connection_pool_until_it_calls_the_api() -> None:
    restored = _travel(CapellaConsoleClient(api_key="k", no_token_check=True, base_url=NOWHERE))
    assert restored._session._client is None
    assert restored._session._http() is restored._session._http()


def test_a_closed_session_does_not_open_a_new_pool() -> None:
    client = CapellaConsoleClient(api_key="k", no_token_check=True, base_url=NOWHERE)
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client._session._http()
