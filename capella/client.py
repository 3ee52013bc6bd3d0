"""``CapellaConsoleClient``: the public facade. It wires the modules together; methods are short."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from capella._auth import Credentials, resolve_credentials
from capella._http import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, ApiSession, RetrySettings
from capella._logging import ClientLog
from capella.enumerations import AssetType, ProductType
from capella.errors import AuthenticationError, CapellaConsoleClientError
from capella.filters import CatalogFilters
from capella.orders import OrderApi
from capella.products import DEFAULT_DIR, ProductDownloads
from capella.results import StacSearchResult
from capella.tasking._bind import TaskingMethods

if TYPE_CHECKING:
    from cloudpathlib import S3Path


def _api() -> Any:
    # Imported lazily: the generated package imports every model, which costs import time.
    from capella_api.api.user import get_user

    return get_user


class CapellaConsoleClient:
    """Client of the Capella API (https://api.capellaspace.com or a sandbox).

    Credentials, in order of precedence: ``api_key``, ``token``, the ``CAPELLA_API_KEY``
    environment variable, then a prompt (only when stdin is a terminal). Unless
    ``no_token_check``, the credentials are checked with ``GET /user`` at construction.
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
        transport: httpx.BaseTransport | None = None,
        download_connections: int = 8,
        segment_threshold: int = 64 * 1024 * 1024,
    ) -> None:
        credentials: Credentials | None = None if no_auth else resolve_credentials(api_key, token)
        self.verbose = verbose
        self._log = ClientLog(verbose=verbose, secrets=[credentials.secret] if credentials else [])
        self._session = ApiSession(
            base_url=base_url or DEFAULT_BASE_URL,
            search_url=search_url,
            credentials=credentials,
            timeout=timeout,
            retry=RetrySettings(max_retries=max_retries),
            log=self._log,
            transport=transport,
        )
        self._user_lock = threading.Lock()
        self._user: dict[str, Any] | None = None
        from capella.products import DownloaderSlot, download_settings

        # One downloader, created on first use; the client's timeout and retries reach it.
        settings = download_settings(
            download_connections=download_connections,
            segment_threshold=segment_threshold,
            timeout=timeout,
            max_retries=max_retries,
        )
        self._downloads = DownloaderSlot(settings, transport=transport, log=self._log)
        if not (no_auth or no_token_check):
            self._authenticate()

    # -- plumbing ---------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"CapellaConsoleClient(base_url={self.base_url!r})"

    def __enter__(self) -> CapellaConsoleClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

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

    def _authenticate(self) -> None:
        try:
            self._user_info()
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
        self._log.info("successfully authenticated as %s", (self._user or {}).get("email"))

    def _user_info(self) -> dict[str, Any]:
        """The cached ``GET /user`` answer, fetched on first use."""
        with self._user_lock:
            if self._user is None:
                user = self._session.call_json(_api())
                if not isinstance(user, dict):
                    raise CapellaConsoleClientError("GET /user did not return an object")
                self._user = user
            return self._user

    @property
    def customer_id(self) -> str:
        """The id of the authenticated user."""
        return str(self._user_info()["id"])

    @property
    def organization_id(self) -> str:
        """The organization id of the authenticated user."""
        return str(self._user_info()["organizationId"])

    # -- user -------------------------------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        """Return the authenticated user's info (``GET /user``)."""
        user = self._session.call_json(_api())
        if not isinstance(user, dict):
            raise CapellaConsoleClientError("GET /user did not return an object")
        return user

    # -- catalog (capella/query.py, pagination.py, results.py) ----------------------------------

    def search(self, **filters: Unpack[CatalogFilters]) -> StacSearchResult:
        """Search the STAC catalog and return the matching items (up to ``limit``, default 500).

        Filters are ``field=value`` or ``field__op=value`` with op in eq, in, gt, gte, lt, lte
        (a list value means ``in``); ``bbox``, ``intersects``, ``collections``, ``ids`` and
        ``limit`` (at most 10,000) go to the body root; ``sortby`` takes ``"-datetime"`` or a
        list such as ``["-datetime", "+id"]``; ``ownership`` one of ``OwnershipOption``;
        ``threaded=True`` fetches the pages in parallel. Every field and operator is listed in
        ``capella.filters.CatalogFilters``. An unknown field, operator or value raises
        ``InvalidFilterError`` before any request. For example
        ``client.search(product_type="GEO", look_angle__gt=35, sortby="-datetime", limit=10)``.
        """
        from capella.pagination import search as run_search
        from capella.query import build_query

        query = build_query(filters, warn=self._log.warning)
        return run_search(self._session, query)

    def catalog_search(self, **filters: Unpack[CatalogFilters]) -> StacSearchResult:
        """Alias of :meth:`search`."""
        return self.search(**filters)

    # -- orders (capella/orders.py) -------------------------------------------------------------

    def _orders(self) -> OrderApi:
        from capella.orders import OrderApi

        return OrderApi(self._session, self.search, lambda: self.customer_id, self._log)

    def review_order(
        self,
        stac_ids: Sequence[str] | str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        contract_id: str | None = None,
    ) -> dict[str, Any]:
        """Price an order of STAC ids (or items) without placing it; return the review.

        Raises ``InsufficientFundsError`` when the order would not be authorized,
        ``NoValidStacIdsError`` when no id is in the catalog, and its subclass
        ``UnknownStacIdsError`` naming the ids that are not.

        >>> client.review_order(items=results)["orderDetails"]["summary"]
        """
        return self._orders().review(stac_ids, items, contract_id)

    def submit_order(
        self,
        stac_ids: Sequence[str] | str | None = None,
        items: Iterable[Mapping[str, Any]] | None = None,
        check_active_orders: bool = False,
        omit_search: bool = False,
        omit_review: bool = False,
        contract_id: str | None = None,
    ) -> str:
        """Order STAC ids (precedence) or items and return the order id.

        ``check_active_orders`` returns the latest-expiring active order that already holds every
        id instead; ``omit_search`` trusts the given items (no catalog lookup); ``omit_review``
        skips the price check. Every id is ordered, however many; unknown ids raise
        ``UnknownStacIdsError`` and nothing is ordered. An order is never submitted twice: if
        the connection fails after the request was sent, the client looks for the order it may
        have created and returns it, or raises ``AmbiguousRequestError``.

        >>> order_id = client.submit_order(items=results, check_active_orders=True)
        """
        return self._orders().submit(
            stac_ids, items, check_active_orders, omit_search, omit_review, contract_id
        )

    def list_orders(
        self,
        *ids: str | None,
        is_active: bool | None = False,
        order_ids: Sequence[str] | str | None = None,
    ) -> list[dict[str, Any]]:
        """List your orders: the given ones (``*ids`` or ``order_ids=[...]``), or all of them.

        ``is_active=True`` keeps the non-expired orders (latest-expiring first), restricted to
        the given ids if any.

        >>> client.list_orders(is_active=True)
        >>> client.list_orders(order_ids=[order_id])
        """
        from capella.orders import normalize_ids

        wanted = normalize_ids([i for i in ids if i is not None]) + normalize_ids(order_ids)
        return self._orders().list_orders(wanted, is_active=bool(is_active))

    def get_stac_items_of_order(
        self, order_id: str, ids_only: bool = False
    ) -> list[str] | StacSearchResult:
        """The STAC items of an order (its STAC ids with ``ids_only=True``)."""
        if ids_only:
            return self._orders().stac_ids_of_order(order_id)
        return self._orders().stac_items_of_order(order_id)

    def get_presigned_items(
        self,
        order_id: str,
        stac_ids: Sequence[str] | str | None = None,
        sort_by: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """The STAC items of an order with presigned asset hrefs.

        ``stac_ids`` keeps only those items; ``sort_by`` (a list of STAC ids) returns the items
        in exactly that order, items it does not name last in the API's order.

        >>> client.get_presigned_items(order_id, sort_by=sorted(ids))[0]["assets"]["HH"]["href"]
        """
        return self._orders().presigned_items(order_id, stac_ids, sort_by)

    def get_presigned_assets(
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
        items = self._orders().presigned_items(order_id, stac_ids, sort_by)
        return [dict(item.get("assets") or {}) for item in items]

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
        show_progress: bool = False,
        separate_dirs: bool = True,
        product_types: list[str | ProductType] | str | None = None,
        contract_id: str | None = None,
        enable_resume: bool = True,
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
        afterwards, and completed files stay in place.

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

    # -- tasking and repeat requests (capella/tasking/) -----------------------------------------

    # The methods live in capella/tasking/ (functions taking the session first), wrapped once
    # with their signatures and docstrings; the client only takes them into its class.

    create_tasking_request = TaskingMethods.create_tasking_request
    create_repeat_request = TaskingMethods.create_repeat_request
    get_task = TaskingMethods.get_task
    is_task_completed = staticmethod(TaskingMethods.is_task_completed)
    get_collects_for_task = TaskingMethods.get_collects_for_task
    search_tasking_requests = TaskingMethods.search_tasking_requests
    search_repeat_requests = TaskingMethods.search_repeat_requests
    search_repeat_request = TaskingMethods.search_repeat_request
    cancel_tasking_requests = TaskingMethods.cancel_tasking_requests
    cancel_repeat_requests = TaskingMethods.cancel_repeat_requests
    update_tasking_requests = TaskingMethods.update_tasking_requests
    update_repeat_requests = TaskingMethods.update_repeat_requests
