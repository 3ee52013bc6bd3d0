"""The resumable, segmented downloader of presigned asset URLs.

How a file is fetched:

- Bytes go to ``<name>.part``; the file is renamed to its final path only once its size matches
  the total the server announced, so a file at its final path is always whole.
- The first request of a file asks for ``Range: bytes=<n>-`` (n = bytes already on disk): a 206
  tells the total and that ranges work, a 200 means the server sends everything (again), a 416
  with ``bytes */<total>`` says the part on disk is already complete. No separate size probe.
- On a 206 for a large file, the rest is split into two byte ranges fetched in parallel into a
  preallocated part file. An idle worker splits the largest range still in flight (work stealing)
  while that range streams slower than ``split_below``: per-connection bandwidth (an object store)
  brings every connection in, a fast server that this machine can barely keep up with does not.
  ``split_below=math.inf`` splits across every connection at once.
- ``<name>.part.meta`` records the size, the validator (ETag or Last-Modified, sent back as
  ``If-Range``) and the ranges done, so that an interrupted download resumes where it stopped.
- Cuts, timeouts, 408/429/5xx are retried with backoff (``Retry-After`` honoured, capped) from the
  bytes already on disk; a 403 asks ``job.refresh`` for a fresh presigned URL; other answers fail
  the file at once. Each file's outcome is collected; one failure stops nothing else.

Threads: one run uses up to ``max_connections`` worker threads, each with one reused buffer; the
transfer loop does ``readinto`` and positioned writes of at most ``WRITE_SIZE`` bytes, nothing
else per chunk (writes to one file take turns on a per-file lock, as the kernel would make them
anyway).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import random
import re
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import attrs
import httpx

from capella._http import DEFAULT_TIMEOUT, RetrySettings, parse_retry_after
from capella._logging import ClientLog
from capella._redact import redact, redact_url
from capella.download.paths import meta_path, part_path
from capella.download.progress import FileProgress, RunProgress
from capella.download.wire import NETWORK_ERRORS, HttpClientWire, HttpxWire, Response, Wire
from capella.errors import (
    AssetConnectError,
    AssetDownloadError,
    CapellaConsoleClientError,
    DownloadError,
    IncompleteDownloadError,
    InvalidInputError,
    PresignedUrlExpiredError,
)

if TYPE_CHECKING:
    from cloudpathlib import S3Path

    from capella.download.s3 import S3Job

try:  # Windows has no flock: the part file is then not locked against a second process.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "DownloadError",
    "DownloadJob",
    "DownloadOutcome",
    "Downloader",
    "raise_for_failures",
]

MiB = 1 << 20
DEFAULT_SEGMENT_THRESHOLD = 64 * MiB
DEFAULT_SEGMENT_SIZE = 8 * MiB
# Each worker's read buffer. Each read is written in pieces of at most WRITE_SIZE: the page
# cache takes a folio as large as the write, and large folios come from memory that a VM with a
# free-page-reporting balloon may have handed back to its host (a host fault per page). Writing
# 1 GiB there (medians of 3-4 runs, four sets over an hour) took 0.49-0.52 s with 16 KiB writes
# in every set, against 0.31-0.92 s with 64 KiB and 1.40 s with 1 MiB; in the download
# benchmark, 16 KiB writes gave 1.43 s (median of 5), 64 KiB writes 2.27 s, curl (4-12 KiB
# writes) 1.49 s.
DEFAULT_BUFFER_SIZE = 64 * 1024
WRITE_SIZE = 16 * 1024  # the largest single write
# A large file starts on this many ranges; idle connections join (each splitting the largest
# range left) only while the ranges in flight are slower than ``split_below`` bytes per second.
# Streams that are already fast are limited by this machine (CPU, page cache, disk), not by
# per-connection bandwidth, and more of them only contend: on a 2-core VM, 1 GiB from loopback
# nginx took 0.57-0.72 s on 2-4 ranges against 1.1-1.5 s on 8 (medians of 4).
INITIAL_RANGES = 2
DEFAULT_SPLIT_BELOW = 200e6
# A range's speed is judged after it has streamed this long (the first reads include the
# request's round trip); until then, and while it is fast, idle workers look again this often.
RATE_WINDOW = 0.1

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# A failed attempt that moved a range forward by this much does not count against max_retries.
PROGRESS_RESETS_RETRIES = MiB
# How many times an asset may change on the server (new size or validator) during one run.
MAX_CHANGES = 3
_ALIGN = 64 * 1024
META_VERSION = 1
_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)\s*/\s*(\d+|\*)\s*$", re.IGNORECASE)

Status = Literal["downloaded", "resumed", "skipped", "failed"]


def _url_repr(url: str) -> str:
    return repr(redact_url(url))


@attrs.frozen
class DownloadJob:
    """One asset to fetch: its presigned URL and the final path to write it to."""

    url: str = attrs.field(repr=_url_repr)  # presigned: its signature never reaches a log or repr
    path: Path = attrs.field(converter=Path)
    stac_id: str | None = None
    asset_key: str | None = None
    # Returns a fresh presigned URL for this asset when the current one answers 403 (expired).
    refresh: Callable[[], str] | None = attrs.field(default=None, repr=False, eq=False)

    def describe(self) -> str:
        """``stac_id/asset_key (file name)``, or just the file name."""
        if self.stac_id or self.asset_key:
            return f"{self.stac_id or '?'}/{self.asset_key or '?'} ({self.path.name})"
        return self.path.name


@attrs.frozen
class DownloadOutcome:
    """What happened to one job: its status, the size on disk, and the error if it failed.

    ``bytes`` is the size of the final file (or of the ``.part`` left behind by a failure);
    ``transferred`` the bytes received over the network during this run.
    """

    job: DownloadJob | S3Job  # S3Job: streamed to an S3 object (capella.download.s3)
    status: Status
    bytes: int
    error: BaseException | None = None
    transferred: int = 0

    @property
    def path(self) -> Path | S3Path:
        """The final path of the asset."""
        return self.job.path

    def describe(self) -> str:
        """The job's description (for messages)."""
        return self.job.describe()


