"""The asyncio driver: presigned assets fetched on the event loop, with parallel byte ranges.

The protocol (:mod:`capella.download.protocol`), the part file and its resume record
(:mod:`capella.download.localfile`) and the options (``DownloadSettings``) are the threaded
driver's, so the two behave alike and either resumes a part the other started. This module only
moves bytes: ``max_connections`` worker tasks take ranges from one queue; a large file is split
into ranges when its size is known, and an idle worker splits a slow range in flight. Network
pieces are gathered into blocks written by a worker thread (positioned writes, in pieces of
``WRITE_SIZE``) while the next block is read.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, NoReturn, Unpack

import httpx

from capella._closing import AsyncClosing
from capella._http import RetrySettings
from capella._logging import ClientLog
from capella.download import attempts, partfile, protocol
from capella.download.jobs import DownloadJob, DownloadOutcome
from capella.download.localfile import LocalFile, Range
from capella.download.protocol import Next, Segment, Step
from capella.download.runs import LocalDriver, Plan
from capella.download.settings import DownloadOptions, DownloadSettings
from capella.download.signals import Fatal, Retry, Stopped, Switch
from capella.download.wire import httpx_options, split_url
from capella.errors import (
    AssetDownloadError,
)

__all__ = ["AsyncDownloader"]

Sleep = Callable[[float], Awaitable[None]]
_MAX_ERROR_BODY = 4096
# Network pieces are gathered into blocks of this size, each written by a worker thread (in
# pieces of WRITE_SIZE): a thread hand-off per piece would cost more than the write. A range
# holds two blocks (one gathering, one being written): with 1 MiB blocks the 32m nginx case
# peaked at 68.6 MiB RSS (1.00x the threaded driver's speed), with 512 KiB at 57.7 MiB (0.97x).
DEFAULT_BLOCK_SIZE = 512 * 1024


class _Head:
    """An httpx response's status line and headers, as the protocol reads them."""

    def __init__(self, resp: httpx.Response) -> None:
        self.status = resp.status_code
        self.reason = resp.reason_phrase
        self._headers = resp.headers

    def header(self, name: str) -> str | None:
        value: str | None = self._headers.get(name)
        return value


async def _probe_answer(resp: httpx.Response, url: str) -> tuple[_Head, bytes]:
    """A size probe's head and error page (none for content); the stream closed."""
    async with contextlib.aclosing(resp):
        head = _Head(resp)
        return head, (b"" if protocol.whole_body(head) else await _error_body(resp))


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content


def _raw_pieces(resp: httpx.Response) -> AsyncIterator[bytes]:
    """The body as it arrives (a response built from bytes, as MockTransport's are, at once).

    The stream's own iterator, not a wrapper: the transfer loop runs once per network piece.
    """
    try:
        content = resp.content
    except httpx.ResponseNotRead:
        return resp.aiter_raw()
    return _once(content)


async def _error_body(resp: httpx.Response) -> bytes:
    """The first few KiB of an error answer's body (empty if the connection broke)."""
    body = bytearray()
    try:
        async for chunk in _raw_pieces(resp):
            body += chunk
            if len(body) >= _MAX_ERROR_BODY:
                break
    except httpx.HTTPError:
        pass
    return bytes(body[:_MAX_ERROR_BODY])


class _File(LocalFile):
    """A local file whose ranges are written by tasks; ``writes``: positioned writes in flight."""

    def __init__(self, job: DownloadJob, index: int, log: ClientLog, buffer_size: int) -> None:
        super().__init__(job, index, log, buffer_size)
        self.writes: set[asyncio.Future[None]] = set()
        self.finishing = False

    async def settle(self) -> None:
        """Wait for every write in flight (a descriptor must outlive its writes)."""
        while self.writes:
            await asyncio.gather(*self.writes, return_exceptions=True)

    async def restart_all(self, verdict: Next, head: _Head | None = None) -> Segment:
        """Stop every range of the current generation, let its writes end, start over."""
        if self.gen is not None:
            for s in self.gen.segments:
                s.stop = True
        await self.settle()
        return self.restart(verdict, head)


class _Sink:
    """Positioned writes of one range into the part file, off the event loop.

    ``segment.pos`` moves only once a write finished, so it always counts bytes on disk.
    """

    def __init__(self, f: _File, segment: Segment, block: int) -> None:
        self.f = f
        self.segment = segment
        self.block = block
        self.buffer = bytearray()
        self.writing: asyncio.Future[None] | None = None
        self._end = segment.pos  # where the write in flight ends

    async def write(self) -> None:
        """Start writing what is gathered (after the write in flight); gather anew."""
        await self.settle()
        fd = self.f.fd
        # Checked with no await before the write starts: a restart cannot slip in between.
        if self.segment.stop or self.segment.gen is not self.f.gen or fd is None:
            raise Stopped
        data, self.buffer = self.buffer, bytearray()
        offset = self.segment.pos
        self._end = offset + len(data)
        self.writing = asyncio.ensure_future(
            asyncio.to_thread(partfile.pwrite_pieces, fd, memoryview(data), offset)
        )
        self.f.writes.add(self.writing)
        self.writing.add_done_callback(self.f.writes.discard)

    async def settle(self) -> None:
        """Wait for the write in flight; the segment's position then covers it."""
        if self.writing is not None:
            # Shielded from cancellation: a write must end before its descriptor closes.
            await asyncio.shield(self.writing)
            self.writing = None
            self.segment.pos = self._end

    async def drain(self) -> None:
        """Write what is gathered and wait until it is on disk."""
        if self.buffer:
            await self.write()
        await self.settle()


