"""The API methods of both clients, listed once: each is an operation of its module.

``CapellaConsoleClient`` runs them on the calling thread, ``AsyncCapellaConsoleClient`` awaits
them (see :class:`capella._methods.operation`); their signatures and docstrings are the
operations'.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

from capella._auth import resolve_credentials
from capella._config import ClientOptions
from capella._logging import ClientLog
from capella._methods import operation

# Either session (named, not imported: the asyncio one is loaded only by the async client).
S = TypeVar("S", "ApiSession", "AsyncApiSession")

if TYPE_CHECKING:
    from capella import _auth, orders, pagination
    from capella._http import ApiSession
    from capella.aio._http import AsyncApiSession
    from capella.tasking import bulk, create, read
    from capella.tasking import search as requests_search
else:

    class _Lazy(ModuleType):
        """A module imported on first attribute access (when a method is first used)."""

        def __getattr__(self, name: str) -> object:
            return getattr(importlib.import_module(self.__name__), name)

    _auth, orders, pagination = (_Lazy(f"capella.{m}") for m in ("_auth", "orders", "pagination"))
    bulk, create, read, requests_search = (
        _Lazy(f"capella.tasking.{m}") for m in ("bulk", "create", "read", "search")
    )


class ApiMethods:
    """The methods that talk to the API (downloads aside), shared by both clients."""

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


def open_session(
    session_type: type[S],
    transport: Any,
    api_key: str | None,
    token: str | None,
    verbose: bool,
    no_auth: bool,
    **options: Any,
) -> tuple[S, ClientOptions]:
    """Check a client's options, resolve its credentials and open its session (either kind)."""
    checked = ClientOptions.of(**options)
    credentials = None if no_auth else resolve_credentials(api_key, token)
    log = ClientLog(verbose=verbose, secrets=[credentials.secret] if credentials else [])
    settings = session_type.options_of(checked)
    session = session_type(credentials=credentials, log=log, transport=transport, **settings)
    return session, checked
