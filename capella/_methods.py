"""Client methods made from operations: one table serves both clients.

An operation is a generator function taking the session first (see :mod:`capella._flow`).
``sync_method`` makes it a method of ``CapellaConsoleClient`` that runs it on the thread,
``async_method`` a coroutine method of ``AsyncCapellaConsoleClient`` that awaits it. Both keep
the operation's signature (for ``help()`` and IDEs), name and docstring. :class:`operation`
is the descriptor the shared table (:mod:`capella._api`) is made of: each client class says
which of the two makers it uses, and type checkers see ``R`` or ``Awaitable[R]`` accordingly.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

from capella._flow import Context, Flow

if TYPE_CHECKING:
    from capella._http import ApiSession
    from capella.aio._http import AsyncApiSession

P = ParamSpec("P")
R = TypeVar("R")


class Host(Protocol):
    """The sync client, as far as its operation methods use it."""

    _session: ApiSession


class AsyncHost(Protocol):
    """The async client, as far as its operation methods use it."""

    _session: AsyncApiSession


def _as_method(method: Callable[..., Any], operation: Callable[..., Any]) -> None:
    # help() and IDEs reading the runtime signature see ``self`` where the operation has ctx.
    # The method returns what the operation's generator returns: ``Flow[R]`` reads as ``R``.
    signature = inspect.signature(operation)
    first, *rest = signature.parameters.values()
    returns = signature.return_annotation
    if isinstance(returns, str) and returns.startswith("Flow[") and returns.endswith("]"):
        returns = returns[len("Flow[") : -1]
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[first.replace(name="self", annotation=inspect.Parameter.empty), *rest],
        return_annotation=returns,
    )


def sync_method(
    operation: Callable[Concatenate[Context, P], Flow[R]],
) -> Callable[Concatenate[Host, P], R]:
    """``client.name(*args)`` runs ``operation(session, *args)`` on the calling thread."""

    @functools.wraps(operation)
    def method(self: Host, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._session.run(operation(self._session, *args, **kwargs))

    _as_method(method, operation)
    return method


def async_method(
    operation: Callable[Concatenate[Context, P], Flow[R]],
) -> Callable[Concatenate[AsyncHost, P], Coroutine[Any, Any, R]]:
    """``await client.name(*args)`` runs ``operation(session, *args)`` on the event loop."""

    @functools.wraps(operation)
    async def method(self: AsyncHost, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return await self._session.run(operation(self._session, *args, **kwargs))

    _as_method(method, operation)
    return method


class operation(Generic[P, R]):
    """A client method made from an operation: run on the thread or awaited, by the client."""

    def __init__(self, load: Callable[[], Callable[Concatenate[Context, P], Flow[R]]]) -> None:
        # ``load`` returns the operation: its module is imported on the method's first use,
        # so that ``import capella`` does not pay for every module the API touches.
        self._load = load
        self._made: dict[type, Callable[..., Any]] = {}

    def _method(self, owner: type) -> Callable[..., Any]:
        made = self._made.get(owner)
        if made is None:
            maker = owner._make_method  # type: ignore[attr-defined]
            made = self._made[owner] = maker(self._load())
        return made

    @overload
    def __get__(self, obj: None, owner: type) -> Callable[..., Any]: ...

    @overload
    def __get__(self, obj: Host, owner: type | None = None) -> Callable[P, R]: ...

    @overload
    def __get__(
        self, obj: AsyncHost, owner: type | None = None
    ) -> Callable[P, Coroutine[Any, Any, R]]: ...

    def __get__(self, obj: object, owner: type | None = None) -> Callable[..., Any]:
        method = self._method(owner if owner is not None else type(obj))
        return method if obj is None else types.MethodType(method, obj)
