"""One API operation of the sandbox as an ASGI endpoint: its faults, auth and error bodies.

Each route is an :class:`Operation` named by its operationId. An operation applies the faults of
its route, checks the `Authorization` header (except on the presigned asset host), and turns
:class:`~capella.sandbox.api_errors.ApiError` into the API's error envelope.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from capella.sandbox.api_errors import ApiError, validation_error
from capella.sandbox.config import SandboxConfig
from capella.sandbox.faults import Fault, FaultInjector, FaultPlan
from capella.sandbox.json_types import Json
from capella.sandbox.state import State
from capella.sandbox.users import User

__all__ = [
    "Call",
    "Handler",
    "Operation",
    "SandboxContext",
    "http_exception",
    "s3_error",
    "server_error",
]

log = logging.getLogger("capella.sandbox")


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
        """Serve one request: apply its faults and latency, check its key, run the handler."""
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
        return s3_error(fault.status, s3_code, s3_message, headers)
    return _envelope(fault.status, code, message, headers)


def s3_error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An S3-style XML error answer, as the asset host (an S3 bucket) sends them."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>SANDBOX</RequestId><HostId>capella-sandbox</HostId></Error>"
    )
    return Response(
        body, status_code=status, media_type="application/xml", headers=dict(headers or {})
    )


async def http_exception(request: Request, exc: Exception) -> Response:
    """The API's JSON error envelope for a routing error (no route, wrong method)."""
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


async def server_error(request: Request, exc: Exception) -> Response:
    """The API's JSON error envelope for a bug in the sandbox (a 500)."""
    return _envelope(500, "INTERNAL_SERVER_ERROR", "Internal Server Error")
