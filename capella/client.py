"""``CapellaConsoleClient``: the public facade. It wires the modules together; methods are short.

Each API method is an operation (:mod:`capella._flow`) run on the client's session; the async
client (:mod:`capella.aio.client`) takes the same operations and awaits them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from capella import _auth
from capella._api import ApiMethods, open_session
from capella._closing import Closing
from capella._config import (
    DEFAULT_DIR,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DOWNLOAD_CONNECTIONS,
    client_state,
    rebuild_client,
    travelling,
)
from capella._http import ApiSession
from capella._methods import sync_method
from capella.enumerations import AssetType, ProductType

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from cloudpathlib import S3Path

    from capella.download.fanout import Fanout
    from capella.download.progress import RunProgress
    from capella.orders import OrderApi
    from capella.products import ProductDownloads


class CapellaConsoleClient(ApiMethods, Closing):
    """Client of the Capella API (https://api.capellaspace.com or a sandbox).

    Credentials, in order of precedence: ``api_key``, ``token``, the ``CAPELLA_API_KEY``
    environment variable, then a prompt (only when stdin is a terminal). The API URL:
    ``base_url``, else the ``CAPELLA_API_URL`` environment variable, else the public API.
    Unless ``no_token_check``, the credentials are checked with ``GET /user`` at construction.
    ``gc_pause`` (on by default) pauses the garbage collector while large search pages are
    decoded (see ``capella._gcpause`` for what it costs the rest of the process).
    """

    _make_method = staticmethod(sync_method)

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
        transport: httpx.BaseTransport | None = None,
        download_connections: int = DOWNLOAD_CONNECTIONS,
        segment_threshold: int = 64 * 1024 * 1024,
        gc_pause: bool = True,
    ) -> None:
        self._session, self.options = open_session(
            ApiSession, transport, api_key, token, verbose, no_auth, base_url=base_url,
            search_url=search_url, timeout=timeout, max_retries=max_retries,
            download_connections=download_connections, gc_pause=gc_pause,
        )  # fmt: skip
        self.verbose, self._log = verbose, self._session.log
        options = self.options
        from capella.download.settings import download_settings
        from capella.products import DownloaderSlot

        # One downloader, created on first use; the client's timeout and retries reach it.
        settings = download_settings(
            download_connections=options.download_connections,
            segment_threshold=segment_threshold,
            timeout=options.timeout,
            max_retries=options.max_retries,
        )
        self._downloads = DownloaderSlot(settings, transport=transport, log=self._log)
        # What the client pickles as (see __reduce__); a custom transport cannot travel.
        self._state = None if transport is not None else client_state(
            options, self._session.credentials, verbose, segment_threshold=segment_threshold
        )  # fmt: skip
        if not (no_auth or no_token_check):
            credentials = self._session.credentials
            self._session.run(_auth.authenticate(self._session, self.base_url, credentials))

    # -- plumbing ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"CapellaConsoleClient(base_url={self.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as configuration (URLs, credential, retries, timeouts, download settings).

        The API key travels with it, as with any credentialed client sent to workers;
        connections are rebuilt where it is unpickled.
        """
        return rebuild_client, (type(self), travelling(self._state, self))

    def close(self) -> None:
        """Close connections and detach the verbose log handler."""
        self._session.close()
        self._downloads.close()
        self._log.close()

    @property
    def base_url(self) -> str:
        """The API base URL."""
        return self._session.base_url

    @property
    def search_url(self) -> str:
        """The catalog search URL."""
        return self._session.search_url

    @property
    def customer_id(self) -> str:
        """The id of the authenticated user."""
        return str(self._session.user()["id"])

    @property
    def organization_id(self) -> str:
        """The organization id of the authenticated user."""
        return str(self._session.user()["organizationId"])

    def _orders(self) -> OrderApi:
        from capella.orders import OrderApi

        return OrderApi(self._session.run, self._session)

    # -- downloads (capella/products.py, capella/download/) --------------------------------------

    def _products(self) -> ProductDownloads:
        from capella.products import DownloadOps, ProductDownloads

        orders = self._orders()
        ops = DownloadOps(
            presigned_items=orders.presigned_items,
            collects_for_task=self.get_collects_for_task,
            search=self.search,
            submit_order=orders.submit,
        )
        return ProductDownloads(ops, self._downloads.get(), self._log)

    def _fanout(self, executor: object) -> Fanout:
        from capella.download.fanout import Fanout

        return Fanout.of(executor, travelling(self._state, self))

    def get_asset_bytesize(self, pre_signed_url: str) -> int:
        """The size in bytes of a presigned asset (an error answer raises, never gives a size)."""
        return self._downloads.get().size(pre_signed_url)

    def download_asset(
        self,
        pre_signed_url: str,
        local_path: Path | str | S3Path = DEFAULT_DIR,
        override: bool = False,
        show_progress: bool = False,
        enable_resume: bool = True,
    ) -> Path | S3Path:
        """Download one presigned asset; return its path.

        ``local_path`` is the file to write, or a folder (existing, or a str ending in ``/``)
        that gets the URL's file name. An existing file is kept unless ``override``; an
        interrupted download resumes (``enable_resume``). A failure raises the asset's own
        error, e.g. ``AssetConnectError`` (a ``ConnectError``), as the reference SDK did.

        >>> client.download_asset(assets[0]["thumbnail"]["href"], local_path="/tmp/thumb.png")
        """
        return self._products().download_asset(
            pre_signed_url,
            local_path,
            override=override,
            show_progress=show_progress,
            enable_resume=enable_resume,
        )

    def download_products(
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

        Products come from (precedence high to low) ``items_presigned``, ``order_id``,
        ``tasking_request_id`` or ``collect_id``; the last two order the products on the fly
        (reusing an active order that holds them, charged to ``contract_id``).
        ``include`` / ``exclude`` take asset types (``raster`` means HH or VV; exclude wins),
        ``product_types`` e.g. ``["GEO", "SLC"]``; an invalid value raises
        ``InvalidInputError``. Files go to ``<local_dir>/<stac_id>/`` (``separate_dirs``) or
        straight into ``local_dir``, which is created if missing. A product with no matching
        asset maps to ``{}``. Every file is attempted; failures raise one ``DownloadError``
        afterwards, and completed files stay in place. ``show_progress``: bars and a summary
        line on stderr, or a ``capella.download.progress.RunProgress`` told of each outcome.

        ``executor`` (any ``concurrent.futures.Executor``: a ``ProcessPoolExecutor``, a Dask
        ``Client.get_executor()``) runs one job per asset there, into a folder every worker
        sees or an S3 prefix; the client, API key included, is pickled to the workers.

        >>> client.download_products(order_id=order_id, local_dir="imagery", include="raster")
        """
        return self._products().download_products(
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

    def download_product(
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
        """Deprecated: download one product's assets; use ``download_products``.

        Returns ``{asset_key: path}`` for ``assets_presigned`` or the first product of
        ``order_id``, saved under ``<local_dir>/<stac_id>/``.
        """
        import warnings

        warnings.warn(
            "download_product is deprecated; use download_products instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._products().download_product(
            assets_presigned=assets_presigned,
            order_id=order_id,
            local_dir=local_dir,
            include=include,
            exclude=exclude,
            override=override,
            threaded=threaded,
            show_progress=show_progress,
        )
