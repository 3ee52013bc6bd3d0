"""The one HTTP layer every API call goes through, and its threaded runner.

It owns the base and search URLs, the ``Authorization`` header, the ``User-Agent``, timeouts,
the connection pool, retries, logging and error translation. Requests are built by the generated
client (``capella_api``): callers name an :class:`~capella._ops.Op`, never a URL. The decisions
(:class:`Attempts`, :func:`decode_json`, :class:`SessionCore`) are free of I/O and shared with
the asyncio session (:mod:`capella.aio._http`); :class:`ApiSession` only sends and waits.
"""

from __future__ import annotations

import dataclasses
import email.utils
import itertools
import os
import random
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import orjson

from capella._auth import Credentials
from capella._closing import Closing
from capella._config import (
    API_RETRY_STATUS,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    MAX_API_BODY,
    USER_AGENT,
    ClientOptions,
)
from capella._flow import CURRENT_USER, Call, Done, Driver, Flow, Handoff, Next, Start, Step
from capella._gcpause import decoding_paused
from capella._logging import ClientLog
from capella._ops import Op, Retry
from capella._ratefloor import DEFAULT_MIN_RATE, DEFAULT_RATE_WINDOW, RateFloor
from capella._redact import redact, redact_url, scrub_exception
from capella.errors import (
    AmbiguousRequestError,
    CapellaConsoleClientError,
    ConnectError,
    raise_for_response,
)

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

T = TypeVar("T")

__all__ = [  # what other modules import from here (the download engine among them)
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "ApiSession",
    "RetrySettings",
    "parse_retry_after",
]

# The connection was never established: nothing reached the server, any request may be resent.
NEVER_SENT: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
# The request may have reached the server: only SAFE operations are resent.
AMBIGUOUS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
# Gateway answers that say nothing of whether the request was carried out. For an order submit
# they are as ambiguous as a cut connection (the submit then looks for the order it may have
# made); other operations report them as the API error they are.
AMBIGUOUS_STATUS = frozenset({502, 504})
AMBIGUOUS_STATUS_OPS = frozenset({Op.SUBMIT_ORDER})


@dataclasses.dataclass(frozen=True, slots=True)
class RetrySettings:
    """Bounds of the retry policy."""

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: half fixed, half random, capped."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0**attempt)
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def parse_retry_after(value: str | None) -> float | None:
    """Read a ``Retry-After`` value (seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The response's ``Retry-After`` in seconds; None when absent or unreadable."""
    return parse_retry_after(response.headers.get("retry-after"))


def _excerpt(content: bytes) -> str:
    text = content[:200].decode("utf-8", "replace").strip().replace("\n", " ")
    return f": {text!r}" if text else " (empty body)"


def decode_json(response: httpx.Response, *, gc_pause: bool = True) -> Any:
    """Parse an API answer's body as JSON; a body that is not JSON is a typed error.

    orjson decodes a 900-item search page about 1.7x faster than the standard library, and
    decoding is most of a large search's CPU time (see :mod:`capella._gcpause` for ``gc_pause``).
    """
    content = response.content
    try:
        with decoding_paused(len(content), enabled=gc_pause):
            return orjson.loads(content)
    except orjson.JSONDecodeError:
        raise CapellaConsoleClientError(
            f"{_where(response)} answered {response.status_code} with a body that is not JSON"
            f"{redact(_excerpt(content))}",
            "INVALID_RESPONSE",
        ) from None


def _where(response: httpx.Response) -> str:
    try:
        request = response.request
    except RuntimeError:  # a response built by hand has no request
        return "the API"
    return f"{request.method} {redact_url(str(request.url))}"


def body_too_large(response: httpx.Response, limit: int) -> CapellaConsoleClientError:
    """The error for an API body that decodes to more than ``limit`` bytes."""
    return CapellaConsoleClientError(
        f"{_where(response)} answered with a body of more than {limit:,} bytes (decoded); refused",
        "RESPONSE_TOO_LARGE",
    )


def api_rate_floor() -> RateFloor:
    """The floor under an API body's speed (a body dripping a byte every 2 s must end)."""
    return RateFloor(DEFAULT_MIN_RATE, DEFAULT_RATE_WINDOW, 0, time.monotonic())


