"""The threaded driver: presigned assets fetched on worker threads, with parallel byte ranges.

What each answer means is decided in :mod:`capella.download.protocol`; the part file and its
resume record are kept by :mod:`capella.download.localfile`. This module only moves bytes:

- Bytes go to ``<name>.part``; the file is renamed to its final path only once its size matches
  the total the server announced, so a file at its final path is always whole.
- On a 206 for a large file, the rest is split into two byte ranges fetched in parallel into a
  preallocated part file. An idle worker splits the largest range still in flight (work stealing)
  while that range streams slower than ``split_below``: per-connection bandwidth (an object store)
  brings every connection in, a fast server that this machine can barely keep up with does not.
  ``split_below=math.inf`` splits across every connection at once.
- Cuts, timeouts, 408/429/5xx are retried with backoff (``Retry-After`` honoured, capped) from the
  bytes already on disk; a 403 asks ``job.refresh`` for a fresh presigned URL; other answers fail
  the file at once. Each file's outcome is collected; one failure stops nothing else.

Threads: one run uses up to ``max_connections`` worker threads, each with one reused buffer; the
transfer loop does ``readinto`` and positioned writes of at most ``WRITE_SIZE`` bytes, nothing
else per chunk (writes to one file take turns on a per-file lock, as the kernel would make them
anyway).
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NoReturn, Unpack

import httpx

from capella._closing import Closing
from capella._http import RetrySettings
from capella._logging import ClientLog
from capella.download import attempts, protocol
from capella.download.jobs import DownloadJob, DownloadOutcome, Status, raise_for_failures
from capella.download.localfile import LocalFile, Range
from capella.download.partfile import WRITE_SIZE, pwrite, pwrite_pieces
from capella.download.protocol import Head, Next, Segment, Step
from capella.download.runs import LocalDriver, Plan
from capella.download.settings import (
    DEFAULT_SEGMENT_SIZE,
    DEFAULT_SEGMENT_THRESHOLD,
    DEFAULT_SPLIT_BELOW,
    DownloadOptions,
    DownloadSettings,
)
from capella.download.signals import Retry, Stopped, Switch
from capella.download.threads import on_threads
from capella.download.wire import NETWORK_ERRORS, HttpClientWire, HttpxWire, Response, Wire
from capella.errors import (
    AssetDownloadError,
    DownloadError,
)

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "DEFAULT_SEGMENT_THRESHOLD",
    "DEFAULT_SPLIT_BELOW",
    "WRITE_SIZE",
    "DownloadError",
    "DownloadJob",
    "DownloadOutcome",
    "Downloader",
    "Status",
    "pwrite",
    "pwrite_pieces",
    "raise_for_failures",
]

# Each worker's read buffer (written in pieces of at most WRITE_SIZE, see partfile.py). A read
# takes what the socket holds, up to this: on unthrottled nginx, 1 GiB over 8 connections took
# 1.02-1.08 s with 1 MiB (median of 5) against 1.52 s with 64 KiB and 1.32 s for curl -o file;
# the 8 buffers cost 8 MiB.
DEFAULT_BUFFER_SIZE = 1024 * 1024


def _probe_answer(resp: Response, url: str) -> tuple[Response, bytes]:
    """A size probe's head and error page (none for content); the connection given back."""
    whole = protocol.whole_body(resp)
    try:
        # 1 byte or an error page: read, so that the connection can be reused
        return resp, (b"" if whole else resp.read_error_body())
    finally:
        resp.release(reusable=not whole)


