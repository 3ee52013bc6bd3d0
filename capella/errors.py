"""The exception hierarchy, and the translation of API error responses into it.

Class names, constructor and ``args`` match the reference SDK, so existing ``except`` clauses keep
working. Each class says when it is raised.

Download failures follow one rule (:func:`download_failure`), so that a clause written around the
reference SDK's ``download_asset`` / ``download_products`` still catches the same cause:

- ``download_asset`` (one asset) raises that asset's own error: :class:`AssetConnectError` (a
  :class:`ConnectError`, as the reference raised) when the host could not be reached or kept
  breaking the transfer, :class:`IncompleteDownloadError` (a ``ValueError``, as the reference's
  size check raised) when the bytes do not add up, :class:`AssetDownloadError` /
  :class:`PresignedUrlExpiredError` for an HTTP answer (the reference retried those forever).
- ``download_products`` / ``download_product`` try every asset, then raise one aggregate,
  :class:`DownloadError`, listing every failure. Its class also carries each reference base
  (``ConnectError``, ``ValueError``) that *every* failure carries: all connection failures give
  :class:`DownloadConnectError`, all size (or input) failures :class:`DownloadValueError`. A mix
  of causes gives a plain :class:`DownloadError`, caught by ``except CapellaConsoleClientError``
  (the reference surfaced only one of them, whichever its threads reported first).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

import httpx

from capella._redact import REDACTED, redact, redact_url

DEFAULT_ERROR_CODE = "GENERAL_API_ERROR"


class CapellaConsoleClientError(Exception):
    """Base of every error raised by capella; carries the API's ``code``, ``message``, ``data``."""

    def __init__(
        self,
        message: str | None = None,
        code: str | None = None,
        data: Any = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.data = data
        self.response = response
        super().__init__(*[a for a in (message, code, data) if a])

    @property
    def status_code(self) -> int | None:
        """The HTTP status of the response that caused the error, if any."""
        return self.response.status_code if self.response is not None else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, code={self.code!r})"


class AuthenticationError(CapellaConsoleClientError):
    """Credentials are missing, invalid or expired."""


class MissingCredentialsError(AuthenticationError, ValueError):
    """No key or token was given and none could be prompted for.

    A ``ValueError`` too, as the reference SDK raised; a 401 answer stays a plain
    ``AuthenticationError``.
    """


class NoValidStacIdsError(CapellaConsoleClientError):
    """None of the given STAC ids exists in the catalog."""


class UnknownStacIdsError(NoValidStacIdsError):
    """Some of the given STAC ids are not in the catalog; ``.data["unknown"]`` lists them."""


class TaskNotCompleteError(CapellaConsoleClientError):
    """The tasking request has not reached ``completed``."""


class InsufficientFundsError(CapellaConsoleClientError):
    """The order review was denied because the contract lacks funds."""


class OrderRejectedError(CapellaConsoleClientError):
    """The API rejected the order."""


class OrderExpiredError(CapellaConsoleClientError):
    """The order has expired; its assets can no longer be presigned."""


class OrderValidationError(CapellaConsoleClientError):
    """The order contains invalid items."""


class ConnectError(CapellaConsoleClientError):
    """The API or an asset host could not be reached, or stopped answering."""


class AmbiguousRequestError(ConnectError):
    """A create request failed in a way that leaves open whether the server received it."""


class CollectionAccessDeniedError(CapellaConsoleClientError):
    """The organization may not access a requested collection."""


class AuthorizationError(CapellaConsoleClientError):
    """The credentials are valid but not allowed to perform the operation."""


class NoRefreshTokenError(CapellaConsoleClientError):
    """Kept for compatibility with the reference SDK; never raised."""


class RepeatRequestPayloadValidationError(CapellaConsoleClientError):
    """A repeat request combines parameters that exclude each other."""


class ContractNotFoundError(CapellaConsoleClientError):
    """The given contract id does not exist for the organization."""


class ValidationError(CapellaConsoleClientError):
    """The API rejected the request body; ``data`` holds the per-field details."""


class InvalidInputError(CapellaConsoleClientError, ValueError):
    """An argument was rejected before any request was sent; the message says what to pass."""

    def __init__(self, message: str, *, data: Any = None) -> None:
        super().__init__(message, "INVALID_INPUT", data)

    def __str__(self) -> str:
        # The message alone: it already says what to pass instead.
        return self.message or ""


