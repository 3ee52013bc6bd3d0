"""The command line before click parses it: the root's options moved to where click wants them."""

from __future__ import annotations

from typer._click import core as click  # typer's own copy of click: its types are these
from typer.core import TyperGroup, TyperOption


def _width(param: click.Parameter | None, token: str) -> int:
    """How many arguments an option takes up: 2 when its value is the next one."""
    takes_value = isinstance(param, TyperOption) and not param.is_flag and not param.count
    return 2 if takes_value and "=" not in token else 1


def _names(params: list[click.Parameter]) -> dict[str, click.Parameter]:
    return {name: p for p in params for name in (*p.opts, *p.secondary_opts)}


def _subcommand(
    group: TyperGroup, ctx: click.Context, args: list[str], globals_: dict[str, click.Parameter]
) -> tuple[click.Command, int, int]:
    """The command that parses the rest of ``args`` (``tasks search``), where the first
    subcommand name is, and where that command's own arguments start."""
    command: click.Command = group
    position = first = 0
    while isinstance(command, TyperGroup) and position < len(args):
        token = args[position]
        if token.startswith("-"):
            root_option = globals_.get(token.partition("=")[0]) if command is group else None
            position += _width(root_option, token)
            continue
        sub = command.get_command(ctx, token)
        if sub is None:
            break
        if command is group:
            first = position
        command, position = sub, position + 1
    return command, first, position


def hoist_global_options(group: TyperGroup, ctx: click.Context, args: list[str]) -> list[str]:
    """``args`` with the root's options that follow the subcommand moved in front of it, so
    that ``capella search --api-key X`` means ``capella --api-key X search``.

    An option the subcommand has itself (``auth login --profile``) stays where it is; so do
    option values and everything after ``--``.
    """
    # The root's declared options: not its --help, which every command has (or passes on).
    globals_ = _names(group.params)
    command, first, position = _subcommand(group, ctx, args, globals_)
    if command is group:
        return args
    own = _names(command.get_params(ctx))
    moved: list[str] = []
    kept: list[str] = []
    rest = args[position:]
    i = 0
    while i < len(rest):
        token = rest[i]
        if token == "--":  # noqa: S105 - the end of options, not a password
            kept.extend(rest[i:])
            break
        name = token.partition("=")[0]
        hoist = token.startswith("-") and name not in own and name in globals_
        width = _width(globals_[name] if hoist else own.get(name), token)
        (moved if hoist else kept).extend(rest[i : i + width])
        i += width
    # The root's options go before the first subcommand name, after any given there already.
    return [*args[:first], *moved, *args[first:position], *kept]
