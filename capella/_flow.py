"""API operations as I/O-free generators, and the steps they yield to their runner.

An operation (a search, a submit, a bulk cancel) is written once as a generator, the way
httpx's ``Auth.auth_flow`` is: it yields a :class:`Call` and receives the decoded answer (or has
the call's typed error raised at the ``yield``); it may :class:`Start` several calls at once and
take their outcomes with :class:`Next` as they finish; it asks for the signed-in user with
``CURRENT_USER``; a :class:`Handoff` (a download's transfer) goes to the client's own
byte-moving driver. ``ApiSession.run`` (threads) and ``AsyncApiSession.run`` (asyncio) execute
the steps and only do I/O, so every decision is made once and is testable without a server.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from capella._ops import Op

if TYPE_CHECKING:
    from capella._logging import ClientLog

T = TypeVar("T")


class Context(Protocol):
    """What an operation reads of the session that runs it (both sessions are one)."""

    @property
    def log(self) -> ClientLog: ...

    @property
    def search_url(self) -> str: ...

    @property
    def gc_pause(self) -> bool: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """Send ``op`` once (with the session's retries); the answer is the decoded JSON body.

    ``url`` replaces the operation's path (pagination links); with ``decode=False`` the body is
    not read and the answer is None (a 2xx status is the answer).
    """

    op: Op
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    url: str | None = None
    decode: bool = True


def call(op: Op, *args: Any, url: str | None = None, decode: bool = True, **kwargs: Any) -> Call:
    """A :class:`Call` of ``op`` with the generated function's arguments."""
    return Call(op, args, kwargs, url, decode)


@dataclasses.dataclass(frozen=True, slots=True)
class Start:
    """Start ``calls`` in the background, at most ``limit`` in flight; the answer is their handles.

    The first ``Start`` of a run sizes its pool; every handle is later taken with :class:`Next`
    (or left running, then cancelled or awaited when the operation ends).
    """

    calls: tuple[Call, ...]
    limit: int


@dataclasses.dataclass(frozen=True, slots=True)
class Next:
    """Wait for the first of ``handles`` to finish; the answer is its :class:`Done`."""

    handles: frozenset[int]


@dataclasses.dataclass(frozen=True, slots=True)
class Done:
    """The outcome of a started call: its answer, or the error it raised."""

    handle: int
    value: Any
    error: Exception | None

    def result(self) -> Any:
        """The answer, or the call's error raised."""
        if self.error is not None:
            raise self.error
        return self.value


class Handoff:
    """A step that is not an API call (a file transfer): the runner hands it to its client.

    Each client gives its session the handler of its own driver (threads or asyncio); the
    answer is what that handler returns. See :mod:`capella.downloads`.
    """

    __slots__ = ()


class _User(enum.Enum):
    CURRENT_USER = "current_user"


# Ask the runner for the signed-in user (``GET /user``, fetched once per client).
CURRENT_USER = _User.CURRENT_USER

Step = Call | Start | Next | _User | Handoff
Flow = Generator[Step, Any, T]


class Driver:
    """Steps one operation: hands out its next step and feeds the runner's answer back."""

    __slots__ = ("_error", "_flow", "_reply", "value")

    def __init__(self, flow: Flow[Any]) -> None:
        self._flow = flow
        self._reply: Any = None
        self._error: Exception | None = None
        self.value: Any = None

    def step(self) -> Step | None:
        """The next step, or None when the operation has returned (its result in ``value``)."""
        try:
            if self._error is not None:
                error, self._error = self._error, None
                return self._flow.throw(error)
            return self._flow.send(self._reply)
        except StopIteration as stop:
            self.value = stop.value
            return None

    def answer(self, reply: Any) -> None:
        """Give the current step's answer."""
        self._reply, self._error = reply, None

    def fail(self, error: Exception) -> None:
        """Raise ``error`` inside the operation, at the current step's ``yield``."""
        self._reply, self._error = None, error
