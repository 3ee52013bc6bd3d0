"""``AsyncCapellaConsoleClient``: the asyncio facade, method for method the sync client's.

Every method is the sync client's operation (:mod:`capella._flow`, listed in
:mod:`capella._api`), awaited on :class:`~capella.aio._http.AsyncApiSession`; downloads move
their bytes on the asyncio driver (:mod:`capella.aio._transfers`).
"""

from __future__ import annotations

import httpx

from capella._api import ClientCore
from capella._closing import AsyncClosing
from capella._methods import async_method
from capella.aio._http import AsyncApiSession


class AsyncCapellaConsoleClient(ClientCore[httpx.AsyncBaseTransport], AsyncClosing):
    """Client of the Capella API on asyncio: ``CapellaConsoleClient``'s methods, awaitable.

    Arguments, results and errors are those of the sync client. A constructor cannot await,
    so the credentials are checked with ``GET /user`` on ``async with`` (unless
    ``no_token_check``). Close the client with ``async with`` or ``await client.aclose()``.
    """

    _make_method = staticmethod(async_method)
    _session_type = AsyncApiSession
    _transfers_type = "capella.aio._transfers.AsyncTransfers"
    _session: AsyncApiSession

    async def __aenter__(self) -> AsyncCapellaConsoleClient:
        if self._check_token:
            try:
                await self._session.run(self._authenticate())
            except BaseException:
                await self.aclose()
                raise
        return self

    async def aclose(self) -> None:
        """Close connections and detach the verbose log handler."""
        await self._session.aclose()
        await self._downloads.aclose()
        self._log.close()
