"""The retry loops of a download, written once and without I/O.

A loop is a generator that yields steps and is told what came of each one:

- ``Get(url, headers)``: send this request. The response is sent back, or what the request raised
  is thrown in (the loop says which failures are transient).
- ``Answer(response, url)``: act on this response: stream its body, or read its error page. What
  the driver returns is sent back; a ``Retry`` or ``Switch`` it raised is thrown in, anything else
  leaves the loop as it came (a disk error is not a network error).
- ``Pause(seconds)``: sleep before the next attempt.

``size_probe`` is the size probe's loop, ``transfer`` the loop that takes one byte range (or the S3
sink's stream) to its end. ``drive`` runs a loop with blocking calls and ``drive_async`` with
coroutines; the threaded driver, the asyncio driver and the S3 sink differ only in the ``IO`` they
hand over. Bytes never pass through a loop: a driver's ``answer`` streams a whole body in its own
tight loop.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from typing import Any, Protocol, TypeVar, cast

import attrs

from capella._flow import Driver, Flow
from capella._logging import ClientLog
from capella._redact import redact, redact_url
from capella.download import protocol
from capella.download.settings import DownloadSettings
from capella.download.signals import Fatal, Retry, Switch
from capella.download.wire import NETWORK_ERRORS
from capella.errors import InvalidInputError

T = TypeVar("T")

# One byte tells the size (Content-Range) and that the URL works; a presigned URL is signed for
# GET only, so no HEAD.
PROBE_HEADERS = {"Range": "bytes=0-0"}


@attrs.frozen
class IO:
    """How a driver carries out the steps (for ``drive_async``, each returns an awaitable)."""

    get: Callable[[str, dict[str, str]], Any]  # (url, headers) -> response
    answer: Callable[[Any, str], Any]  # (response, url) -> what the loop reads of it
    pause: Callable[[float], Any]


@attrs.frozen
class Get:
    """Send ``GET url`` with these headers."""

    url: str
    headers: dict[str, str]

    def run(self, io: IO) -> Any:
        """Carry the step out with ``io``."""
        return io.get(self.url, self.headers)


@attrs.frozen
class Answer:
    """Act on the response to the ``Get`` of ``url``."""

    response: Any
    url: str

    def run(self, io: IO) -> Any:
        """Carry the step out with ``io``."""
        return io.answer(self.response, self.url)


@attrs.frozen
class Pause:
    """Sleep before the next attempt."""

    seconds: float

    def run(self, io: IO) -> Any:
        """Carry the step out with ``io``."""
        return io.pause(self.seconds)


Step = Get | Answer | Pause
Loop = Generator[Step, Any, T]


class _Steps(Driver):
    """``_flow.Driver`` (which steps API operations), as a context manager around each step.

    What a step raised (an ``Exception``) is thrown into the loop at its ``yield``, which judges
    it; ``KeyboardInterrupt`` and the like pass straight through.
    """

    __slots__ = ()

    def __init__(self, loop: Loop[Any]) -> None:
        super().__init__(cast("Flow[Any]", loop))  # Driver never looks at what the steps are

    def next(self) -> Step | None:
        """The loop's next step; None once it returned (its value in ``value``)."""
        return cast("Step | None", self.step())

    def __enter__(self) -> _Steps:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, Exception):
            self.fail(exc)
            return True
        return False


def drive(loop: Loop[T], io: IO) -> T:
    """Run ``loop`` on this thread; ``io`` blocks for each step. Returns what the loop returns."""
    steps = _Steps(loop)
    while (step := steps.next()) is not None:
        with steps:
            steps.answer(step.run(io))
    result: T = steps.value
    return result


async def drive_async(loop: Loop[T], io: IO) -> T:
    """Run ``loop`` on the event loop, awaiting ``io``'s coroutine for each step."""
    steps = _Steps(loop)
    while (step := steps.next()) is not None:
        with steps:
            steps.answer(await step.run(io))
    result: T = steps.value
    return result


# -- the loops ---------------------------------------------------------------------------------


def size_probe(url: str, retries: int, settings: DownloadSettings, rng: random.Random) -> Loop[int]:
    """The asset's size from a ``Range: bytes=0-0`` GET, retried up to ``retries`` times.

    ``Answer`` is answered with ``(head, error body)`` (an empty body for content). Raises
    ``AssetDownloadError`` (``PresignedUrlExpiredError`` on 403) rather than report the size of
    an error page.
    """
    name = redact_url(url).rsplit("/", 1)[-1]
    failures = protocol.Failures(retries)
    while True:
        wait: float | None = None
        try:
            response = yield Get(url, dict(PROBE_HEADERS))
        except NETWORK_ERRORS as exc:
            cause: BaseException = exc
        else:
            head, body = yield Answer(response, url)
            answer = protocol.probe_size(head, body, url, name)
            if isinstance(answer, int):
                return answer
            wait, cause = answer.wait, answer.cause
        if not failures.add(0):
            raise protocol.probe_exhausted(name, cause, failures.count)
        yield Pause(settings.delay(failures.count, wait, rng))


class Cursor(Protocol):
    """Where one transfer stands, as its loop reads it."""

    @property
    def name(self) -> str:
        """The file's name (for messages)."""

    def ask(self) -> tuple[str, dict[str, str]] | None:
        """The URL and headers (``Range``, ``If-Range``) for what is left; None if nothing is."""

    def done(self) -> int:
        """Bytes received so far (what an attempt moved forward is measured with it)."""


def transfer(
    cursor: Cursor, settings: DownloadSettings, rng: random.Random, log: ClientLog
) -> Loop[None]:
    """Ask for what is left of a transfer until nothing is, retrying transient failures.

    A driver's ``answer`` streams the body (raising ``Retry`` when the stream breaks, ``Switch``
    to ask again at once without counting a failure) or raises ``Fatal``. Failures in a row are
    bounded by ``settings.max_retries``; a megabyte of progress forgives them.
    """
    failures = protocol.Failures(settings.max_retries)
    while (ask := cursor.ask()) is not None:
        (url, headers), before = ask, cursor.done()
        wait: float | None = None
        try:
            response = yield Get(url, headers)
        except InvalidInputError as exc:  # not an http(s) URL: no retry can help
            raise Fatal(exc) from None
        except NETWORK_ERRORS as exc:
            if protocol.is_certificate_error(exc):
                raise Fatal(protocol.untrusted_certificate(cursor.name, url, exc)) from None
            cause: BaseException = exc
        else:
            try:
                yield Answer(response, url)
                continue
            except Switch:
                continue
            except Retry as retry:
                cause, wait = retry.cause, retry.wait
        # A failed attempt: count it (Fatal once none is left), log it, pause.
        pos = cursor.done()
        if not failures.add(pos - before):
            raise Fatal(protocol.exhausted(cursor.name, url, cause, failures.count))
        delay = settings.delay(failures.count, wait, rng)
        log.info(
            "%s: %s; retry %d/%d from byte %d in %.1f s",
            cursor.name,
            redact(f"{type(cause).__name__}: {cause}"),
            failures.count,
            failures.max_retries,
            pos,
            delay,
        )
        yield Pause(delay)
