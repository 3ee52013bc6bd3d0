"""Hostile or odd API answers, and a client shared across ``os.fork``: typed errors, no leaks.

Each scenario runs through both sessions (threads and asyncio): they share every decision.
"""

from __future__ import annotations

import asyncio
import gzip
import http.server
import json
import os
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella._auth import resolve_credentials
from capella._http import ApiSession
from capella._logging import ClientLog
from capella._ops import Op
from capella.aio import AsyncApiSession
from capella.errors import AuthenticationError, CapellaConsoleClientError

KEY = "k3y-0f-the-client-1234567890"
Handler = Callable[[httpx.Request], httpx.Response]


def call(shell: str, handler: Handler, op: Op, **kwargs: Any) -> Any:
    """``session.call_json(op, ...)`` on the sync or the async session, recording requests."""
    options: dict[str, Any] = {
        "base_url": "https://api.test",
        "credentials": resolve_credentials(KEY),
        "log": ClientLog(secrets=[KEY]),
        "max_body": 64 * 1024,
    }
    if shell == "sync":
        with ApiSession(transport=httpx.MockTransport(handler), **options) as session:
            return session.call_json(op, **kwargs)

    async def run() -> Any:
        async with AsyncApiSession(transport=httpx.MockTransport(handler), **options) as session:
            return await session.call_json(op, **kwargs)

    return asyncio.run(run())


SHELLS = pytest.mark.parametrize("shell", ["sync", "async"])


@SHELLS
def test_a_non_json_answer_is_a_typed_error_with_status_and_excerpt(shell: str) -> None:
    portal = "<html><body>Please log in to the hotel wifi</body></html>"
    with pytest.raises(CapellaConsoleClientError) as info:
        call(shell, lambda r: httpx.Response(200, text=portal), Op.GET_USER)
    assert info.value.code == "INVALID_RESPONSE"
    assert "200" in info.value.message and "hotel wifi" in info.value.message
    assert "GET https://api.test/user" in info.value.message


@SHELLS
@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_is_a_typed_error_naming_where_it_points(shell: str, status: int) -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers={"Location": "https://elsewhere.test/user?sig=s3"})

    with pytest.raises(CapellaConsoleClientError) as info:
        call(shell, moved, Op.GET_USER)
    assert info.value.code == "INVALID_RESPONSE"
    assert "https://elsewhere.test/user" in info.value.message
    assert "s3" not in info.value.message


@SHELLS
def test_a_compressed_body_too_large_once_decoded_is_refused(shell: str) -> None:
    bomb = gzip.compress(b'{"pad": "' + b"0" * 1_000_000 + b'"}')
    assert len(bomb) < 64 * 1024  # small on the wire, 1 MB decoded

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=bomb, headers={"Content-Encoding": "gzip"})

    with pytest.raises(CapellaConsoleClientError) as info:
        call(shell, answer, Op.GET_USER)
    assert info.value.code == "RESPONSE_TOO_LARGE"


@SHELLS
def test_a_key_echoed_in_an_error_body_is_redacted(shell: str) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": f"the key {KEY} is not valid"}})

    with pytest.raises(AuthenticationError) as info:
        call(shell, echo, Op.GET_USER)
    assert KEY not in str(info.value)
    assert KEY not in info.value.message


@SHELLS
def test_a_next_link_downgraded_to_http_gets_no_credentials(shell: str) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"features": []})

    with pytest.raises(CapellaConsoleClientError) as info:
        call(shell, answer, Op.SEARCH_CATALOG, body={}, url="http://api.test/catalog/search?p=2")
    assert info.value.code == "UNSAFE_URL"
    assert sent == []


def test_a_downgraded_next_link_stops_a_search_before_it_is_followed() -> None:
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        features = [{"id": f"i{n}", "type": "Feature"} for n in range(2)]
        link = {"rel": "next", "href": "http://api.test/catalog/search?page=2"}
        return httpx.Response(200, json={"features": features, "numberMatched": 4, "links": [link]})

    client = CapellaConsoleClient(
        api_key=KEY,
        no_token_check=True,
        base_url="https://api.test",
        transport=httpx.MockTransport(answer),
    )
    with pytest.raises(CapellaConsoleClientError, match=r"http://api\.test"):
        client.search(limit=4)
    assert all(url.startswith("https://") for url in sent)


# -- os.fork: a client made before a fork opens its own connections in the child --------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a client reuses its connection
    peers: list[int] = []

    def do_GET(self) -> None:
        body = json.dumps({"port": self.client_address[1]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_forked_child_uses_its_own_connection(server: str) -> None:
    session = ApiSession(base_url=server, log=ClientLog())
    parent_port = session.call_json(Op.GET_USER)["port"]
    assert session.call_json(Op.GET_USER)["port"] == parent_port  # the connection is kept
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report which connection its request came on, then leave
        try:
            port = session.call_json(Op.GET_USER)["port"]
            os.write(write, str(port).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child_port = int(os.read(read, 100) or b"0")
    os.close(read)
    assert child_port not in (0, parent_port)
    # The parent's connection survived the child: it is still the one in use.
    assert session.call_json(Op.GET_USER)["port"] == parent_port
    session.close()
