"""The sandbox's HTTP layer: a starlette app speaking the Capella API's wire format.

The routes name an :class:`~capella.sandbox.operation.Operation` (faults, auth, errors) and its
handler: the API's in `api_handlers.py`, the presigned asset host's in `asset_host.py`.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Route

from capella.sandbox.api_handlers import (
    get_order,
    get_order_download,
    get_user,
    list_collection_types,
    list_collects,
    list_orders,
    request_handlers,
    review_order,
    search_catalog,
    submit_order,
)
from capella.sandbox.asset_host import serve_asset
from capella.sandbox.config import SandboxConfig
from capella.sandbox.faults import FaultInjector
from capella.sandbox.operation import (
    Handler,
    Operation,
    SandboxContext,
    http_exception,
    server_error,
)
from capella.sandbox.state import State

__all__ = ["SandboxContext", "create_app"]


def _routes() -> list[Route]:
    def op(path: str, method: str, name: str, handler: Handler, *, auth: bool = True) -> Route:
        return Route(path, Operation(name, handler, auth=auth), methods=[method], name=name)

    tasks = request_handlers(lambda state: state.tasks, "taskingrequestId")
    repeats = request_handlers(lambda state: state.repeats, "repeatrequestId")
    task, repeat = "/task/{taskingrequestId}", "/repeat-requests/{repeatrequestId}"

    return [
        op("/user", "GET", "getUser", get_user),
        op("/catalog/search", "POST", "searchCatalog", search_catalog),
        op("/orders/review", "POST", "reviewOrder", review_order),
        op("/orders", "POST", "submitOrder", submit_order),
        op("/orders/", "POST", "submitOrder", submit_order),
        op("/orders", "GET", "listOrders", list_orders),
        op("/orders/", "GET", "listOrders", list_orders),
        op("/orders/{orderId}", "GET", "getOrder", get_order),
        op("/orders/{orderId}/download", "GET", "getOrderDownload", get_order_download),
        op("/task", "POST", "createTaskingRequest", tasks.create),
        op(task, "GET", "getTaskingRequest", tasks.get),
        op(task, "PATCH", "updateTaskingRequest", tasks.update),
        op("/tasks/{taskingrequestId}", "PATCH", "updateTaskingRequest", tasks.update),
        op(f"{task}/status", "PATCH", "updateTaskingRequestStatus", tasks.update_status),
        op("/tasks/search", "POST", "searchTaskingRequests", tasks.search),
        op("/collects/list/{taskingrequestId}", "GET", "listCollectsForTask", list_collects),
        op("/repeat-requests", "POST", "createRepeatRequest", repeats.create),
        op("/repeat-requests/search", "POST", "searchRepeatRequests", repeats.search),
        op(repeat, "PATCH", "updateRepeatRequest", repeats.update),
        op(f"{repeat}/status", "PATCH", "updateRepeatRequestStatus", repeats.update_status),
        op("/collectiontypes", "GET", "listCollectionTypes", list_collection_types),
        op("/assets/{key:path}", "GET", "assets", serve_asset, auth=False),
    ]


def create_app(
    config: SandboxConfig | None = None,
    *,
    state: State | None = None,
    faults: FaultInjector | None = None,
) -> Starlette:
    """The sandbox as an ASGI app; `app.state.sandbox` holds its config, state and faults."""
    config = config or SandboxConfig()
    app = Starlette(
        routes=_routes(),
        exception_handlers={HTTPException: http_exception, Exception: server_error},
    )
    # An unknown path with a trailing slash is a 404 envelope, not a redirect.
    app.router.redirect_slashes = False
    app.state.sandbox = SandboxContext(
        config=config,
        state=state if state is not None else State(config),
        faults=faults if faults is not None else FaultInjector(),  # an empty injector is falsy
    )
    return app
