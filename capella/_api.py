"""The methods of both clients, listed once (each an operation of its module), and their base.

``CapellaConsoleClient`` runs them on the calling thread, ``AsyncCapellaConsoleClient`` awaits
them (see :class:`capella._methods.operation`); their signatures and docstrings are the
operations'.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx

from capella import _auth
from capella._auth import resolve_credentials
from capella._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_SEGMENT_THRESHOLD,
    DEFAULT_TIMEOUT,
    DOWNLOAD_CONNECTIONS,
    ClientOptions,
    client_state,
    rebuild_client,
    travelling,
)
from capella._flow import Flow
from capella._logging import ClientLog
from capella._methods import operation

# Either client's transport.
TransportT = TypeVar("TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)

if TYPE_CHECKING:
    from capella import downloads, orders, pagination
    from capella.tasking import bulk, create, read
    from capella.tasking import search as requests_search
else:

    class _Lazy(ModuleType):
        """A module imported on first attribute access (when a method is first used)."""

        def __getattr__(self, name: str) -> object:
            return getattr(importlib.import_module(self.__name__), name)

    orders, pagination, downloads = (
        _Lazy(f"capella.{m}") for m in ("orders", "pagination", "downloads")
    )
    bulk, create, read, requests_search = (
        _Lazy(f"capella.tasking.{m}") for m in ("bulk", "create", "read", "search")
    )


class ApiMethods:
    """The methods that talk to the API and download, shared by both clients."""

    whoami = operation(lambda: _auth.whoami)
    search = operation(lambda: pagination.search_catalog)
    catalog_search = operation(lambda: pagination.search_catalog)
    review_order = operation(lambda: orders.review_order)
    submit_order = operation(lambda: orders.submit_order)
    list_orders = operation(lambda: orders.list_orders_of)
    get_stac_items_of_order = operation(lambda: orders.get_stac_items_of_order)
    get_presigned_items = operation(lambda: orders.get_presigned_items)
    get_presigned_assets = operation(lambda: orders.get_presigned_assets)
    create_tasking_request = operation(lambda: create.create_tasking_request)
    create_repeat_request = operation(lambda: create.create_repeat_request)
    get_task = operation(lambda: read.get_task)

    @staticmethod
    def is_task_completed(task: object) -> bool:
        """Return whether a tasking request (as ``get_task`` returns it) reached ``completed``.

        It reads the task it is given and sends nothing (not a coroutine in the async client).
        """
        return read.is_task_completed(task)

    get_collects_for_task = operation(lambda: read.get_collects_for_task)
    search_tasking_requests = operation(lambda: requests_search.search_tasking_requests)
    search_repeat_requests = operation(lambda: requests_search.search_repeat_requests)
    search_repeat_request = operation(lambda: requests_search.search_repeat_requests)
    cancel_tasking_requests = operation(lambda: bulk.cancel_tasking_requests)
    cancel_repeat_requests = operation(lambda: bulk.cancel_repeat_requests)
    update_tasking_requests = operation(lambda: bulk.update_tasking_requests)
    update_repeat_requests = operation(lambda: bulk.update_repeat_requests)
    get_asset_bytesize = operation(lambda: downloads.get_asset_bytesize)
    download_asset = operation(lambda: downloads.download_asset)
    download_products = operation(lambda: downloads.download_products)
    download_product = operation(lambda: downloads.download_product)


class ClientCore(ApiMethods, Generic[TransportT]):
    """What both clients are built of: options, session, downloads, pickling state, repr.

    Each client adds only what differs: its session type and download driver, when the
    credentials are checked (the sync client at construction, the async one on ``async
    with``), and ``close`` or ``aclose``.
    """

    # Set by each client: its session class, and its download driver ("module.Class",
    # imported on construction so that ``import capella`` does not load the engines).
    _session_type: ClassVar[Any]
    _transfers_type: ClassVar[str]
    _session: Any

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
        transport: TransportT | None = None,
        download_connections: int = DOWNLOAD_CONNECTIONS,
        segment_threshold: int = DEFAULT_SEGMENT_THRESHOLD,
        gc_pause: bool = True,
    ) -> None:
        from capella.download.settings import download_settings

        self.options = options = ClientOptions.of(
            base_url=base_url,
            search_url=search_url,
            timeout=timeout,
            max_retries=max_retries,
            download_connections=download_connections,
            segment_threshold=segment_threshold,
            gc_pause=gc_pause,
        )
        credentials = None if no_auth else resolve_credentials(api_key, token)
        self.verbose = verbose
        self._log = ClientLog(verbose=verbose, secrets=[credentials.secret] if credentials else [])
        session_type = self._session_type
        self._session = session_type(
            credentials=credentials,
            log=self._log,
            transport=transport,
            **session_type.options_of(options),
        )
        # What the client pickles as (see __reduce__); a custom transport cannot travel.
        self._state = None if transport is not None else client_state(options, credentials, verbose)
        module, _, name = self._transfers_type.rpartition(".")
        driver = getattr(importlib.import_module(module), name)
        # The downloads' driver: engines made on first use; the client's timeout and retries
        # reach them. The session hands it every download step (capella.downloads).
        self._downloads = driver(
            download_settings(options),
            session=self._session,
            transport=transport,
            log=self._log,
            state=self._state,
            owner=type(self).__name__,
        )
        self._session.handoff = self._downloads.perform
        self._check_token = not (no_auth or no_token_check)
        self._opened()

    def _opened(self) -> None:
        """What a client does once built (the sync client checks the credentials)."""

    def _authenticate(self) -> Flow[Any]:
        """The credential check (``GET /user``) as an operation."""
        return _auth.authenticate(self._session, self.base_url, self._session.credentials)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as configuration (URLs, credential, retries, timeouts, download settings).

        The API key travels with it, as with any credentialed client sent to workers;
        connections are rebuilt where it is unpickled.
        """
        return rebuild_client, (type(self), travelling(self._state, type(self).__name__))

    @property
    def base_url(self) -> str:
        """The API base URL."""
        return str(self._session.base_url)

    @property
    def search_url(self) -> str:
        """The catalog search URL."""
        return str(self._session.search_url)
