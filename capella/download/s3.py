"""S3 destinations: presigned assets streamed into S3 objects, never through a local copy.

How an asset reaches its key:

- The asset is read from its presigned URL in one HTTP stream (``Range: bytes=<n>-``, with
  ``If-Range`` once bytes were received, as the engine sends them) into part buffers of
  ``part_size`` bytes (5 MiB at least, S3's minimum). A full buffer becomes one ``UploadPart`` of
  a multipart upload, sent on an upload thread while the next buffer fills. At most
  ``max_in_flight`` parts of a file are uploading at a time (fewer when many files run at once),
  so a file holds at most ``max_in_flight + 1`` buffers whatever its size, and a run at most
  ``workers + 8`` (the upload threads); buffers are reused from part to part and file to file.
- An asset no larger than one part is sent with one ``PutObject``, once all of it is in memory.
- ``CompleteMultipartUpload`` (or the ``PutObject``) is sent only when exactly the size the asset
  host announced (Content-Range / Content-Length) has arrived and every part is stored, so
  nothing appears at the key before the object is whole. Any failure aborts the multipart
  upload: no partial object and no orphaned parts are left behind.
- A cut or timeout mid-stream asks for the rest (``Range: bytes=<pos>-``) and keeps filling the
  current part buffer; retries are bounded as the engine's are. If the asset changes on the
  server (or its host ignores Range) the object starts over, at most a few times.
- Resume is limited: an upload interrupted in an earlier process is not continued (S3 keeps no
  record of which bytes it stood for), so that object starts over. Objects already at their key
  are skipped (HEAD) unless ``override``.

Why not ``upload_fileobj`` over a streaming reader: s3transfer picks part sizes, threads and
buffering itself (it queues chunks of a non-seekable stream in its own buffers) and completes the
upload as soon as the reader reports EOF, so a short body would need the reader to raise at the
right moment. Here the size check before completion, the abort on every failure path, resuming a
cut into the current part and the memory bound are each one visible line.

boto3 and cloudpathlib are optional (``capella-sar[s3]``): they are imported only when an S3
destination is used.
"""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from capella._logging import ClientLog
from capella._redact import redact_url
from capella.download import attempts, protocol
from capella.download.destination import (
    _boto3_client,
    _botocore_errors,
    _s3_status,
    _s3_text,
    check_destination,
    is_s3_destination,
    names_folder,
    s3_join,
    s3_path,
)
from capella.download.engine import Downloader
from capella.download.freshurl import FreshUrl
from capella.download.jobs import DownloadOutcome, S3Job
from capella.download.lock import AssetLockedError, asset_lock
from capella.download.progress import FileProgress, RunProgress, watching
from capella.download.protocol import Generation, Next, Segment, Step
from capella.download.signals import Fatal, Retry, Switch
from capella.download.threads import on_threads
from capella.download.wire import NETWORK_ERRORS, Response
from capella.errors import (
    AssetDownloadError,
    IncompleteDownloadError,
    InvalidInputError,
)

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "DEFAULT_PART_SIZE",
    "MIN_PART_SIZE",
    "S3Job",
    "S3Uploader",
    "check_destination",
    "is_s3_destination",
    "names_folder",
    "s3_join",
    "s3_path",
]

MiB = 1 << 20
MIN_PART_SIZE = 5 * MiB  # S3 refuses smaller parts (except the last one)
DEFAULT_PART_SIZE = 8 * MiB
DEFAULT_MAX_IN_FLIGHT = 2
MAX_PARTS = 10_000  # parts per multipart upload
MAX_OBJECT_SIZE = 5 * (1 << 40)  # 5 TiB
# Upload threads of one run: below botocore's default pool of 10 connections per client, so that
# HEADs and completions of other files still find a free connection.
_MAX_UPLOAD_THREADS = 8
# Times one object may start over because bytes already received had to be thrown away.
_MAX_RESTARTS = 3


# -- internal state ----------------------------------------------------------------------------


