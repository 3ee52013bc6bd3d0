"""One download of an asset at a time across processes: an OS file lock keyed by its target.

Two processes that download the same asset into the same folder (or S3 key) take turns: the
second waits, bounded by its budget, and then finds the first one's result. The lock of a local
file lives beside it under a hidden name no asset may take (``paths.work_name``); the lock of an
S3 object lives in the system's temporary folder, so it holds between processes of one machine.

A lock file is removed by its holder on release. A waiter that then wins the lock on the removed
file notices it (the name no longer points at its inode) and tries again on the new file, so two
holders never coexist. Windows has no ``flock``: there the lock is not taken.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from capella.download.paths import work_name
from capella.errors import AssetDownloadError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".lock"
# How often a waiter looks again: short next to a transfer, long next to a system call.
POLL_INTERVAL = 0.05


class AssetLockedError(AssetDownloadError):
    """Another process kept downloading the same asset for longer than this one may wait."""


def lock_path(target: Path | str) -> Path:
    """The lock file for a final path (beside it) or an S3 URI (in the temporary folder)."""
    if isinstance(target, Path):
        return target.with_name(work_name(target.name, LOCK_SUFFIX))
    digest = hashlib.sha256(target.encode()).hexdigest()[:32]
    return Path(tempfile.gettempdir()) / "capella-locks" / f"{digest}{LOCK_SUFFIX}"


def _try_lock(path: Path) -> int | None:
    """A descriptor holding the lock on ``path``; None when another holder has it."""
    assert fcntl is not None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    try:
        current = os.stat(path)
    except FileNotFoundError:
        current = None
    mine = os.fstat(fd)
    if current is None or (current.st_ino, current.st_dev) != (mine.st_ino, mine.st_dev):
        # The previous holder removed this file after we opened it: lock the new one.
        os.close(fd)
        return None
    return fd


def _mark(watch: Path | None) -> tuple[int, int] | None:
    """Size and modification time of ``watch``: a change shows the holder still works."""
    if watch is None:
        return None
    try:
        st = os.stat(watch)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


@contextlib.contextmanager
def asset_lock(
    target: Path | str, *, wait: float | None, watch: Path | None = None
) -> Iterator[None]:
    """Hold the cross-process lock of ``target`` (a final ``Path`` or an ``s3://`` URI).

    Waits for another holder at most ``wait`` seconds (forever with None) without progress:
    each change of ``watch`` (the holder's work file) starts the wait again. Then raises
    ``AssetLockedError``. Raises ``OSError`` when the lock file cannot be created.
    """
    if fcntl is None:  # pragma: no cover - Windows: part files are still opened exclusively
        yield
        return
    path = lock_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = None if wait is None else time.monotonic() + wait
    seen = _mark(watch)
    while (fd := _try_lock(path)) is None:
        now = time.monotonic()
        if wait is not None and (mark := _mark(watch)) != seen:
            seen, deadline = mark, now + wait
        if deadline is not None and now >= deadline:
            raise AssetLockedError(
                f"{target} is being downloaded by another process that made no progress for "
                f"{wait:g} s; try again later",
                "DOWNLOAD_IN_PROGRESS",
            )
        time.sleep(POLL_INTERVAL)
    try:
        yield
    finally:
        # Unlink before unlocking: a waiter that wins the old inode sees it is gone.
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)
