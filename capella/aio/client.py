"""``AsyncCapellaConsoleClient``: the asyncio facade, method for method the sync client's.

Every API method is the sync client's operation (:mod:`capella._flow`), awaited on
:class:`~capella.aio._http.AsyncApiSession`: one line each.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from capella import _auth
from capella._api import ApiMethods, open_session
from capella._closing import AsyncClosing
from capella._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DOWNLOAD_CONNECTIONS,
    client_state,
    rebuild_client,
    travelling,
)
from capella._methods import async_method
from capella.aio._http import AsyncApiSession
from capella.aio._products import AsyncDownloaderSlot, AsyncProductDownloads
from capella.download.settings import download_settings
from capella.enumerations import AssetType, ProductType
from capella.products import DEFAULT_DIR, DownloadOps

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from cloudpathlib import S3Path

    from capella.download.fanout import Fanout
    from capella.download.progress import RunProgress
    from capella.orders import OrderApi


class AsyncCapellaConsoleClient(ApiMethods, AsyncClosing):
    """Client of the Capella API on asyncio: ``CapellaConsoleClient``'s methods, awaitable.

    Arguments, results and errors are those of the sync client. A constructor cannot await,
    so the credentials are checked with ``GET /user`` on ``async with`` (unless
    ``no_token_check``). Close the client with ``async with`` or ``await client.aclose()``.
    """

    _make_method = staticmethod(async_method)

    def __init__(
        self,
        api_key: str | None = None,
        token: str | None = None,
        verbose: bool = False,
        no_token_check: bool = False,
        base_url: str | None = None,
        search_url: str | None = None,
        no_auth: bool = False,
        *,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        download_connections: int = DOWNLOAD_CONNECTIONS,
        segment_threshold: int = 64 * 1024 * 1024,
        gc_pause: bool = True,
    ) -> None:
        self._session, self.options = open_session(
            AsyncApiSession, transport, api_key, token, verbose, no_auth, base_url=base_url,
            search_url=search_url, timeout=timeout, max_retries=max_retries,
            download_connections=download_connections, gc_pause=gc_pause,
        )  # fmt: skip
        self.verbose, self._log = verbose, self._session.log
        self._check_token = not (no_auth or no_token_check)
        # What the client pickles as (see __reduce__); a custom transport cannot travel.
        self._state = None if transport is not None else client_state(
            self.options, self._session.credentials, verbose, segment_threshold=segment_threshold
        )  # fmt: skip
        # The sync client's download options, and its timeout and retries, reach downloads.
        settings = download_settings(
            download_connections=self.options.download_connections,
            segment_threshold=segment_threshold,
            timeout=self.options.timeout,
            max_retries=self.options.max_retries,
        )
        self._downloads = AsyncDownloaderSlot(settings, transport=transport, log=self._log)

    # -- plumbing ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"AsyncCapellaConsoleClient(base_url={self.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as configuration, like the sync client (the API key travels with it)."""
        return rebuild_client, (type(self), travelling(self._state, self))

    async def __aenter__(self) -> AsyncCapellaConsoleClient:
        if self._check_token:
            try:
                await self._session.run(
                    _auth.authenticate(self._session, self.base_url, self._session.credentials)
                )
            except BaseException:
                await self.aclose()
                raise
        return self

    async def aclose(self) -> None:
        """Close connections and detach the verbose log handler."""
        await self._session.aclose()
        await self._downloads.aclose()
        self._log.close()

    @property
    def base_url(self) -> str:
        """The API base URL."""
        return self._session.base_url

    @property
    def search_url(self) -> str:
        """The catalog search URL."""
        return self._session.search_url

    def _orders(self) -> OrderApi:
        from capella.orders import OrderApi

        return OrderApi(self._session.run, self._session)

    # -- downloads (capella/products.py, capella/aio/download.py) -------------------------------

    def _products(self) -> AsyncProductDownloads:
        orders = self._orders()
        ops = DownloadOps(
            presigned_items=orders.presigned_items,
            collects_for_task=self.get_collects_for_task,
            search=self.search,
            submit_order=orders.submit,
        )
        return AsyncProductDownloads(ops, self._downloads, self._log)

    def _fanout(self, executor: object) -> Fanout:
        from capella.download.fanout import Fanout

        return Fanout.of(executor, travelling(self._state, self))

    async def get_asset_bytesize(self, pre_signed_url: str) -> int:
        """The size in bytes of a presigned asset (an error answer raises, never gives a size)."""
        return await self._downloads.get().size(pre_signed_url)

    async def download_asset(
        self,
        pre_signed_url: str,
        local_path: Path | str | S3Path = DEFAULT_DIR,
        override: bool = False,
        show_progress: bool = False,
        enable_resume: bool = True,
    ) -> Path | S3Path:
        """Download one presigned asset; return its path.

        ``local_path`` is the file to write, or a folder (existing, or a str ending in ``/``)
        that gets the URL's file name; ``s3://`` paths stream into S3. An existing file is kept
        unless ``override``; an interrupted download resumes (``enable_resume``). A failure
        raises the asset's own error, e.g. ``AssetConnectError`` (a ``ConnectError``), as the
        reference SDK did.
        """
        return await self._products().download_asset(
            pre_signed_url,
            local_path,
            override=override,
            show_progress=show_progress,
            enable_resume=enable_resume,
        )

    async def download_products(
        self,
        items_presigned: Sequence[Mapping[str, Any]] | None = None,
        order_id: str | None = None,
        tasking_request_id: str | None = None,
        collect_id: str | None = None,
        local_dir: Path | str | S3Path = DEFAULT_DIR,
        include: list[str | AssetType] | str | None = None,
        exclude: list[str | AssetType] | str | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool | RunProgress = False,
        separate_dirs: bool = True,
        product_types: list[str | ProductType] | str | None = None,
        contract_id: str | None = None,
        enable_resume: bool = True,
        *,
        executor: Executor | None = None,
    ) -> dict[str, dict[str, Path | S3Path]]:
        """Download the assets of several products; return ``{stac_id: {asset_key: path}}``.

        Arguments as for ``CapellaConsoleClient.download_products``; the files are fetched
        concurrently on the event loop (up to ``download_connections`` at a time, one with
        ``threaded=False``). Every file is attempted; failures raise one ``DownloadError``
        afterwards, and completed files stay in place. With ``executor``, one job per asset runs
        there instead (the client, API key included, is pickled to it) and is awaited here.
        """
        return await self._products().download_products(
            items_presigned=items_presigned,
            order_id=order_id,
            tasking_request_id=tasking_request_id,
            collect_id=collect_id,
            local_dir=local_dir,
            include=include,
            exclude=exclude,
            override=override,
            threaded=threaded,
            show_progress=show_progress,
            separate_dirs=separate_dirs,
            product_types=product_types,
            contract_id=contract_id,
            enable_resume=enable_resume,
            fanout=None if executor is None else self._fanout(executor),
        )

    async def download_product(
        self,
        assets_presigned: Mapping[str, Any] | None = None,
        order_id: str | None = None,
        local_dir: Path | str | S3Path = DEFAULT_DIR,
        include: list[str | AssetType] | str | None = None,
        exclude: list[str | AssetType] | str | None = None,
        override: bool = False,
        threaded: bool = True,
        show_progress: bool = False,
    ) -> dict[str, Path | S3Path]:
        """Deprecated: download one product's assets; use ``download_products``."""
        warnings.warn(
            "download_product is deprecated; use download_products instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return await self._products().download_product(
            assets_presigned=assets_presigned,
            order_id=order_id,
            local_dir=local_dir,
            include=include,
            exclude=exclude,
            override=override,
            threaded=threaded,
            show_progress=show_progress,
        )
