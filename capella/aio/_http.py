"""The asyncio HTTP layer: ``ApiSession``'s policy over ``httpx.AsyncClient``.

Requests are built by the generated client (``op._get_kwargs``), exactly as ``ApiSession.call``
builds them; retries follow the same table (``RETRY_POLICY``), exception classes and settings;
errors are translated by ``raise_for_response`` and secrets redacted by the same functions. Only
the sending and the waiting are asynchronous.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import httpx

from capella._auth import Credentials
from capella._http import (
    AMBIGUOUS,
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    NEVER_SENT,
    RETRY_POLICY,
    RETRYABLE_STATUS,
    USER_AGENT,
    RawBody,
    Retry,
    RetrySettings,
    decode_json,
    operation_name,
    retry_after_seconds,
)
from capella._logging import ClientLog
from capella._redact import redact, redact_url, scrub_exception
from capella.errors import AmbiguousRequestError, ConnectError, raise_for_response

Sleep = Callable[[float], Awaitable[None]]


class AsyncApiSession:
    """Sends generated requests with auth, retries, logging and typed errors, on asyncio."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        search_url: str | None = None,
        credentials: Credentials | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetrySettings | None = None,
        log: ClientLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_connections: int = 20,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.search_url = search_url or f"{self.base_url}/catalog/search"
        self.credentials = credentials
        self.retry = retry or RetrySettings()
        self.log = log or ClientLog(secrets=[credentials.secret] if credentials else [])
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not security
        headers = {"User-Agent": USER_AGENT}
        if credentials is not None:
            headers["Authorization"] = credentials.header
        self._secrets = (credentials.secret,) if credentials else ()
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_connections),
        )
        self._url_overrides = {"search_catalog": self.search_url}

    def __repr__(self) -> str:
        scheme = self.credentials.scheme.value if self.credentials else "none"
        return f"AsyncApiSession(base_url={self.base_url!r}, auth={scheme!r})"

    async def __aenter__(self) -> AsyncApiSession:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def call_json(
        self, op: ModuleType, *args: Any, url: str | None = None, **kwargs: Any
    ) -> Any:
        """Send an operation and return its parsed JSON body."""
        return decode_json(await self.call(op, *args, url=url, **kwargs))

    def _request(
        self, op: ModuleType, args: tuple[Any, ...], url: str | None, kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        """The generated request builder's arguments, with a link or URL override applied."""
        name = operation_name(op)
        if "body" in kwargs and isinstance(kwargs["body"], dict | list):
            kwargs["body"] = RawBody(kwargs["body"])
        request_kwargs: dict[str, Any] = op._get_kwargs(*args, **kwargs)
        if url is not None:
            # As in ApiSession.call: a link's own query (``?page=2``) is merged into the
            # operation's parameters, because httpx drops it when ``params`` are given.
            link = httpx.URL(url)
            request_kwargs["params"] = {**dict(link.params), **(request_kwargs.get("params") or {})}
            request_kwargs["url"] = str(link.copy_with(query=None))
        elif name in self._url_overrides:
            request_kwargs["url"] = self._url_overrides[name]
        return request_kwargs

    async def call(
        self, op: ModuleType, *args: Any, url: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send an operation (a generated module) with retries; raise typed errors on failure.

        ``body`` may be a generated model or a plain dict (sent as is). ``url`` replaces the
        operation's path, for pagination links.
        """
        policy = RETRY_POLICY.get(operation_name(op), Retry.CREATE)
        request_kwargs = self._request(op, args, url, kwargs)
        method = str(request_kwargs["method"]).upper()
        where = redact_url(str(request_kwargs["url"]))

        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = await self._client.request(**request_kwargs)
            except NEVER_SENT as exc:
                failure: Exception = exc
            except AMBIGUOUS as exc:
                if policy is not Retry.SAFE:
                    raise AmbiguousRequestError(
                        f"{method} {where} failed after the request was sent "
                        f"({type(exc).__name__}); it may or may not have taken effect",
                        "AMBIGUOUS_REQUEST",
                    ) from scrub_exception(exc, self._secrets)
                failure = exc
            else:
                elapsed_ms = (time.monotonic() - started) * 1000
                self.log.debug(
                    "%s %s -> %s (%.0f ms)", method, where, response.status_code, elapsed_ms
                )
                if (
                    response.status_code in RETRYABLE_STATUS
                    and policy is Retry.SAFE
                    and attempt < self.retry.max_retries
                ):
                    delay = retry_after_seconds(response)
                    if delay is None:
                        delay = self.retry.backoff(attempt, self._rng)
                    delay = min(delay, self.retry.retry_after_cap)
                    self.log.info(
                        "%s %s answered %s; retry %d/%d in %.1f s",
                        method,
                        where,
                        response.status_code,
                        attempt + 1,
                        self.retry.max_retries,
                        delay,
                    )
                    await response.aclose()
                    await self._sleep(delay)
                    attempt += 1
                    continue
                raise_for_response(response)
                return response

            if attempt >= self.retry.max_retries:
                raise ConnectError(
                    f"{method} {where} failed after {attempt + 1} attempt(s): "
                    f"{type(failure).__name__}: {redact(str(failure), self._secrets)}",
                    "CONNECTION_ERROR",
                ) from scrub_exception(failure, self._secrets)
            delay = self.retry.backoff(attempt, self._rng)
            self.log.info(
                "%s %s failed (%s); retry %d/%d in %.1f s",
                method,
                where,
                type(failure).__name__,
                attempt + 1,
                self.retry.max_retries,
                delay,
            )
            await self._sleep(delay)
            attempt += 1