class _File(LocalFile):
    """A local file shared by worker threads: ``cond`` guards its state."""

    def __init__(self, job: DownloadJob, index: int, log: ClientLog, buffer_size: int) -> None:
        super().__init__(job, index, log, buffer_size)
        self.cond = threading.Condition(threading.Lock())
        self.writers = 0  # workers inside the transfer loop (they hold ``fd``)
        # Buffered writes to one file serialize in the kernel anyway (the inode lock); waiting
        # here sleeps, where waiting in the kernel spins and takes CPU from the receivers.
        self.write_lock = threading.Lock()

    def restart_all(self, verdict: Next, head: Head | None = None) -> Segment:
        """Stop every range of the current generation, wait for its writers, start over."""
        if self.gen is not None:
            for s in self.gen.segments:
                s.stop = True
        while self.writers:  # ranges of the old generation stop at their next chunk
            self.cond.wait()
        return self.restart(verdict, head)

    def close_if_idle(self) -> None:
        """Close a failed file's descriptor once its last writer left (caller holds cond)."""
        if self.fd is not None and self.writers == 0 and self.outcome is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


class _Run:
    """The shared queue of one ``Downloader.run``: segments to fetch, and files still open."""

    def __init__(self, files: list[_File], workers: int) -> None:
        self.files = files
        self.workers = workers
        self.cond = threading.Condition(threading.Lock())
        self.queue: deque[tuple[_File, Segment | None]] = deque()
        self.open_files = len(files)
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

    def cancel(self) -> None:
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()
        for f in self.files:
            with f.cond:
                if f.gen is not None:
                    for s in f.gen.segments:
                        s.stop = True

    def next_task(self, settings: DownloadSettings) -> tuple[_File, Segment | None] | None:
        with self.cond:
            while True:
                if self.cancelled or self.open_files <= 0:
                    return None
                if self.queue:
                    return self.queue.popleft()
                stolen, look_again = self.steal(settings)
                if stolen is not None:
                    return stolen
                self.cond.wait(protocol.RATE_WINDOW if look_again else None)

    def steal(self, settings: DownloadSettings) -> tuple[tuple[_File, Segment] | None, bool]:
        """Split the slowest large range in flight; the tail goes to an idle worker."""
        live = [(f, f.gen) for f in self.files if f.outcome is None and f.gen is not None]
        found, look_again = protocol.slow_range(
            live, size=settings.segment_size, split_below=settings.split_below, now=time.monotonic()
        )
        if found is None:
            return None, look_again
        f, s = found
        with f.cond:
            if f.gen is not s.gen or s.stop or f.outcome is not None:
                return None, True  # changed since the scan: scan again soon
            tail = protocol.split_tail(s, settings.segment_size)
            if tail is None:
                return None, True
            f.save_meta()
        return (f, tail), False


class Downloader(LocalDriver[_File, list[DownloadOutcome]], Closing):
    """Downloads presigned assets with resume, parallel byte ranges and bounded retries.

    Holds no credentials: presigned URLs carry their own signature, and nothing else is sent.
    One pool of at most ``settings.max_connections`` connections serves every file of every run.
    Keyword options (``max_connections=...``, ``timeout=...``) override fields of ``settings``.
    """

    def __init__(
        self,
        settings: DownloadSettings | None = None,
        *,
        log: ClientLog | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
        retry: RetrySettings | None = None,
        rng: random.Random | None = None,
        **options: Unpack[DownloadOptions],
    ) -> None:
        super().__init__(settings, retry, options, buffer_size=buffer_size, log=log, rng=rng)
        self.sleep = sleep
        timeout, connections = self.settings.timeout, self.settings.max_connections
        self.wire: Wire
        if transport is not None:
            self.wire = HttpxWire(transport=transport, max_connections=connections, timeout=timeout)
        else:
            self.wire = HttpClientWire(max_connections=connections, timeout=timeout)
        self._closed = False

    def close(self) -> None:
        """Close the connection pool."""
        self._closed = True
        self.wire.close()

    # -- public ----------------------------------------------------------------------------

    def size(self, url: str, *, retries: int | None = None) -> int:
        """The asset's size in bytes, from a ``Range: bytes=0-0`` GET (status checked).

        A presigned URL is signed for GET only, so no HEAD. Raises ``AssetDownloadError`` (or
        ``PresignedUrlExpiredError`` on 403) instead of reporting the size of an error body.
        ``retries`` overrides the downloader's ``max_retries``.
        """
        retries = self.max_retries if retries is None else retries
        loop = attempts.size_probe(url, retries, self.settings, self.rng)
        return attempts.drive(loop, attempts.IO(self.wire.get, _probe_answer, self.sleep))

    def sizes(self, urls: Sequence[str]) -> list[int | None]:
        """Each asset's size from one parallel round of single-attempt probes (None: unknown)."""

        def probe(url: str) -> int | None:
            try:
                return self.size(url, retries=0)
            except AssetDownloadError:
                return None  # the transfer itself will retry and report

        if not urls:
            return []
        workers = min(len(urls), self.max_connections)
        with ThreadPoolExecutor(workers, thread_name_prefix="capella-size") as pool:
            return list(pool.map(probe, urls))

    def _file(self, job: DownloadJob, index: int) -> _File:
        return _File(job, index, self.log, self.buffer_size)

    def _execute(self, plan: Plan[_File]) -> list[DownloadOutcome]:
        run = _Run(plan.todo, plan.workers)
        run.push([(f, None) for f in run.files])
        plan.start_progress(self.sizes(plan.size_urls()))  # the run's total before the first byte
        try:
            if plan.todo:
                _Workers(self, run, fresh=plan.fresh, adopt=plan.adopt).execute()
        finally:
            if plan.progress is not None:
                plan.progress.stop()
        return plan.outcomes(self.log)


