"""How a driver steers one transfer: the exceptions its loops raise and catch.

They never leave a driver: a file's outcome records the error a ``Fatal`` carries.
"""

from __future__ import annotations

from capella.download.protocol import Segment


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