def raise_for_failures(outcomes: Sequence[DownloadOutcome]) -> None:
    """Raise ``DownloadError`` listing every failed asset, if any failed."""
    if any(o.status == "failed" for o in outcomes):
        raise DownloadError(outcomes)


# -- internal state ----------------------------------------------------------------------------


class _Retry(Exception):
    """A transient failure: try the segment again after a pause."""

    def __init__(self, cause: BaseException, wait: float | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.wait = wait
        self.segment: Segment | None = None  # set when a restart moved to a new segment


class _Switch(Exception):
    """Carry on with another segment (after a restart), at once and without counting a failure."""

    def __init__(self, segment: Segment) -> None:
        super().__init__()
        self.segment = segment


class _Fatal(Exception):
    """The file cannot be downloaded; ``error`` says why."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _Stopped(Exception):
    """The segment was stopped (file failed, restarted or the run cancelled)."""


class Generation:
    """One pass at writing the part file: its size, validator and byte ranges.

    A new generation starts when the part must be rewritten from zero (the asset changed or the
    server ignored a Range); segments of an older generation stop at their next chunk.
    """

    __slots__ = ("etag", "last_modified", "segments", "split", "total")

    def __init__(
        self, total: int | None = None, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        self.total = total
        self.etag = etag
        self.last_modified = last_modified
        self.segments: list[Segment] = []
        self.split = False  # preallocated and fetched as several ranges

    def validator(self) -> str | None:
        # If-Range needs a strong validator: a weak ETag (W/"...") must not be sent.
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified

    def take_validators(self, resp: Response) -> None:
        self.etag = resp.header("ETag")
        self.last_modified = resp.header("Last-Modified")

    def same_object(self, resp: Response) -> bool:
        etag = resp.header("ETag")
        if self.etag and etag and etag != self.etag:
            return False
        modified = resp.header("Last-Modified")
        return not (self.last_modified and modified and modified != self.last_modified)

    def complete(self) -> bool:
        return all(s.end is not None and s.pos >= s.end for s in self.segments)


class Segment:
    """A byte range ``[start, end)`` of the part file, written up to ``pos``.

    ``end`` is None while the total is unknown (the first, open-ended request). Only the worker
    that owns a segment moves ``pos``; another worker may lower ``end`` to take the tail.
    """

    __slots__ = ("end", "gen", "pos", "since", "since_pos", "start", "stop")

    def __init__(
        self, gen: Generation, start: int, end: int | None, pos: int | None = None
    ) -> None:
        self.gen = gen
        self.start = start
        self.end = end
        self.pos = start if pos is None else pos
        self.stop = False
        self.since: float | None = None  # when the current response began to stream
        self.since_pos = self.pos

    def rate(self, now: float) -> float | None:
        """Bytes per second of the current response, once it has streamed for a while."""
        since = self.since
        if since is None or now - since < RATE_WINDOW:
            return None
        return (self.pos - self.since_pos) / (now - since)


class _File:
    """Everything about one job during a run; guarded by ``cond``."""

    def __init__(self, job: DownloadJob, index: int) -> None:
        self.job = job
        self.index = index
        self.part = part_path(job.path)
        self.meta = meta_path(job.path)
        self.cond = threading.Condition(threading.Lock())
        self.fd: int | None = None
        self.url = job.url
        self.url_works = False  # the current URL answered with content at least once
        self.refreshed = False
        self.gen: Generation | None = None
        self.writers = 0  # workers inside the transfer loop (they hold ``fd``)
        # Buffered writes to one file serialize in the kernel anyway (the inode lock); waiting
        # here sleeps, where waiting in the kernel spins and takes CPU from the receivers.
        self.write_lock = threading.Lock()
        self.resumed_bytes = 0
        self.transferred = 0
        self.changes = 0
        self.recorded = False  # ``meta`` describes the current generation
        self.started = False
        self.outcome: DownloadOutcome | None = None

    @property
    def name(self) -> str:
        return self.job.path.name

    def done_bytes(self) -> int:
        gen = self.gen
        if gen is None:
            return 0
        return sum(
            max(0, min(s.pos, s.end if s.end is not None else s.pos) - s.start)
            for s in tuple(gen.segments)
        )


class _Run:
    """The shared queue of one ``Downloader.run``: segments to fetch, and files still open."""

    def __init__(self, files: list[_File], workers: int) -> None:
        self.files = files
        self.workers = workers
        self.cond = threading.Condition(threading.Lock())
        self.queue: deque[tuple[_File, Segment | None]] = deque()
        self.open_files = 0
        self.cancelled = False

    def push(self, items: Sequence[tuple[_File, Segment | None]], front: bool = False) -> None:
        if not items:
            return
        with self.cond:
            if front:
                self.queue.extendleft(reversed(items))
            else:
                self.queue.extend(items)
            self.cond.notify(len(items))

    def finished(self) -> None:
        with self.cond:
            self.open_files -= 1
            self.cond.notify_all()

    def wake(self) -> None:
        with self.cond:
            self.cond.notify_all()


def write_resume_record(meta: Path, url: str, gen: Generation) -> None:
    """Atomically write a part file's resume record (raises OSError when the disk refuses).

    The sync and async engines share this format, so either resumes a part the other started.
    """
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


def refreshable(
    name: str, refresh: Callable[[], Any] | None, failed_again: bool, detail: str
) -> Callable[[], Any]:
    """``refresh`` for an asset whose URL answered 403, or ``PresignedUrlExpiredError``.

    There is no way to a fresh URL without ``refresh``, or when a refreshed URL failed again.
    """
    suffix = f" ({detail})" if detail else ""
    if refresh is None:
        raise PresignedUrlExpiredError(
            f"presigned URL expired or forbidden (403) for {name}{suffix}; request "
            "fresh presigned items with get_presigned_items(order_id)",
            "PRESIGNED_URL_EXPIRED",
            403,
        )
    if failed_again:
        raise PresignedUrlExpiredError(
            f"presigned URL for {name} still answered 403 after it was refreshed{suffix}",
            "PRESIGNED_URL_EXPIRED",
            403,
        )
    return refresh


def refresh_failed(name: str, exc: Exception) -> PresignedUrlExpiredError:
    """The error for a refresh that raised ``exc`` (chained to it, message redacted)."""
    error = PresignedUrlExpiredError(
        f"presigned URL expired (403) for {name}; getting a fresh one failed: "
        f"{redact(f'{type(exc).__name__}: {exc}')}",
        "PRESIGNED_URL_EXPIRED",
        403,
    )
    error.__cause__ = exc
    return error


def refreshed_url(
    name: str,
    refresh: Callable[[], str] | None,
    failed_again: bool,
    detail: str,
    log: ClientLog,
) -> str:
    """A fresh presigned URL for an asset whose URL answered 403, or PresignedUrlExpiredError."""
    fetch = refreshable(name, refresh, failed_again, detail)
    log.info("%s: presigned URL expired (403); asking for a fresh one", name)
    try:
        return str(fetch())
    except Exception as exc:
        raise refresh_failed(name, exc) from exc


def parse_content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """``(first, last, total)`` of ``bytes a-b/t`` or ``bytes */t``; None where unknown."""
    if not value:
        return None, None, None
    m = _CONTENT_RANGE.match(value)
    if m is None:
        return None, None, None
    first = int(m.group(1)) if m.group(1) is not None else None
    last = int(m.group(2)) if m.group(2) is not None else None
    total = int(m.group(3)) if m.group(3) != "*" else None
    return first, last, total


def int_header(value: str | None) -> int | None:
    """An integer header value; None when absent or not a number."""
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,200})</\1>")


def error_detail(resp: Response) -> str:
    """A short, redacted summary of an error body (S3 answers XML with Code and Message)."""
    text = resp.read_error_body().decode("utf-8", "replace")
    fields = {m.group(1): m.group(2) for m in _XML_FIELD.finditer(text)}
    if fields:
        summary = ": ".join(v for k in ("Code", "Message") if (v := fields.get(k)))
    elif "\x00" in text or "\ufffd" in text:
        summary = ""  # binary: nothing readable to quote
    else:
        summary = " ".join(text.split())[:200]
    return redact(summary)


if hasattr(os, "pwrite"):

    def pwrite(fd: int, data: memoryview, offset: int) -> None:
        """Write all of ``data`` at ``offset`` (positioned: no shared file offset)."""
        written = os.pwrite(fd, data, offset)
        while written < len(data):  # regular files write everything unless the disk is full
            written += os.pwrite(fd, data[written:], offset + written)

else:  # pragma: no cover - Windows
    _seek_lock = threading.Lock()

    def pwrite(fd: int, data: memoryview, offset: int) -> None:
        with _seek_lock:
            os.lseek(fd, offset, os.SEEK_SET)
            written = os.write(fd, data)
            while written < len(data):
                written += os.write(fd, data[written:])


def pwrite_pieces(fd: int, data: memoryview, offset: int) -> None:
    """Write all of ``data`` at ``offset``, at most ``WRITE_SIZE`` bytes a write."""
    for start in range(0, len(data), WRITE_SIZE):
        pwrite(fd, data[start : start + WRITE_SIZE], offset + start)


def _preallocate(fd: int, size: int) -> None:
    """Reserve ``size`` bytes (fails early on a full disk); a plain extension otherwise."""
    if size <= 0:
        return
    try:
        os.posix_fallocate(fd, 0, size)
    except (AttributeError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
            raise
        os.ftruncate(fd, size)


class Downloader:
    """Downloads presigned assets with resume, parallel byte ranges and bounded retries.

    Holds no credentials: presigned URLs carry their own signature, and nothing else is sent.
    One pool of at most ``max_connections`` connections serves every file of every run.
    """

    def __init__(
        self,
        *,
        max_connections: int = 8,
        segment_threshold: int = DEFAULT_SEGMENT_THRESHOLD,
        segment_size: int = DEFAULT_SEGMENT_SIZE,
        max_retries: int = 5,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        log: ClientLog | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        retry: RetrySettings | None = None,
        rng: random.Random | None = None,
        split_below: float = DEFAULT_SPLIT_BELOW,
    ) -> None:
        if max_connections < 1:
            raise InvalidInputError("max_connections must be at least 1")
        if segment_size < 1 or buffer_size < 4096 or max_retries < 0:
            raise InvalidInputError(
                "segment_size must be positive, buffer_size >= 4096, max_retries >= 0"
            )
        self.max_connections = max_connections
        self.segment_threshold = segment_threshold
        self.split_below = split_below
        # A range is never split below the read buffer (a split lands ahead of the reader).
        self.segment_size = max(segment_size, buffer_size)
        self.max_retries = max_retries
        self.buffer_size = buffer_size
        self.retry = retry or RetrySettings(max_retries=max_retries)
        self.log = log or ClientLog()
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not security
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._wire: Wire
        if transport is not None:
            self._wire = HttpxWire(
                transport=transport, max_connections=max_connections, timeout=self._timeout
            )
        else:
            self._wire = HttpClientWire(max_connections=max_connections, timeout=self._timeout)
        self._closed = False

    def __repr__(self) -> str:
        return f"Downloader(max_connections={self.max_connections})"

    def __enter__(self) -> Downloader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._closed = True
        self._wire.close()

    # -- public ----------------------------------------------------------------------------

    def size(self, url: str) -> int:
        """The asset's size in bytes, from a ``Range: bytes=0-0`` GET (status checked).

        A presigned URL is signed for GET only, so no HEAD. Raises ``AssetDownloadError`` (or
        ``PresignedUrlExpiredError`` on 403) instead of reporting the size of an error body.
        """
        name = redact_url(url).rsplit("/", 1)[-1]
        failures = 0
        while True:
            wait: float | None = None
            try:
                resp = self._wire.get(url, {"Range": "bytes=0-0"})
            except NETWORK_ERRORS as exc:
                cause: BaseException = exc
            else:
                try:
                    status = resp.status
                    if status == 206:
                        total = parse_content_range(resp.header("Content-Range"))[2]
                    elif status == 200:
                        total = int_header(resp.header("Content-Length"))
                    elif status == 416:
                        total = parse_content_range(resp.header("Content-Range"))[2]
                    else:
                        if status in RETRYABLE_STATUS:
                            wait = parse_retry_after(resp.header("Retry-After"))
                            cause = AssetDownloadError(
                                f"asset host answered {status}", status=status
                            )
                        else:
                            raise self._status_error(resp, url, name)
                finally:
                    if resp.status != 200:
                        resp.read_error_body()  # 1 byte or an error page: keeps the connection
                    resp.release(reusable=resp.status != 200)
                if status in (200, 206, 416):
                    if total is None:
                        raise AssetDownloadError(
                            f"the asset host did not say the size of {name} "
                            f"(status {status}, no Content-Length/Content-Range)",
                            status=status,
                        )
                    return total
            failures += 1
            if failures > self.max_retries:
                raise AssetConnectError(
                    f"could not get the size of {name} after {failures} attempts: "
                    f"{type(cause).__name__}: {redact(str(cause))}",
                    "CONNECTION_ERROR",
                )
            self._sleep(self._delay(failures, wait))

    def run(
        self,
        jobs: Sequence[DownloadJob],
        *,
        override: bool = False,
        enable_resume: bool = True,
        show_progress: bool = False,
        threaded: bool = True,
    ) -> list[DownloadOutcome]:
        """Download every job; return their outcomes in job order (never raises per file).

        An existing final file is skipped (no request) unless ``override``. ``enable_resume``
        continues from ``.part`` files of earlier runs. ``threaded=False`` fetches one file at a
        time on the calling thread, without parallel ranges. Call ``raise_for_failures`` on the
        result to turn failures into one ``DownloadError``.
        """
        if self._closed:
            raise RuntimeError("this Downloader is closed")
        files = [_File(job, i) for i, job in enumerate(jobs)]
        outcomes: list[DownloadOutcome | None] = [None] * len(files)
        todo: list[_File] = []
        seen: dict[Path, int] = {}
        for f in files:
            key = f.job.path.absolute()
            if key in seen:
                err = InvalidInputError(
                    f"{f.job.describe()} and {files[seen[key]].job.describe()} would both be "
                    f"written to {f.job.path}"
                )
                outcomes[f.index] = DownloadOutcome(f.job, "failed", 0, err)
                continue
            seen[key] = f.index
            if not override and f.job.path.is_file():
                self.log.info("already downloaded: %s", f.job.path)
                outcomes[f.index] = DownloadOutcome(f.job, "skipped", f.job.path.stat().st_size)
                continue
            todo.append(f)

        if todo:
            workers = self.max_connections if threaded else 1
            run = _Run(todo, workers)
            run.open_files = len(todo)
            run.push([(f, None) for f in todo])
            progress = RunProgress(lambda: self._snapshot(todo)) if show_progress else None
            self._execute(run, progress, override=override, enable_resume=enable_resume)
            for f in todo:
                outcomes[f.index] = f.outcome
        result = [o for o in outcomes if o is not None]
        assert len(result) == len(files)
        failed = [o for o in result if o.status == "failed"]
        if failed:
            self.log.warning("%d of %d downloads failed", len(failed), len(result))
        return result

    # -- orchestration ---------------------------------------------------------------------

    def _execute(
        self, run: _Run, progress: RunProgress | None, *, override: bool, enable_resume: bool
    ) -> None:
        fresh = override or not enable_resume

        def work() -> None:
            buffer = memoryview(bytearray(self.buffer_size))
            while (task := self._next_task(run)) is not None:
                f, segment = task
                try:
                    self._work_on(run, f, segment, buffer, fresh=fresh)
                except BaseException as exc:  # a bug must fail the file, not hang the run
                    self._fail(run, f, exc)
                    if not isinstance(exc, Exception):
                        raise

        threads: list[threading.Thread] = []
        try:
            if progress is not None:
                progress.start()
            if run.workers == 1:
                work()
            else:
                for i in range(run.workers):
                    t = threading.Thread(target=work, name=f"capella-download-{i}", daemon=True)
                    t.start()
                    threads.append(t)
                for t in threads:
                    while t.is_alive():  # a timed join keeps Ctrl-C responsive
                        t.join(0.5)
        except BaseException:
            self._cancel(run)
            for t in threads:
                t.join()
            raise
        finally:
            self._sweep(run)
            if progress is not None:
                progress.stop()

    def _cancel(self, run: _Run) -> None:
        with run.cond:
            run.cancelled = True
            run.cond.notify_all()
        for f in run.files:
            with f.cond:
                if f.gen is not None:
                    for s in f.gen.segments:
                        s.stop = True

    def _sweep(self, run: _Run) -> None:
        """After every worker left: record unfinished ranges, close files, drop empty parts."""
        for f in run.files:
            with f.cond:
                if f.fd is not None:
                    gen = f.gen
                    unfinished = f.outcome is None and gen is not None
                    if unfinished and gen and (gen.split or not f.recorded) and f.done_bytes():
                        self._save_meta(f)
                    fd, f.fd = f.fd, None
                    os.close(fd)
                failed = f.outcome is not None and f.outcome.status == "failed"
                if failed and f.started and not f.meta.exists():
                    # Nothing was received (404, 403, ...): leave no empty part behind.
                    with contextlib.suppress(OSError):
                        if f.part.stat().st_size == 0:
                            f.part.unlink()

    def _next_task(self, run: _Run) -> tuple[_File, Segment | None] | None:
        with run.cond:
            while True:
                if run.cancelled or run.open_files <= 0:
                    return None
                if run.queue:
                    return run.queue.popleft()
                stolen, look_again = self._steal(run)
                if stolen is not None:
                    return stolen
                run.cond.wait(RATE_WINDOW if look_again else None)

    def _steal(self, run: _Run) -> tuple[tuple[_File, Segment] | None, bool]:
        """Split the largest range still in flight that is slow; the tail goes to an idle worker.

        Also says whether to look again later: a range too young to judge, or fast now, may
        turn out slow.
        """
        best: tuple[int, _File, Segment] | None = None
        look_again = False
        now = time.monotonic()
        for f in run.files:
            gen = f.gen
            if f.outcome is not None or gen is None or not gen.split:
                continue
            for s in tuple(gen.segments):
                if s.end is None or s.stop:
                    continue
                left = s.end - s.pos
                if left < 2 * self.segment_size or (best is not None and left <= best[0]):
                    continue
                if self.split_below != math.inf:
                    rate = s.rate(now)
                    if rate is None or rate >= self.split_below:
                        look_again = True
                        continue
                best = (left, f, s)
        if best is None:
            return None, look_again
        _, f, s = best
        with f.cond:
            gen = s.gen
            if f.gen is not gen or s.stop or s.end is None or f.outcome is not None:
                return None, True  # changed since the scan: scan again soon
            mid = s.pos + (s.end - s.pos) // 2
            mid -= mid % _ALIGN
            if mid - s.pos < self.segment_size:
                return None, True
            tail = Segment(gen, mid, s.end)
            gen.segments.append(tail)
            s.end = mid  # the owner stops here; a chunk it reads past ``mid`` is the same data
            self._save_meta(f)
        return (f, tail), False

    def _snapshot(self, files: list[_File]) -> list[FileProgress]:
        return [
            FileProgress(
                name=f.name,
                done=f.done_bytes(),
                total=f.gen.total if f.gen is not None else None,
                started=f.started,
                finished=f.outcome is not None,
                failed=f.outcome is not None and f.outcome.status == "failed",
            )
            for f in files
        ]

    # -- one segment -----------------------------------------------------------------------

    def _work_on(
        self, run: _Run, f: _File, segment: Segment | None, buffer: memoryview, *, fresh: bool
    ) -> None:
        try:
            if segment is None:  # the file's first task: look at what an earlier run left
                segment = self._prepare(run, f, fresh=fresh)
                if segment is None:
                    return
            self._fetch(run, f, segment, buffer)
        except _Fatal as fatal:
            self._fail(run, f, fatal.error)
        except _Stopped:
            pass
        except OSError as exc:  # the disk, not the network (network errors are retried inside)
            self._fail(
                run,
                f,
                AssetDownloadError(
                    f"could not write {f.part}: {type(exc).__name__}: {exc}", "WRITE_ERROR"
                ),
            )

    def _prepare(self, run: _Run, f: _File, *, fresh: bool) -> Segment | None:
        """Open the part file and decide where to start; returns the first segment to fetch."""
        f.started = True
        f.job.path.parent.mkdir(parents=True, exist_ok=True)
        self.log.info("downloading %s to %s", redact_url(f.url), f.job.path)
        meta = None if fresh else self._load_meta(f)
        with f.cond:
            fd = os.open(f.part, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    os.close(fd)
                    raise _Fatal(
                        AssetDownloadError(
                            f"{f.part} is being written by another download; try again later",
                            "DOWNLOAD_IN_PROGRESS",
                        )
                    ) from None
            f.fd = fd
            size = os.fstat(fd).st_size
            gen = self._resumable(meta, size)
            if gen is None:
                if size:
                    self.log.info("discarding %s (%d bytes): nothing to resume from", f.part, size)
                with contextlib.suppress(FileNotFoundError):
                    f.meta.unlink()
                os.ftruncate(fd, 0)
                gen = Generation()
                gen.segments.append(Segment(gen, 0, None))
            f.gen = gen
            f.resumed_bytes = f.done_bytes()
            if f.resumed_bytes:
                self.log.info("resuming %s from %d bytes", f.name, f.resumed_bytes)
            todo = [s for s in gen.segments if s.end is None or s.pos < s.end]
        if not todo:  # every range was complete before an interruption: just verify
            self._maybe_finish(run, f)
            return None
        run.push([(f, s) for s in todo[1:]], front=True)
        return todo[0]

    def _resumable(self, meta: dict[str, Any] | None, size: int) -> Generation | None:
        """The generation an earlier run recorded, if it still matches the part file."""
        if meta is None or size == 0:
            return None
        total = meta.get("total")
        gen = Generation(total, meta.get("etag"), meta.get("last_modified"))
        ranges = meta.get("segments")
        if ranges is None:  # a plain prefix: its length is what was written
            if total is not None and size > total:
                return None
            gen.segments.append(Segment(gen, 0, None, pos=size))
            return gen
        if total is None or size != total:
            return None
        covered = 0
        for start, end, pos in sorted(ranges):
            if not (start == covered and start <= pos <= end <= total):
                return None
            gen.segments.append(Segment(gen, start, end, pos=pos))
            covered = end
        if covered != total:
            return None
        gen.split = True
        return gen

    def _fetch(self, run: _Run, f: _File, segment: Segment, buffer: memoryview) -> None:
        """Fetch one segment to its end, retrying transient failures (bounded)."""
        failures = 0
        while True:
            if segment.stop:
                return
            if segment.end is not None and segment.pos >= segment.end:
                self._maybe_finish(run, f)
                return
            url = f.url
            before = segment.pos
            wait: float | None = None
            try:
                resp = self._wire.get(url, self._request_headers(segment))
            except InvalidInputError as exc:
                raise _Fatal(exc) from None
            except ssl.SSLCertVerificationError as exc:
                raise _Fatal(
                    AssetConnectError(
                        f"{f.name}: TLS certificate of {redact_url(url)} not trusted: {exc}",
                        "CONNECTION_ERROR",
                    )
                ) from None
            except NETWORK_ERRORS as exc:
                cause: BaseException = exc
            else:
                try:
                    self._answer(run, f, segment, resp, buffer, url)
                    return
                except _Retry as retry:
                    cause, wait = retry.cause, retry.wait
                    if retry.segment is not None:
                        segment = retry.segment
                except _Switch as switch:
                    segment = switch.segment
                    continue
            if segment.pos - before >= PROGRESS_RESETS_RETRIES:
                failures = 0
            failures += 1
            if failures > self.max_retries:
                raise _Fatal(self._exhausted(f, url, cause, failures))
            delay = self._delay(failures, wait)
            self.log.info(
                "%s: %s; retry %d/%d from byte %d in %.1f s",
                f.name,
                redact(f"{type(cause).__name__}: {cause}"),
                failures,
                self.max_retries,
                segment.pos,
                delay,
            )
            self._sleep(delay)

    def _delay(self, failures: int, wait: float | None) -> float:
        if wait is not None:
            return min(wait, self.retry.retry_after_cap)
        return self.retry.backoff(failures - 1, self._rng)

    def _exhausted(
        self, f: _File, url: str, cause: BaseException, attempts: int
    ) -> CapellaConsoleClientError:
        where = redact_url(url)
        text = redact(f"{type(cause).__name__}: {cause}")
        if isinstance(cause, AssetDownloadError):
            return AssetDownloadError(
                f"{f.name}: {cause.message} (gave up after {attempts} attempts)",
                cause.code or "DOWNLOAD_FAILED",
                cause.status_code,
            )
        return AssetConnectError(
            f"{f.name}: transfer from {where} failed after {attempts} attempts ({text})",
            "CONNECTION_ERROR",
        )

    @staticmethod
    def _request_headers(segment: Segment) -> dict[str, str]:
        if segment.end is None:
            headers = {"Range": f"bytes={segment.pos}-"}
        else:
            headers = {"Range": f"bytes={segment.pos}-{segment.end - 1}"}
        validator = segment.gen.validator()
        if validator is not None and (segment.pos > 0 or segment.gen.total is not None):
            headers["If-Range"] = validator
        return headers

    def _answer(
        self,
        run: _Run,
        f: _File,
        segment: Segment,
        resp: Response,
        buffer: memoryview,
        url: str,
    ) -> None:
        """Act on one response: stream it, restart, refresh the URL, retry or fail."""
        reusable = False
        try:
            status = resp.status
            if status == 206:
                self._on_partial(run, f, segment, resp)
            elif status == 200:
                segment = self._on_full(run, f, segment, resp)
            elif status == 416:
                self._on_unsatisfiable(run, f, segment, resp)
            else:
                reusable = True
                self._on_error(f, resp, url)
            if status != 416:
                try:
                    self._stream(run, f, segment, resp, buffer)
                except _Retry as retry:
                    retry.segment = segment
                    raise
            reusable = True
        finally:
            resp.release(reusable)
        self._maybe_finish(run, f)

    def _on_partial(self, run: _Run, f: _File, segment: Segment, resp: Response) -> None:
        first, _last, total = parse_content_range(resp.header("Content-Range"))
        new: list[Segment] = []
        with f.cond:
            self._url_works(f)
            gen = segment.gen
            if segment.stop or gen is not f.gen:
                raise _Stopped
            if first != segment.pos or total is None:
                # Not the bytes asked for: do not guess, start over.
                raise _Switch(self._restart(f, "unexpected Content-Range", changed=True))
            if gen.total is not None and (total != gen.total or not gen.same_object(resp)):
                raise _Switch(self._restart(f, "the asset changed on the server", changed=True))
            if segment.end is None:  # the first answer: now the size is known
                fresh = gen.total is None
                gen.total = total
                segment.end = total
                if fresh or gen.validator() is None:
                    gen.take_validators(resp)
                new = self._plan(run, f, gen, segment)
                if not new and total - segment.pos > self.buffer_size:
                    self._save_meta(f)
        run.push([(f, s) for s in new], front=True)
        if new:  # idle workers may split these ranges later, once they see how fast they run
            run.wake()

    def _on_full(self, run: _Run, f: _File, segment: Segment, resp: Response) -> Segment:
        total = int_header(resp.header("Content-Length"))
        with f.cond:
            self._url_works(f)
            gen = segment.gen
            if segment.stop or gen is not f.gen:
                raise _Stopped
            if gen.total is None and segment.pos == 0 and len(gen.segments) == 1:
                # A first request answered in full: the server does not do ranges, or chose not to.
                gen.total = total
                segment.end = total
                gen.take_validators(resp)
                if total is None or total > self.buffer_size:
                    self._save_meta(f)
                return segment
            # The bytes on disk cannot be continued (If-Range did not match, or Range was
            # ignored): rewrite from zero with this very response.
            changed = not gen.same_object(resp) or (gen.total is not None and total != gen.total)
            reason = "the asset changed on the server" if changed else "the server ignored Range"
            segment = self._restart(f, reason, changed=changed, total=total, resp=resp)
            return segment

    def _on_unsatisfiable(self, run: _Run, f: _File, segment: Segment, resp: Response) -> None:
        total = parse_content_range(resp.header("Content-Range"))[2]
        with f.cond:
            gen = segment.gen
            if segment.stop or gen is not f.gen:
                raise _Stopped
            alone = len(gen.segments) == 1 and segment.end is None
            if alone and total is not None and segment.pos == total:
                # Nothing left to send: the part on disk is already the whole asset.
                self._url_works(f)
                gen.total = total
                segment.end = total
                return
            raise _Switch(self._restart(f, f"range not satisfiable (size {total})", changed=True))

    def _on_error(self, f: _File, resp: Response, url: str) -> None:
        status = resp.status
        if status in RETRYABLE_STATUS:
            wait = parse_retry_after(resp.header("Retry-After"))
            detail = error_detail(resp)
            raise _Retry(
                AssetDownloadError(
                    f"asset host answered {status} {resp.reason}"
                    + (f" ({detail})" if detail else ""),
                    "ASSET_HTTP_ERROR",
                    status,
                ),
                wait,
            )
        if status == 403:
            detail = error_detail(resp)
            self._refresh(f, url, detail)
        raise _Fatal(self._status_error(resp, url, f.name))

    def _status_error(self, resp: Response, url: str, name: str) -> AssetDownloadError:
        status = resp.status
        where = redact_url(url)
        if 300 <= status < 400:
            location = resp.header("Location")
            target = f" to {redact_url(location)}" if location else ""
            return AssetDownloadError(
                f"{name}: the asset host answered {status} {resp.reason} (redirect{target}); "
                "presigned asset URLs are not followed across redirects",
                "UNEXPECTED_REDIRECT",
                status,
            )
        detail = error_detail(resp)
        suffix = f" ({detail})" if detail else ""
        if status == 403:
            return PresignedUrlExpiredError(
                f"presigned URL expired or forbidden (403) for {name}{suffix}; request fresh "
                "presigned items with get_presigned_items(order_id)",
                "PRESIGNED_URL_EXPIRED",
                status,
            )
        if status == 404:
            return AssetDownloadError(
                f"{name}: not found (404) at {where}{suffix}", "ASSET_NOT_FOUND", status
            )
        return AssetDownloadError(
            f"{name}: the asset host answered {status} {resp.reason} at {where}{suffix}",
            "ASSET_HTTP_ERROR",
            status,
        )

    def _refresh(self, f: _File, url: str, detail: str) -> NoReturn:
        """Replace an expired presigned URL (once per failure chain); raise _Retry or _Fatal."""
        with f.cond:
            if f.url != url:  # another range of this file already fetched a fresh URL
                raise _Retry(AssetDownloadError("403 on a replaced URL"), 0.0)
            try:
                fresh = refreshed_url(
                    f.name, f.job.refresh, f.refreshed and not f.url_works, detail, self.log
                )
            except PresignedUrlExpiredError as error:
                raise _Fatal(error) from None
            f.url = fresh
            f.url_works = False
            f.refreshed = True
        raise _Retry(AssetDownloadError("presigned URL refreshed"), 0.0)

    @staticmethod
    def _url_works(f: _File) -> None:
        f.url_works = True

    # -- part file bookkeeping (callers hold f.cond) ---------------------------------------

    def _plan(self, run: _Run, f: _File, gen: Generation, segment: Segment) -> list[Segment]:
        """Split what is left of a large file into ranges for the other workers."""
        assert gen.total is not None and f.fd is not None
        left = gen.total - segment.pos
        if run.workers < 2 or gen.total < self.segment_threshold or left < 2 * self.segment_size:
            return []
        ranges = run.workers if self.split_below == math.inf else INITIAL_RANGES
        count = min(run.workers, ranges, left // self.segment_size)
        size = -(-left // count)
        size += -size % _ALIGN
        segment.end = segment.pos + size
        new = [
            Segment(gen, start, min(start + size, gen.total))
            for start in range(segment.pos + size, gen.total, size)
        ]
        gen.segments.extend(new)
        gen.split = True
        # The record must say "ranges" before the file grows to full size: a plain prefix
        # record over a preallocated file would pass for complete data.
        if not self._save_meta(f):
            with contextlib.suppress(FileNotFoundError):
                f.meta.unlink()
        _preallocate(f.fd, gen.total)
        return new

    def _restart(
        self,
        f: _File,
        reason: str,
        *,
        changed: bool,
        total: int | None = None,
        resp: Response | None = None,
    ) -> Segment:
        """Start the part file over (a new generation); returns its first segment."""
        if changed:
            f.changes += 1
            if f.changes > MAX_CHANGES:
                raise _Fatal(
                    IncompleteDownloadError(
                        f"{f.name} changed on the server {f.changes} times during the download"
                        f" ({reason})",
                        "ASSET_CHANGED",
                    )
                )
        self.log.warning("%s: %s; starting over from byte 0", f.name, reason)
        old = f.gen
        if old is not None:
            for s in old.segments:
                s.stop = True
        while f.writers:  # ranges of the old generation stop at their next chunk
            f.cond.wait()
        # Drop the record first: a crash from here on leaves a part without a record (ignored).
        with contextlib.suppress(FileNotFoundError):
            f.meta.unlink()
        f.recorded = False
        assert f.fd is not None
        os.ftruncate(f.fd, 0)
        f.resumed_bytes = 0
        gen = Generation(total)
        segment = Segment(gen, 0, total)
        gen.segments.append(segment)
        if resp is not None:
            gen.take_validators(resp)
            if total is None or total > self.buffer_size:
                self._save_meta(f, gen)
        f.gen = gen
        return segment

    def _save_meta(self, f: _File, gen: Generation | None = None) -> bool:
        """Write the resume record; False when the disk refused (a missing record is safe)."""
        gen = gen or f.gen
        if gen is None:
            return False
        try:
            write_resume_record(f.meta, f.job.url, gen)
        except OSError as exc:
            # Failure paths call this too: it must not raise. Without a record, a later run
            # starts the file over, which is slower but never wrong.
            self.log.warning("could not write %s: %s", f.meta, exc)
            f.recorded = False
            return False
        f.recorded = True
        return True

    def _load_meta(self, f: _File) -> dict[str, Any] | None:
        return read_resume_record(f.meta, f.job.url)

    # -- the transfer loop -----------------------------------------------------------------

    def _stream(
        self, run: _Run, f: _File, segment: Segment, resp: Response, buffer: memoryview
    ) -> None:
        """Copy the body into the part file at the segment's position, until its end."""
        with f.cond:
            if segment.stop or f.fd is None:
                raise _Stopped
            f.writers += 1
            fd = f.fd
        write_lock = f.write_lock
        size = len(buffer)
        pos = start = segment.pos
        segment.since_pos = pos
        segment.since = time.monotonic()
        try:
            # The hot loop: one readinto into the reused buffer, then its positioned writes.
            while True:
                end = segment.end
                if end is None:
                    want = size
                else:
                    want = end - pos
                    if want <= 0:
                        break
                    if want > size:
                        want = size
                if segment.stop:
                    raise _Stopped
                try:
                    n = resp.readinto(buffer if want == size else buffer[:want])
                except NETWORK_ERRORS as exc:
                    self._broken(f, segment, pos)
                    raise _Retry(exc) from None
                if not n:
                    if end is None:
                        break
                    self._broken(f, segment, pos)
                    raise _Retry(
                        ConnectionError(
                            f"connection closed after {pos - segment.start} of "
                            f"{end - segment.start} bytes of the range"
                        )
                    )
                with write_lock:
                    pwrite_pieces(fd, buffer[:n], pos)
                pos += n
                segment.pos = pos
            if segment.end is None:  # a body of unannounced length ended: that is the size
                with f.cond:
                    segment.end = pos
                    segment.gen.total = pos
        finally:
            with f.cond:
                f.writers -= 1
                f.transferred += pos - start
                f.cond.notify_all()
                self._close_fd_if_idle(f)

    def _broken(self, f: _File, segment: Segment, pos: int) -> None:
        """A transfer broke off: make sure what is on disk can be resumed by a later run."""
        segment.pos = pos
        with f.cond:
            if segment.gen is f.gen and not f.recorded and pos > segment.start:
                self._save_meta(f)

    # -- the end of a file -----------------------------------------------------------------

    def _maybe_finish(self, run: _Run, f: _File) -> None:
        """Rename the part into place once every range is written and no worker still writes."""
        finished = False
        with f.cond:
            gen = f.gen
            if f.outcome is not None or gen is None or f.writers or not gen.complete():
                return
            if gen.split:
                self._save_meta(f)
            try:
                outcome = self._finalize(f, gen)
            except _Fatal as fatal:
                outcome = DownloadOutcome(f.job, "failed", 0, fatal.error, f.transferred)
            f.outcome = outcome
            finished = True
        if finished:
            run.finished()

    def _finalize(self, f: _File, gen: Generation) -> DownloadOutcome:
        assert f.fd is not None
        size = os.fstat(f.fd).st_size
        if gen.total is not None and size != gen.total:
            with contextlib.suppress(FileNotFoundError):
                f.meta.unlink()
            raise _Fatal(
                IncompleteDownloadError(
                    f"{f.name}: {size} bytes written, the server announced {gen.total}",
                    "SIZE_MISMATCH",
                )
            )
        os.close(f.fd)
        f.fd = None
        os.replace(f.part, f.job.path)
        with contextlib.suppress(FileNotFoundError):
            f.meta.unlink()
        status: Status = "resumed" if f.resumed_bytes else "downloaded"
        self.log.info("%s %s (%d bytes)", status, f.job.path, size)
        return DownloadOutcome(f.job, status, size, None, f.transferred)

    def _fail(self, run: _Run, f: _File, error: BaseException) -> None:
        with f.cond:
            if f.outcome is not None:
                return
            gen = f.gen
            if gen is not None:
                for s in gen.segments:
                    s.stop = True
                if gen.split or (not f.recorded and f.done_bytes()):
                    self._save_meta(f)
            on_disk = f.done_bytes()
            f.outcome = DownloadOutcome(f.job, "failed", on_disk, error, f.transferred)
            self._close_fd_if_idle(f)
        self.log.warning("failed: %s: %s", f.job.describe(), error)
        run.finished()

    @staticmethod
    def _close_fd_if_idle(f: _File) -> None:
        # Callers hold f.cond. A failed file's descriptor closes when its last writer leaves.
        if f.fd is not None and f.writers == 0 and f.outcome is not None:
            fd, f.fd = f.fd, None
            with contextlib.suppress(OSError):
                os.close(fd)
