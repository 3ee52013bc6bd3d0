"""``capella whoami``: the authenticated user."""

from __future__ import annotations

import typer

from capella.cli import output
from capella.cli._context import Command, epilog, state_of

EPILOG = """Example:

  capella whoami | jq -r .email
"""


def whoami(ctx: typer.Context) -> None:
    """Print the authenticated user (GET /user) as one JSON object."""
    output.json_record(state_of(ctx).client().whoami())


def register(app: typer.Typer) -> None:
    """Add ``whoami`` to ``app``."""
    app.command("whoami", cls=Command, epilog=epilog(EPILOG))(whoami)
