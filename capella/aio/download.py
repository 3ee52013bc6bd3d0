"""The downloader on asyncio: presigned assets fetched concurrently on the event loop.

The guarantees are the sync engine's (:mod:`capella.download.engine`), and so are the work
files: bytes go to ``<name>.part`` (positioned writes, done off the event loop while the next
block is read), ``<name>.part.meta`` records the size, the validator and the ranges in the sync
engine's format, so a part started by either shell resumes in the other. The file is renamed to
its final path only once its size is the size the server announced.

Each file is fetched as one stream (a part the sync engine left as several ranges is resumed one
range after the other): ``Range: bytes=<n>-`` with ``If-Range``; 206 continues, 200 starts over
with that very response, 416 with ``bytes */<n>`` means the part is already complete. Cuts,
timeouts, 408/429/5xx are retried with backoff (``Retry-After`` honoured, capped); a 403 asks the
job's ``refresh`` (a function or a coroutine function) once for a fresh URL; other answers fail
the file. At most ``max_connections`` files are in flight; every file's outcome is collected.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import random
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

import httpx

from capella._http import DEFAULT_TIMEOUT, RetrySettings, retry_after_seconds
from capella._logging import ClientLog
from capella._redact import redact, redact_url
from capella.download.engine import (
    MAX_CHANGES,
    PROGRESS_RESETS_RETRIES,
    RETRYABLE_STATUS,
    DownloadJob,
    DownloadOutcome,
    Generation,
    Segment,
    Status,
    error_detail,
    int_header,
    parse_content_range,
    pwrite_pieces,
    read_resume_record,
    refresh_failed,
    refreshable,
    write_resume_record,
)
from capella.download.paths import meta_path, part_path
from capella.download.progress import FileProgress, RunProgress
from capella.download.wire import USER_AGENT, split_url
from capella.errors import (
    AssetConnectError,
    AssetDownloadError,
    CapellaConsoleClientError,
    IncompleteDownloadError,
    InvalidInputError,
    PresignedUrlExpiredError,
)

try:  # Windows has no flock: the part file is then not locked against a second process.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["AsyncDownloader"]

Sleep = Callable[[float], Awaitable[None]]
_MAX_ERROR_BODY = 4096
# Network pieces are gathered into blocks of this size, each written by a worker thread (in
# pieces of WRITE_SIZE): a thread hand-off per piece would cost more than the write.
DEFAULT_BLOCK_SIZE = 1 << 20


class _Retry(Exception):
    """A transient failure: try again after a pause (``wait``: what the server asked for)."""

    def __init__(self, cause: BaseException, wait: float | None = None) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.wait = wait


class _Restarted(Exception):
    """The part was started over: carry on at once, without counting a failure."""


class _Fatal(Exception):
    """The file cannot be downloaded; ``error`` says why."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _Head:
    """An httpx response as the sync engine's ``Response`` protocol sees it: its status line,
    headers and (for an error answer) the start of its body, already read."""

    def __init__(self, resp: httpx.Response, body: bytes = b"") -> None:
        self.status = resp.status_code
        self.reason = resp.reason_phrase
        self._headers = resp.headers
        self._body = body

    def header(self, name: str) -> str | None:
        value: str | None = self._headers.get(name)
        return value

    def readinto(self, buffer: memoryview) -> int:
        return 0

    def read_error_body(self) -> bytes:
        return self._body

    def release(self, reusable: bool) -> None:
        return None


async def _raw_pieces(resp: httpx.Response) -> AsyncIterator[bytes]:
    """The body as it arrives (a response built from bytes, as MockTransport's are, at once)."""
    try:
        content = resp.content
    except httpx.ResponseNotRead:
        async for piece in resp.aiter_raw():
            yield piece
    else:
        yield content


async def _error_body(resp: httpx.Response) -> bytes:
    """The first few KiB of an error answer's body (empty if the connection broke)."""
    body = bytearray()
    with contextlib.suppress(httpx.HTTPError):
        async for chunk in _raw_pieces(resp):
            body += chunk
            if len(body) >= _MAX_ERROR_BODY:
                break
    return bytes(body[:_MAX_ERROR_BODY])


