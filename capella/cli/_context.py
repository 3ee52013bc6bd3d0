"""The per-invocation state (options, credentials, the client) and error-to-exit-code handling."""

from __future__ import annotations

import enum
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any, NoReturn

import attrs
import typer
from rich.markup import escape
from typer._click import core as click  # typer's own copy of click: its types are these
from typer.core import TyperCommand, TyperGroup

from capella._http import DEFAULT_BASE_URL
from capella._redact import RedactingFilter, redact
from capella.cli._argv import hoist_global_options
from capella.cli.config import (
    CredentialStoreError,
    ProfileStore,
    get_key,
    validate_profile_name,
)
from capella.client import CapellaConsoleClient
from capella.errors import (
    DEFAULT_ERROR_CODE,
    AuthenticationError,
    CapellaConsoleClientError,
    ConnectError,
    InvalidInputError,
    RepeatRequestPayloadValidationError,
)

API_KEY_ENV = "CAPELLA_API_KEY"
API_URL_ENV = "CAPELLA_API_URL"
PROFILE_ENV = "CAPELLA_PROFILE"


class ExitCode(enum.IntEnum):
    """The process exit codes."""

    OK = 0
    ERROR = 1  # API or runtime error
    USAGE = 2  # bad arguments: click's own usage errors and InvalidInputError
    PARTIAL = 3  # some files or ids failed, the others succeeded
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports it