class _Run:
    """The shared queue of one run: ranges to fetch, and files still open."""

    def __init__(self, files: list[_File], workers: int, settings: DownloadSettings) -> None:
        self.files = files
        self.workers = workers
        self.settings = settings
        self.queue: deque[tuple[_File, Segment | None]] = deque((f, None) for f in files)
        self.open_files = len(files)
        self.wakeup = asyncio.Event()

    def push(self, items: Sequence[tuple[_File, Segment]]) -> None:
        self.queue.extendleft(reversed(items))
        self.wakeup.set()

    def finished(self) -> None:
        self.open_files -= 1
        self.wakeup.set()

    async def next_task(self) -> tuple[_File, Segment | None] | None:
        while True:
            if self.open_files <= 0:
                return None
            if self.queue:
                return self.queue.popleft()
            live = [(f, f.gen) for f in self.files if f.outcome is None and f.gen is not None]
            found, look_again = protocol.slow_range(
                live,
                size=self.settings.segment_size,
                split_below=self.settings.split_below,
                now=time.monotonic(),
            )
            if found is not None:
                f, s = found
                tail = protocol.split_tail(s, self.settings.segment_size)
                if tail is not None:
                    f.save_meta()
                    return f, tail
            self.wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.wakeup.wait(), protocol.RATE_WINDOW if look_again else None
                )


class AsyncDownloader(LocalDriver[_File, Coroutine[Any, Any, list[DownloadOutcome]]], AsyncClosing):
    """Downloads presigned assets on asyncio with resume, parallel ranges and bounded retries.

    Takes the threaded ``Downloader``'s settings (keyword options override fields of
    ``settings``). One ``httpx.AsyncClient`` (at most ``max_connections`` connections) serves
    every run. Holds no credentials: presigned URLs carry their own signature.
    """

    def __init__(
        self,
        settings: DownloadSettings | None = None,
        *,
        log: ClientLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        buffer_size: int = DEFAULT_BLOCK_SIZE,
        retry: RetrySettings | None = None,
        rng: random.Random | None = None,
        **options: Unpack[DownloadOptions],
    ) -> None:
        super().__init__(settings, retry, options, buffer_size=buffer_size, log=log, rng=rng)
        connections, timeout = self.settings.max_connections, self.settings.timeout
        self._client = httpx.AsyncClient(transport=transport, **httpx_options(connections, timeout))
        self.sleep = sleep
        self._closed = False

    async def aclose(self) -> None:
        """Close the connection pool."""
        self._closed = True
        await self._client.aclose()

    async def _get(self, url: str, headers: dict[str, str]) -> httpx.Response:
        split_url(url)  # refuses what is not an http(s) URL, as the threaded wire does
        request = self._client.build_request("GET", url, headers=headers)
        return await self._client.send(request, stream=True)

    async def size(self, url: str, *, retries: int | None = None) -> int:
        """The asset's size in bytes, from a ``Range: bytes=0-0`` GET (status checked).

        ``retries`` overrides the downloader's ``max_retries``.
        """
        retries = self.max_retries if retries is None else retries
        loop = attempts.size_probe(url, retries, self.settings, self.rng)
        return await attempts.drive_async(loop, attempts.IO(self._get, _probe_answer, self.sleep))

    async def sizes(self, urls: Sequence[str]) -> list[int | None]:
        """Each asset's size from one concurrent round of single-attempt probes (None: unknown)."""
        slots = asyncio.Semaphore(self.max_connections)

        async def probe(url: str) -> int | None:
            async with slots:
                try:
                    return await self.size(url, retries=0)
                except AssetDownloadError:
                    return None  # the transfer itself will retry and report

        return list(await asyncio.gather(*(probe(url) for url in urls)))

    def _file(self, job: DownloadJob, index: int) -> _File:
        return _File(job, index, self.log, self.buffer_size)

    async def _execute(self, plan: Plan[_File]) -> list[DownloadOutcome]:
        run = _Run(plan.todo, plan.workers, self.settings)
        try:
            plan.start_progress(await self.sizes(plan.size_urls()))
            if plan.todo:
                await asyncio.gather(
                    *(
                        _Worker(self, run, plan.fresh, plan.adopt).work()
                        for _ in range(plan.workers)
                    )
                )
        finally:
            for f in run.files:
                await f.settle()
                f.close()
            if plan.progress is not None:
                plan.progress.stop()
        return plan.outcomes(self.log)


