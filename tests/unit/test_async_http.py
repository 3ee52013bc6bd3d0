"""The retry policy of the async HTTP layer, scenario for scenario the sync layer's.

Every scenario runs through both shells (``ApiSession`` and ``AsyncApiSession``) against the same
scripted ``httpx.MockTransport`` (an async handler for the async shell), and both must send the
same requests and wait the same times.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from capella._auth import resolve_credentials
from capella._http import ApiSession, RetrySettings
from capella._logging import ClientLog
from capella._ops import Op
from capella.aio import AsyncApiSession
from capella.errors import (
    AmbiguousRequestError,
    AuthenticationError,
    CapellaConsoleClientError,
    ConnectError,
)

ORDER = {"items": [{"collectionId": "capella-geo", "granuleId": "G1"}]}
KEY = "async-secret-key-7f3a"
SHELLS = ["sync", "async"]

Step = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """Answers from a script, counting requests and sleeps; drives either shell."""

    def __init__(self, script: list[Step]) -> None:
        self.script = script
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        return step(request)

    async def answer_async(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)  # a real await: the handler runs on the event loop
        return self.answer(request)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def send(
        self,
        shell: str,
        op: Op,
        *args: Any,
        max_retries: int = 3,
        api_key: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """``session.call(op, ...)`` through the sync or the async shell."""
        credentials = resolve_credentials(api_key) if api_key else None
        options: dict[str, Any] = {
            "base_url": "https://api.test",
            "retry": RetrySettings(max_retries=max_retries),
            "rng": random.Random(7),
            "credentials": credentials,
            "log": ClientLog(secrets=[credentials.secret] if credentials else []),
        }
        if shell == "sync":
            sync = ApiSession(
                transport=httpx.MockTransport(self.answer), sleep=self.sleeps.append, **options
            )
            with sync:
                return sync.call(op, *args, **kwargs)

        async def run() -> httpx.Response:
            session = AsyncApiSession(
                transport=httpx.MockTransport(self.answer_async), sleep=self.sleep, **options
            )
            async with session:
                return await session.call(op, *args, **kwargs)

        return asyncio.run(run())


def ok(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"features": [], "numberMatched": 0})


def status(code: int, headers: dict[str, str] | None = None) -> Step:
    return lambda _: httpx.Response(code, json={"message": "busy"}, headers=headers or {})


def raise_(exc: type[Exception], message: str = "simulated") -> Step:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc(message, request=request)  # type: ignore[call-arg]

    return handler


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- what is repeated ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [429, 502, 503, 504])
def test_searches_are_retried_on_transient_statuses(shell: str, code: int) -> None:
    rec = Recorder([status(code), status(code), ok])
    rec.send(shell, Op.SEARCH_CATALOG, body={"limit": 1})
    assert len(rec.requests) == 3
    assert len(rec.sleeps) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 500])
def test_other_statuses_are_not_retried(shell: str, code: int) -> None:
    rec = Recorder([status(code), ok])
    with pytest.raises(CapellaConsoleClientError):
        rec.send(shell, Op.SEARCH_CATALOG, body={})
    assert len(rec.requests) == 1


def test_retries_are_bounded_by_max_retries(shell: str) -> None:
    rec = Recorder([status(503)])
    with pytest.raises(CapellaConsoleClientError) as info:
        rec.send(shell, Op.SEARCH_CATALOG, body={}, max_retries=3)
    assert len(rec.requests) == 4  # one attempt plus three retries
    assert info.value.status_code == 503


def test_max_retries_zero_means_one_attempt(shell: str) -> None:
    rec = Recorder([status(503)])
    with pytest.raises(CapellaConsoleClientError):
        rec.send(shell, Op.SEARCH_CATALOG, body={}, max_retries=0)
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.RemoteProtocolError]
)
def test_reads_are_retried_on_transport_errors(shell: str, exc: type[Exception]) -> None:
    rec = Recorder([raise_(exc), ok])
    rec.send(shell, Op.GET_ORDER, "0b0e5a6e-0000-4000-8000-000000000000")
    assert len(rec.requests) == 2


def test_transport_errors_give_a_connect_error_after_the_last_retry(shell: str) -> None:
    rec = Recorder([raise_(httpx.ConnectError)])
    with pytest.raises(ConnectError, match="4 attempt"):
        rec.send(shell, Op.SEARCH_CATALOG, body={})
    assert len(rec.requests) == 4


# -- creates are never sent twice --------------------------------------------------------------


def test_no_second_post_orders_after_a_read_timeout(shell: str) -> None:
    rec = Recorder([raise_(httpx.ReadTimeout), ok])
    with pytest.raises(AmbiguousRequestError, match="may or may not have taken effect"):
        rec.send(shell, Op.SUBMIT_ORDER, body=ORDER)
    assert [(r.method, r.url.path) for r in rec.requests] == [("POST", "/orders")]
    assert rec.sleeps == []


def test_order_submit_is_not_retried_on_503(shell: str) -> None:
    rec = Recorder([status(503), ok])
    with pytest.raises(CapellaConsoleClientError):
        rec.send(shell, Op.SUBMIT_ORDER, body=ORDER)
    assert len(rec.requests) == 1


def test_order_submit_is_retried_when_the_connection_never_opened(shell: str) -> None:
    rec = Recorder([raise_(httpx.ConnectError), ok])
    rec.send(shell, Op.SUBMIT_ORDER, body=ORDER)
    assert len(rec.requests) == 2


def test_tasking_create_is_not_resent_after_a_read_error(shell: str) -> None:
    rec = Recorder([raise_(httpx.ReadError), ok])
    with pytest.raises(AmbiguousRequestError):
        rec.send(shell, Op.CREATE_TASKING_REQUEST, body={"type": "Feature"})
    assert len(rec.requests) == 1


# -- how long it waits ---------------------------------------------------------------------------


def test_retry_after_seconds_is_honoured(shell: str) -> None:
    rec = Recorder([status(429, {"Retry-After": "2"}), ok])
    rec.send(shell, Op.SEARCH_CATALOG, body={})
    assert rec.sleeps == [2.0]


def test_retry_after_is_capped(shell: str) -> None:
    rec = Recorder([status(503, {"Retry-After": "3600"}), ok])
    rec.send(shell, Op.SEARCH_CATALOG, body={})
    assert rec.sleeps == [RetrySettings().retry_after_cap]


def test_both_shells_send_the_same_requests_and_wait_the_same_times() -> None:
    script = [status(503), raise_(httpx.ReadTimeout), status(429, {"Retry-After": "1"}), ok]
    seen: dict[str, tuple[list[str], list[float]]] = {}
    for name in SHELLS:
        rec = Recorder(script)
        rec.send(name, Op.SEARCH_CATALOG, body={"limit": 3}, url="https://api.test/x?page=2")
        seen[name] = ([str(r.url) for r in rec.requests], rec.sleeps)
    assert seen["sync"] == seen["async"]
    assert len(seen["async"][0]) == 4


# -- requests are the generated client's ---------------------------------------------------------


def test_a_next_link_keeps_its_query_string(shell: str) -> None:
    rec = Recorder([ok])
    rec.send(shell, Op.SEARCH_CATALOG, body={}, url="https://api.test/catalog/search?page=3")
    assert str(rec.requests[0].url) == "https://api.test/catalog/search?page=3"


def test_operation_parameters_win_over_a_link_query(shell: str) -> None:
    rec = Recorder([ok])
    rec.send(shell, Op.SEARCH_CATALOG, body={}, url="https://api.test/x?page=3&foo=1", page=4)
    assert rec.requests[0].url.params["page"] == "4"
    assert rec.requests[0].url.params["foo"] == "1"


def test_the_body_and_headers_are_the_generated_requests(shell: str) -> None:
    rec = Recorder([ok])
    rec.send(shell, Op.SUBMIT_ORDER, body=ORDER, api_key=KEY)
    request = rec.requests[0]
    assert request.headers["authorization"] == f"ApiKey {KEY}"
    assert request.headers["user-agent"].startswith("capella/")
    assert request.headers["content-type"] == "application/json"
    assert request.read() == httpx.Request("POST", "/", json=ORDER).read()


# -- secrets -------------------------------------------------------------------------------------


def test_the_key_is_absent_from_logs_and_api_errors(
    shell: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder(
        [
            status(503),
            lambda _: httpx.Response(401, json={"message": f"bad key ApiKey {KEY}"}),
        ]
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as info:
        rec.send(shell, Op.GET_USER, api_key=KEY)
    error = info.value
    texts = [str(error), repr(error), *map(str, error.args), caplog.text]
    assert error.response is not None
    texts.append(str(error.response.request.headers))
    assert all(KEY not in text for text in texts), texts
    assert len(rec.requests) == 2  # the 503 was retried, so the INFO retry line was logged too


def test_the_key_is_absent_from_connection_errors_and_their_causes(
    shell: str, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder([raise_(httpx.ConnectError, f"refused for ApiKey {KEY}")])
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectError) as info:
        rec.send(shell, Op.SEARCH_CATALOG, body={}, api_key=KEY, max_retries=1)
    error = info.value
    assert KEY not in str(error)
    assert KEY not in str(error.__cause__)
    assert KEY not in caplog.text


def test_the_session_repr_names_the_scheme_not_the_key() -> None:
    session = AsyncApiSession(credentials=resolve_credentials(KEY))
    assert KEY not in repr(session)
    assert "ApiKey" in repr(session)
    asyncio.run(session.aclose())


# -- a real loopback server: the request reaches the server, the answer never comes -------------


@pytest.fixture
def dropping_server() -> Iterator[tuple[str, list[bytes]]]:
    """A server on 127.0.0.1 that reads each request and closes the connection unanswered."""
    received: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                received.append(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    stop.set()
    thread.join(5)
    listener.close()


async def _no_sleep(_: float) -> None:
    return None


def test_no_second_post_orders_reaches_a_real_server(
    dropping_server: tuple[str, list[bytes]],
) -> None:
    url, received = dropping_server

    async def submit() -> None:
        async with AsyncApiSession(base_url=url, sleep=_no_sleep, log=ClientLog()) as session:
            await session.call(Op.SUBMIT_ORDER, body=ORDER)

    with pytest.raises(AmbiguousRequestError):
        asyncio.run(submit())
    assert [r.split(b" ", 2)[:2] for r in received] == [[b"POST", b"/orders"]]


def test_searches_are_resent_to_a_real_server(dropping_server: tuple[str, list[bytes]]) -> None:
    url, received = dropping_server

    async def search() -> None:
        session = AsyncApiSession(
            base_url=url, sleep=_no_sleep, retry=RetrySettings(max_retries=2), log=ClientLog()
        )
        async with session:
            await session.call(Op.SEARCH_CATALOG, body={})

    with pytest.raises(ConnectError):
        asyncio.run(search())
    assert len(received) == 3


def test_concurrent_calls_share_one_session() -> None:
    rec = Recorder([ok])

    async def run() -> list[httpx.Response]:
        transport = httpx.MockTransport(rec.answer_async)
        async with AsyncApiSession(base_url="https://api.test", transport=transport) as session:
            return await asyncio.gather(
                *(session.call(Op.SEARCH_CATALOG, body={"limit": n}) for n in range(1, 11))
            )

    responses = asyncio.run(run())
    assert [r.status_code for r in responses] == [200] * 10
    assert len(rec.requests) == 10
