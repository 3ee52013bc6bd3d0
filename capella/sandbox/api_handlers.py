"""The handlers of the sandbox's API operations: each reads a request and asks the state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, NamedTuple

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from capella.sandbox.api_errors import ApiError, validation_error
from capella.sandbox.json_types import Json
from capella.sandbox.operation import Call, Handler
from capella.sandbox.request_book import RequestBook
from capella.sandbox.request_search import SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT
from capella.sandbox.state import State
from capella.sandbox.tasking_options import COLLECTION_TYPES

__all__ = ["Handlers", "request_handlers"]

log = logging.getLogger("capella.sandbox")


class Handlers(NamedTuple):
    """The handlers of one kind of request (tasking or repeat)."""

    create: Handler
    get: Handler
    update: Handler
    update_status: Handler
    search: Handler


def _json(data: Any) -> Response:
    return JSONResponse(data)


def _int_param(value: Any, name: str) -> int | None:
    """An integer from the URL query or the body (None when absent); anything else is a 400."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise validation_error([{"message": "Expected integer", "code": "invalid_type", "path": name}])


def _at_least_one(value: int | None, name: str) -> None:
    if value is not None and value < 1:
        raise validation_error(
            [
                {
                    "message": "Number must be greater than or equal to 1",
                    "code": "too_small",
                    "path": name,
                }
            ]
        )


async def get_user(call: Call) -> ASGIApp:
    """`GET /user`."""
    return _json(call.me.to_json())


async def search_catalog(call: Call) -> ASGIApp:
    """`POST /catalog/search` (paging in the URL query or the body)."""
    body = await call.json()
    # Only the URL's paging is passed on: the catalog reads the body's itself (the URL wins).
    query = call.request.query_params
    page = _int_param(query.get("page"), "page")
    limit = _int_param(query.get("limit"), "limit")
    denied = call.state.forbidden_collections(body.get("collections"))
    if denied:
        message = (
            "Your organization is not permitted to access any of the collections your query is "
            f"attempting to filter amongst ({', '.join(denied)})"
        )
        raise ApiError(403, "COLLECTION_ACCESS_DENIED", message, body={"error": message})
    # Pre-encoded bytes: encoding 900 items per page on the event loop took 40-80 ms and
    # serialised parallel page requests behind it. A bad search raises SearchError, an ApiError.
    page_body = call.state.catalog.search_body(body, page=page, limit=limit, base_url=call.base_url)
    return Response(page_body, media_type="application/json")


async def review_order(call: Call) -> ASGIApp:
    """`POST /orders/review`."""
    return _json(call.state.orders.review(call.me, await call.json()))


async def submit_order(call: Call) -> ASGIApp:
    """`POST /orders`."""
    return _json(call.state.orders.submit(call.me, await call.json()))


async def list_orders(call: Call) -> ASGIApp:
    """`GET /orders?customerId=`: a bare array."""
    query = call.request.query_params
    orders = call.state.orders.listing(
        call.me, query.get("customerId"), query.get("organizationId")
    )
    return _json(orders)


async def get_order(call: Call) -> ASGIApp:
    """`GET /orders/{orderId}`."""
    return _json(call.state.orders.get(call.me, call.param("orderId")))


async def get_order_download(call: Call) -> ASGIApp:
    """`GET /orders/{orderId}/download`: items with presigned asset hrefs."""
    return _json(call.state.orders.download(call.me, call.param("orderId"), call.base_url))


def _search_limit(call: Call, body: Json) -> tuple[int, int]:
    """`page` and `limit` of a request search: the URL query wins over the body."""
    query = call.request.query_params
    page = _int_param(query.get("page"), "page")
    limit = _int_param(query.get("limit"), "limit")
    page = page if page is not None else _int_param(body.get("page"), "page")
    limit = limit if limit is not None else _int_param(body.get("limit"), "limit")
    _at_least_one(page, "page")
    _at_least_one(limit, "limit")
    if limit is not None and limit > SEARCH_MAX_LIMIT:
        raise validation_error(
            [
                {
                    "message": f"Number must be less than or equal to {SEARCH_MAX_LIMIT}",
                    "code": "too_big",
                    "path": "limit",
                }
            ]
        )
    return page or 1, limit or SEARCH_DEFAULT_LIMIT


async def list_collects(call: Call) -> ASGIApp:
    """`GET /collects/list/{taskingrequestId}`: a bare array."""
    return _json(call.state.tasks.collects_of(call.me, call.param("taskingrequestId")))


def request_handlers(book_of: Callable[[State], RequestBook[Any]], id_param: str) -> Handlers:
    """The create, get, update, status and search handlers of one kind of request."""

    async def create(call: Call) -> ASGIApp:
        return _json(book_of(call.state).create(call.me, await call.json()))

    async def get(call: Call) -> ASGIApp:
        return _json(book_of(call.state).get(call.me, call.param(id_param)))

    async def update(call: Call) -> ASGIApp:
        body = await call.json()
        return _json(book_of(call.state).update(call.me, call.param(id_param), body))

    async def update_status(call: Call) -> ASGIApp:
        body = await call.json()
        return _json(book_of(call.state).update_status(call.me, call.param(id_param), body))

    async def search(call: Call) -> ASGIApp:
        # The filters are in `query` or `filter`; page and limit in the URL query or the body.
        body = await call.json()
        page, limit = _search_limit(call, body)
        filters = body["query"] if "query" in body else body.get("filter")
        return _json(book_of(call.state).search(call.me, filters, page, limit, body))

    return Handlers(create, get, update, update_status, search)


async def list_collection_types(call: Call) -> ASGIApp:
    """`GET /collectiontypes`."""
    return _json(
        [
            {"name": c.name, "description": c.description, "collectMode": c.collect_mode}
            for c in COLLECTION_TYPES.values()
        ]
    )