class _Cancelled(Exception):
    """The run was interrupted (Ctrl-C on the calling thread)."""


class _PartBody(io.RawIOBase):
    """A seekable, read-only file over one part buffer.

    botocore reads the body for its checksum and rewinds it to retry; this does both without
    copying the part.
    """

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        out = memoryview(buffer).cast("B")
        n = max(0, min(len(out), len(self._view) - self._pos))
        out[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos


class _Buffers:
    """One worker's part buffers, reused from part to part and file to file (memory stays flat)."""

    def __init__(self, size: int, keep: int) -> None:
        self.size = size
        self.keep = keep
        self.free: list[bytearray] = []

    def take(self, size: int) -> bytearray:
        if size > self.size:  # the larger parts of a huge asset (over 10,000 default parts)
            return bytearray(size)
        return self.free.pop() if self.free else bytearray(self.size)

    def give(self, buffer: bytearray) -> None:
        if len(buffer) == self.size and len(self.free) < self.keep:
            self.free.append(buffer)


@attrs.define
class _Part:
    """A part handed to an upload thread: its number, size, buffer and the pending ETag."""

    number: int
    size: int
    buffer: bytearray
    future: Future[str]


@attrs.frozen
class _Run:
    cancel: threading.Event
    uploads: ThreadPoolExecutor
    in_flight: int  # parts of one file uploading at a time


def _upload_part(
    s3: Any, bucket: str, key: str, upload_id: str, number: int, view: memoryview
) -> str:
    answer = s3.upload_part(
        Bucket=bucket,
        Key=key,
        UploadId=upload_id,
        PartNumber=number,
        Body=_PartBody(view),
        ContentLength=len(view),
    )
    return str(answer["ETag"])


# -- one object --------------------------------------------------------------------------------


def _s3_error(name: str, path: object, operation: str, exc: BaseException) -> AssetDownloadError:
    """The typed error of a failed S3 call for the asset ``name`` going to ``path``."""
    return AssetDownloadError(
        f"{name}: S3 {operation} of {path} failed: {_s3_text(exc)}",
        "S3_WRITE_ERROR",
        _s3_status(exc),
    )


def _mismatch(name: str, path: object, stored: int, total: int) -> IncompleteDownloadError:
    """The error for an upload whose stored size is not the size the host announced."""
    return IncompleteDownloadError(
        f"{name}: {stored} bytes ready for {path}, the server announced {total}",
        "SIZE_MISMATCH",
    )


class _Transfer(FreshUrl):
    """One asset on its way into one S3 object; driven by one worker thread."""

    def __init__(self, uploader: S3Uploader, job: S3Job, index: int) -> None:
        self.up = uploader
        self.log = uploader.log
        self.job = job
        self.index = index
        self.bucket = job.path.bucket
        self.key = job.path.key
        self.start_url(job.url)
        # What the asset host said about the asset (set by the first answer with content).
        self.total: int | None = None
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.content_type: str | None = None
        self.part_size = uploader.part_size
        self.pos = 0  # bytes received of the current pass (in stored parts, pending or current)
        self.current: bytearray | None = None  # the buffer of the part being filled
        self.pending: deque[_Part] = deque()
        self.parts: list[dict[str, Any]] = []  # parts S3 confirmed: PartNumber, ETag
        self.stored = 0
        self.upload_id: str | None = None
        self.restarts = 0
        self.transferred = 0
        self.started = False
        self.finished = False
        self.failed = False

    def snapshot(self, outcome: DownloadOutcome | None) -> FileProgress:
        """The progress bar's view of this file (``outcome``: the worker's verdict, once given)."""
        state = (self.started, self.finished, self.failed)
        return FileProgress(self.name, self.pos, self.total, *state, outcome=outcome, job=self.job)

    def run(self, ctx: _Run, buffers: _Buffers, *, override: bool) -> DownloadOutcome:
        """Skip, stream or fail this object; whatever happens, no upload is left open."""
        self.ctx = ctx
        self.buffers = buffers
        self.s3: Any = _boto3_client(self.job.path)
        self.started = True
        try:
            # One process of this machine at a time streams a key; the next one then finds
            # the object and skips it.
            with asset_lock(str(self.job.path), wait=self.up.settings.lock_wait):
                if not override:
                    size = self._existing_size()
                    if size is not None:
                        self.log.info("already in S3: %s", self.job.path)
                        return DownloadOutcome(self.job, "skipped", size)
                self.log.info("downloading %s to %s", redact_url(self.url), self.job.path)
                size = self._copy()
            self.log.info("downloaded %s (%d bytes)", self.job.path, size)
            return DownloadOutcome(self.job, "downloaded", size, None, self.transferred)
        except AssetLockedError as error:
            self.failed = True
            return DownloadOutcome(self.job, "failed", 0, error, self.transferred)
        except Fatal as fatal:
            self.failed = True
            self.log.warning("failed: %s: %s", self.job.describe(), fatal.error)
            return DownloadOutcome(self.job, "failed", 0, fatal.error, self.transferred)
        finally:
            self._discard()  # after an interruption or a bug too: abort, give buffers back
            self.finished = True

    # -- S3 side ---------------------------------------------------------------------------

    def _call(self, operation: str, method: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except _botocore_errors() as exc:
            raise Fatal(_s3_error(self.name, self.job.path, operation, exc)) from None

    def _existing_size(self) -> int | None:
        """The size of the object already at the key, or None when there is none (HEAD)."""
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key=self.key)
        except _botocore_errors() as exc:
            status = _s3_status(exc)
            if status == 404:
                return None
            if status == 403:
                # Without s3:ListBucket a missing key answers 403 too: write it.
                self.log.info("%s: cannot tell whether it exists (HEAD 403)", self.job.path)
                return None
            raise Fatal(_s3_error(self.name, self.job.path, "HeadObject", exc)) from None
        return int(head.get("ContentLength") or 0)

    def _send_part(self, number: int, size: int) -> None:
        """Hand the full current buffer to an upload thread (waiting while too many upload)."""
        buffer = self.current
        assert buffer is not None
        self.current = None
        if self.upload_id is None:
            extra = {"ContentType": self.content_type} if self.content_type else {}
            created = self._call(
                "CreateMultipartUpload",
                self.s3.create_multipart_upload,
                Bucket=self.bucket,
                Key=self.key,
                **extra,
            )
            self.upload_id = str(created["UploadId"])
        while self.pending and (
            len(self.pending) >= self.ctx.in_flight or self.pending[0].future.done()
        ):
            self._collect(self.pending.popleft())
        future = self.ctx.uploads.submit(
            _upload_part,
            self.s3,
            self.bucket,
            self.key,
            self.upload_id,
            number,
            memoryview(buffer)[:size],
        )
        self.pending.append(_Part(number, size, buffer, future))

    def _collect(self, part: _Part) -> None:
        """Wait for one part's upload; record its ETag and reuse its buffer."""
        try:
            etag = part.future.result()
        except _botocore_errors() as exc:
            self.buffers.give(part.buffer)
            raise Fatal(
                _s3_error(self.name, self.job.path, f"UploadPart {part.number}", exc)
            ) from None
        self.buffers.give(part.buffer)
        self.parts.append({"PartNumber": part.number, "ETag": etag})
        self.stored += part.size

    def _finish(self) -> int:
        """Store the object now that every byte arrived: one PUT, or complete the upload."""
        total = self.total
        assert total is not None
        if total <= self.part_size:
            data = memoryview(self.current or b"")[:total]
            if self.pos != total or len(data) != total:
                raise Fatal(_mismatch(self.name, self.job.path, len(data), total))
            extra = {"ContentType": self.content_type} if self.content_type else {}
            self._call(
                "PutObject",
                self.s3.put_object,
                Bucket=self.bucket,
                Key=self.key,
                Body=_PartBody(data),
                ContentLength=total,
                **extra,
            )
            return total
        while self.pending:
            self._collect(self.pending.popleft())
        numbers = [p["PartNumber"] for p in self.parts]
        count = -(-total // self.part_size)
        if self.pos != total or self.stored != total or numbers != list(range(1, count + 1)):
            raise Fatal(_mismatch(self.name, self.job.path, self.stored, total))
        self._call(
            "CompleteMultipartUpload",
            self.s3.complete_multipart_upload,
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        self.upload_id = None  # complete: nothing left to abort
        return total

    def _discard(self) -> None:
        """Drop what this pass holds: wait for its parts, abort its upload, free its buffers."""
        while self.pending:
            part = self.pending.popleft()
            if not part.future.cancel():
                with contextlib.suppress(Exception):
                    part.future.result()  # an upload in progress still reads the buffer
            self.buffers.give(part.buffer)
        if self.current is not None:
            self.buffers.give(self.current)
            self.current = None
        if self.upload_id is None:
            return
        upload_id, self.upload_id = self.upload_id, None
        try:
            # Every part upload has ended above, so none can land after the abort.
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
        except _botocore_errors() as exc:
            self.log.warning(
                "%s: could not abort the multipart upload %s (%s); its parts are kept (and "
                "billed) until it is aborted or a lifecycle rule removes it",
                self.job.path,
                upload_id,
                _s3_text(exc),
            )
        else:
            self.log.info("aborted the unfinished upload of %s", self.job.path)

    # -- HTTP side -------------------------------------------------------------------------

    def _copy(self) -> int:
        """Stream the asset into the object, retrying transient failures (bounded)."""
        loop = attempts.transfer(self, self.up.settings, self.up.rng, self.log)
        attempts.drive(loop, attempts.IO(self.up.wire.get, self._answer, self.up.sleep))
        return self._finish()

    def ask(self) -> tuple[str, dict[str, str]] | None:
        """The URL and headers for the rest of the asset; None once all of it arrived."""
        if self.ctx.cancel.is_set():
            raise _Cancelled
        if self.total is not None and self.pos >= self.total:
            return None
        return self.url, protocol.request_headers(self._segment())

    def done(self) -> int:
        """Bytes of the asset received in this pass."""
        return self.pos

    def _segment(self) -> Segment:
        """The stream as the protocol sees it: one open-ended range from ``pos``.

        With nothing received yet, nothing is known: the first answer sets size and validators.
        """
        known = self.pos > 0
        gen = Generation(
            self.total if known else None,
            self.etag if known else None,
            self.last_modified if known else None,
        )
        segment = Segment(gen, 0, None, pos=self.pos)
        gen.segments.append(segment)
        return segment

    def _answer(self, resp: Response, url: str) -> None:
        """Act on one response as the protocol decides: stream, start over, refresh, retry."""
        reusable = False
        try:
            segment = self._segment()
            verdict = protocol.decide(segment, resp)
            if verdict.error:
                reusable = True  # the error page is read to its end
                self._on_error(verdict, resp, url)
            if verdict.step is Step.RESTART:
                self._again(verdict.reason)
            if verdict.step is Step.RESTART_WITH_BODY:
                # The whole asset again (If-Range did not match, or Range was ignored): start
                # over with this very body.
                self._start_over(verdict.reason, changed=verdict.changed)
                self._begin(verdict.total, resp)
            elif self.total is None:
                self._begin(segment.gen.total, resp)
            self.url_works = True
            if verdict.step is not Step.COMPLETE:
                self._stream(resp)
            reusable = True
        finally:
            resp.release(reusable)

    def _begin(self, total: int | None, resp: Response) -> None:
        """Take the asset's size and validators from its first answer; size the parts."""
        if total is None:
            raise Fatal(
                IncompleteDownloadError(
                    f"{self.name}: the asset host did not announce its size, which an S3 "
                    "upload needs to verify the object",
                    "SIZE_UNKNOWN",
                )
            )
        if total > MAX_OBJECT_SIZE:
            raise Fatal(
                AssetDownloadError(
                    f"{self.name}: {total} bytes is more than one S3 object can hold",
                    "S3_WRITE_ERROR",
                )
            )
        self.total = total
        self.etag = resp.header("ETag")
        self.last_modified = resp.header("Last-Modified")
        self.content_type = resp.header("Content-Type")
        # At most 10,000 parts per upload: a huge asset gets larger parts (whole MiB).
        needed = -(-total // MAX_PARTS)
        self.part_size = max(self.up.part_size, -(-needed // MiB) * MiB)

    def _start_over(self, reason: str, *, changed: bool = True) -> None:
        """Throw away this pass (aborting its upload) so that the object starts from byte 0."""
        if self.pos > 0:
            self.restarts += 1
            if self.restarts > _MAX_RESTARTS:
                raise Fatal(
                    IncompleteDownloadError(
                        f"{self.name} had to start over {self.restarts} times ({reason})",
                        "ASSET_CHANGED" if changed else "DOWNLOAD_FAILED",
                    )
                )
            self.log.warning("%s: %s; starting over from byte 0", self.name, reason)
        self._discard()
        self.pos = 0
        self.total = None
        self.etag = self.last_modified = None
        self.parts = []
        self.stored = 0
        self.part_size = self.up.part_size

    def _again(self, reason: str) -> NoReturn:
        """Start over and ask again; with nothing received yet, that counts as a failure."""
        if self.pos == 0:
            raise Retry(AssetDownloadError(f"{self.name}: {reason}", "ASSET_HTTP_ERROR"))
        self._start_over(reason)
        raise Switch  # the next request at once (restarts are bounded apart)

    def _on_error(self, verdict: Next, resp: Response, url: str) -> NoReturn:
        """Retry, refresh the URL or fail, as the protocol decided for an error answer."""
        body = resp.read_error_body()
        self.refresh_now(url, protocol.error_answer(verdict, resp, body, url, self.name))

    def _stream(self, resp: Response) -> None:
        """Fill part buffers from the body; hand each full one to S3, until the announced end."""
        total = self.total
        assert total is not None
        chunk = self.up.chunk_size
        floor = self.up.settings.rate_floor(self.pos, time.monotonic())
        while self.pos < total:
            if self.ctx.cancel.is_set():
                raise _Cancelled
            start = self.pos - self.pos % self.part_size
            length = min(self.part_size, total - start)
            if self.current is None:
                self.current = self.buffers.take(length)
            filled = self.pos - start
            want = min(chunk, length - filled)
            try:
                n = resp.readinto(memoryview(self.current)[filled : filled + want])
            except NETWORK_ERRORS as exc:
                raise Retry(exc) from None
            if not n:
                raise Retry(protocol.cut_short(self.pos, total))
            self.pos += n
            self.transferred += n
            if floor.stalled(self.pos, now := time.monotonic()):
                raise Retry(floor.error(self.pos, now))
            # A lone part is kept for one PutObject in _finish; otherwise it is uploaded now.
            if filled + n == length and total > self.part_size:
                self._send_part(start // self.part_size + 1, length)


# -- runs --------------------------------------------------------------------------------------


class S3Uploader:
    """Streams presigned assets into S3 objects with the downloader's connections and retries.

    Holds no credentials of its own: asset requests carry only their presigned signature, and S3
    requests only the AWS credentials of each destination's boto3 client.
    """

    def __init__(
        self,
        downloader: Downloader,
        *,
        part_size: int | None = None,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        log: ClientLog | None = None,
    ) -> None:
        part_size = DEFAULT_PART_SIZE if part_size is None else part_size
        if part_size < MIN_PART_SIZE:
            raise InvalidInputError(
                f"part_size must be at least {MIN_PART_SIZE} bytes (S3's smallest part)"
            )
        if max_in_flight < 1:
            raise InvalidInputError("max_in_flight must be at least 1")
        self.part_size = part_size
        self.max_in_flight = max_in_flight
        self.log = log or downloader.log
        self.max_connections = downloader.max_connections
        self.max_retries = downloader.max_retries
        self.chunk_size = downloader.buffer_size
        # The engine's pool and retry timing: one behaviour for both targets.
        self.settings = downloader.settings
        self.wire = downloader.wire
        self.rng = downloader.rng
        self.sleep = downloader.sleep

    def __repr__(self) -> str:
        return f"S3Uploader(part_size={self.part_size}, max_in_flight={self.max_in_flight})"

    def run(
        self,
        jobs: Sequence[S3Job],
        *,
        override: bool = False,
        show_progress: bool | RunProgress = False,
        threaded: bool = True,
    ) -> list[DownloadOutcome]:
        """Stream every job into its object; return the outcomes in job order (never raises).

        An object already at its key is skipped unless ``override``. ``threaded=False`` handles
        one file at a time on the calling thread. Call ``raise_for_failures`` on the result.
        """
        outcomes: list[DownloadOutcome | None] = [None] * len(jobs)
        transfers: list[_Transfer] = []
        seen: dict[tuple[str, str], S3Job] = {}
        for index, job in enumerate(jobs):
            where = (job.path.bucket, job.path.key)
            other = seen.get(where)
            if other is not None:
                error = InvalidInputError(
                    f"{job.describe()} and {other.describe()} would both be written to {job.path}"
                )
                outcomes[index] = DownloadOutcome(job, "failed", 0, error)
                continue
            seen[where] = job
            transfers.append(_Transfer(self, job, index))
        # No transfer at all still runs (no thread starts): the progress reports the refusals.
        workers = max(1, min(len(transfers), self.max_connections if threaded else 1))
        self._execute(transfers, outcomes, workers, override=override, progress=show_progress)
        result = [o for o in outcomes if o is not None]
        assert len(result) == len(jobs)
        failed = [o for o in result if o.status == "failed"]
        if failed:
            self.log.warning("%d of %d downloads failed", len(failed), len(result))
        return result

    def _execute(
        self,
        transfers: list[_Transfer],
        outcomes: list[DownloadOutcome | None],
        workers: int,
        *,
        override: bool,
        progress: bool | RunProgress,
    ) -> None:
        queue = deque(transfers)
        lock = threading.Lock()
        # Many files at once share the upload threads: fewer parts in flight per file keeps the
        # run's buffers at (workers + upload threads) parts, never more.
        in_flight = max(1, min(self.max_in_flight, _MAX_UPLOAD_THREADS // workers))
        uploads = ThreadPoolExecutor(
            max_workers=min(workers * in_flight, _MAX_UPLOAD_THREADS),
            thread_name_prefix="capella-s3-part",
        )
        ctx = _Run(threading.Event(), uploads, in_flight)

        def work() -> None:
            buffers = _Buffers(self.part_size, in_flight + 1)
            while not ctx.cancel.is_set():
                with lock:
                    if not queue:
                        return
                    transfer = queue.popleft()
                try:
                    outcomes[transfer.index] = transfer.run(ctx, buffers, override=override)
                except BaseException as exc:  # a bug must fail the file, not hang the run
                    transfer.failed = True
                    outcomes[transfer.index] = DownloadOutcome(
                        transfer.job, "failed", 0, exc, transfer.transferred
                    )
                    if not isinstance(exc, Exception):
                        raise

        def snapshot() -> list[FileProgress]:
            # The outcome is the worker's verdict; refused duplicates never became transfers.
            by_index = {t.index: t for t in transfers}
            files = []
            for i, o in enumerate(outcomes):
                t = by_index.get(i)
                if t is not None:
                    files.append(t.snapshot(o))
                elif o is not None:
                    files.append(FileProgress.decided(o))
            return files

        bars = watching(progress)
        try:
            if bars is not None:
                bars.start(snapshot)
            # Cancelled, every transfer stops at its next chunk and aborts its upload.
            on_threads(work, workers, "capella-s3", ctx.cancel.set)
        finally:
            uploads.shutdown(wait=True)
            if bars is not None:
                bars.stop()
