"""Option tables: a command's options as data, spread into its command line by :func:`with_options`.

A table maps a parameter name to an :class:`Option` (its typer type and metadata, its default,
how its value becomes client keywords). A command takes a table as one parameter's default;
:func:`with_options` puts the table's options in the command's signature and passes the command
the keywords the values given make. The builders (:func:`text`, :func:`switch`, :func:`many`, ...)
make each row one line.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, get_args

import attrs
import typer

from capella.cli._context import usage_error
from capella.cli._inputs import one_or_many, parse_interval, split_csv
from capella.enumerations import BaseEnum

Given = dict[str, Any]
ToKeywords = Callable[[str, Any], Mapping[str, Any]]


def choices(enum_cls: type[BaseEnum]) -> str:
    """The values of an enum for help texts."""
    return ", ".join(str(v) for v in enum_cls.values())


def completer(enum_cls: type[BaseEnum]) -> Callable[[str], list[str]]:
    """Shell completion of an enum's values (any case)."""
    values = [str(v) for v in enum_cls.values()]
    return lambda incomplete: [v for v in values if v.lower().startswith(incomplete.lower())]


def enum_flag(flag: str, enum_cls: type[BaseEnum], text: str = "{}") -> Any:
    """An option over an enum's values: `text` with ``{}`` standing for them, and completion."""
    return typer.Option(
        flag, help=text.format(choices(enum_cls)), autocompletion=completer(enum_cls)
    )


# -- how a value becomes keywords ----------------------------------------------------------------


def keyword(name: str, value: Any) -> Mapping[str, Any]:
    """The option as the client keyword of the same name (left out when not given)."""
    return {} if value is None else {name: value}


def converted(convert: Callable[[Any], Any]) -> ToKeywords:
    """The option converted by `convert`, as the client keyword of the same name."""
    return lambda name, value: keyword(name, None if value is None else convert(value))


def renamed(key: str, convert: Callable[[Any], Any] = lambda value: value) -> ToKeywords:
    """The option, converted by `convert`, always as the client keyword `key`."""
    return lambda name, value: {key: convert(value)}


def when_given(convert: Callable[[Any], Any], key: str | None = None) -> ToKeywords:
    """The option converted by `convert` as the keyword `key` (its own name by default), only
    when given (not empty)."""
    return lambda name, given: {key or name: convert(given)} if given else {}


def listed(name: str, values: list[str] | None) -> Mapping[str, Any]:
    """A repeatable or comma-separated option as the filter `name` (one value or any of)."""
    parts = split_csv(values)
    return {name: one_or_many(parts)} if parts else {}


def within(flag: str, parse: Callable[[str, str], tuple[Any, Any]] = parse_interval) -> ToKeywords:
    """A ``START/END`` (or ``MIN/MAX`` with `parse`) option as filters ``name__gte`` and
    ``name__lte``; one instant or value (start equals end) as ``name``."""

    def keywords(name: str, given: str | None) -> Mapping[str, Any]:
        if given is None:
            return {}
        low, high = parse(given, flag)
        if low is not None and low == high:
            return {name: low}
        bounds = ((f"{name}__gte", low), (f"{name}__lte", high))
        return {key: value for key, value in bounds if value is not None}

    return keywords


def csv_list(values: list[str] | None) -> list[str] | None:
    """A repeatable, comma-separated option as one list (None when empty)."""
    return split_csv(values) or None


# -- tables ------------------------------------------------------------------------------------


@attrs.frozen
class Option:
    """One command-line option: its type with typer's metadata, its default, how it reaches
    the client (a function of the parameter name and value returning keywords)."""

    annotation: Any
    default: Any = None
    to_keywords: ToKeywords = keyword

    @property
    def flag(self) -> str:
        """The option's long flag, as the command line spells it (``--product-type``)."""
        info = get_args(self.annotation)[1]
        # typer reads a flag passed first as the flag, though it sits in `default`.
        decls = [info.default, *(info.param_decls or ())]
        return next((d for d in decls if isinstance(d, str) and d.startswith("--")), "an argument")


class Options(Given):
    """A table of options (name -> :class:`Option`) that a command takes as one parameter.

    Used as the parameter's default; :func:`with_options` replaces it by the table's options in
    the command's signature and passes the command the keywords they make.
    """

    def __init__(self, *tables: Mapping[str, Option]) -> None:
        super().__init__()
        self.table: dict[str, Option] = {k: v for table in tables for k, v in table.items()}

    def keywords(self, values: Mapping[str, Any]) -> Given:
        """The keywords the given `values` make, in table order; two options may not set the
        same keyword (a usage error naming both)."""
        found: Given = {}
        set_by: dict[str, Option] = {}
        for name, option in self.table.items():
            for key, value in option.to_keywords(name, values[name]).items():
                if key in found:
                    usage_error(f"{set_by[key].flag} and {option.flag} both set {key}")
                found[key], set_by[key] = value, option
        return found


def with_options(command: Callable[..., None]) -> Callable[..., None]:
    """Spread each parameter whose default is an :class:`Options` table into its options."""
    signature = inspect.signature(command, eval_str=True)
    parameters: list[inspect.Parameter] = []
    tables: dict[str, Options] = {}
    for parameter in signature.parameters.values():
        if not isinstance(parameter.default, Options):
            parameters.append(parameter)
            continue
        tables[parameter.name] = parameter.default
        parameters += [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=option.annotation,
                default=inspect.Parameter.empty if option.default is ... else option.default,
            )
            for name, option in parameter.default.table.items()
        ]

    @functools.wraps(command)
    def spread(**values: Any) -> None:
        for name, table in tables.items():
            table_values = {key: values.pop(key) for key in table.table}
            values[name] = table.keywords(table_values)
        command(**values)

    spread.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return spread


# -- one-line rows -------------------------------------------------------------------------------


def text(*flags: str, help: str, to_keywords: ToKeywords = keyword, **info: Any) -> Option:
    """An optional option taking one string."""
    return Option(
        Annotated[str | None, typer.Option(*flags, help=help, **info)], to_keywords=to_keywords
    )


def number(flag: str, help: str) -> Option:
    """An optional option taking one number."""
    return Option(Annotated[float | None, typer.Option(flag, help=help)])


def many(
    *flags: str,
    help: str,
    values: type[BaseEnum] | None = None,
    to_keywords: ToKeywords | None = None,
    **info: Any,
) -> Option:
    """A repeatable, comma-separated option (completed from `values`' enum when given); by
    default the client keyword of the same name as one list."""
    if values is not None:
        info.setdefault("autocompletion", completer(values))
    annotation = Annotated[list[str] | None, typer.Option(*flags, help=help, **info)]
    return Option(annotation, to_keywords=to_keywords or converted(csv_list))


def switch(
    *flags: str,
    help: str,
    default: bool = False,
    to_keywords: ToKeywords = keyword,
) -> Option:
    """A boolean flag (``--x`` or ``--x/--no-x``)."""
    annotation = Annotated[bool, typer.Option(*flags, help=help)]
    return Option(annotation, default=default, to_keywords=to_keywords)


def choice(flag: str, enum_cls: type[BaseEnum], text: str) -> Option:
    """An optional option taking one of `enum_cls`'s values (see :func:`enum_flag`)."""
    return Option(Annotated[str | None, enum_flag(flag, enum_cls, text)])