def keep_body(response: httpx.Response, chunks: Iterable[bytes]) -> None:
    """Store a streamed body read in pieces, so ``response.content`` works as after ``read()``."""
    # httpx's own read() joins the decoded pieces into _content the same way.
    response._content = b"".join(chunks)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or {"http": 80, "https": 443}.get(url.scheme)


class Attempts:
    """One operation call's request and retry decisions, free of I/O.

    The sync and async sessions send ``request`` and report each outcome here; the answer is
    how long to wait before the next attempt, or the final response, or a typed error.
    """

    def __init__(self, core: SessionCore, step: Call) -> None:
        self.op, self.policy = step.op, step.op.retry
        kwargs = dict(step.kwargs)
        if "body" in kwargs and isinstance(kwargs["body"], dict | list):
            kwargs["body"] = RawBody(kwargs["body"])
        request: dict[str, Any] = step.op.module()._get_kwargs(*step.args, **kwargs)
        if step.url is not None:
            # httpx replaces a URL's query with ``params`` when both are given, so a link's own
            # query (``?page=2``) is merged into the operation's parameters instead.
            link = httpx.URL(step.url)
            core.check_origin(link)
            request["params"] = {**dict(link.params), **(request.get("params") or {})}
            request["url"] = str(link.copy_with(query=None))
        elif step.op is Op.SEARCH_CATALOG:
            request["url"] = core.search_url
        self.request = request
        self.method = str(request["method"]).upper()
        self.where = redact_url(str(request["url"]))
        self.attempt = 0
        self._core = core

    def after_error(self, exc: Exception) -> float:
        """Return the delay before the next attempt after a transport error, or raise."""
        secrets = self._core.secrets
        if not isinstance(exc, NEVER_SENT) and self.policy is not Retry.SAFE:
            raise AmbiguousRequestError(
                f"{self.method} {self.where} failed after the request was sent "
                f"({type(exc).__name__}); it may or may not have taken effect",
                "AMBIGUOUS_REQUEST",
            ) from scrub_exception(exc, secrets)
        if self.attempt >= self._core.retry.max_retries:
            raise ConnectError(
                f"{self.method} {self.where} failed after {self.attempt + 1} attempt(s): "
                f"{type(exc).__name__}: {redact(str(exc), secrets)}",
                "CONNECTION_ERROR",
            ) from scrub_exception(exc, secrets)
        return self._next(
            self._core.retry.backoff(self.attempt, self._core.rng), f"failed ({type(exc).__name__})"
        )

    def after_response(self, response: httpx.Response, started: float) -> float | None:
        """The delay before retrying ``response`` (body read), None when it is final; or raise."""
        elapsed_ms = (time.monotonic() - started) * 1000
        status = response.status_code
        self._core.log.debug("%s %s -> %s (%.0f ms)", self.method, self.where, status, elapsed_ms)
        retry = self._core.retry
        if (
            status in API_RETRY_STATUS
            and self.policy is Retry.SAFE
            and self.attempt < retry.max_retries
        ):
            delay = retry_after_seconds(response)
            if delay is None:
                delay = retry.backoff(self.attempt, self._core.rng)
            return self._next(min(delay, retry.retry_after_cap), f"answered {status}")
        if 300 <= status < 400:
            location = redact_url(response.headers.get("location", "nowhere"))
            raise CapellaConsoleClientError(
                f"{self.method} {self.where} answered {status}, a redirect to {location}; the "
                "client follows none (credentials would go with it): check base_url",
                "INVALID_RESPONSE",
            )
        if status in AMBIGUOUS_STATUS and self.op in AMBIGUOUS_STATUS_OPS:
            raise AmbiguousRequestError(
                f"{self.method} {self.where} answered {status} from a gateway; "
                "it may or may not have taken effect",
                "AMBIGUOUS_REQUEST",
            )
        try:
            raise_for_response(response)
        except CapellaConsoleClientError as exc:
            # A server may echo the credential back (a 401 body quoting the key).
            if exc.message:
                exc.message = redact(exc.message, self._core.secrets)
                exc.args = (exc.message, *exc.args[1:])
            raise
        return None

    def _next(self, delay: float, why: str) -> float:
        self.attempt += 1
        self._core.log.info(
            "%s %s %s; retry %d/%d in %.1f s",
            self.method,
            self.where,
            why,
            self.attempt,
            self._core.retry.max_retries,
            delay,
        )
        return delay


