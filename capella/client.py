"""``CapellaConsoleClient``: the public facade. It wires the modules together; methods are short."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

import httpx

from capella._auth import Credentials, resolve_credentials
from capella._http import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, ApiSession, RetrySettings
from capella._logging import ClientLog
from capella.errors import AuthenticationError, CapellaConsoleClientError


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

    # -- orders (capella/orders.py) -------------------------------------------------------------

    # -- downloads (capella/download.py) --------------------------------------------------------

    # -- tasking and repeat requests (capella/tasking.py) ---------------------------------------
