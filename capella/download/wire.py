"""The wire under the downloader: a bounded pool of ``http.client`` connections.

Why not httpx here: the body transfer is the hot loop. ``http.client``'s ``readinto`` fills a
reused buffer straight from the socket (one copy); httpx's ``iter_raw`` allocates a bytes object
per chunk and runs its middleware per chunk, which measured about 5x slower on loopback.
An ``httpx`` transport can still be plugged in (``HttpxWire``), for tests that use
``httpx.MockTransport``; the engine sees the same small interface either way.
"""

from __future__ import annotations

import base64
import functools
import http.client
import ssl
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

import httpx

from capella.download.protocol import ASSET_USER_AGENT
from capella.errors import InvalidInputError

# What a broken connection looks like from http.client and the socket layer (ssl.SSLError and
# socket.timeout are OSErrors), and from httpx (the asyncio driver). Disk errors are OSErrors
# too: callers keep the two apart.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    http.client.HTTPException,
    httpx.TransportError,
)

_MAX_ERROR_BODY = 4096


class Response(Protocol):
    """One response whose body is read into caller-owned buffers."""

    status: int
    reason: str

    def header(self, name: str) -> str | None:
        """The value of a response header (case-insensitive), or None."""

    def readinto(self, buffer: memoryview) -> int:
        """Fill ``buffer`` with body bytes; 0 at the end of the body (or when the peer hung up)."""

    def read_error_body(self) -> bytes:
        """The first few KiB of the body (error responses only)."""

    def release(self, reusable: bool) -> None:
        """Give the connection back (``reusable``: the body was read to its end) or close it."""


class Wire(Protocol):
    """Sends GET requests; implementations own a bounded pool of connections."""

    def get(self, url: str, headers: Mapping[str, str]) -> Response:
        """Send ``GET url`` and return once the status line and headers arrived."""

    def close(self) -> None:
        """Close every idle connection."""


def split_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, target)`` of an http(s) URL; anything else is refused."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError(
            f"cannot download {parts.scheme}://{parts.netloc}{parts.path}: "
            "only http and https asset URLs are supported"
        )
    port = parts.port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, parts.hostname, port, target


class _Timeouts:
    __slots__ = ("connect", "pool", "read")

    def __init__(self, timeout: httpx.Timeout) -> None:
        self.connect = timeout.connect
        self.read = timeout.read
        self.pool = timeout.pool


class _HTTPConnection(http.client.HTTPConnection):
    """Connects with the connect timeout, then reads with the read timeout."""

    read_timeout: float | None = None

    def connect(self) -> None:
        super().connect()
        self.sock.settimeout(self.read_timeout)


class _HTTPSConnection(http.client.HTTPSConnection):
    read_timeout: float | None = None

    def connect(self) -> None:
        super().connect()  # TCP connect and TLS handshake, both under the connect timeout
        self.sock.settimeout(self.read_timeout)


_Key = tuple[str, str, int, str | None]  # scheme, host, port, proxy URL


class _PooledResponse:
    __slots__ = ("_checkin", "_released", "_resp", "reason", "status")

    def __init__(self, resp: http.client.HTTPResponse, checkin: Callable[[bool], None]) -> None:
        self._resp = resp
        self._checkin = checkin  # gives the connection back to its pool (reusable or not)
        self._released = False
        self.status, self.reason = resp.status, resp.reason

    def header(self, name: str) -> str | None:
        return self._resp.getheader(name)

    def readinto(self, buffer: memoryview) -> int:
        resp = self._resp
        fp = resp.fp
        if fp is None or resp.chunked:
            return resp.readinto(buffer)
        # http.client's own readinto fills the whole buffer (BufferedReader.readinto loops), so
        # a body that drips a byte now and then would hold it without any read timing out and
        # the rate floor would never look. One socket read at most, as http.client would do
        # otherwise: clip to the body, close the connection at its end.
        length = resp.length
        if length is not None and len(buffer) > length:
            buffer = buffer[:length]
        n = fp.readinto1(buffer)
        if not n and buffer:
            resp._close_conn()  # type: ignore[attr-defined]
        elif length is not None:
            resp.length = length - n
            if not resp.length:
                resp._close_conn()  # type: ignore[attr-defined]
        return n

    def read_error_body(self) -> bytes:
        try:
            return self._resp.read(_MAX_ERROR_BODY)
        except NETWORK_ERRORS:
            return b""

    def release(self, reusable: bool) -> None:
        if self._released:
            return
        self._released = True
        resp = self._resp
        # A connection may carry the next request only when this body was read to its end.
        reusable = reusable and resp.isclosed() and not resp.will_close and not resp.length
        if not reusable:
            resp.close()
        self._checkin(reusable)


