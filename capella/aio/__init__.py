"""The asyncio client: ``CapellaConsoleClient``'s methods, awaitable, on ``httpx.AsyncClient``.

One core, two I/O shells: query translation, validation, request bodies, result objects and
error translation are the sync modules'; ``capella.aio`` only sends, waits and writes.
"""

from capella.aio._http import AsyncApiSession
from capella.aio.client import AsyncCapellaConsoleClient
from capella.aio.download import AsyncDownloader

__all__ = ["AsyncApiSession", "AsyncCapellaConsoleClient", "AsyncDownloader"]