class CliError(Exception):
    """An error the command line reports as one line (exit 1 unless ``exit_code`` says else)."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def usage_error(message: str) -> NoReturn:
    """Stop with a usage error (exit 2)."""
    raise CliError(message, ExitCode.USAGE)


class KeySource(enum.Enum):
    """Where the API key came from (shown by ``auth status``)."""

    OPTION = "--api-key"
    ENV = API_KEY_ENV
    PROFILE = "keyring"


# How an error hint names where the key came from.
_KEY_ORIGIN = {
    KeySource.OPTION: "the --api-key option",
    KeySource.ENV: f"the environment ({API_KEY_ENV})",
    KeySource.PROFILE: "profile {profile!r} in the OS keyring",
}


@attrs.frozen
class ResolvedCredentials:
    """The API key to use, where it came from, and the profile it belongs to (if any)."""

    key: str = attrs.field(repr=False)
    source: KeySource
    profile: str | None = None
    profile_base_url: str | None = None


def _checked_url(url: str, source: str) -> str:
    # httpx would only say "UnsupportedProtocol" once the first request is on its way.
    if not url.lower().startswith(("http://", "https://")):
        usage_error(
            f"{source} {url!r} has no scheme; use http://{url} for a local sandbox "
            "(or https:// for a remote API)"
        )
    return url


@attrs.define
class State:
    """Global options of one invocation; builds the client on first use and closes it."""

    api_key: str | None = attrs.field(default=None, repr=False)
    api_key_from_env: bool = False
    profile: str | None = None  # named explicitly (--profile or CAPELLA_PROFILE)
    base_url: str | None = None  # --base-url or CAPELLA_API_URL
    base_url_from_env: bool = False
    verbose: bool = False
    debug: bool = False
    store: ProfileStore = attrs.field(factory=ProfileStore.default)
    _credentials: ResolvedCredentials | None = attrs.field(default=None, init=False, repr=False)
    _client: CapellaConsoleClient | None = attrs.field(default=None, init=False, repr=False)
    _handler: logging.Handler | None = attrs.field(default=None, init=False, repr=False)
    _saved_level: int = attrs.field(default=logging.NOTSET, init=False, repr=False)

    def secrets(self) -> list[str]:
        """Every secret this invocation knows, for redaction of what it prints."""
        found = [s for s in (self.api_key, os.environ.get(API_KEY_ENV)) if s]
        if self._credentials is not None:
            found.append(self._credentials.key)
        return found

    def selected_profile(self) -> str:
        """The profile named on the command line, else the stored default."""
        return self.profile or self.store.default_name()

    def credentials(self) -> ResolvedCredentials:
        """Resolve the API key.

        Order: ``--api-key``; an explicitly named profile (``--profile``/``CAPELLA_PROFILE``);
        ``CAPELLA_API_KEY``; the default profile's key in the keyring.
        """
        if self._credentials is None:
            self._credentials = self._resolve()
        return self._credentials

    def _resolve(self) -> ResolvedCredentials:
        if self.api_key and not self.api_key_from_env:
            return ResolvedCredentials(self.api_key, KeySource.OPTION)
        if self.profile:
            name = validate_profile_name(self.profile)
            key = get_key(name)
            if not key:
                raise CliError(
                    f"profile {name!r} has no stored API key; run 'capella auth login "
                    f"--profile {name}' or pass --api-key"
                )
            stored = self.store.get(name)
            return ResolvedCredentials(
                key, KeySource.PROFILE, name, stored.base_url if stored else None
            )
        if self.api_key:
            return ResolvedCredentials(self.api_key, KeySource.ENV)
        name = self.store.default_name()
        stored = self.store.get(name)
        # The keyring is only asked about a profile we saved: on a machine without a keyring
        # backend, commands that get their key elsewhere must not fail on it.
        key = get_key(name) if stored is not None else None
        if key:
            return ResolvedCredentials(
                key, KeySource.PROFILE, name, stored.base_url if stored else None
            )
        raise AuthenticationError(
            f"No credentials: pass --api-key, set {API_KEY_ENV}, or store a key with "
            "'capella auth login'.",
            "MISSING_CREDENTIALS",
        )

    def resolved_base_url(self) -> str:
        """``--base-url``, else ``CAPELLA_API_URL``, else the profile's URL, else production
        (a usage error when the URL has no http:// or https://)."""
        if self.base_url:
            source = API_URL_ENV if self.base_url_from_env else "--base-url"
            return _checked_url(self.base_url, source)
        creds = self.credentials()
        if creds.profile_base_url:
            return _checked_url(creds.profile_base_url, f"profile {creds.profile!r}'s base URL")
        return DEFAULT_BASE_URL

    def client(self) -> CapellaConsoleClient:
        """The client of this invocation, built on first use (no ``GET /user`` check)."""
        if self._client is None:
            creds = self.credentials()
            if self.debug:
                self._start_debug_log(creds.key)
            self._client = CapellaConsoleClient(
                api_key=creds.key,
                base_url=self.resolved_base_url(),
                # --debug logs through its own handler; verbose would print every line twice.
                verbose=self.verbose and not self.debug,
                no_token_check=True,
            )
        return self._client

    def _start_debug_log(self, key: str) -> None:
        logger = logging.getLogger("capella")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter([key]))
        self._saved_level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        self._handler = handler

    def close(self) -> None:
        """Close the client and detach the debug handler."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._handler is not None:
            logger = logging.getLogger("capella")
            logger.removeHandler(self._handler)
            logger.setLevel(self._saved_level)
            self._handler.close()
            self._handler = None


def state_of(ctx: typer.Context) -> State:
    """The State of this invocation (a default one when a command runs without the root)."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
        root.call_on_close(root.obj.close)
    return root.obj


def _is_cli_library_error(exc: BaseException) -> bool:
    # Exit, Abort, usage errors: typer/click report them themselves with their own exit codes.
    return type(exc).__module__.split(".", 1)[0] in {"typer", "click"}


def exit_code_for(exc: BaseException) -> ExitCode:
    """The exit code an error maps to."""
    if isinstance(exc, CliError):
        return exc.exit_code
    # Both are raised before any request is sent: the arguments were wrong.
    if isinstance(exc, InvalidInputError | RepeatRequestPayloadValidationError):
        return ExitCode.USAGE
    return ExitCode.ERROR


def error_line(exc: BaseException, *, debug: bool = False) -> str:
    """The one line that describes ``exc`` on stderr (``debug``: the traceback is shown)."""
    if isinstance(exc, CapellaConsoleClientError):
        message = exc.message or type(exc).__name__
        if exc.code and exc.code not in (DEFAULT_ERROR_CODE, "INVALID_INPUT"):
            message = f"{message} [{exc.code}]"
    elif isinstance(exc, CliError | CredentialStoreError):
        message = str(exc)
    elif isinstance(exc, OSError):
        message = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    else:
        message = f"unexpected {type(exc).__name__}: {exc}"
        if not debug:
            message += " (run with --debug for the traceback)"
    return " ".join(message.split())


