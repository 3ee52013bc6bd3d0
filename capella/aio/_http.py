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
    USER_AGENT,
    Attempts,
    RetrySettings,
    decode_json,
)
from capella._logging import ClientLog

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

    async def call(
        self, op: ModuleType, *args: Any, url: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send an operation (a generated module) with retries; raise typed errors on failure.

        ``body`` may be a generated model or a plain dict (sent as is). ``url`` replaces the
        operation's path, for pagination links.
        """
        # The decisions are the sync session's (one Attempts object per call); only I/O differs.
        attempts = Attempts(
            op,
            args,
            url,
            kwargs,
            overrides=self._url_overrides,
            retry=self.retry,
            rng=self._rng,
            log=self.log,
            secrets=self._secrets,
        )
        while True:
            started = time.monotonic()
            try:
                response = await self._client.request(**attempts.request)
            except (*NEVER_SENT, *AMBIGUOUS) as exc:
                await self._sleep(attempts.after_error(exc))
                continue
            delay = attempts.after_response(response, started)
            if delay is None:
                return response
            await response.aclose()
            await self._sleep(delay)