def _done_bytes(gen: Generation | None) -> int:
    if gen is None:
        return 0
    return sum(
        max(0, min(s.pos, s.end if s.end is not None else s.pos) - s.start) for s in gen.segments
    )


def _resumable(meta: dict[str, Any] | None, size: int) -> Generation | None:
    """The generation an earlier run (of either shell) recorded, if it matches the part file."""
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


def _is_certificate_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class _File:
    """Everything about one job during a run (owned by its one task)."""

    def __init__(self, job: DownloadJob, index: int) -> None:
        self.job = job
        self.index = index
        self.part = part_path(job.path)
        self.meta = meta_path(job.path)
        self.fd: int | None = None
        self.url = job.url
        self.url_works = False  # the current URL answered with content at least once
        self.refreshed = False
        self.gen: Generation | None = None
        self.resumed_bytes = 0
        self.transferred = 0
        self.changes = 0
        self.recorded = False  # ``meta`` describes the current generation
        self.started = False
        self.writing: asyncio.Future[None] | None = None  # the positioned write in flight
        self.outcome: DownloadOutcome | None = None

    @property
    def name(self) -> str:
        return self.job.path.name

    def progress(self) -> FileProgress:
        return FileProgress(
            name=self.name,
            done=_done_bytes(self.gen),
            total=self.gen.total if self.gen is not None else None,
            started=self.started,
            finished=self.outcome is not None,
            failed=self.outcome is not None and self.outcome.status == "failed",
        )


class _Sink:
    """Positioned writes of one range into the part file, off the event loop.

    Network pieces are gathered into blocks of ``block`` bytes; one block is being written (in a
    worker thread) while the next is read. ``segment.pos`` moves only once a write finished, so
    it always counts bytes that are on disk.
    """

    def __init__(self, f: _File, fd: int, segment: Segment, block: int) -> None:
        self.f = f
        self.fd = fd
        self.segment = segment
        self.block = block
        self.buffer = bytearray()
        self._end = segment.pos  # where the write in flight ends

    async def put(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) >= self.block:
            await self._write()

    async def _write(self) -> None:
        await self.settle()
        data, self.buffer = self.buffer, bytearray()
        offset = self.segment.pos
        self._end = offset + len(data)
        # Shielded from cancellation below: a write must end before its descriptor closes.
        self.f.writing = asyncio.ensure_future(
            asyncio.to_thread(pwrite_pieces, self.fd, memoryview(data), offset)
        )

    async def settle(self) -> None:
        """Wait for the write in flight; the segment's position then covers it."""
        writing = self.f.writing
        if writing is not None:
            await asyncio.shield(writing)
            self.f.writing = None
            self.segment.pos = self._end

    async def drain(self) -> None:
        """Write what is gathered and wait until it is on disk."""
        if self.buffer:
            await self._write()
        await self.settle()


