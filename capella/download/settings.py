"""The options of a download run, in one frozen value shared by every driver."""

from __future__ import annotations

import dataclasses
import random
from typing import TypedDict

import attrs
import httpx

from capella._config import DEFAULT_SEGMENT_THRESHOLD as DEFAULT_SEGMENT_THRESHOLD
from capella._config import ClientOptions
from capella._http import DEFAULT_TIMEOUT, RetrySettings
from capella._logging import ClientLog
from capella._ratefloor import DEFAULT_MIN_RATE, DEFAULT_RATE_WINDOW, RateFloor
from capella.errors import InvalidInputError

MiB = 1 << 20
DEFAULT_SEGMENT_SIZE = 8 * MiB
# Idle connections join a large file only while its ranges are slower than this (bytes/s):
# streams that are already fast are limited by this machine, and more of them only contend
# (on a 2-core VM, 1 GiB from loopback nginx took 0.57-0.72 s on 2-4 ranges against 1.1-1.5 s
# on 8; medians of 4).
DEFAULT_SPLIT_BELOW = 200e6
DEFAULT_MAX_RETRIES = 5
# The fields a download's settings share, by name, with the HTTP layer's retry policy.
RETRY_FIELDS = tuple(field.name for field in dataclasses.fields(RetrySettings))


class DownloadOptions(TypedDict, total=False):
    """``DownloadSettings`` fields as keyword arguments of the downloaders."""

    max_connections: int
    max_retries: int
    timeout: httpx.Timeout | float
    segment_threshold: int
    segment_size: int
    split_below: float
    backoff_base: float
    backoff_max: float
    retry_after_cap: float
    min_rate: float
    rate_window: float


def _timeout(value: httpx.Timeout | float) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


@attrs.frozen
class DownloadSettings:
    """Every tunable of a download: connections, ranges, retries and timeouts.

    The clients build one from their own ``timeout``, ``max_retries``,
    ``download_connections`` and ``segment_threshold``; the drivers only read it.
    """

    max_connections: int = 8
    max_retries: int = DEFAULT_MAX_RETRIES
    timeout: httpx.Timeout = attrs.field(default=DEFAULT_TIMEOUT, converter=_timeout)
    segment_threshold: int = DEFAULT_SEGMENT_THRESHOLD
    segment_size: int = DEFAULT_SEGMENT_SIZE
    split_below: float = DEFAULT_SPLIT_BELOW
    # Backoff bounds (max_retries above is the one that counts for downloads).
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_cap: float = 30.0
    # A body below ``min_rate`` bytes/s for ``rate_window`` seconds is stalled (0: no floor).
    min_rate: float = DEFAULT_MIN_RATE
    rate_window: float = DEFAULT_RATE_WINDOW

    def __attrs_post_init__(self) -> None:
        if self.max_connections < 1:
            raise InvalidInputError("max_connections must be at least 1")
        if not (self.min_rate >= 0 and self.rate_window > 0):
            raise InvalidInputError(
                "min_rate must be >= 0 bytes/s and rate_window a positive number of seconds"
            )
        if self.segment_size < 1 or self.max_retries < 0 or self.segment_threshold < 0:
            raise InvalidInputError(
                "segment_size must be positive, segment_threshold and max_retries >= 0"
            )

    @property
    def retry(self) -> RetrySettings:
        """The backoff policy as the HTTP layer spells it."""
        return RetrySettings(**{name: getattr(self, name) for name in RETRY_FIELDS})

    @property
    def lock_wait(self) -> float:
        """How long to wait for another process's download of the same asset to move on."""
        # As long as a stalled transfer of our own may last before it is retried.
        read = self.timeout.read if self.timeout.read is not None else self.rate_window
        return read + self.rate_window

    def rate_floor(self, pos: int, now: float) -> RateFloor:
        """The stall detector for a body that starts streaming at ``pos``."""
        return RateFloor(self.min_rate, self.rate_window, pos, now)

    def delay(self, failures: int, wait: float | None, rng: random.Random) -> float:
        """The pause before attempt ``failures + 1``: ``Retry-After`` (capped) or backoff."""
        if wait is not None:
            return min(wait, self.retry_after_cap)
        return self.retry.backoff(failures - 1, rng)


def settings_with(
    settings: DownloadSettings | None,
    retry: RetrySettings | None,
    options: DownloadOptions,
    buffer_size: int,
) -> DownloadSettings:
    """``settings`` with keyword overrides and an explicit backoff policy applied.

    A range is never split below the read buffer (a split lands ahead of the reader).
    """
    result = attrs.evolve(settings or DownloadSettings(), **options)
    if retry is not None:
        # The backoff of an explicit policy; max_retries stays the download's own.
        backoff = {name: getattr(retry, name) for name in RETRY_FIELDS if name != "max_retries"}
        result = attrs.evolve(result, **backoff)
    if result.segment_size < buffer_size:
        result = attrs.evolve(result, segment_size=buffer_size)
    return result


class Configured:
    """What every downloader holds: its settings, read size, logger and source of jitter."""

    def __init__(
        self,
        settings: DownloadSettings | None,
        retry: RetrySettings | None,
        options: DownloadOptions,
        *,
        buffer_size: int,
        log: ClientLog | None,
        rng: random.Random | None,
    ) -> None:
        if buffer_size < 4096:
            raise InvalidInputError("buffer_size must be >= 4096")
        self.settings = settings_with(settings, retry, options, buffer_size)
        self.buffer_size = buffer_size
        self.log = log or ClientLog()
        self.rng = rng or random.Random()  # jitter, not security

    @property
    def max_connections(self) -> int:
        """Connections (and workers) at most."""
        return self.settings.max_connections

    @property
    def max_retries(self) -> int:
        """Failed attempts in a row allowed per range."""
        return self.settings.max_retries

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_connections={self.max_connections})"


def download_settings(options: ClientOptions) -> DownloadSettings:
    """A client's checked options as download settings: its timeout and retries reach downloads."""
    return DownloadSettings(
        max_connections=options.download_connections,
        segment_threshold=options.segment_threshold,
        timeout=options.timeout,
        max_retries=options.max_retries,
    )
