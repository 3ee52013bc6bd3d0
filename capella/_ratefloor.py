"""A floor under the speed of a body: the read timeout alone never ends one that drips.

Used by the download drivers (per range) and by the API layer (per response body).
"""

from __future__ import annotations

# A body slower than DEFAULT_MIN_RATE bytes/s over DEFAULT_RATE_WINDOW seconds is stalled (and
# retried): the read timeout alone never ends a body that drips a byte now and then. 1 KiB/s
# is far below any working link; 20 s rides out a congested moment.
DEFAULT_MIN_RATE = 1024.0
DEFAULT_RATE_WINDOW = 20.0


class RateFloor:
    """Treats a body that stays below ``min_rate`` bytes/s for ``window`` seconds as stalled.

    A read timeout alone never ends a body that drips a byte now and then; this does. The
    drivers call ``stalled`` after each read, so a stall is seen within ``window`` plus one read
    timeout.
    """

    __slots__ = ("min_rate", "since", "since_pos", "window")

    def __init__(self, min_rate: float, window: float, pos: int, now: float) -> None:
        self.min_rate = min_rate
        self.window = window
        self.since = now
        self.since_pos = pos

    def stalled(self, pos: int, now: float) -> bool:
        """True when the last full window moved fewer than ``min_rate * window`` bytes."""
        elapsed = now - self.since
        if elapsed < self.window:
            return False
        if pos - self.since_pos < self.min_rate * elapsed:
            return True
        self.since, self.since_pos = now, pos
        return False

    def error(self, pos: int, now: float) -> TimeoutError:
        """The (retried) cause for a stalled body."""
        return TimeoutError(
            f"transfer stalled: {pos - self.since_pos} bytes in {now - self.since:.1f} s, below "
            f"the minimum of {self.min_rate:g} bytes/s (min_rate) over {self.window:g} s "
            "(rate_window)"
        )
