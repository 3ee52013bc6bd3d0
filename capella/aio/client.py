"""``AsyncCapellaConsoleClient``: the asyncio facade, method for method the sync client's."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from capella._auth import Credentials, resolve_credentials
from capella._http import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, RetrySettings
from capella._logging import ClientLog
from capella.aio._http import AsyncApiSession
from capella.aio._orders import AsyncOrderApi
from capella.aio._products import AsyncDownloaderSlot, AsyncProductDownloads
from capella.aio._tasking import AsyncTaskingMethods, UserIds
from capella.enumerations import AssetType, ProductType
from capella.errors import AuthenticationError, CapellaConsoleClientError
from capella.filters import CatalogFilters
from capella.orders import normalize_ids
from capella.products import DEFAULT_DIR, DownloadOps, download_settings
from capella.results import StacSearchResult

if TYPE_CHECKING:
    from cloudpathlib import S3Path


def _get_user() -> Any:
    # Imported lazily: the generated package imports every model, which costs import time.
    from capella_api.api.user import get_user

    return get_user


class AsyncCapellaConsoleClient:
    """Client of the Capella API on asyncio: ``CapellaConsoleClient``'s methods, awaitable.

    Arguments, results and errors are those of the sync client. Credentials, in order of
    precedence: ``api_key``, ``token``, the ``CAPELLA_API_KEY`` environment variable, then a
    prompt (only when stdin is a terminal). A constructor cannot await, so the credentials are
    checked with ``GET /user`` on ``async with`` (unless ``no_token_check``). Close the client
    with ``async with`` or ``await client.aclose()``.
    """

    def __init__(
        self,
        api_key: str | None = None,
        token: str | None = None,
        verbose: bool = False,
        no_token_check: bool = False,
        base_url: str | None = DEFAULT_BASE_URL,
        search_url: str | None = None,
        no_auth: bool = False,
        *,
        max_retries: int = 3,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        download_connections: int = 8,
        segment_threshold: int = 64 * 1024 * 1024,
    ) -> None:
        credentials: Credentials | None = None if no_auth else resolve_credentials(api_key, token)
        self.verbose = verbose
        self._check_token = not (no_auth or no_token_check)
        self._log = ClientLog(verbose=verbose, secrets=[credentials.secret] if credentials else [])
        self._session = AsyncApiSession(
            base_url=base_url or DEFAULT_BASE_URL,
            search_url=search_url,
            credentials=credentials,
            timeout=timeout,
            retry=RetrySettings(max_retries=max_retries),
            log=self._log,
            transport=transport,
        )
        self._user_lock = asyncio.Lock()
        self._user: dict[str, Any] | None = None
        # The sync client's download options, and its timeout and retries, reach downloads.
        settings = download_settings(
            download_connections=download_connections,
            segment_threshold=segment_threshold,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._downloads = AsyncDownloaderSlot(settings, transport=transport, log=self._log)

    # -- plumbing ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"AsyncCapellaConsoleClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> AsyncCapellaConsoleClient:
        if self._check_token:
            try:
                await self._authenticate()
            except BaseException:
                await self.aclose()
                raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

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

    async def _authenticate(self) -> None:
        try:
            user = await self._user_info()
        except AuthenticationError as exc:
            scheme = self._session.credentials.scheme.value if self._session.credentials else ""
            kind = "API key" if scheme == "ApiKey" else "token"
            raise AuthenticationError(
                f"Unable to authenticate with {self.base_url}: the provided {kind} is invalid "
                f"({exc.message})",
                exc.code,
                exc.data,
                exc.response,
            ) from exc
        self._log.info("successfully authenticated as %s", user.get("email"))

    async def _user_info(self) -> dict[str, Any]:
        """The cached ``GET /user`` answer, fetched on first use (once, however many ask)."""
        async with self._user_lock:
            if self._user is None:
                user = await self._session.call_json(_get_user())
                if not isinstance(user, dict):
                    raise CapellaConsoleClientError("GET /user did not return an object")
                self._user = user
            return self._user

    async def _customer_id(self) -> str:
        return str((await self._user_info())["id"])

    async def _user_ids(self) -> UserIds:
        user = await self._user_info()
        return UserIds(str(user["id"]), str(user["organizationId"]))

    # -- user -------------------------------------------------------------------------------

    async def whoami(self) -> dict[str, Any]:
        """Return the authenticated user's info (``GET /user``)."""
        user = await self._session.call_json(_get_user())
        if not isinstance(user, dict):
            raise CapellaConsoleClientError("GET /user did not return an object")
        return user

    # -- catalog (capella/query.py, pagination.py, results.py) ----------------------------------

    async def search(self, **filters: Unpack[CatalogFilters]) -> StacSearchResult:
        """Search the STAC catalog and return the matching items (up to ``limit``, default 500).

        Filters as for ``CapellaConsoleClient.search`` (every field and operator is listed in
        ``capella.filters.CatalogFilters``); ``threaded=True`` fetches up to 8 pages at a time.
        An unknown field, operator or value raises ``InvalidFilterError`` before any request.

        >>> await client.search(product_type="GEO", look_angle__gt=35, limit=10)
        """
        from capella.aio._search import search as run_search
        from capella.query import build_query

        query = build_query(filters, warn=self._log.warning)
        return await run_search(self._session, query)

    async def catalog_search(self, **filters: Unpack[CatalogFilters]) -> StacSearchResult:
        """Alias of :meth:`search`."""
        return await self.search(**filters)

    # -- orders (capella/orders.py) -------------------------------------------------------------

    def _orders(self) -> AsyncOrderApi:
        return AsyncOrderApi(self._session, self.search, self._customer_id, self._log)

    async def review_order(
        self,
        stac_ids: Sequence[str] | str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        contract_id: str | None = None,
    ) -> dict[str, Any]:
        """Price an order of STAC ids (or items) without placing it; return the review.

        Raises ``InsufficientFundsError`` when the order would not be authorized,
        ``NoValidStacIdsError`` when no id is in the catalog, and its subclass
        ``UnknownStacIdsError`` naming the ids that are not.
        """
        return await self._orders().review(stac_ids, items, contract_id)

    async def submit_order(
        self,
        stac_ids: Sequence[str] | str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        check_active_orders: bool = False,
        omit_search: bool = False,
        omit_review: bool = False,
        contract_id: str | None = None,
    ) -> str:
        """Order STAC ids (precedence) or items and return the order id.

        As ``CapellaConsoleClient.submit_order``: an order is never submitted twice; if the
        connection fails after the request was sent, the client looks for the order it may have
        created and returns it, or raises ``AmbiguousRequestError``.
        """
        return await self._orders().submit(
            stac_ids, items, check_active_orders, omit_search, omit_review, contract_id
        )

    async def list_orders(
        self,
        *ids: str | None,
        is_active: bool | None = False,
        order_ids: Sequence[str] | str | None = None,
    ) -> list[dict[str, Any]]:
        """List your orders: the given ones (``*ids`` or ``order_ids=[...]``), or all of them.

        ``is_active=True`` keeps the non-expired orders (latest-expiring first), restricted to
        the given ids if any.
        """
        wanted = normalize_ids([i for i in ids if i is not None]) + normalize_ids(order_ids)
        return await self._orders().list_orders(wanted, is_active=bool(is_active))

    async def get_stac_items_of_order(
        self, order_id: str, ids_only: bool = False
    ) -> list[str] | StacSearchResult:
        """The STAC items of an order (its STAC ids with ``ids_only=True``)."""
        if ids_only:
            return await self._orders().stac_ids_of_order(order_id)
        return await self._orders().stac_items_of_order(order_id)

    async def get_presigned_items(
        self,
        order_id: str,
        stac_ids: Sequence[str] | str | None = None,
        sort_by: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """The STAC items of an order with presigned asset hrefs.

        ``stac_ids`` keeps only those items; ``sort_by`` (a list of STAC ids) returns the items
        in exactly that order, items it does not name last in the API's order.
        """
        return await self._orders().presigned_items(order_id, stac_ids, sort_by)

    async def get_presigned_assets(
        self,
        order_id: str,
        stac_ids: Sequence[str] | str | None = None,
        sort_by: Sequence[str] | None = None,
        assets_only: bool | None = True,
    ) -> list[dict[str, Any]]:
        """The ``assets`` of each presigned item of an order (see ``get_presigned_items``)."""
        if not assets_only:
            self._log.warning(
                "assets_only has no effect and is kept for compatibility; "
                "use get_presigned_items for whole items"
            )
        items = await self._orders().presigned_items(order_id, stac_ids, sort_by)
        return [dict(item.get("assets") or {}) for item in items]

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
        show_progress: bool = False,
        separate_dirs: bool = True,
        product_types: list[str | ProductType] | str | None = None,
        contract_id: str | None = None,
        enable_resume: bool = True,
    ) -> dict[str, dict[str, Path | S3Path]]:
        """Download the assets of several products; return ``{stac_id: {asset_key: path}}``.

        Arguments as for ``CapellaConsoleClient.download_products``; the files are fetched
        concurrently on the event loop (up to ``download_connections`` at a time, one with
        ``threaded=False``). Every file is attempted; failures raise one ``DownloadError``
        afterwards, and completed files stay in place.
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

    # -- tasking and repeat requests (capella/tasking/, capella/aio/_tasking.py) ----------------

    create_tasking_request = AsyncTaskingMethods.create_tasking_request
    create_repeat_request = AsyncTaskingMethods.create_repeat_request
    get_task = AsyncTaskingMethods.get_task
    is_task_completed = staticmethod(AsyncTaskingMethods.is_task_completed)
    get_collects_for_task = AsyncTaskingMethods.get_collects_for_task
    search_tasking_requests = AsyncTaskingMethods.search_tasking_requests
    search_repeat_requests = AsyncTaskingMethods.search_repeat_requests
    search_repeat_request = AsyncTaskingMethods.search_repeat_request
    cancel_tasking_requests = AsyncTaskingMethods.cancel_tasking_requests
    cancel_repeat_requests = AsyncTaskingMethods.cancel_repeat_requests
    update_tasking_requests = AsyncTaskingMethods.update_tasking_requests
    update_repeat_requests = AsyncTaskingMethods.update_repeat_requests
