"""The sandbox's presigned asset host: S3-like signatures, ranges, errors, streamed bodies.

Bodies stream straight to the ASGI `send`, so that a loopback download measures the client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from capella.sandbox.assets import read_range
from capella.sandbox.json_types import Json
from capella.sandbox.operation import Call, s3_error
from capella.sandbox.state import State

__all__ = ["serve_asset"]


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


@dataclass(frozen=True)
class _AssetBody:
    """Streams bytes `start`..`end` of an asset (or only the headers for HEAD)."""

    state: State
    item: Json
    key: str
    status: int
    headers: list[tuple[bytes, bytes]]
    span: tuple[int, int] | None
    head: bool

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
        return s3_error(
            403,
            "AccessDenied",
            "Query-string authentication requires the Signature and Expires parameters",
        )
    try:
        expires = int(expires_raw)
    except ValueError:
        return s3_error(403, "AccessDenied", "Invalid date (should be seconds since epoch)")
    if not state.signature_ok(path, expires, signature):
        return s3_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    if expires < state.now().timestamp():
        return s3_error(403, "AccessDenied", "Request has expired")
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
            return s3_error(403, "AccessDenied", "Request has expired")
        refusal = _check_signature(state, path, expires_raw, signature)
        if refusal is not None:
            return refusal
    if found is None:
        return s3_error(404, "NoSuchKey", "The specified key does not exist.")
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
            response = s3_error(
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
