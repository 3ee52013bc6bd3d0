"""The asyncio runner: :class:`~capella._http.SessionCore`'s decisions over ``httpx.AsyncClient``.

Requests, retries, errors and operations are those of :mod:`capella._http` and
:mod:`capella._flow`; only the sending, the waiting and the concurrency are asynchronous.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import httpx

from capella._closing import AsyncClosing
from capella._flow import CURRENT_USER, Call, Done, Driver, Flow, Handoff, Next, Start
from capella._http import (
    AMBIGUOUS,
    NEVER_SENT,
    Attempts,
    SessionCore,
    api_rate_floor,
    checked_user,
    keep_body,
    no_handoff,
)
from capella._ops import Op

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class AsyncApiSession(SessionCore, AsyncClosing):
    """Sends generated requests with auth, retries, logging and typed errors, on asyncio."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        **settings: Any,
    ) -> None:
        super().__init__(**settings)
        self._sleep = sleep
        self._transport = transport
        self._client = httpx.AsyncClient(transport=transport, **self.client_options)
        self._user_lock = asyncio.Lock()
        self._user: dict[str, Any] | None = None
        # The client's transfer driver (see capella._flow.Handoff), set by the client.
        self.handoff: Callable[[Handoff], Awaitable[Any]] = _no_handoff

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    def _http(self) -> httpx.AsyncClient:
        if self.forked():  # as ApiSession: a fork's child opens its own connections
            self._client = httpx.AsyncClient(transport=self._transport, **self.client_options)
            self.pid = os.getpid()
        return self._client

    async def call(
        self, op: Op, *args: Any, url: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """Send ``op`` with retries; return the final response (body read); raise typed errors."""
        attempts = Attempts(self, Call(op, args, kwargs, url))
        client = self._http()
        while True:
            started = time.monotonic()
            try:
                response = await client.send(client.build_request(**attempts.request), stream=True)
                try:
                    chunks, size = [], 0
                    floor = api_rate_floor()
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        self.read_limit(response, size, floor)
                        chunks.append(chunk)
                    keep_body(response, chunks)
                finally:
                    await response.aclose()
            except (*NEVER_SENT, *AMBIGUOUS) as exc:
                await self._sleep(attempts.after_error(exc))
                continue
            delay = attempts.after_response(response, started)
            if delay is None:
                return response
            await self._sleep(delay)

    async def call_json(self, op: Op, *args: Any, url: str | None = None, **kwargs: Any) -> Any:
        """Send ``op`` and return its parsed JSON body."""
        return await self.send(Call(op, args, kwargs, url))

    async def send(self, step: Call) -> Any:
        """Perform one :class:`Call` step."""
        return self.answer(step, await self.call(step.op, *step.args, url=step.url, **step.kwargs))

    async def user(self) -> dict[str, Any]:
        """The signed-in user (``GET /user``), fetched once however many tasks ask."""
        async with self._user_lock:
            if self._user is None:
                self._user = checked_user(await self.call_json(Op.GET_USER))
            return self._user

    async def run(self, flow: Flow[T]) -> T:
        """Run an operation to its end: calls awaited, started calls as tasks on this loop."""
        driver = Driver(flow)
        tasks: dict[int, asyncio.Task[Any]] = {}
        slots: asyncio.Semaphore | None = None
        numbers = itertools.count()

        async def bounded(item: Call) -> Any:
            assert slots is not None
            async with slots:
                return await self.send(item)

        try:
            while (step := driver.step()) is not None:
                try:
                    if isinstance(step, Call):
                        driver.answer(await self.send(step))
                    elif isinstance(step, Start):
                        slots = slots or asyncio.Semaphore(step.limit)
                        handles = [next(numbers) for _ in step.calls]
                        for handle, item in zip(handles, step.calls, strict=True):
                            tasks[handle] = asyncio.ensure_future(bounded(item))
                        driver.answer(handles)
                    elif isinstance(step, Next):
                        driver.answer(await _next(tasks, step))
                    elif isinstance(step, Handoff):
                        driver.answer(await self.handoff(step))
                    else:
                        assert step is CURRENT_USER
                        driver.answer(await self.user())
                except Exception as exc:  # raised inside the operation, which decides
                    driver.fail(exc)
        finally:
            # Nothing outlives the operation; failures nobody awaited are collected.
            await cancel_all(tasks.values())
        result: T = driver.value
        return result


async def _no_handoff(step: Handoff) -> Any:
    return no_handoff(step)


async def _next(tasks: dict[int, asyncio.Task[Any]], step: Next) -> Done:
    await asyncio.wait([tasks[h] for h in step.handles], return_when=asyncio.FIRST_COMPLETED)
    handle = min(h for h in step.handles if tasks[h].done())
    task = tasks.pop(handle)
    error = task.exception()
    if error is not None and not isinstance(error, Exception):
        raise error
    return Done(handle, None if error else task.result(), error)


async def cancel_all(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel the tasks still running and wait until every one has ended (errors swallowed)."""
    pending = list(tasks)
    for task in pending:
        task.cancel()
    # Waiting also retrieves their exceptions, so asyncio never reports them as unretrieved.
    await asyncio.gather(*pending, return_exceptions=True)
