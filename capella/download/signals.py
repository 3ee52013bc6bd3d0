"""How a driver steers one transfer: the exceptions its loops raise and catch.

They never leave a driver: a file's outcome records the error a ``Fatal`` carries.
"""

from __future__ import annotations

import random

from capella._logging import ClientLog
from capella._redact import redact
from capella.download import protocol
from capella.download.protocol import Segment
from capella.download.settings import DownloadSettings


class Retry(Exception):
    """A transient failure: try again after a pause (``wait``: what the server asked for)."""

    def __init__(self, cause: BaseException, wait: float | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.wait = wait
        self.segment: Segment | None = None  # set when a restart moved to a new segment


class Switch(Exception):
    """Carry on with another segment (after a restart), at once and without counting a failure."""

    def __init__(self, segment: Segment) -> None:
        super().__init__()
        self.segment = segment


class Fatal(Exception):
    """The file cannot be downloaded; ``error`` says why."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Stopped(Exception):
    """The segment was stopped (file failed, restarted or the run cancelled)."""


def next_attempt(
    failures: protocol.Failures,
    settings: DownloadSettings,
    rng: random.Random,
    log: ClientLog,
    *,
    name: str,
    url: str,
    cause: BaseException,
    progress: int,
    pos: int,
    wait: float | None,
) -> float:
    """Count a failed attempt: the pause before the next one (logged), or Fatal if none is left."""
    if not failures.add(progress):
        raise Fatal(protocol.exhausted(name, url, cause, failures.count))
    delay = settings.delay(failures.count, wait, rng)
    log.info(
        "%s: %s; retry %d/%d from byte %d in %.1f s",
        name,
        redact(f"{type(cause).__name__}: {cause}"),
        failures.count,
        failures.max_retries,
        pos,
        delay,
    )
    return delay
