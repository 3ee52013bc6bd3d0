"""Pausing Python's cyclic garbage collector while a large JSON body is decoded.

Why: a 900-item catalog page decodes into about 30,000 containers. With the collector running,
those allocations set off collections that walk everything decoded before, so a 12-page search
spent more time in the collector than in the decoder (orjson 0.18 s for 38.8 MB with the
collector paused, 0.47-0.60 s with it running). Decoded JSON holds no reference cycles:
reference counting frees all of it, and the collector has nothing to find in it.

How, and what it costs the rest of the process (the client option ``gc_pause``, on by default;
``gc_pause=False`` leaves the collector entirely alone):

- While any client decodes a large body, the collector is off for the whole process (it is one
  per process); the first decoder switches it off, the last switches it back on, and only if it
  was on before. An application that turned the collector off keeps it off, untouched.
- Just before switching it off, one young collection (``gc.collect(1)``) examines the
  application's young objects as the collector would have. After the decode, what the young
  generations then hold (the decoded objects, plus whatever other threads allocated during the
  decode) is filed with the oldest generation without being walked (``gc.freeze()`` then
  ``gc.unfreeze()``: both move list heads only). The application's objects keep the
  generation they had: none is moved unexamined, except those other threads made during a
  decode, whose cycles are then found by the next full collection instead of a young one.
- An application that froze objects of its own (``gc.freeze()``, e.g. before forking) is never
  thawed: the filing step is skipped and only the pause applies.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Bodies from this size on are decoded with the garbage collector paused.
PAUSE_FROM = 256 * 1024


class _Pause:
    __slots__ = ("_holders", "_lock", "_resume")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._resume = False

    def enter(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._resume = gc.isenabled()
                if self._resume:
                    # Examine the application's young objects now, so that what is filed
                    # old after the decode is only what was made during it.
                    gc.collect(1)
                    gc.disable()
            self._holders += 1

    def leave(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._resume:
                if gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                gc.enable()


# Process-wide because the collector is: one counter for every client in the process.
_PAUSE = _Pause()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector off for the duration of the block (see above)."""
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.leave()


@contextmanager
def decoding_paused(size: int, *, enabled: bool = True) -> Iterator[None]:
    """Pause the collector while a body of ``size`` bytes is decoded, if large and ``enabled``."""
    if not enabled or size < PAUSE_FROM:
        yield
        return
    with gc_paused():
        yield