class InvalidFilterError(InvalidInputError):
    """A search filter, operator, sort key, group-by field or value is not supported."""


class MissingExtraError(CapellaConsoleClientError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message, "MISSING_EXTRA")
        self.name = name  # ImportError's: the module that is missing

    def __str__(self) -> str:
        return self.message or ""


# -- downloads (raised by capella.download) -------------------------------------------


def _error_text(error: BaseException | None) -> str:
    if isinstance(error, CapellaConsoleClientError) and error.message:
        return error.message
    return f"{type(error).__name__}: {error}"


class AssetDownloadError(CapellaConsoleClientError):
    """One asset could not be downloaded; ``status_code`` is the asset host's answer, if any."""

    def __init__(self, message: str, code: str = "DOWNLOAD_FAILED", status: int | None = None):
        super().__init__(message, code)
        self._status = status

    @property
    def status_code(self) -> int | None:
        """The HTTP status the asset host answered with, if the failure was an HTTP answer."""
        return self._status


class PresignedUrlExpiredError(AssetDownloadError):
    """The asset host answered 403: the presigned URL expired or is not valid for this asset."""


class AssetConnectError(AssetDownloadError, ConnectError):
    """The asset host could not be reached or kept breaking the transfer, past every retry."""


class IncompleteDownloadError(AssetDownloadError, ValueError):
    """The bytes received do not add up to the asset's size, or the asset kept changing.

    A ``ValueError`` too: the reference SDK raised ``ValueError`` for a size mismatch.
    """


class DownloadOutcome(Protocol):
    """One asset's outcome as the download engines report it (what the errors below read).

    A protocol rather than an import: the engines import this module, and importing them back,
    even for type checking only, makes a cycle through the clients that mypy cannot type.
    """

    @property
    def status(self) -> str:
        """``downloaded``, ``skipped``, ``resumed`` or ``failed``."""

    @property
    def error(self) -> BaseException | None:
        """What failed the asset (None unless ``failed``)."""

    @property
    def job(self) -> Any:
        """The job the outcome is of."""

    def describe(self) -> str:
        """The asset as the error message names it."""
        ...


class DownloadError(CapellaConsoleClientError):
    """Raised after a run when at least one asset failed; lists every failure and its cause.

    ``outcomes`` holds every asset's outcome (completed files stay in place); ``failures`` the
    failed ones, in job order.
    """

    def __init__(self, outcomes: Sequence[DownloadOutcome]) -> None:
        self.outcomes = list(outcomes)
        self.failures = [o for o in self.outcomes if o.status == "failed"]
        lines = [f"{len(self.failures)} of {len(self.outcomes)} downloads failed:"]
        for outcome in self.failures:
            lines.append(f"  - {outcome.describe()}: {_error_text(outcome.error)}")
        super().__init__("\n".join(lines), "DOWNLOAD_FAILED", [o.job.path for o in self.failures])


class DownloadConnectError(DownloadError, ConnectError):
    """A ``DownloadError`` whose every failure is a connection failure (so a ``ConnectError``)."""


class DownloadValueError(DownloadError, ValueError):
    """A ``DownloadError`` whose every failure is a ``ValueError`` (a size mismatch, bad input)."""


# The classes a reference user's ``except`` clause names for a download failure, and the
# aggregate whose class carries them. Keys are what every failure is an instance of.
_AGGREGATES: dict[frozenset[type[Exception]], type[DownloadError]] = {
    frozenset({ConnectError}): DownloadConnectError,
    frozenset({ValueError}): DownloadValueError,
}
_REFERENCE_BASES: tuple[type[Exception], ...] = (ConnectError, ValueError)


def aggregate_class(errors: Sequence[BaseException | None]) -> type[DownloadError]:
    """The ``DownloadError`` class for these failures: it carries the reference bases all share."""
    shared = frozenset(
        base for base in _REFERENCE_BASES if errors and all(isinstance(e, base) for e in errors)
    )
    return _AGGREGATES.get(shared, DownloadError)


def download_failure(
    outcomes: Sequence[DownloadOutcome], *, single_asset: bool = False
) -> Exception | None:
    """The error a download call raises for these outcomes, or None if none failed.

    ``single_asset`` (``download_asset``): the asset's own error. Otherwise one aggregate listing
    every failure, of the class :func:`aggregate_class` picks.
    """
    failures = [o for o in outcomes if o.status == "failed"]
    if not failures:
        return None
    own = failures[0].error
    if single_asset and len(failures) == 1 and isinstance(own, Exception):
        return own
    return aggregate_class([o.error for o in failures])(outcomes)


