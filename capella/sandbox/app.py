"""The sandbox's HTTP layer: a starlette app speaking the Capella API's wire format.

Each route is an :class:`Operation` named by its operationId. An operation applies the faults of
its route, checks the `Authorization` header (except on the presigned asset host), parses the
JSON body and turns :class:`~capella.sandbox.api_errors.ApiError` into the API's error envelope. The
asset host streams straight to the ASGI `send` so that a loopback download measures the client.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, NamedTuple

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capella.sandbox.api_errors import ApiError, validation_error
from capella.sandbox.assets import read_range
from capella.sandbox.config import SandboxConfig
from capella.sandbox.faults import Fault, FaultInjector, FaultPlan
from capella.sandbox.request_book import RequestBook
from capella.sandbox.request_search import SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT
from capella.sandbox.state import State
from capella.sandbox.tasking_options import COLLECTION_TYPES
from capella.sandbox.users import User

__all__ = ["SandboxContext", "create_app"]

log = logging.getLogger("capella.sandbox")
Json = dict[str, Any]


@dataclass
class SandboxContext:
    """What every request of one app shares: configuration, state and faults."""

    config: SandboxConfig
    state: State
    faults: FaultInjector


@dataclass
class Call:
    """One API request as a handler sees it."""

    request: Request
    context: SandboxContext
    user: User | None
    plan: FaultPlan

    @property
    def state(self) -> State:
        """The sandbox state."""
        return self.context.state

    @property
    def me(self) -> User:
        """The authenticated user (operations that require auth only)."""
        assert self.user is not None
        return self.user

    @property
    def base_url(self) -> str:
        """This server's root URL as the client reached it, without a trailing slash."""
        return str(self.request.base_url).rstrip("/")

    def param(self, name: str) -> str:
        """A path parameter."""
        return str(self.request.path_params[name])

    async def json(self) -> Json:
        """The JSON object body; malformed or non-object bodies are a VALIDATION_ERROR."""
        raw = await self.request.body()
        try:
            body = json.loads(raw) if raw.strip() else None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise validation_error(
                [{"message": f"Malformed JSON body: {exc}", "code": "invalid_json", "path": ""}]
            ) from None
        if not isinstance(body, dict):
            raise validation_error(
                [{"message": "Expected a JSON object body", "code": "invalid_type", "path": ""}]
            )
        return body


Handler = Callable[[Call], Awaitable[ASGIApp]]


class Handlers(NamedTuple):
    """The handlers of one kind of request (tasking or repeat)."""

    create: Handler
    get: Handler
    update: Handler
    update_status: Handler
    search: Handler


class _ConnectionCut(Exception):
    """Raised through the app to abandon a response mid-body (a `cut` fault)."""


class _CuttingSend:
    """Forwards the first `limit` body bytes, then aborts the response."""

    def __init__(self, send: Send, limit: int) -> None:
        self._send = send
        self._left = limit

    async def __call__(self, message: Message) -> None:
        if message["type"] != "http.response.body":
            await self._send(message)
            return
        body: bytes = message.get("body", b"")
        if len(body) > self._left or (self._left == 0 and message.get("more_body", False)):
            if self._left:
                await self._send({**message, "body": body[: self._left], "more_body": True})
            raise _ConnectionCut
        self._left -= len(body)
        await self._send(message)


class Operation:
    """An ASGI endpoint for one operationId: faults, auth, errors, then the handler."""

    def __init__(self, name: str, handler: Handler, *, auth: bool = True) -> None:
        self.name = name
        self.handler = handler
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        context: SandboxContext = scope["app"].state.sandbox
        plan = context.faults.take(self.name)
        delay = context.config.latency + plan.latency
        if delay > 0:
            await asyncio.sleep(delay)
        if plan.cut_after is not None:
            send = _CuttingSend(send, plan.cut_after)
        request = Request(scope, receive)
        response: ASGIApp
        if plan.status is not None:
            response = _fault_response(plan.status, asset=not self.auth)
        else:
            user = context.state.authenticate(request.headers.get("authorization"))
            if self.auth and user is None:
                # The API gateway's own body, not Capella's envelope.
                response = JSONResponse({"message": "Unauthorized"}, status_code=401)
            else:
                try:
                    response = await self.handler(Call(request, context, user, plan))
                except ApiError as exc:
                    response = JSONResponse(exc.body, status_code=exc.status)
        try:
            await response(scope, receive, send)
        except _ConnectionCut:
            # Returning without finishing the body makes uvicorn close the connection.
            log.info("fault: cut %s %s mid-body", scope["method"], scope["path"])


