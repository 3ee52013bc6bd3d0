"""How a driver steers one transfer: the exceptions its ``answer`` raises to the retry loop.

They never leave a driver: ``attempts.transfer`` catches ``Retry`` and ``Switch``, and a file's
outcome records the error a ``Fatal`` carries.
"""

from __future__ import annotations


class Retry(Exception):
    """A transient failure: try again after a pause (``wait``: what the server asked for)."""

    def __init__(self, cause: BaseException, wait: float | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.wait = wait


class Switch(Exception):
    """Ask again at once without counting a failure (after a restart, or a body of unknown end)."""


class Fatal(Exception):
    """The file cannot be downloaded; ``error`` says why."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class Stopped(Exception):
    """The segment was stopped (file failed, restarted or the run cancelled)."""