class RawBody:
    """Lets a plain dict stand in for a generated body model, sent exactly as given."""

    __slots__ = ("_data",)

    def __init__(self, data: Any) -> None:
        self._data = data

    def to_dict(self) -> Any:
        return self._data


def checked_user(user: Any) -> dict[str, Any]:
    """The answer of ``GET /user``, checked to be an object."""
    if not isinstance(user, dict):
        raise CapellaConsoleClientError("GET /user did not return an object")
    return user


def no_handoff(step: Handoff) -> Any:
    """The handler of a session without a client: it moves no bytes."""
    raise RuntimeError(f"this session has no transfer driver for {type(step).__name__}")


class SessionCore:
    """What both sessions hold and decide: URLs, headers, retry bounds, secrets, the log."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        search_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetrySettings | None = None,
        log: ClientLog | None = None,
        max_connections: int = 20,
        rng: random.Random | None = None,
        gc_pause: bool = True,
        max_body: int = MAX_API_BODY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.search_url = search_url or f"{self.base_url}/catalog/search"
        self.credentials = credentials
        self.retry = retry or RetrySettings()
        self.secrets = (credentials.secret,) if credentials else ()
        self.log = log or ClientLog(secrets=self.secrets)
        self.rng = rng or random.Random()  # jitter, not security
        self.gc_pause = gc_pause
        self.max_body = max_body
        self._origins = {_origin(httpx.URL(self.base_url)), _origin(httpx.URL(self.search_url))}
        headers = {"User-Agent": USER_AGENT}
        if credentials is not None:
            headers["Authorization"] = credentials.header
        self.client_options: dict[str, Any] = {
            "base_url": self.base_url,
            "headers": headers,
            "timeout": timeout,
            "follow_redirects": False,
            "limits": httpx.Limits(max_connections=max_connections),
        }
        self.pid = os.getpid()

    @classmethod
    def options_of(cls, options: ClientOptions) -> dict[str, Any]:
        """The session arguments a client's options give."""
        return {
            "base_url": options.base_url,
            "search_url": options.search_url,
            "timeout": options.timeout,
            "retry": RetrySettings(max_retries=options.max_retries),
            "max_connections": options.api_connections,
            "gc_pause": options.gc_pause,
        }

    def __repr__(self) -> str:
        scheme = self.credentials.scheme.value if self.credentials else "none"
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={scheme!r})"

    def check_origin(self, url: httpx.URL) -> None:
        """Refuse a link to another scheme, host or port: the credentials would go with it."""
        if _origin(url) not in self._origins:
            raise CapellaConsoleClientError(
                f"refusing to send credentials to {redact_url(str(url))}: only "
                f"{self.base_url} and {self.search_url} receive them (a link downgraded to "
                "http:// or pointing elsewhere)",
                "UNSAFE_URL",
            )

    def forked(self) -> bool:
        """Whether this process is a fork of the one that opened the connections."""
        return os.getpid() != self.pid

    def read_limit(self, response: httpx.Response, size: int, floor: RateFloor) -> None:
        """Raise when a body being read has grown past the cap, or drips below the floor."""
        if size > self.max_body:
            raise body_too_large(response, self.max_body)
        if floor.stalled(size, now := time.monotonic()):
            # As a read timeout: retried (or ambiguous) exactly like one.
            raise httpx.ReadTimeout(str(floor.error(size, now)), request=response.request)

    def answer(self, step: Call, response: httpx.Response) -> Any:
        """What a finished call gives its operation: the decoded body, or None."""
        return decode_json(response, gc_pause=self.gc_pause) if step.decode else None