class _Worker:
    """One connection's loop: take a range, fetch it to its end, take the next."""

    def __init__(self, d: AsyncDownloader, run: _Run, fresh: bool, adopt: bool) -> None:
        self.d = d
        self.run = run
        self.fresh = fresh
        self.adopt = adopt
        self.settings = d.settings

    async def work(self) -> None:
        while (task := await self.run.next_task()) is not None:
            f, segment = task
            try:
                await self.work_on(f, segment)
            except Exception as exc:  # a bug too must fail the file, not the run
                error = f.failure(exc)
                if error is not None and f.stop_all(error):
                    self.run.finished()

    async def work_on(self, f: _File, segment: Segment | None) -> None:
        if segment is None:  # the file's first task: look at what an earlier run left
            todo = await asyncio.to_thread(
                f.open, fresh=self.fresh, adopt=self.adopt, lock_wait=self.settings.lock_wait
            )
            if not todo:
                await self.maybe_finish(f)
                return
            self.run.push([(f, s) for s in todo[1:]])
            segment = todo[0]
        await self.fetch(f, segment)

    async def fetch(self, f: _File, segment: Segment) -> None:
        """Fetch one range to its end, retrying transient failures (bounded)."""
        cursor = Range(f, segment)
        answer = functools.partial(self.answer, f, cursor)
        loop = attempts.transfer(cursor, self.settings, self.d.rng, self.d.log)
        await attempts.drive_async(loop, attempts.IO(self.d._get, answer, self.d.sleep))
        if not cursor.segment.stop:
            await self.maybe_finish(f)

    async def answer(self, f: _File, cursor: Range, resp: httpx.Response, url: str) -> None:
        """Act on one response as the protocol decides; stream its body into the cursor's range."""
        async with contextlib.aclosing(resp):
            segment = cursor.segment
            if segment.stop or segment.gen is not f.gen:
                raise Stopped
            head = _Head(resp)
            verdict = protocol.decide(segment, head)
            if verdict.error:
                await self.on_error(f, verdict, head, await _error_body(resp), url)
            f.url_works = f.url_works or verdict.content
            if verdict.restarts:
                segment = cursor.segment = await f.restart_all(verdict, head)
                if verdict.step is Step.RESTART:
                    raise Switch
            if verdict.sized:
                self.run.push(
                    [(f, s) for s in f.split(segment, verdict, self.settings, self.run.workers)]
                )
            if verdict.step is not Step.COMPLETE:
                await self.stream(f, segment, resp)

    async def on_error(
        self, f: _File, verdict: Next, head: _Head, body: bytes, url: str
    ) -> NoReturn:
        """Retry, refresh the URL or fail, as the protocol decided for an error answer."""
        await self.refresh(f, url, protocol.error_answer(verdict, head, body, url, f.name))

    async def refresh(self, f: _File, url: str, detail: str) -> NoReturn:
        """Replace an expired presigned URL (once per failure chain); raise Retry or Fatal."""
        refresh = f.refresh_for(url, detail)
        try:
            fresh: Any = refresh()
            if inspect.isawaitable(fresh):  # the async client's refresh is a coroutine function
                fresh = await fresh
        except Exception as exc:
            raise Fatal(protocol.refresh_failed(f.name, exc)) from None
        raise f.use_url(fresh)

    async def stream(self, f: _File, segment: Segment, resp: httpx.Response) -> None:
        """Copy the body into the part file at the segment's position, until its end."""
        sink = _Sink(f, segment, self.d.buffer_size)
        start = received = segment.pos  # received: taken from the network (written or gathered)
        segment.since_pos, segment.since = start, time.monotonic()
        floor = self.settings.rate_floor(start, segment.since)
        try:
            try:
                buffer, block = sink.buffer, sink.block
                async for piece in _raw_pieces(resp):
                    end = segment.end
                    if end is not None and received + len(piece) > end:
                        piece = piece[: end - received]  # a server sending more is not trusted
                        buffer += piece
                        received += len(piece)
                        break
                    buffer += piece
                    received += len(piece)
                    if len(buffer) >= block:
                        await sink.write()
                        buffer = sink.buffer
                    if floor.stalled(received, now := time.monotonic()):
                        raise Retry(floor.error(received, now))
            except (httpx.TransportError, Retry) as exc:
                await sink.drain()
                f.broken(segment)
                if isinstance(exc, Retry):
                    raise
                raise Retry(exc) from None
            await sink.drain()
        finally:
            f.transferred += received - start
        if segment.end is None:
            # A body of unannounced length ended, perhaps cut: the fetch loop asks from here
            # (the host must then confirm the size).
            protocol.body_ended(segment)
            return
        if segment.pos < segment.end:
            f.broken(segment)
            raise Retry(protocol.cut_short(segment.pos - segment.start, segment.end - start))

    async def maybe_finish(self, f: _File) -> None:
        """Rename the part into place once every range is written."""
        gen = f.gen
        if f.finishing or f.outcome is not None or gen is None or not gen.complete():
            return
        f.finishing = True  # set before any await: two ranges may end at once
        if gen.split:
            f.save_meta()
        await f.settle()
        f.outcome = await asyncio.to_thread(f.finish)
        self.run.finished()
