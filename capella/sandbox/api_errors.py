"""The API errors the sandbox answers with, in the real API's `{"error": {...}}` envelope."""

from __future__ import annotations

import uuid
from typing import Any

from capella.sandbox.json_types import Json

__all__ = ["ApiError", "check_uuid", "not_found", "validation_error"]


class ApiError(Exception):
    """An API error answered with `status` and the `{"error": {...}}` envelope (or `body`)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        *,
        body: Json | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self._body = body

    @property
    def body(self) -> Json:
        """The JSON error body."""
        if self._body is not None:
            return self._body
        error: Json = {"message": self.message, "code": self.code}
        if self.detail is not None:
            error["detail"] = self.detail
        return {"error": error}


def validation_error(issues: list[Json]) -> ApiError:
    """A 400 VALIDATION_ERROR carrying zod-like issues `{message, code, path}`."""
    return ApiError(400, "VALIDATION_ERROR", "Validation Error", detail=issues)


def not_found(what: str, ident: str) -> ApiError:
    """A 404 NOT_FOUND for `what` `ident`."""
    return ApiError(404, "NOT_FOUND", f"{what} {ident} not found")


def check_uuid(value: str, path: str) -> None:
    """Refuse a path id that is not a UUID, the way the real API's validator does."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise validation_error(
            [{"message": "Invalid uuid", "code": "invalid_string", "path": path}]
        ) from None