# ---------------------------------------------------------------------------------- errors


def _envelope(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = {"error": {"message": message, "code": code}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


_GATEWAY_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)
_FAULT_ERRORS = {
    429: ("TOO_MANY_REQUESTS", "Too Many Requests", "SlowDown", "Please reduce your request rate."),
    500: (
        "INTERNAL_SERVER_ERROR",
        "Internal Server Error",
        "InternalError",
        "We encountered an internal error. Please try again.",
    ),
    503: (
        "SERVICE_UNAVAILABLE",
        "Service Unavailable",
        "ServiceUnavailable",
        "Service is unable to handle request.",
    ),
    504: ("GATEWAY_TIMEOUT", "Endpoint request timed out", "RequestTimeout", "Request timed out."),
}


def _fault_response(fault: Fault, *, asset: bool) -> Response:
    if fault.status == 502:
        return Response(_GATEWAY_502, status_code=502, media_type="text/html")
    code, message, s3_code, s3_message = _FAULT_ERRORS[fault.status]
    headers = {"Retry-After": str(fault.retry_after)} if fault.status in (429, 503) else {}
    if asset:
        return _s3_error(fault.status, s3_code, s3_message, headers)
    return _envelope(fault.status, code, message, headers)


def _s3_error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>SANDBOX</RequestId><HostId>capella-sandbox</HostId></Error>"
    )
    return Response(
        body, status_code=status, media_type="application/xml", headers=dict(headers or {})
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        code, message = (
            "METHOD_NOT_ALLOWED",
            f"Method {request.method} not allowed on {request.url.path}",
        )
    elif exc.status_code == 404:
        code, message = "NOT_FOUND", f"No route for {request.method} {request.url.path}"
    else:
        code, message = "GENERAL_API_ERROR", str(exc.detail)
    return _envelope(exc.status_code, code, message, exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    return _envelope(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")


# --------------------------------------------------------------------------------- handlers


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


def _request_handlers(book_of: Callable[[State], RequestBook[Any]], id_param: str) -> Handlers:
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


# ----------------------------------------------------------------------------------- assets


def _http_date(value: datetime | str) -> str:
    if isinstance(value, datetime):
        return format_datetime(value, usegmt=True)
    return value


def _parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(start, end inclusive), None to ignore the header, or False when unsatisfiable."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # S3 serves multi-range and unknown units as a plain 200
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    try:
        if not first:
            suffix = int(last)
            if suffix <= 0 or size == 0:
                return False
            return max(0, size - suffix), size - 1
        start = int(first)
        end = int(last) if last else None
    except ValueError:
        return None
    if end is not None and start > end:
        return None  # syntactically invalid: ignored, like S3
    if start >= size:
        return False
    end = size - 1 if end is None else end
    return start, min(end, size - 1)


class _AssetBody:
    """Streams bytes `start`..`end` of an asset (or only the headers for HEAD)."""

    def __init__(
        self,
        state: State,
        item: Json,
        key: str,
        status: int,
        headers: list[tuple[bytes, bytes]],
        span: tuple[int, int] | None,
        head: bool,
    ) -> None:
        self.state = state
        self.item = item
        self.key = key
        self.status = status
        self.headers = headers
        self.span = span
        self.head = head

    def _chunks(self) -> Iterator[bytes]:
        assert self.span is not None
        start, end = self.span
        # read_range takes a half-open [start, end).
        return read_range(self.item, self.key, self.state.config.raster_size, start, end + 1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        if self.head or self.span is None:
            await send({"type": "http.response.body", "body": b""})
            return
        # uvicorn drops writes after a disconnect without telling us: watch for it ourselves so
        # that an abandoned 1 GiB download stops generating bytes.
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.ensure_future(watch())
        try:
            for chunk in self._chunks():
                if gone.is_set():
                    return
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                # send() only yields when the socket buffer is full; once the peer is gone it
                # never is, so yield here to let the loop deliver connection_lost to us.
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": b""})
        finally:
            watcher.cancel()


def _check_signature(
    state: State, path: str, expires_raw: str | None, signature: str | None
) -> Response | None:
    """The S3 error for a bad or expired presigned URL, or None when it is valid."""
    if expires_raw is None or signature is None:
        return _s3_error(
            403,
            "AccessDenied",
            "Query-string authentication requires the Signature and Expires parameters",
        )
    try:
        expires = int(expires_raw)
    except ValueError:
        return _s3_error(403, "AccessDenied", "Invalid date (should be seconds since epoch)")
    if not state.signature_ok(path, expires, signature):
        return _s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    if expires < state.now().timestamp():
        return _s3_error(403, "AccessDenied", "Request has expired")
    return None


async def serve_asset(call: Call) -> ASGIApp:
    """`GET`/`HEAD /assets/...?Expires=&Signature=`: the presigned asset host (no auth)."""
    request = call.request
    state = call.state
    expires_raw = request.query_params.get("Expires")
    signature = request.query_params.get("Signature")
    path: str = request.scope["path"]
    found = state.resolve_asset(path.split("/")[2:])
    # Licences are public (their href is not presigned); everything else needs a signature.
    if found is None or found[1].key != "license":
        if call.plan.expired:
            return _s3_error(403, "AccessDenied", "Request has expired")
        refusal = _check_signature(state, path, expires_raw, signature)
        if refusal is not None:
            return refusal
    if found is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    item, file = found
    etag = file.etag
    last_modified = _http_date(file.last_modified)
    headers = [
        (b"content-type", file.media_type.encode()),
        (b"etag", etag.encode()),
        (b"last-modified", last_modified.encode()),
        (b"accept-ranges", b"bytes"),
    ]
    size = file.size
    span: tuple[int, int] | None = (0, size - 1) if size else None
    status = 200
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    honour = if_range is None or if_range.strip() in (etag, last_modified)
    if range_header and honour and not call.plan.ignore_range:
        parsed = _parse_range(range_header, size)
        if parsed is False:
            response = _s3_error(
                416,
                "InvalidRange",
                "The requested range is not satisfiable",
                {"Content-Range": f"bytes */{size}"},
            )
            return response
        if isinstance(parsed, tuple):
            span, status = parsed, 206
            headers.append((b"content-range", f"bytes {parsed[0]}-{parsed[1]}/{size}".encode()))
    length = 0 if span is None else span[1] - span[0] + 1
    headers.append((b"content-length", str(length).encode()))
    return _AssetBody(state, item, file.key, status, headers, span, request.method == "HEAD")


# -------------------------------------------------------------------------------------- app


def _routes() -> list[Route]:
    def op(path: str, method: str, name: str, handler: Handler, *, auth: bool = True) -> Route:
        return Route(path, Operation(name, handler, auth=auth), methods=[method], name=name)

    tasks = _request_handlers(lambda state: state.tasks, "taskingrequestId")
    repeats = _request_handlers(lambda state: state.repeats, "repeatrequestId")
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
        exception_handlers={HTTPException: _http_exception, Exception: _server_error},
    )
    # An unknown path with a trailing slash is a 404 envelope, not a redirect.
    app.router.redirect_slashes = False
    app.state.sandbox = SandboxContext(
        config=config,
        state=state if state is not None else State(config),
        faults=faults if faults is not None else FaultInjector(),  # an empty injector is falsy
    )
    return app
