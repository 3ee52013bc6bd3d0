"""The work files of a local download: the ``.part`` file and its resume record.

Both drivers (threads and asyncio) write the same formats, so either resumes a part the other
started. Every function here does file I/O and decides nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from capella._redact import redact_url
from capella.download.protocol import Generation
from capella.errors import AssetDownloadError

try:  # Windows has no flock: the part file is then not locked against a second process.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

META_VERSION = 1
# Each read is written in pieces of at most WRITE_SIZE: the page cache takes a folio as large
# as the write, and large folios come from memory that a VM with a free-page-reporting balloon
# may have handed back to its host (a host fault per page). Writing 1 GiB there (medians of
# 3-4 runs, four sets over an hour) took 0.49-0.52 s with 16 KiB writes in every set, against
# 0.31-0.92 s with 64 KiB and 1.40 s with 1 MiB; in the download benchmark, 16 KiB writes gave
# 1.43 s (median of 5), 64 KiB writes 2.27 s, curl (4-12 KiB writes) 1.49 s.
WRITE_SIZE = 16 * 1024


class PartBusyError(AssetDownloadError):
    """The part file is locked by another download."""


if hasattr(os, "pwrite"):

    def pwrite(fd: int, data: memoryview, offset: int) -> None:
        """Write all of ``data`` at ``offset`` (positioned: no shared file offset)."""
        written = os.pwrite(fd, data, offset)
        while written < len(data):  # regular files write everything unless the disk is full
            written += os.pwrite(fd, data[written:], offset + written)

else:  # pragma: no cover - Windows
    _seek_lock = threading.Lock()

    def pwrite(fd: int, data: memoryview, offset: int) -> None:
        """Write all of ``data`` at ``offset`` (seek and write, one thread at a time)."""
        with _seek_lock:
            os.lseek(fd, offset, os.SEEK_SET)
            written = os.write(fd, data)
            while written < len(data):
                written += os.write(fd, data[written:])


def pwrite_pieces(fd: int, data: memoryview, offset: int) -> None:
    """Write all of ``data`` at ``offset``, at most ``WRITE_SIZE`` bytes a write."""
    for start in range(0, len(data), WRITE_SIZE):
        pwrite(fd, data[start : start + WRITE_SIZE], offset + start)


def open_part(part: Path) -> int:
    """Open (create) the part file and lock it against a second writer; the descriptor."""
    part.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(part, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise PartBusyError(
                f"{part} is being written by another download; try again later",
                "DOWNLOAD_IN_PROGRESS",
            ) from None
    return fd


def drop_record(meta: Path) -> None:
    """Remove a resume record (if there is one)."""
    with contextlib.suppress(FileNotFoundError):
        meta.unlink()


def truncate(fd: int, meta: Path) -> None:
    """Empty the part file, dropping its record first (a part without a record is ignored)."""
    drop_record(meta)
    # An empty part is left alone: on ext4, a truncate to 0 (even of an empty file) makes the
    # close start writeback of everything written since, which cost 0.42-0.48 s at the end of
    # every fresh 1 GiB download (auto_da_alloc).
    if os.fstat(fd).st_size:
        os.ftruncate(fd, 0)


def close_and_replace(fd: int, part: Path, path: Path, meta: Path) -> None:
    """Close the complete part, move it to its final path, and drop its record."""
    os.close(fd)
    os.replace(part, path)
    drop_record(meta)


def drop_if_empty(part: Path, meta: Path) -> None:
    """Remove a part that holds nothing, and its record (a failure that received nothing)."""
    with contextlib.suppress(OSError):
        if part.stat().st_size == 0:
            drop_record(meta)
            part.unlink()


def write_resume_record(meta: Path, url: str, gen: Generation) -> None:
    """Atomically write a part file's resume record (raises OSError when the disk refuses)."""
    record = {
        "version": META_VERSION,
        "url": redact_url(url),
        "total": gen.total,
        "etag": gen.etag,
        "last_modified": gen.last_modified,
        "segments": [[s.start, s.end, s.pos] for s in gen.segments] if gen.split else None,
    }
    tmp = meta.with_name(meta.name + ".tmp")
    tmp.write_text(json.dumps(record))
    os.replace(tmp, meta)


def read_resume_record(meta: Path, url: str) -> dict[str, Any] | None:
    """A part file's resume record; None when missing, unreadable or for another asset."""
    try:
        record = json.loads(meta.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("version") != META_VERSION:
        return None
    # Presigned URLs of the same asset differ only in their query string.
    if record.get("url") != redact_url(url):
        return None
    return record
