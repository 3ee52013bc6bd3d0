"""The ``capella`` command line: data on stdout (ndjson by default), messages on stderr.

Exit codes: 0 success, 1 API or runtime error, 2 usage error, 3 partial success.
"""

from __future__ import annotations

from typing import Annotated

import typer

from capella._version import __version__
from capella.cli import auth, download, orders, repeats, sandbox, search, tasks, user
from capella.cli._context import (
    API_KEY_ENV,
    API_URL_ENV,
    PROFILE_ENV,
    ExitCode,
    State,
    new_app,
)

__all__ = ["ExitCode", "app", "main"]

HELP = (
    "Search, order, download and task Capella SAR imagery.\n\n"
    "Data goes to stdout (one JSON record per line unless --format says otherwise), progress "
    "and messages to stderr, so commands compose with pipes and jq:\n\n"
    "  capella search --product-type GEO --limit 5 --format ids | capella order create - "
    "| capella download - --dir ./imagery\n\n"
    "Credentials: --api-key, CAPELLA_API_KEY, or a profile stored with 'capella auth login'. "
    "API URL: --base-url, else CAPELLA_API_URL, else the profile's, else production. "
    "Global options may also follow the subcommand (capella search --api-key KEY). "
    "Exit codes: 0 success, 1 API or runtime error, 2 usage error, 3 partial success."
)

app = new_app("capella", HELP)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"capella {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar=API_KEY_ENV,
            show_default=False,
            help="API key (prefer the environment variable or a profile: command lines are "
            "visible to other users).",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            "-P",
            envvar=PROFILE_ENV,
            show_default=False,
            help="Profile whose key (in the OS keyring) and base URL to use.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar=API_URL_ENV,
            show_default=False,
            help="API base URL, e.g. a local sandbox's. Precedence: this option, then "
            f"{API_URL_ENV}, then the profile's URL, then https://api.capellaspace.com.",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log API calls to stderr (keys redacted).")
    ] = False,
    debug: Annotated[
        bool,
        typer.Option("--debug", help="Debug logging and tracebacks on errors (keys redacted)."),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Search, order, download and task Capella SAR imagery."""
    source = ctx.get_parameter_source("api_key")
    url_source = ctx.get_parameter_source("base_url")
    state = State(
        api_key=api_key or None,
        api_key_from_env=source is not None and source.name == "ENVIRONMENT",
        profile=profile or None,
        base_url=(base_url or "").rstrip("/") or None,
        base_url_from_env=url_source is not None and url_source.name == "ENVIRONMENT",
        verbose=verbose,
        debug=debug,
    )
    ctx.obj = state
    ctx.call_on_close(state.close)


user.register(app)
search.register(app)
app.add_typer(orders.app)
download.register(app)
app.add_typer(tasks.app)
app.add_typer(repeats.app)
app.add_typer(auth.app)
sandbox.register(app)


def main() -> None:
    """Run the command line (the ``capella`` console script)."""
    app(prog_name="capella")