def raise_download_failure(
    outcomes: Sequence[DownloadOutcome], *, single_asset: bool = False
) -> None:
    """Raise :func:`download_failure`'s error, if any asset failed."""
    error = download_failure(outcomes, single_asset=single_asset)
    if error is not None:
        raise error


# API error codes to exception classes (the reference SDK's mapping).
ERROR_CLASSES: dict[str, type[CapellaConsoleClientError]] = {
    "INVALID_TOKEN": AuthenticationError,
    "INVALID_API_KEY": AuthenticationError,
    "MISSING_CREDENTIALS": AuthenticationError,
    "ORDER_EXPIRED": OrderExpiredError,
    "COLLECTION_ACCESS_DENIED": CollectionAccessDeniedError,
    "NOT_AUTHORIZED": AuthorizationError,
    "ORDER_VALIDATION_ERROR": OrderValidationError,
    "CONTRACT_NOT_FOUND": ContractNotFoundError,
    "VALIDATION_ERROR": ValidationError,
}

# Messages without a code, recognised by a snippet (lower case), as the reference SDK does.
_MESSAGE_CODES: tuple[tuple[str, str], ...] = (
    ("order expired", "ORDER_EXPIRED"),
    ("not permitted to access any of the collection", "COLLECTION_ACCESS_DENIED"),
    ("not authorized to perform", "NOT_AUTHORIZED"),
)

_MAX_TEXT = 300


def _parse_body(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response built by hand in a test has no request
        return None


def _unauthorized_code(request: httpx.Request | None) -> str:
    header = request.headers.get("authorization", "") if request is not None else ""
    if not header:
        return "MISSING_CREDENTIALS"
    return "INVALID_API_KEY" if header.lower().startswith("apikey") else "INVALID_TOKEN"


def _describe_non_json(response: httpx.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    if len(text) > _MAX_TEXT:
        text = text[:_MAX_TEXT] + "…"
    reason = response.reason_phrase or "error"
    request = _request_of(response)
    where = f" from {request.method} {redact_url(str(request.url))}" if request else ""
    return f"HTTP {response.status_code} {reason}{where}" + (f": {text}" if text else "")


def error_from_response(response: httpx.Response) -> CapellaConsoleClientError:
    """Build the typed exception for an API error response (any status >= 400, any body)."""
    body = _parse_body(response)
    message: str | None = None
    code: str | None = None
    data: Any = None

    if isinstance(body, list):
        # Some gateways answer with a list of problems; keep them all as data.
        first = body[0] if body else None
        body = first if isinstance(first, dict) else {"message": json.dumps(body)[:_MAX_TEXT]}
        data = body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, str):
            message = inner
        elif isinstance(inner, dict):
            raw_message = inner.get("message", inner.get("Message"))
            message = str(raw_message) if raw_message is not None else None
            raw_code = inner.get("code")
            code = str(raw_code) if raw_code else None
            data = inner.get("data", inner.get("detail", data))
            if "data" in inner and "detail" in inner:
                data = {"data": inner["data"], "detail": inner["detail"]}
    if message is None:
        message = _describe_non_json(response)

    request = _request_of(response)
    if code is None and (response.status_code == 401 or message.lower() == "unauthorized"):
        code = _unauthorized_code(request)
    if code is None:
        lowered = message.lower()
        code = next((c for snippet, c in _MESSAGE_CODES if snippet in lowered), None)
    if code is None:
        code = DEFAULT_ERROR_CODE

    cls = ERROR_CLASSES.get(code)
    if cls is None:
        cls = AuthenticationError if response.status_code == 401 else CapellaConsoleClientError
    if code == "MISSING_CREDENTIALS":
        message = (
            f"{message}: no credentials were sent. Pass api_key=... or token=... to "
            "CapellaConsoleClient, or set CAPELLA_API_KEY."
        )
    if request is not None and "authorization" in request.headers:
        # The exception keeps the response for inspection; it must not keep the key with it.
        request.headers["authorization"] = REDACTED
    return cls(redact(message), code, data, response)


def raise_for_response(response: httpx.Response) -> None:
    """Raise the typed exception when ``response`` is an error (status >= 400)."""
    if response.status_code >= 400:
        response.read()
        raise error_from_response(response)
