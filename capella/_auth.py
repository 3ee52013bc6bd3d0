"""Credential resolution: api_key / token / CAPELLA_API_KEY / interactive prompt."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping

import attrs

from capella.enumerations import AuthHeaderPrefix
from capella.errors import MissingCredentialsError

API_KEY_ENV = "CAPELLA_API_KEY"


@attrs.frozen
class Credentials:
    """One credential and the scheme it is sent with."""

    scheme: AuthHeaderPrefix
    secret: str = attrs.field(repr=False)

    @property
    def header(self) -> str:
        """The value of the ``Authorization`` header."""
        return f"{self.scheme.value} {self.secret}"


def _strip_prefix(value: str, scheme: AuthHeaderPrefix) -> str:
    """Drop a scheme prefix the caller already wrote, so it is sent exactly once."""
    prefix = scheme.value.lower() + " "
    value = value.strip()
    return value[len(prefix) :].strip() if value.lower().startswith(prefix) else value


def resolve_credentials(
    api_key: str | None = None,
    token: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    isatty: Callable[[], bool] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> Credentials:
    """Pick the credential to use: api_key, then token, then CAPELLA_API_KEY, then a prompt."""
    env = os.environ if environ is None else environ
    if api_key:
        return Credentials(
            AuthHeaderPrefix.API_KEY, _strip_prefix(api_key, AuthHeaderPrefix.API_KEY)
        )
    if token:
        return Credentials(AuthHeaderPrefix.TOKEN, _strip_prefix(token, AuthHeaderPrefix.TOKEN))
    if env.get(API_KEY_ENV):
        key = env[API_KEY_ENV]
        return Credentials(AuthHeaderPrefix.API_KEY, _strip_prefix(key, AuthHeaderPrefix.API_KEY))
    interactive = isatty() if isatty is not None else sys.stdin is not None and sys.stdin.isatty()
    if interactive:
        entered = prompt("Capella API key: ").strip()
        if entered:
            return Credentials(
                AuthHeaderPrefix.API_KEY, _strip_prefix(entered, AuthHeaderPrefix.API_KEY)
            )
    raise MissingCredentialsError(
        "No credentials: pass api_key=... (or token=...) to CapellaConsoleClient, "
        f"or set the {API_KEY_ENV} environment variable.",
        "MISSING_CREDENTIALS",
    )
