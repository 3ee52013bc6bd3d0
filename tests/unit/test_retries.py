"""The retry policy of the HTTP layer: what is repeated, how often, and how long it waits."""

from __future__ import annotations

import random
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from capella._http import ApiSession, RetrySettings, retry_after_seconds
from capella._logging import ClientLog
from capella._ops import Op, Retry
from capella.errors import AmbiguousRequestError, CapellaConsoleClientError, ConnectError

ORDER = {"items": [{"collectionId": "capella-geo", "granuleId": "G1"}]}


class Recorder:
    """A MockTransport handler answering from a script, counting requests and sleeps."""

    def __init__(self, script: list[Callable[[httpx.Request], httpx.Response]]) -> None:
        self.script = script
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script[min(len(self.requests) - 1, len(self.script) - 1)]
        return step(request)

    def session(self, max_retries: int = 3) -> ApiSession:
        return ApiSession(
            base_url="https://api.test",
            transport=httpx.MockTransport(self),
            retry=RetrySettings(max_retries=max_retries),
            sleep=self.sleeps.append,
            rng=random.Random(7),
            log=ClientLog(),
        )


def ok(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"features": [], "numberMatched": 0})


def status(
    code: int, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(code, json={"message": "busy"}, headers=headers or {})


def raise_(exc: type[Exception]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("simulated", request=request)  # type: ignore[call-arg]

    return handler


@pytest.mark.parametrize("code", [429, 502, 503, 504])
def test_searches_are_retried_on_transient_statuses(code: int) -> None:
    rec = Recorder([status(code), status(code), ok])
    rec.session().call(Op.SEARCH_CATALOG, body={"limit": 1})
    assert len(rec.requests) == 3
    assert len(rec.sleeps) == 2


@pytest.mark.parametrize("code", [400, 401, 403, 404, 500])
def test_other_statuses_are_not_retried(code: int) -> None:
    rec = Recorder([status(code), ok])
    with pytest.raises(CapellaConsoleClientError):
        rec.session().call(Op.SEARCH_CATALOG, body={})
    assert len(rec.requests) == 1


def test_retries_are_bounded_by_max_retries() -> None:
    rec = Recorder([status(503)])
    with pytest.raises(CapellaConsoleClientError) as info:
        rec.session(max_retries=3).call(Op.SEARCH_CATALOG, body={})
    assert len(rec.requests) == 4  # one attempt plus three retries
    assert info.value.status_code == 503


def test_max_retries_zero_means_one_attempt() -> None:
    rec = Recorder([status(503)])
    with pytest.raises(CapellaConsoleClientError):
        rec.session(max_retries=0).call(Op.SEARCH_CATALOG, body={})
    assert len(rec.requests) == 1


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.RemoteProtocolError]
)
def test_reads_are_retried_on_transport_errors(exc: type[Exception]) -> None:
    rec = Recorder([raise_(exc), ok])
    rec.session().call(Op.GET_ORDER, "0b0e5a6e-0000-4000-8000-000000000000")
    assert len(rec.requests) == 2


def test_transport_errors_give_a_connect_error_after_the_last_retry() -> None:
    rec = Recorder([raise_(httpx.ConnectError)])
    with pytest.raises(ConnectError, match="4 attempt"):
        rec.session().call(Op.SEARCH_CATALOG, body={})
    assert len(rec.requests) == 4


def test_order_submit_is_not_resent_after_the_request_was_sent() -> None:
    rec = Recorder([raise_(httpx.ReadTimeout), ok])
    with pytest.raises(AmbiguousRequestError, match="may or may not have taken effect"):
        rec.session().call(Op.SUBMIT_ORDER, body=ORDER)
    assert len(rec.requests) == 1


def test_order_submit_is_not_retried_on_503() -> None:
    rec = Recorder([status(503), ok])
    with pytest.raises(CapellaConsoleClientError):
        rec.session().call(Op.SUBMIT_ORDER, body=ORDER)
    assert len(rec.requests) == 1


def test_order_submit_is_retried_when_the_connection_never_opened() -> None:
    rec = Recorder([raise_(httpx.ConnectError), ok])
    rec.session().call(Op.SUBMIT_ORDER, body=ORDER)
    assert len(rec.requests) == 2


