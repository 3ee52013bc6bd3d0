"""Bounded concurrency on the event loop, failing fast, results in order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


async def cancel_all(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel the tasks still running and wait until every one has ended (errors swallowed)."""
    pending = list(tasks)
    for task in pending:
        task.cancel()
    # Waiting also retrieves their exceptions, so asyncio never reports them as unretrieved.
    await asyncio.gather(*pending, return_exceptions=True)


async def gather_bounded(factories: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Await ``factories``' coroutines, at most ``limit`` at a time; results in their order.

    The first failure cancels the others (those still waiting for a slot never start) and is
    raised as is.
    """
    slots = asyncio.Semaphore(limit)

    async def bounded(factory: Callable[[], Awaitable[T]]) -> T:
        async with slots:
            return await factory()

    tasks = [asyncio.ensure_future(bounded(factory)) for factory in factories]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        await cancel_all(tasks)
        raise