class AsyncDownloader:
    """Downloads presigned assets on asyncio with resume, verified sizes and bounded retries.

    Holds no credentials: presigned URLs carry their own signature, and nothing else is sent.
    One ``httpx.AsyncClient`` (at most ``max_connections`` connections) serves every run.
    """

    def __init__(
        self,
        *,
        max_connections: int = 8,
        max_retries: int = 5,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        log: ClientLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Sleep = asyncio.sleep,
        buffer_size: int = DEFAULT_BLOCK_SIZE,
        retry: RetrySettings | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if max_connections < 1:
            raise InvalidInputError("max_connections must be at least 1")
        if buffer_size < 4096 or max_retries < 0:
            raise InvalidInputError("buffer_size must be >= 4096 and max_retries >= 0")
        self.max_connections = max_connections
        self.max_retries = max_retries
        self.buffer_size = buffer_size
        self.retry = retry or RetrySettings(max_retries=max_retries)
        self.log = log or ClientLog()
        self._sleep = sleep
        self._rng = rng or random.Random()  # jitter, not security
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_connections),
            # identity: the bytes on the wire are the bytes of the file, and Content-Length
            # and Content-Range count them.
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
        )
        self._closed = False

    def __repr__(self) -> str:
        return f"AsyncDownloader(max_connections={self.max_connections})"

    async def __aenter__(self) -> AsyncDownloader:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        self._closed = True
        await self._client.aclose()

    # -- public ----------------------------------------------------------------------------

    async def size(self, url: str) -> int:
        """The asset's size in bytes, from a ``Range: bytes=0-0`` GET (status checked).

        A presigned URL is signed for GET only, so no HEAD. Raises ``AssetDownloadError`` (or
        ``PresignedUrlExpiredError`` on 403) instead of reporting the size of an error body.
        """
        split_url(url)
        name = redact_url(url).rsplit("/", 1)[-1]
        failures = 0
        while True:
            wait: float | None = None
            try:
                resp = await self._get(url, {"Range": "bytes=0-0"})
            except httpx.TransportError as exc:
                cause: BaseException = exc
            else:
                try:
                    status = resp.status_code
                    total: int | None = None
                    if status in (206, 416):
                        total = parse_content_range(resp.headers.get("Content-Range"))[2]
                    elif status == 200:
                        total = int_header(resp.headers.get("Content-Length"))
                    elif status in RETRYABLE_STATUS:
                        wait = retry_after_seconds(resp)
                        cause = AssetDownloadError(f"asset host answered {status}", status=status)
                    else:
                        raise _status_error(_Head(resp, await _error_body(resp)), url, name)
                finally:
                    await resp.aclose()
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
            await self._sleep(self._delay(failures, wait))

    async def run(
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
        time. Call ``capella.download.raise_for_failures`` on the result to turn failures into
        one ``DownloadError``.
        """
        if self._closed:
            raise RuntimeError("this AsyncDownloader is closed")
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
            slots = asyncio.Semaphore(self.max_connections if threaded else 1)
            fresh = override or not enable_resume

            async def one(f: _File) -> None:
                async with slots:
                    await self._download(f, fresh=fresh)

            progress = RunProgress(lambda: [f.progress() for f in todo]) if show_progress else None
            if progress is not None:
                progress.start()
            try:
                await asyncio.gather(*(one(f) for f in todo))
            finally:
                if progress is not None:
                    progress.stop()
            for f in todo:
                outcomes[f.index] = f.outcome
        result = [o for o in outcomes if o is not None]
        assert len(result) == len(files)
        failed = [o for o in result if o.status == "failed"]
        if failed:
            self.log.warning("%d of %d downloads failed", len(failed), len(result))
        return result

    # -- one file --------------------------------------------------------------------------

    async def _download(self, f: _File, *, fresh: bool) -> None:
        """Fetch one file to its end and set its outcome (failures included, never raised)."""
        try:
            await self._prepare(f, fresh=fresh)
            f.outcome = await self._fetch(f)
        except _Fatal as fatal:
            f.outcome = self._fail(f, fatal.error)
        except OSError as exc:  # the disk, not the network (network errors are retried inside)
            error = AssetDownloadError(
                f"could not write {f.part}: {type(exc).__name__}: {exc}", "WRITE_ERROR"
            )
            f.outcome = self._fail(f, error)
        except Exception as exc:  # a bug must fail the file, not the run
            f.outcome = self._fail(f, exc)
        finally:
            await self._close(f)

    async def _prepare(self, f: _File, *, fresh: bool) -> None:
        """Open (and lock) the part file and decide where to start from what is on disk."""
        f.started = True
        self.log.info("downloading %s to %s", redact_url(f.url), f.job.path)
        meta = None if fresh else self._load_meta(f)
        f.fd = await asyncio.to_thread(_open_part, f.part)
        size = os.fstat(f.fd).st_size
        gen = _resumable(meta, size)
        if gen is None:
            if size:
                self.log.info("discarding %s (%d bytes): nothing to resume from", f.part, size)
            with contextlib.suppress(FileNotFoundError):
                f.meta.unlink()
            os.ftruncate(f.fd, 0)
            gen = Generation()
            gen.segments.append(Segment(gen, 0, None))
        f.gen = gen
        f.resumed_bytes = _done_bytes(gen)
        if f.resumed_bytes:
            self.log.info("resuming %s from %d bytes", f.name, f.resumed_bytes)

    async def _fetch(self, f: _File) -> DownloadOutcome:
        """Fetch every unfinished range in turn, retrying transient failures (bounded)."""
        failures = 0
        while True:
            assert f.gen is not None
            segment = next(
                (s for s in f.gen.segments if s.end is None or s.pos < s.end),
                None,
            )
            if segment is None:
                return await self._finalize(f)
            url = f.url
            before = segment.pos
            wait: float | None = None
            try:
                split_url(url)
                resp = await self._get(url, _request_headers(segment))
            except InvalidInputError as exc:
                raise _Fatal(exc) from None
            except httpx.TransportError as exc:
                if _is_certificate_error(exc):
                    raise _Fatal(
                        AssetConnectError(
                            f"{f.name}: TLS certificate of {redact_url(url)} not trusted: {exc}",
                            "CONNECTION_ERROR",
                        )
                    ) from None
                cause: BaseException = exc
            else:
                try:
                    await self._answer(f, segment, resp, url)
                    failures = 0  # the range is complete: the next one starts afresh
                    continue
                except _Retry as retry:
                    cause, wait = retry.cause, retry.wait
                except _Restarted:
                    continue
                finally:
                    await resp.aclose()
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
            await self._sleep(delay)

    async def _get(self, url: str, headers: dict[str, str]) -> httpx.Response:
        request = self._client.build_request("GET", url, headers=headers)
        return await self._client.send(request, stream=True)

    def _delay(self, failures: int, wait: float | None) -> float:
        if wait is not None:
            return min(wait, self.retry.retry_after_cap)
        return self.retry.backoff(failures - 1, self._rng)

    def _exhausted(
        self, f: _File, url: str, cause: BaseException, attempts: int
    ) -> CapellaConsoleClientError:
        if isinstance(cause, AssetDownloadError):
            return AssetDownloadError(
                f"{f.name}: {cause.message} (gave up after {attempts} attempts)",
                cause.code or "DOWNLOAD_FAILED",
                cause.status_code,
            )
        return AssetConnectError(
            f"{f.name}: transfer from {redact_url(url)} failed after {attempts} attempts "
            f"({redact(f'{type(cause).__name__}: {cause}')})",
            "CONNECTION_ERROR",
        )

    # -- one response ----------------------------------------------------------------------

    async def _answer(self, f: _File, segment: Segment, resp: httpx.Response, url: str) -> None:
        """Act on one response: stream it, start over, refresh the URL, retry or fail."""
        status = resp.status_code
        if status == 206:
            self._on_partial(f, segment, _Head(resp))
        elif status == 200:
            segment = self._on_full(f, segment, _Head(resp))
        elif status == 416:
            self._on_unsatisfiable(f, segment, _Head(resp))
            return
        else:
            await self._on_error(f, resp, url)
        await self._stream(f, segment, resp)

    def _on_partial(self, f: _File, segment: Segment, head: _Head) -> None:
        first, _last, total = parse_content_range(head.header("Content-Range"))
        f.url_works = True
        gen = segment.gen
        if first != segment.pos or total is None:
            # Not the bytes asked for: do not guess, start over.
            self._restart(f, "unexpected Content-Range", changed=True)
            raise _Restarted
        if gen.total is not None and (total != gen.total or not gen.same_object(head)):
            self._restart(f, "the asset changed on the server", changed=True)
            raise _Restarted
        if segment.end is None:  # the first answer: now the size is known
            fresh = gen.total is None
            gen.total = total
            segment.end = total
            if fresh or gen.validator() is None:
                gen.take_validators(head)
            if total - segment.pos > self.buffer_size:
                self._save_meta(f)

    def _on_full(self, f: _File, segment: Segment, head: _Head) -> Segment:
        total = int_header(head.header("Content-Length"))
        f.url_works = True
        gen = segment.gen
        if gen.total is None and segment.pos == 0 and len(gen.segments) == 1:
            # A first request answered in full: the server does not do ranges, or chose not to.
            gen.total = total
            segment.end = total
            gen.take_validators(head)
            if total is None or total > self.buffer_size:
                self._save_meta(f)
            return segment
        # The bytes on disk cannot be continued (If-Range did not match, or Range was ignored):
        # rewrite from zero with this very response.
        changed = not gen.same_object(head) or (gen.total is not None and total != gen.total)
        reason = "the asset changed on the server" if changed else "the server ignored Range"
        return self._restart(f, reason, changed=changed, total=total, head=head)

    def _on_unsatisfiable(self, f: _File, segment: Segment, head: _Head) -> None:
        total = parse_content_range(head.header("Content-Range"))[2]
        gen = segment.gen
        alone = len(gen.segments) == 1 and segment.end is None
        if alone and total is not None and segment.pos == total:
            # Nothing left to send: the part on disk is already the whole asset.
            f.url_works = True
            gen.total = total
            segment.end = total
            return
        self._restart(f, f"range not satisfiable (size {total})", changed=True)
        raise _Restarted

    async def _on_error(self, f: _File, resp: httpx.Response, url: str) -> NoReturn:
        status = resp.status_code
        head = _Head(resp, await _error_body(resp))
        if status in RETRYABLE_STATUS:
            detail = error_detail(head)
            raise _Retry(
                AssetDownloadError(
                    f"asset host answered {status} {head.reason}"
                    + (f" ({detail})" if detail else ""),
                    "ASSET_HTTP_ERROR",
                    status,
                ),
                retry_after_seconds(resp),
            )
        if status == 403:
            await self._refresh(f, error_detail(head))
        raise _Fatal(_status_error(head, url, f.name))

    async def _refresh(self, f: _File, detail: str) -> NoReturn:
        """Replace an expired presigned URL (once per failure chain); raise _Retry or _Fatal."""
        try:
            fetch = refreshable(f.name, f.job.refresh, f.refreshed and not f.url_works, detail)
        except PresignedUrlExpiredError as error:
            raise _Fatal(error) from None
        self.log.info("%s: presigned URL expired (403); asking for a fresh one", f.name)
        try:
            fresh: Any = fetch()
            if inspect.isawaitable(fresh):  # the async client's refresh is a coroutine function
                fresh = await fresh
        except Exception as exc:
            raise _Fatal(refresh_failed(f.name, exc)) from None
        f.url = str(fresh)
        f.url_works = False
        f.refreshed = True
        raise _Retry(AssetDownloadError("presigned URL refreshed"), 0.0)

    # -- the transfer ----------------------------------------------------------------------

    async def _stream(self, f: _File, segment: Segment, resp: httpx.Response) -> None:
        """Copy the body into the part file at the segment's position, until its end."""
        assert f.fd is not None
        sink = _Sink(f, f.fd, segment, self.buffer_size)
        start = segment.pos
        received = start  # bytes taken from the network (written or gathered)
        try:
            try:
                async for piece in _raw_pieces(resp):
                    end = segment.end
                    if end is not None and received + len(piece) > end:
                        piece = piece[: end - received]  # a server sending more is not trusted
                        await sink.put(piece)
                        received += len(piece)
                        break
                    await sink.put(piece)
                    received += len(piece)
            except httpx.TransportError as exc:
                await sink.drain()
                self._broken(f, segment)
                raise _Retry(exc) from None
            await sink.drain()
        finally:
            f.transferred += received - start
        if segment.end is None:  # a body of unannounced length ended: that is the size
            segment.end = segment.pos
            segment.gen.total = segment.pos
        elif segment.pos < segment.end:
            self._broken(f, segment)
            raise _Retry(
                ConnectionError(
                    f"connection closed after {segment.pos - segment.start} of "
                    f"{segment.end - segment.start} bytes of the range"
                )
            )

    def _broken(self, f: _File, segment: Segment) -> None:
        """A transfer broke off: make sure what is on disk can be resumed by a later run."""
        if segment.gen is f.gen and not f.recorded and segment.pos > segment.start:
            self._save_meta(f)

    # -- part file bookkeeping -------------------------------------------------------------

    def _restart(
        self,
        f: _File,
        reason: str,
        *,
        changed: bool,
        total: int | None = None,
        head: _Head | None = None,
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
        f.gen = gen
        if head is not None:
            gen.take_validators(head)
            if total is None or total > self.buffer_size:
                self._save_meta(f)
        return segment

    def _save_meta(self, f: _File) -> bool:
        """Write the resume record; False when the disk refused (a missing record is safe)."""
        gen = f.gen
        if gen is None:
            return False
        try:  # the sync engine's record format: either shell resumes the other's part
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

    # -- the end of a file -----------------------------------------------------------------

    async def _finalize(self, f: _File) -> DownloadOutcome:
        """Rename the part into place once its size is the announced size."""
        assert f.fd is not None and f.gen is not None
        total = f.gen.total
        size = os.fstat(f.fd).st_size
        if total is not None and size != total:
            with contextlib.suppress(FileNotFoundError):
                f.meta.unlink()
            raise _Fatal(
                IncompleteDownloadError(
                    f"{f.name}: {size} bytes written, the server announced {total}",
                    "SIZE_MISMATCH",
                )
            )
        fd, f.fd = f.fd, None
        await asyncio.to_thread(_close_and_replace, fd, f.part, f.job.path)
        with contextlib.suppress(FileNotFoundError):
            f.meta.unlink()
        status: Status = "resumed" if f.resumed_bytes else "downloaded"
        self.log.info("%s %s (%d bytes)", status, f.job.path, size)
        return DownloadOutcome(f.job, status, size, None, f.transferred)

    def _fail(self, f: _File, error: BaseException) -> DownloadOutcome:
        gen = f.gen
        if gen is not None and (gen.split or (not f.recorded and _done_bytes(gen))):
            self._save_meta(f)
        self.log.warning("failed: %s: %s", f.job.describe(), error)
        return DownloadOutcome(f.job, "failed", _done_bytes(gen), error, f.transferred)

    async def _close(self, f: _File) -> None:
        """After the file's task (or its cancellation): record unfinished ranges, close the
        part, and drop it if it is empty and a failure left no record."""
        if f.writing is not None:  # cancelled mid-write: the descriptor outlives the write
            with contextlib.suppress(Exception):
                await f.writing
            f.writing = None
        if f.fd is not None:
            gen = f.gen
            unfinished = f.outcome is None and gen is not None
            if unfinished and gen and (gen.split or not f.recorded) and _done_bytes(gen):
                self._save_meta(f)
            fd, f.fd = f.fd, None
            os.close(fd)
        failed = f.outcome is None or f.outcome.status == "failed"
        if failed and f.started and not f.meta.exists():
            # Nothing was received (404, 403, ...): leave no empty part behind.
            with contextlib.suppress(OSError):
                if f.part.stat().st_size == 0:
                    f.part.unlink()


def _request_headers(segment: Segment) -> dict[str, str]:
    if segment.end is None:
        headers = {"Range": f"bytes={segment.pos}-"}
    else:
        headers = {"Range": f"bytes={segment.pos}-{segment.end - 1}"}
    validator = segment.gen.validator()
    if validator is not None and (segment.pos > 0 or segment.gen.total is not None):
        headers["If-Range"] = validator
    return headers


def _status_error(head: _Head, url: str, name: str) -> AssetDownloadError:
    """The error for an answer that is neither content nor worth a retry."""
    status = head.status
    where = redact_url(url)
    if 300 <= status < 400:
        location = head.header("Location")
        target = f" to {redact_url(location)}" if location else ""
        return AssetDownloadError(
            f"{name}: the asset host answered {status} {head.reason} (redirect{target}); "
            "presigned asset URLs are not followed across redirects",
            "UNEXPECTED_REDIRECT",
            status,
        )
    detail = error_detail(head)
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
        f"{name}: the asset host answered {status} {head.reason} at {where}{suffix}",
        "ASSET_HTTP_ERROR",
        status,
    )


def _open_part(part: Path) -> int:
    """Open (create) the part file and lock it against a second writer; the descriptor."""
    part.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(part, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise _Fatal(
                AssetDownloadError(
                    f"{part} is being written by another download; try again later",
                    "DOWNLOAD_IN_PROGRESS",
                )
            ) from None
    return fd


def _close_and_replace(fd: int, part: Path, path: Path) -> None:
    os.close(fd)
    os.replace(part, path)