class ApiSession(SessionCore, Closing):
    """Sends generated requests with auth, retries, logging and typed errors; runs operations."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **settings: Any,
    ) -> None:
        super().__init__(**settings)
        self._sleep = sleep
        self._transport = transport
        # Opened on first use: a client unpickled on a worker may never call the API.
        self._client: httpx.Client | None = None
        self._closed = False
        self._user_lock = threading.Lock()
        self._user: dict[str, Any] | None = None
        # The client's transfer driver (see capella._flow.Handoff), set by the client.
        self.handoff: Callable[[Handoff], Any] = no_handoff

    def close(self) -> None:
        """Close the connection pool."""
        self._closed = True
        if self._client is not None:
            self._client.close()

    def _http(self) -> httpx.Client:
        if self.forked():
            # The parent's sockets are shared with this child: leave them to the parent
            # (closing them here would cut its requests) and open our own.
            self._client = None
            self.pid = os.getpid()
        if self._client is None:
            if self._closed:
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            self._client = httpx.Client(transport=self._transport, **self.client_options)
        return self._client

    def call(self, op: Op, *args: Any, url: str | None = None, **kwargs: Any) -> httpx.Response:
        """Send ``op`` with retries; return the final response (body read); raise typed errors."""
        attempts = Attempts(self, Call(op, args, kwargs, url))
        client = self._http()
        while True:
            started = time.monotonic()
            try:
                response = client.send(client.build_request(**attempts.request), stream=True)
                try:
                    self._read(response)
                finally:
                    response.close()
            except (*NEVER_SENT, *AMBIGUOUS) as exc:
                self._sleep(attempts.after_error(exc))
                continue
            delay = attempts.after_response(response, started)
            if delay is None:
                return response
            self._sleep(delay)

    def _read(self, response: httpx.Response) -> None:
        chunks, size = [], 0
        floor = api_rate_floor()
        for chunk in response.iter_bytes():
            size += len(chunk)
            self.read_limit(response, size, floor)
            chunks.append(chunk)
        keep_body(response, chunks)

    def call_json(self, op: Op, *args: Any, url: str | None = None, **kwargs: Any) -> Any:
        """Send ``op`` and return its parsed JSON body."""
        return self.send(Call(op, args, kwargs, url))

    def send(self, step: Call) -> Any:
        """Perform one :class:`Call` step."""
        return self.answer(step, self.call(step.op, *step.args, url=step.url, **step.kwargs))

    def user(self) -> dict[str, Any]:
        """The signed-in user (``GET /user``), fetched once however many threads ask."""
        with self._user_lock:
            if self._user is None:
                self._user = checked_user(self.call_json(Op.GET_USER))
            return self._user

    def run(self, flow: Flow[T]) -> T:
        """Run an operation to its end: calls on this thread, started calls on a thread pool."""
        driver = Driver(flow)
        threads = _Threads(self)
        try:
            while (step := driver.step()) is not None:
                try:
                    driver.answer(self._perform(step, threads))
                except Exception as exc:  # raised inside the operation, which decides
                    driver.fail(exc)
        finally:
            threads.close()
        result: T = driver.value
        return result

    def _perform(self, step: Step, threads: _Threads) -> Any:
        if isinstance(step, Call):
            return self.send(step)
        if isinstance(step, Start):
            return threads.start(step)
        if isinstance(step, Next):
            return threads.next(step)
        if isinstance(step, Handoff):
            return self.handoff(step)
        assert step is CURRENT_USER
        return self.user()


class _Threads:
    """The calls one operation started in the background, on a pool sized by its first Start."""

    def __init__(self, session: ApiSession) -> None:
        self._session = session
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[int, Future[Any]] = {}
        self._numbers = itertools.count()

    def start(self, step: Start) -> list[int]:
        if self._pool is None:
            # Imported on use: most operations never start a call in the background.
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=step.limit, thread_name_prefix="capella")
        handles = [next(self._numbers) for _ in step.calls]
        for handle, item in zip(handles, step.calls, strict=True):
            self._futures[handle] = self._pool.submit(self._session.send, item)
        return handles

    def next(self, step: Next) -> Done:
        from concurrent.futures import FIRST_COMPLETED, wait

        wait([self._futures[h] for h in step.handles], return_when=FIRST_COMPLETED)
        handle = min(h for h in step.handles if self._futures[h].done())
        future = self._futures.pop(handle)
        error = future.exception()
        if error is not None and not isinstance(error, Exception):
            raise error
        return Done(handle, None if error else future.result(), error)

    def close(self) -> None:
        # Calls not started yet never start; running ones end before the operation returns.
        for future in self._futures.values():
            future.cancel()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