class _Workers:
    """The worker threads of one run and everything they do to one range."""

    def __init__(self, downloader: Downloader, run: _Run, *, fresh: bool, adopt: bool) -> None:
        self.d = downloader
        self.settings = downloader.settings
        self.log = downloader.log
        self.run = run
        self.fresh = fresh
        self.adopt = adopt

    def execute(self) -> None:
        """Run the workers until every file has its outcome; close every file after."""
        try:
            on_threads(self.work, self.run.workers, "capella-download", self.run.cancel)
        finally:
            for f in self.run.files:
                with f.cond:
                    f.close()

    def work(self) -> None:
        buffer = memoryview(bytearray(self.d.buffer_size))
        while (task := self.run.next_task(self.settings)) is not None:
            f, segment = task
            try:
                if segment is None:  # the file's first task: look at what an earlier run left
                    segment = self.prepare(f)
                if segment is not None:
                    self.fetch(f, segment, buffer)
            except Exception as exc:  # a bug too must fail the file, not hang the run
                self.fail(f, f.failure(exc))
            except BaseException as exc:  # Ctrl-C: the file fails, the run stops
                self.fail(f, exc)
                raise

    def prepare(self, f: _File) -> Segment | None:
        """Open the part file and decide where to start; returns the first segment to fetch."""
        with f.cond:
            todo = f.open(fresh=self.fresh, adopt=self.adopt, lock_wait=self.settings.lock_wait)
        if not todo:  # every range was complete before an interruption: just verify
            self.maybe_finish(f)
            return None
        self.run.push([(f, s) for s in todo[1:]], front=True)
        return todo[0]

    def fetch(self, f: _File, segment: Segment, buffer: memoryview) -> None:
        """Fetch one segment to its end, retrying transient failures (bounded)."""
        cursor = Range(f, segment)
        answer = functools.partial(self.answer, f, cursor, buffer)
        loop = attempts.transfer(cursor, self.settings, self.d.rng, self.log)
        attempts.drive(loop, attempts.IO(self.d.wire.get, answer, self.d.sleep))
        if not cursor.segment.stop:
            self.maybe_finish(f)

    def answer(self, f: _File, cursor: Range, buffer: memoryview, resp: Response, url: str) -> None:
        """Act on one response as the protocol decides: stream, restart, refresh, retry, fail."""
        reusable = False
        try:
            segment = cursor.segment
            with f.cond:
                if segment.stop or segment.gen is not f.gen:
                    raise Stopped
                verdict = protocol.decide(segment, resp)
            if verdict.error:
                reusable = True  # the error page is read to its end
                self.on_error(f, verdict, resp, url)
            target = self.on_content(f, cursor, verdict, resp)
            if target is not None:
                self.stream(f, target, resp, buffer)
            reusable = True
        finally:
            resp.release(reusable)

    def on_error(self, f: _File, verdict: Next, resp: Response, url: str) -> NoReturn:
        """Retry, refresh the URL or fail, as the protocol decided for an error answer."""
        body = resp.read_error_body()
        detail = protocol.error_answer(verdict, resp, body, url, f.name)
        with f.cond:  # one range at a time: the others then find the URL replaced
            f.refresh_now(url, detail)

    def on_content(self, f: _File, cursor: Range, verdict: Next, resp: Response) -> Segment | None:
        """The segment to stream this body into (None: nothing to stream)."""
        segment = cursor.segment
        new: list[Segment] = []
        with f.cond:
            if segment.stop or segment.gen is not f.gen:
                raise Stopped
            f.url_works = f.url_works or verdict.content
            if verdict.restarts:
                cursor.segment = f.restart_all(verdict, resp)
                if verdict.step is Step.RESTART:
                    raise Switch
                return cursor.segment  # the new generation streams this very body
            if verdict.step is Step.COMPLETE:
                return None
            if verdict.sized:
                new = f.split(segment, verdict, self.settings, self.run.workers)
        self.run.push([(f, s) for s in new], front=True)
        if new:  # idle workers may split these ranges later, once they see how fast they run
            self.run.wake()
        return segment

    def stream(self, f: _File, segment: Segment, resp: Response, buffer: memoryview) -> None:
        """Copy the body into the part file at the segment's position, until its end."""
        with f.cond:
            if segment.stop or f.fd is None:
                raise Stopped
            f.writers += 1
            fd = f.fd
        write_lock = f.write_lock
        size = len(buffer)
        pos = start = segment.pos
        segment.since_pos = pos
        segment.since = time.monotonic()
        floor = self.settings.rate_floor(pos, segment.since)
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
                    raise Stopped
                try:
                    n = resp.readinto(buffer if want == size else buffer[:want])
                except NETWORK_ERRORS as exc:
                    self.broken(f, segment, pos)
                    raise Retry(exc) from None
                if not n:
                    if end is None:
                        break
                    self.broken(f, segment, pos)
                    raise Retry(protocol.cut_short(pos - segment.start, end - segment.start))
                with write_lock:
                    pwrite_pieces(fd, buffer[:n], pos)
                pos += n
                segment.pos = pos
                if floor.stalled(pos, now := time.monotonic()):
                    self.broken(f, segment, pos)
                    raise Retry(floor.error(pos, now))
            if segment.end is None:
                # A body of unannounced length ended, perhaps cut: ask from here (the host
                # must then confirm the size).
                protocol.body_ended(segment)
                raise Switch
        finally:
            with f.cond:
                f.writers -= 1
                f.transferred += pos - start
                f.cond.notify_all()
                f.close_if_idle()

    def broken(self, f: _File, segment: Segment, pos: int) -> None:
        segment.pos = pos
        with f.cond:
            f.broken(segment)

    def maybe_finish(self, f: _File) -> None:
        """Rename the part into place once every range is written and no worker still writes."""
        with f.cond:
            gen = f.gen
            if f.outcome is not None or gen is None or f.writers or not gen.complete():
                return
            if gen.split:
                f.save_meta()
            f.outcome = f.finish()
        self.run.finished()

    def fail(self, f: _File, error: BaseException | None) -> None:
        if error is None:  # the range was stopped: its file goes on, or already ended
            return
        with f.cond:
            failed = f.stop_all(error)
            f.close_if_idle()
        if failed:
            self.run.finished()