def test_tasking_create_is_not_resent_after_a_read_error() -> None:
    rec = Recorder([raise_(httpx.ReadError), ok])
    with pytest.raises(AmbiguousRequestError):
        rec.session().call(Op.CREATE_TASKING_REQUEST, body={"type": "Feature"})
    assert len(rec.requests) == 1


def test_backoff_grows_exponentially_within_bounds() -> None:
    settings = RetrySettings(backoff_base=0.5, backoff_max=8.0)
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(8.0, 0.5 * 2**attempt)
        for _ in range(50):
            delay = settings.backoff(attempt, rng)
            assert ceiling / 2 <= delay <= ceiling


def test_backoff_has_jitter() -> None:
    settings = RetrySettings()
    rng = random.Random(3)
    assert len({settings.backoff(2, rng) for _ in range(10)}) > 1


def test_retry_after_seconds_is_honoured() -> None:
    rec = Recorder([status(429, {"Retry-After": "2"}), ok])
    rec.session().call(Op.SEARCH_CATALOG, body={})
    assert rec.sleeps == [2.0]


def test_retry_after_is_capped() -> None:
    rec = Recorder([status(503, {"Retry-After": "3600"}), ok])
    session = rec.session()
    session.call(Op.SEARCH_CATALOG, body={})
    assert rec.sleeps == [session.retry.retry_after_cap]


def test_retry_after_http_date_is_understood() -> None:
    response = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(response) == 0.0
    assert retry_after_seconds(httpx.Response(429, headers={"Retry-After": "soon"})) is None


def test_every_generated_operation_has_a_retry_policy() -> None:
    import pkgutil

    import capella_api.api as api

    names = {
        f"{pkg.name}.{m.name}"
        for pkg in pkgutil.iter_modules(api.__path__)
        for m in pkgutil.iter_modules([f"{api.__path__[0]}/{pkg.name}"])
    }
    assert names == {op.value[0] for op in Op}
    creates = {op for op in Op if op.retry is Retry.CREATE}
    assert {Op.SUBMIT_ORDER, Op.CREATE_TASKING_REQUEST, Op.CREATE_REPEAT_REQUEST} <= creates


def test_an_operation_outside_the_table_cannot_be_sent() -> None:
    session = ApiSession(base_url="https://api.test", log=ClientLog())
    with pytest.raises(AttributeError):
        session.call("submit_order", body=ORDER)  # type: ignore[arg-type]


# -- a real loopback server: the request reaches the server, the answer never comes -----------


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


def test_no_second_post_orders_reaches_a_real_server(
    dropping_server: tuple[str, list[bytes]],
) -> None:
    url, received = dropping_server
    session = ApiSession(base_url=url, sleep=lambda _: None, log=ClientLog())
    with session, pytest.raises(AmbiguousRequestError):
        session.call(Op.SUBMIT_ORDER, body=ORDER)
    assert [r.split(b" ", 2)[:2] for r in received] == [[b"POST", b"/orders"]]


def test_searches_are_resent_to_a_real_server(dropping_server: tuple[str, list[bytes]]) -> None:
    url, received = dropping_server
    session = ApiSession(
        base_url=url, sleep=lambda _: None, retry=RetrySettings(max_retries=2), log=ClientLog()
    )
    with session, pytest.raises(ConnectError):
        session.call(Op.SEARCH_CATALOG, body={})
    assert len(received) == 3


def test_connection_refused_is_retried_for_creates() -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port now
    sleeps: list[float] = []
    session = ApiSession(base_url=f"http://127.0.0.1:{port}", sleep=sleeps.append, log=ClientLog())
    with session, pytest.raises(ConnectError):
        session.call(Op.SUBMIT_ORDER, body=ORDER)
    assert len(sleeps) == 3


def test_a_next_link_keeps_its_query_string() -> None:
    rec = Recorder([ok])
    rec.session().call(Op.SEARCH_CATALOG, body={}, url="https://api.test/catalog/search?page=3")
    assert str(rec.requests[0].url) == "https://api.test/catalog/search?page=3"


def test_operation_parameters_win_over_a_link_query() -> None:
    rec = Recorder([ok])
    rec.session().call(Op.SEARCH_CATALOG, body={}, url="https://api.test/x?page=3&foo=1", page=4)
    assert rec.requests[0].url.params["page"] == "4"
    assert rec.requests[0].url.params["foo"] == "1"