def _key_hint(state: State) -> str:
    creds = state.credentials()  # resolved already: the refused request carried the key
    origin = _KEY_ORIGIN[creds.source].format(profile=creds.profile)
    return (
        f"the API key from {origin} was refused by {state.resolved_base_url()}; check the key "
        f"(--api-key, {API_KEY_ENV} or 'capella auth login') and the URL (--base-url, "
        f"{API_URL_ENV})"
    )


def _connect_hint(state: State) -> str:
    return (
        f"nothing answered at {state.resolved_base_url()}; to use a local sandbox, start one "
        f"with 'capella sandbox --port 8080' and set {API_URL_ENV}=http://127.0.0.1:8080 "
        "(or pass --base-url)"
    )


# The next step for errors whose cause is usually the setup, not the request (by error code).
_HINTS: dict[str, Callable[[State], str]] = {
    "INVALID_API_KEY": _key_hint,
    "INVALID_TOKEN": _key_hint,
    "CONNECTION_ERROR": _connect_hint,
}


def hint(exc: BaseException, state: State) -> str | None:
    """What to do next about ``exc``, when its code has a known next step."""
    if not isinstance(exc, AuthenticationError | ConnectError) or exc.code not in _HINTS:
        return None
    return _HINTS[exc.code](state)


def report(exc: BaseException, state: State) -> None:
    """Write the error to stderr: one line, a hint when one helps, the traceback under --debug."""
    secrets = state.secrets()
    if state.debug:
        text = "".join(traceback.format_exception(exc))
        typer.echo(redact(text, secrets), err=True, nl=False)
    typer.echo(redact(f"Error: {error_line(exc, debug=state.debug)}", secrets), err=True)
    next_step = hint(exc, state)
    if next_step is not None:
        typer.echo(redact(f"Hint: {next_step}", secrets), err=True)


def _silence_stdout() -> None:
    # The reader went away (``capella search | head -1``): point stdout at devnull so that the
    # interpreter's final flush does not raise a second BrokenPipeError.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (e.g. the test runner)
        pass


def _note_once(seen: set[str]) -> Callable[..., None]:
    """A ``warnings.showwarning`` that writes each distinct warning once as a note on stderr
    (the library warns where a person should look again, e.g. a bbox around the world)."""

    def show(message: Warning | str, *_: Any, **__: Any) -> None:
        text = str(message)
        if text not in seen:
            seen.add(text)
            typer.echo(f"Note: {text}", err=True)

    return show


class Command(TyperCommand):
    """A command whose errors become one line on stderr and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        """Run the command, mapping capella errors to exit codes 1/2."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", UserWarning)  # _note_once drops repeats
                warnings.showwarning = _note_once(set())
                return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            raise typer.Exit(ExitCode.OK) from None
        except Exception as exc:
            if _is_cli_library_error(exc):
                raise
            report(exc, state_of(ctx))
            raise typer.Exit(exit_code_for(exc)) from None


# The root's commands in the order of a workflow, not alphabetically.
ROOT_ORDER = ("whoami", "search", "order", "download", "tasks", "repeats", "auth", "sandbox")


class Group(TyperGroup):
    """Command groups list their commands in workflow order (else definition order); the root
    accepts its options after the subcommand too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse, after moving global options given after the subcommand to the front."""
        if ctx.parent is None:
            args = hoist_global_options(self, ctx, args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        """Commands in workflow order."""
        names = list(self.commands)
        if ctx.parent is not None:
            return names
        rank = {name: i for i, name in enumerate(ROOT_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), names.index(n)))


def epilog(text: str) -> str:
    """Help text for rich: prose paragraphs unwrapped, example lines (indented) kept, and
    square brackets escaped so that rich does not read them as markup."""
    paragraphs = []
    for paragraph in text.strip("\n").split("\n\n"):
        if paragraph.startswith("  "):
            paragraphs.append(paragraph)
        else:
            paragraphs.append(" ".join(line.strip() for line in paragraph.splitlines()))
    return escape("\n\n".join(paragraphs)) + "\n"


def new_app(name: str, help_text: str, **kwargs: Any) -> typer.Typer:
    """A sub-application with the house settings."""
    return typer.Typer(
        name=name,
        help=help_text,
        cls=Group,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        **kwargs,
    )
