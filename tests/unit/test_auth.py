"""Credential resolution and the Authorization header."""

from __future__ import annotations

import httpx
import pytest

from capella import CapellaConsoleClient
from capella._auth import resolve_credentials
from capella.enumerations import AuthHeaderPrefix
from capella.errors import AuthenticationError

USER = {"id": "u-1", "organizationId": "o-1", "email": "someone@example.com"}


def _recording_transport(seen: list[httpx.Request], status: int = 200) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if status == 401:
            return httpx.Response(401, json={"message": "Unauthorized"})
        return httpx.Response(status, json=USER)

    return httpx.MockTransport(handler)


def test_api_key_is_sent_with_apikey_prefix() -> None:
    seen: list[httpx.Request] = []
    CapellaConsoleClient(api_key="secret-key", transport=_recording_transport(seen))
    assert seen[0].headers["authorization"] == "ApiKey secret-key"
    assert seen[0].url.path == "/user"


def test_token_is_sent_with_bearer_prefix() -> None:
    seen: list[httpx.Request] = []
    CapellaConsoleClient(token="jwt.token.value", transport=_recording_transport(seen))
    assert seen[0].headers["authorization"] == "Bearer jwt.token.value"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("ApiKey abc", "ApiKey abc"),
        ("apikey abc", "ApiKey abc"),
        ("APIKEY   abc", "ApiKey abc"),
        ("abc", "ApiKey abc"),
    ],
)
def test_api_key_prefix_is_added_once_case_insensitively(given: str, expected: str) -> None:
    assert resolve_credentials(api_key=given, environ={}).header == expected


def test_bearer_prefix_is_added_once() -> None:
    assert resolve_credentials(token="bearer t0k", environ={}).header == "Bearer t0k"


def test_api_key_takes_precedence_over_token() -> None:
    creds = resolve_credentials(api_key="key", token="tok", environ={})
    assert creds.scheme is AuthHeaderPrefix.API_KEY
    assert creds.secret == "key"


def test_environment_variable_supplies_the_key() -> None:
    creds = resolve_credentials(environ={"CAPELLA_API_KEY": "from-env"})
    assert creds.header == "ApiKey from-env"


def test_explicit_key_wins_over_environment() -> None:
    creds = resolve_credentials(api_key="explicit", environ={"CAPELLA_API_KEY": "from-env"})
    assert creds.secret == "explicit"


def test_prompt_only_when_stdin_is_a_terminal() -> None:
    creds = resolve_credentials(environ={}, isatty=lambda: True, prompt=lambda _: "typed-key")
    assert creds.header == "ApiKey typed-key"


def test_no_terminal_raises_a_clear_authentication_error() -> None:
    def never(_: str) -> str:
        raise AssertionError("must not prompt without a terminal")

    with pytest.raises(AuthenticationError) as info:
        resolve_credentials(environ={}, isatty=lambda: False, prompt=never)
    assert "CAPELLA_API_KEY" in str(info.value)
    assert "api_key=" in str(info.value)


def test_client_without_credentials_and_without_terminal_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CAPELLA_API_KEY", raising=False)
    monkeypatch.setattr("sys.stdin", None)
    with pytest.raises(AuthenticationError, match="CAPELLA_API_KEY"):
        CapellaConsoleClient()


def test_invalid_key_at_startup_raises_authentication_error() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(AuthenticationError) as info:
        CapellaConsoleClient(api_key="bad-key", transport=_recording_transport(seen, status=401))
    assert info.value.code == "INVALID_API_KEY"
    assert "API key is invalid" in str(info.value)
    assert "bad-key" not in str(info.value)


def test_invalid_token_at_startup_says_token() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(AuthenticationError) as info:
        CapellaConsoleClient(token="bad-token", transport=_recording_transport(seen, status=401))
    assert info.value.code == "INVALID_TOKEN"
    assert "token is invalid" in str(info.value)


def test_no_token_check_sends_nothing() -> None:
    seen: list[httpx.Request] = []
    CapellaConsoleClient(api_key="k", no_token_check=True, transport=_recording_transport(seen))
    assert seen == []


def test_no_auth_sends_no_authorization_header() -> None:
    seen: list[httpx.Request] = []
    client = CapellaConsoleClient(no_auth=True, transport=_recording_transport(seen))
    client.whoami()
    assert "authorization" not in seen[0].headers


def test_user_agent_names_capella_and_version() -> None:
    from capella import __version__

    seen: list[httpx.Request] = []
    CapellaConsoleClient(api_key="k", transport=_recording_transport(seen))
    assert seen[0].headers["user-agent"] == f"capella/{__version__}"


def test_whoami_returns_the_user() -> None:
    seen: list[httpx.Request] = []
    client = CapellaConsoleClient(
        api_key="k", no_token_check=True, transport=_recording_transport(seen)
    )
    assert client.whoami() == USER
    assert client.customer_id == "u-1"
    assert client.organization_id == "o-1"


def test_search_url_defaults_to_base_url_catalog_search() -> None:
    client = CapellaConsoleClient(api_key="k", no_token_check=True, base_url="http://x.test/")
    assert client.search_url == "http://x.test/catalog/search"
    other = CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="http://x.test",
        search_url="http://s.test/search",
    )
    assert other.search_url == "http://s.test/search"


def test_timeout_is_explicit() -> None:
    client = CapellaConsoleClient(api_key="k", no_token_check=True)
    timeout = client._session._http().timeout
    assert timeout.read is not None and timeout.connect is not None