def _env_proxy(scheme: str, host: str) -> str | None:
    # The same environment variables httpx and urllib honour (HTTPS_PROXY, HTTP_PROXY, NO_PROXY).
    if urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(scheme)


def _proxy_auth(proxy: str) -> dict[str, str]:
    p = urllib.parse.urlsplit(proxy)
    if not p.username:
        return {}
    user = urllib.parse.unquote(p.username)
    word = urllib.parse.unquote(p.password or "")
    token = base64.b64encode(f"{user}:{word}".encode()).decode()
    return {"Proxy-Authorization": f"Basic {token}"}


class HttpClientWire:
    """A pool of at most ``max_connections`` keep-alive ``http.client`` connections.

    TLS verification is always on (the system's default context). ``HTTP(S)_PROXY`` and
    ``NO_PROXY`` are honoured when ``trust_env``, as httpx does.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        timeout: httpx.Timeout,
        trust_env: bool = True,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        self._max = max_connections
        self._timeouts = _Timeouts(timeout)
        self._trust_env = trust_env
        self._ssl_context = ssl_context
        self._lock = threading.Lock()
        self._idle: dict[_Key, list[http.client.HTTPConnection]] = {}
        self._idle_count = 0

    def _context(self) -> ssl.SSLContext:
        with self._lock:
            if self._ssl_context is None:
                self._ssl_context = ssl.create_default_context()
            return self._ssl_context

    def _new_connection(self, key: _Key) -> http.client.HTTPConnection:
        scheme, host, port, proxy = key
        timeout = self._timeouts.connect
        conn: http.client.HTTPConnection
        if proxy is None:
            if scheme == "https":
                conn = _HTTPSConnection(host, port, timeout=timeout, context=self._context())
            else:
                conn = _HTTPConnection(host, port, timeout=timeout)
        else:
            p = urllib.parse.urlsplit(proxy)
            p_host, p_port = p.hostname or "", p.port or 8080
            if scheme == "https":
                conn = _HTTPSConnection(p_host, p_port, timeout=timeout, context=self._context())
                conn.set_tunnel(host, port, headers=_proxy_auth(proxy))
            else:
                conn = _HTTPConnection(p_host, p_port, timeout=timeout)
        conn.read_timeout = self._timeouts.read
        return conn

    def _take(self, key: _Key) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                self._idle_count -= 1
                return idle.pop(), True
            # Stay within max_connections in total: drop an idle connection to another host.
            if self._idle_count:
                for other in self._idle.values():
                    if other:
                        other.pop(0).close()
                        self._idle_count -= 1
                        break
        return self._new_connection(key), False

    def checkin(self, key: _Key, conn: http.client.HTTPConnection, reusable: bool) -> None:
        """Return a connection to the pool (or close it) and free its slot."""
        try:
            if reusable and conn.sock is not None:
                with self._lock:
                    self._idle.setdefault(key, []).append(conn)
                    self._idle_count += 1
            else:
                conn.close()
        finally:
            self._slots.release()

    def get(self, url: str, headers: Mapping[str, str]) -> Response:
        """Send ``GET url`` on a pooled connection (one retry when a kept-alive one went stale)."""
        scheme, host, port, target = split_url(url)
        proxy = _env_proxy(scheme, host) if self._trust_env else None
        key: _Key = (scheme, host, port, proxy)
        sent = {"User-Agent": ASSET_USER_AGENT, **headers}
        if proxy is not None and scheme == "http":
            target = url  # absolute-form request line for a plain HTTP proxy
            sent.update(_proxy_auth(proxy))
        timeout = self._timeouts.pool
        if not self._slots.acquire(timeout=timeout if timeout is not None else -1):
            raise TimeoutError(f"no free connection to {host} within {timeout} s")
        try:
            while True:
                conn, reused = self._take(key)
                try:
                    conn.request("GET", target, headers=sent)
                    resp = conn.getresponse()
                except NETWORK_ERRORS:
                    conn.close()
                    if reused:
                        # The server closed a kept-alive connection while it sat idle; a GET is
                        # safe to send again on a fresh one.
                        continue
                    raise
                return _PooledResponse(resp, functools.partial(self.checkin, key, conn))
        except BaseException:
            self._slots.release()
            raise

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle, self._idle, self._idle_count = self._idle, {}, 0
        for conns in idle.values():
            for conn in conns:
                conn.close()


def httpx_options(max_connections: int, timeout: httpx.Timeout) -> dict[str, Any]:
    """How an httpx client reaches asset hosts (``HttpxWire``, the asyncio driver)."""
    return {
        "timeout": timeout,
        "follow_redirects": False,  # a presigned URL is not followed elsewhere
        "limits": httpx.Limits(max_connections=max_connections),
        # identity: the bytes on the wire are the bytes of the file, and Content-Length and
        # Content-Range count them.
        "headers": {"User-Agent": ASSET_USER_AGENT, "Accept-Encoding": "identity"},
    }


def _raw_chunks(resp: httpx.Response) -> Iterator[bytes]:
    try:
        content = resp.content  # a response built from bytes (MockTransport) is already read
    except httpx.ResponseNotRead:
        yield from resp.iter_raw()
    else:
        yield content


class _HttpxResponse:
    __slots__ = ("_chunks", "_left", "_resp", "reason", "status")

    def __init__(self, resp: httpx.Response) -> None:
        self._resp = resp
        self._chunks: Iterator[bytes] = _raw_chunks(resp)
        self._left = memoryview(b"")
        self.status = resp.status_code
        self.reason = resp.reason_phrase

    def header(self, name: str) -> str | None:
        value: str | None = self._resp.headers.get(name)
        return value

    def readinto(self, buffer: memoryview) -> int:
        filled = 0
        size = len(buffer)
        while filled < size:
            if not self._left:
                try:
                    self._left = memoryview(next(self._chunks))
                except StopIteration:
                    break
                except httpx.TimeoutException as exc:
                    raise TimeoutError(str(exc)) from exc
                except httpx.TransportError as exc:
                    raise ConnectionError(str(exc)) from exc
            n = min(size - filled, len(self._left))
            buffer[filled : filled + n] = self._left[:n]
            self._left = self._left[n:]
            filled += n
        return filled

    def read_error_body(self) -> bytes:
        buf = bytearray(_MAX_ERROR_BODY)
        try:
            n = self.readinto(memoryview(buf))
        except OSError:
            return b""
        return bytes(buf[:n])

    def release(self, reusable: bool) -> None:
        self._resp.close()


class HttpxWire:
    """The same interface over an ``httpx`` transport (``httpx.MockTransport`` in tests)."""

    def __init__(
        self,
        *,
        transport: httpx.BaseTransport,
        max_connections: int,
        timeout: httpx.Timeout,
    ) -> None:
        self._client = httpx.Client(transport=transport, **httpx_options(max_connections, timeout))

    def get(self, url: str, headers: Mapping[str, str]) -> Response:
        """Send ``GET url`` through the transport."""
        split_url(url)
        try:
            request = self._client.build_request("GET", url, headers=dict(headers))
            return _HttpxResponse(self._client.send(request, stream=True))
        except httpx.TimeoutException as exc:
            raise TimeoutError(str(exc)) from exc
        except httpx.TransportError as exc:
            raise ConnectionError(str(exc)) from exc

    def close(self) -> None:
        """Close the httpx client."""
        self._client.close()
