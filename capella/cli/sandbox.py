"""``capella sandbox``: run the local Capella-compatible API server (``capella-sar[sandbox]``)."""

from __future__ import annotations

import contextlib

import typer

from capella.cli._context import CliError, Command, epilog
from capella.interop import install_hint

EPILOG = """Examples:

  capella sandbox --port 8000 --seed 7

  capella sandbox --port 0 --fault assets:status=503:times=2

Every option is passed to the sandbox: 'capella sandbox --help' lists them. Point other commands
at it with --base-url (or CAPELLA_API_URL) and the demo API key it prints.
"""


def sandbox(ctx: typer.Context) -> None:
    """Run a local Capella-compatible API server until Ctrl+C."""
    try:
        from capella.sandbox.__main__ import main as run
    except ImportError as exc:
        raise CliError(
            f"the sandbox needs the 'sandbox' extra: {install_hint('sandbox')} ({exc})"
        ) from exc
    args = list(ctx.args)
    if "-h" in args or "--help" in args:
        # The sandbox's own parser lists its options; the examples are ours.
        with contextlib.suppress(SystemExit):
            run(["--help"])
        typer.echo("\n" + EPILOG.strip())
        raise typer.Exit(0)
    # argparse exits with 2 on bad arguments; that passes through unchanged.
    raise typer.Exit(run(args))


def register(app: typer.Typer) -> None:
    """Add ``sandbox`` to ``app``."""
    app.command(
        "sandbox",
        cls=Command,
        epilog=epilog(EPILOG),
        add_help_option=False,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(sandbox)
