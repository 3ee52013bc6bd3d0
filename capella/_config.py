"""Every default and every client option, in one place, checked once at the edge.

The base URL is resolved with one precedence: the ``base_url`` argument, else the
``CAPELLA_API_URL`` environment variable (which the CLI reads too), else the public API.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from capella._version import __version__
from capella.enumerations import AuthHeaderPrefix
from capella.errors import InvalidInputError

if TYPE_CHECKING:
    from capella._auth import Credentials

DEFAULT_BASE_URL = "https://api.capellaspace.com"
BASE_URL_ENV = "CAPELLA_API_URL"
USER_AGENT = f"capella/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 3
# Connections of the API session (searches page in parallel through it).
API_CONNECTIONS = 20
# Parallel file transfers of the downloader, and where files go by default.
DOWNLOAD_CONNECTIONS = 8
DEFAULT_DIR = Path(tempfile.gettempdir())
# Parallel catalog page requests (the reference SDK's bound); more get throttled.
SEARCH_WORKERS = 8
# Parallel per-id requests of a bulk cancel or update; more get throttled (429).
BULK_WORKERS = 10

# API answers worth a retry of a SAFE operation: throttling and gateways that had no answer.
API_RETRY_STATUS = frozenset({429, 502, 503, 504})
# File transfers are plain GETs of immutable objects: server errors and timeouts are retried too.
TRANSFER_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})

# The largest API answer body read (a full 900-item catalog page is about 4 MB); a larger one
# is refused rather than decoded into memory.
MAX_API_BODY = 256 * 1024 * 1024


def resolve_base_url(
    argument: str | None, environ: Mapping[str, str] | None = None, *, what: str = "base_url"
) -> str:
    """The API base URL: ``argument`` > ``$CAPELLA_API_URL`` > the public API; checked."""
    env = os.environ if environ is None else environ
    url = argument or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    return checked_url(url, what)


def checked_url(url: str, what: str) -> str:
    """``url`` without a trailing slash if it is an absolute http(s) URL with a host."""
    if not isinstance(url, str):
        raise InvalidInputError(f"{what}: expected a URL string, not {url!r}")
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL as exc:
        raise InvalidInputError(f"{what}: {url!r} is not a URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidInputError(
            f"{what}: {url!r} must start with https:// (or http://) and name a host, "
            f"e.g. {DEFAULT_BASE_URL}"
        )
    return str(parsed).rstrip("/")


def checked_timeout(timeout: object) -> float | httpx.Timeout:
    """A timeout in seconds (a positive number) or an ``httpx.Timeout``."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise InvalidInputError(
            f"timeout: expected a positive number of seconds or an httpx.Timeout, not {timeout!r}"
        )
    return float(timeout)


def checked_count(value: object, what: str, minimum: int) -> int:
    """An integer option of at least ``minimum`` (``max_retries``, connection counts)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidInputError(f"{what}: expected an integer >= {minimum}, not {value!r}")
    return value


# Where a large file is split into byte ranges fetched in parallel.
DEFAULT_SEGMENT_THRESHOLD = 64 * 1024 * 1024

# How each constructor option is checked; the URLs are resolved apart (see ClientOptions.of).
OPTION_CHECKS: dict[str, Callable[[Any], Any]] = {
    "timeout": checked_timeout,
    "max_retries": functools.partial(checked_count, what="max_retries", minimum=0),
    "download_connections": functools.partial(
        checked_count, what="download_connections", minimum=1
    ),
    "segment_threshold": functools.partial(checked_count, what="segment_threshold", minimum=1),
    "gc_pause": bool,
}


@dataclasses.dataclass(frozen=True, slots=True)
class ClientOptions:
    """A client's options, checked: both clients and every request they send read these."""

    base_url: str = DEFAULT_BASE_URL
    search_url: str = f"{DEFAULT_BASE_URL}/catalog/search"
    timeout: float | httpx.Timeout = dataclasses.field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = DEFAULT_MAX_RETRIES
    api_connections: int = API_CONNECTIONS
    download_connections: int = DOWNLOAD_CONNECTIONS
    segment_threshold: int = DEFAULT_SEGMENT_THRESHOLD
    gc_pause: bool = True

    @classmethod
    def of(
        cls,
        *,
        base_url: str | None = None,
        search_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> ClientOptions:
        """Check the constructor's options (``OPTION_CHECKS``) and resolve the URLs.

        The base URL as ``resolve_base_url`` says; the search URL defaults to the base URL's.
        An option left out keeps its default.
        """
        base = resolve_base_url(base_url, environ)
        search = checked_url(search_url, "search_url") if search_url else f"{base}/catalog/search"
        checked = {name: OPTION_CHECKS[name](value) for name, value in options.items()}
        return cls(base_url=base, search_url=search, **checked)


C = TypeVar("C")


@dataclasses.dataclass(frozen=True, slots=True)
class ClientState:
    """What a client pickles as: its checked options and its credential.

    Never connections, locks or a transport: those are rebuilt where the client is unpickled
    (the pool opens connections on first use). The credential travels with the state, as it
    must for a worker to download; it is kept out of ``repr``.
    """

    options: ClientOptions
    api_key: str | None = dataclasses.field(default=None, repr=False)
    token: str | None = dataclasses.field(default=None, repr=False)
    no_auth: bool = False
    verbose: bool = False

    def arguments(self) -> dict[str, object]:
        """The constructor arguments that rebuild the client (no credential check again)."""
        # Every checked option travels under its constructor name (api_connections is fixed).
        names = ("base_url", "search_url", *OPTION_CHECKS)
        travelled = {name: getattr(self.options, name) for name in names}
        return {
            "api_key": self.api_key,
            "token": self.token,
            "verbose": self.verbose,
            "no_token_check": True,
            "no_auth": self.no_auth,
            **travelled,
        }


def rebuild_client(client_type: Callable[..., C], state: ClientState) -> C:
    """Unpickle a client: construct ``client_type`` again from its travelled state."""
    return client_type(**state.arguments())


def client_state(
    options: ClientOptions, credentials: Credentials | None, verbose: bool
) -> ClientState:
    """The state a client with these options and this credential pickles as."""
    secret = credentials.secret if credentials else None
    is_token = credentials is not None and credentials.scheme is AuthHeaderPrefix.TOKEN
    return ClientState(
        options=options,
        api_key=None if is_token else secret,
        token=secret if is_token else None,
        no_auth=credentials is None,
        verbose=verbose,
    )


def travelling(state: ClientState | None, owner: str) -> ClientState:
    """The state to pickle a client (of class ``owner``) as, or an error if it cannot travel."""
    if state is None:
        raise InvalidInputError(
            f"{owner} with a custom transport cannot be pickled: the "
            "transport does not travel to another process; build the client there instead"
        )
    return state
