"""One local file during a run: its protocol state and its work files, for either driver.

The threaded and the asyncio drivers keep the same per-file state (the current URL, the
generation of byte ranges, the counters) and do the same bookkeeping on disk (resume record,
start over, rename into place); both use this class and add only how they move bytes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from typing import TypeVar

from capella._logging import ClientLog
from capella._redact import redact_url
from capella.download import lock, partfile, protocol
from capella.download.freshurl import FreshUrl
from capella.download.jobs import DownloadJob, DownloadOutcome, Status
from capella.download.paths import check_name_length, meta_path, part_path
from capella.download.progress import FileProgress
from capella.download.protocol import Generation, Head, Next, Segment, Step
from capella.download.settings import DownloadSettings
from capella.download.signals import Fatal, Stopped
from capella.errors import (
    AssetDownloadError,
    IncompleteDownloadError,
    InvalidInputError,
)


class LocalFile(FreshUrl):
    """Everything about one job during a run (drivers add their own locking)."""

    def __init__(self, job: DownloadJob, index: int, log: ClientLog, buffer_size: int) -> None:
        self.job = job
        self.index = index
        self.log = log
        self.buffer_size = buffer_size  # records are kept for bodies larger than one read
        self.part = part_path(job.path)
        self.meta = meta_path(job.path)
        self.fd: int | None = None
        self.start_url(job.url)
        self.gen: Generation | None = None
        self.resumed_bytes = 0
        self.transferred = 0
        self.changes = 0
        self.recorded = False  # ``meta`` describes the current generation
        self.started = False
        self.outcome: DownloadOutcome | None = None
        self.held = contextlib.ExitStack()  # the cross-process lock, from open to close
        # A file found at the final path is moved to the part and checked (resumed, confirmed
        # or replaced); while still that generation, a failure puts it back where it was.
        self.adopted: Generation | None = None

    def done_bytes(self) -> int:
        """Bytes of the current generation on disk."""
        return self.gen.done_bytes() if self.gen is not None else 0

    def progress(self) -> FileProgress:
        """The progress bar's view of this file."""
        return FileProgress(
            name=self.name,
            done=self.done_bytes(),
            total=self.gen.total if self.gen is not None else None,
            started=self.started,
            finished=self.outcome is not None,
            failed=self.outcome is not None and self.outcome.status == "failed",
            outcome=self.outcome,
            job=self.job,
        )

    def open(self, *, fresh: bool, adopt: bool, lock_wait: float | None) -> list[Segment]:
        """Lock the asset, open the part and resume what is on disk; the ranges to fetch.

        Another process downloading the same asset is waited for (``lock_wait`` seconds without
        progress at most). With ``adopt``, a file it (or any tool) left at the final path is
        then checked against the host like a part: confirmed, completed or replaced.
        """
        check_name_length(self.job.path)
        self.held.enter_context(lock.asset_lock(self.job.path, wait=lock_wait, watch=self.part))
        self.started = True  # only now: a part is ours to remove once the lock is held
        self.log.info("downloading %s to %s", redact_url(self.url), self.job.path)
        found = adopt and self.job.path.is_file()
        if found:
            os.replace(self.job.path, self.part)
            partfile.drop_record(self.meta)
        record = None if fresh else partfile.read_resume_record(self.meta, self.job.url)
        self.fd = fd = partfile.open_part(self.part)
        size = os.fstat(fd).st_size
        gen = protocol.adopted(size) if found else protocol.resumable(record, size)
        self.adopted = gen if found else None
        if gen is None:
            if size:
                self.log.info("discarding %s (%d bytes): nothing to resume from", self.part, size)
            partfile.truncate(fd, self.meta)
            gen = protocol.first_generation()[0]
        self.gen = gen
        self.resumed_bytes = gen.done_bytes()
        if self.resumed_bytes:
            self.log.info("resuming %s from %d bytes", self.name, self.resumed_bytes)
        return gen.unfinished()

    def save_meta(self) -> bool:
        """Write the resume record; False when the disk refused (a missing record is safe)."""
        if self.gen is None:
            return False
        try:
            partfile.write_resume_record(self.meta, self.job.url, self.gen)
        except OSError as exc:
            # Failure paths call this too: it must not raise. Without a record, a later run
            # starts the file over, which is slower but never wrong.
            self.log.warning("could not write %s: %s", self.meta, exc)
            self.recorded = False
            return False
        self.recorded = True
        return True

    def sized(self, total: int | None) -> None:
        """The first answer told the size: record it unless the whole body fits one read."""
        if total is None or total > self.buffer_size:
            self.save_meta()

    def restart(self, verdict: Next, head: Head | None = None) -> Segment:
        """Start the part over (a new generation) as ``verdict`` says; its first segment.

        For ``RESTART_WITH_BODY`` the new generation takes the size and validators of ``head``
        (a 200 answer), and the driver streams that very body. Fatal once the asset changed on
        the server too often.
        """
        if verdict.step is not Step.RESTART_WITH_BODY:
            head = None
        if verdict.changed:
            try:
                self.changes = protocol.count_change(self.changes, self.name, verdict.reason)
            except IncompleteDownloadError as error:
                raise Fatal(error) from None
        self.log.warning("%s: %s; starting over from byte 0", self.name, verdict.reason)
        assert self.fd is not None
        partfile.truncate(self.fd, self.meta)
        self.recorded = False
        self.resumed_bytes = 0
        self.gen, segment = protocol.restart(verdict.total, head)
        if head is not None:
            self.sized(verdict.total)
        return segment

    def split(
        self, segment: Segment, verdict: Next, settings: DownloadSettings, workers: int
    ) -> list[Segment]:
        """Split a file that just told its size into ranges for ``workers`` (maybe none).

        Only an answer to a Range (a 206) may be split: a 200 streams the whole file from byte
        0 on its one connection. Records the file either way, unless its rest fits one read.
        """
        gen = segment.gen
        if not verdict.ranges or gen.total is None:
            self.sized(gen.total)
            return []
        assert self.fd is not None
        new = protocol.plan_ranges(
            gen,
            segment,
            workers=workers,
            threshold=settings.segment_threshold,
            size=settings.segment_size,
            spread=protocol.spread_all(settings.split_below),
        )
        if not new:
            self.sized(gen.total - segment.pos)
            return new
        # The record must say "ranges" before a far range is written: a plain prefix record
        # over a file with holes would pass for complete data. Nothing is preallocated: the
        # size is only the host's claim until every byte arrived, so the part (sparse) takes
        # the disk space of the bytes received, not of the claim.
        if not self.save_meta():
            partfile.drop_record(self.meta)
        return new

    def stop_all(self, error: BaseException) -> bool:
        """Fail the file (every range stops at its next chunk); False if it had an outcome."""
        if self.outcome is not None:
            return False
        if self.gen is not None:
            for s in self.gen.segments:
                s.stop = True
        self.outcome = self.failed(error)
        return True

    def broken(self, segment: Segment) -> None:
        """A transfer broke off: make sure what is on disk can be resumed by a later run."""
        if segment.gen is self.gen and not self.recorded and segment.pos > segment.start:
            self.save_meta()

    def failure(self, exc: Exception) -> BaseException | None:
        """The error a worker's exception fails this file with (None: its range was stopped)."""
        if isinstance(exc, Stopped):
            return None
        if isinstance(exc, Fatal):
            return exc.error
        if isinstance(exc, OSError):  # the disk: network errors are retried by the loop
            return self.write_error(exc)
        return exc  # an AssetDownloadError, or a bug: it fails the file, not the run

    def write_error(self, exc: OSError) -> AssetDownloadError:
        """The error for a disk that refused the part file."""
        return AssetDownloadError(
            f"could not write {self.part}: {type(exc).__name__}: {exc}", "WRITE_ERROR"
        )

    def finish(self) -> DownloadOutcome:
        """Rename the complete part into place (its size checked); the outcome."""
        assert self.fd is not None and self.gen is not None
        size = os.fstat(self.fd).st_size
        if self.gen.total is not None and size != self.gen.total:
            partfile.drop_record(self.meta)
        try:
            protocol.check_size(self.name, size, self.gen.total)
        except IncompleteDownloadError as error:
            return DownloadOutcome(self.job, "failed", 0, error, self.transferred)
        fd, self.fd = self.fd, None
        partfile.close_and_replace(fd, self.part, self.job.path, self.meta)
        status: Status = "resumed" if self.resumed_bytes else "downloaded"
        if self.adopted is self.gen and not self.transferred:
            status = "skipped"  # the file at the final path was already the whole asset
        self.adopted = None
        self.log.info("%s %s (%d bytes)", status, self.job.path, size)
        return DownloadOutcome(self.job, status, size, None, self.transferred)

    def failed(self, error: BaseException) -> DownloadOutcome:
        """Record what can be resumed; the failed outcome."""
        gen = self.gen
        if gen is not None and (gen.split or (not self.recorded and gen.done_bytes())):
            self.save_meta()
        self.log.warning("failed: %s: %s", self.job.describe(), error)
        return DownloadOutcome(self.job, "failed", self.done_bytes(), error, self.transferred)

    def close(self) -> None:
        """After the last worker left: record unfinished ranges, close, drop an empty part.

        A file adopted from the final path and not rewritten goes back there (maybe longer):
        a failure to reach the host loses nothing. Then the lock is released.
        """
        with self.held:
            if self.fd is not None:
                gen = self.gen
                unfinished = self.outcome is None and gen is not None
                if unfinished and gen and (gen.split or not self.recorded) and gen.done_bytes():
                    self.save_meta()
                fd, self.fd = self.fd, None
                os.close(fd)
            failed = self.outcome is None or self.outcome.status == "failed"
            if failed and self.adopted is not None and self.adopted is self.gen:
                partfile.drop_record(self.meta)
                os.replace(self.part, self.job.path)
            elif failed and self.started:
                # Nothing was received (404, 403, a lying Content-Range...): leave no part.
                partfile.drop_if_empty(self.part, self.meta)


class Range:
    """One byte range of a local file as the retry loop reads it (an ``attempts.Cursor``).

    A restart moves it to the first range of the new generation.
    """

    __slots__ = ("file", "name", "segment")

    def __init__(self, file: LocalFile, segment: Segment) -> None:
        self.file = file
        self.segment = segment
        self.name = file.name

    def ask(self) -> tuple[str, dict[str, str]] | None:
        """The URL and headers for the rest of the range; None once it is stopped or written."""
        s = self.segment
        if s.stop or (s.end is not None and s.pos >= s.end):
            return None
        return self.file.url, protocol.request_headers(s)

    def done(self) -> int:
        """Where the range stands (its bytes on disk end here)."""
        return self.segment.pos


F = TypeVar("F", bound=LocalFile)


def deduplicate(files: Sequence[F]) -> tuple[list[F], dict[int, DownloadOutcome]]:
    """Files still to fetch, and outcomes decided without a request (duplicates)."""
    decided: dict[int, DownloadOutcome] = {}
    todo: list[F] = []
    seen: dict[object, int] = {}
    for f in files:
        key = f.job.path.absolute()
        if key in seen:
            err = InvalidInputError(
                f"{f.job.describe()} and {files[seen[key]].job.describe()} would both be "
                f"written to {f.job.path}"
            )
            decided[f.index] = DownloadOutcome(f.job, "failed", 0, err)
            continue
        seen[key] = f.index
        todo.append(f)  # a file already at the final path is checked once its lock is held
    return todo, decided


def collect(
    files: Sequence[LocalFile], decided: dict[int, DownloadOutcome], log: ClientLog
) -> list[DownloadOutcome]:
    """Every file's outcome in job order; logs how many failed."""
    result = [decided.get(f.index, f.outcome) for f in files]
    outcomes = [o for o in result if o is not None]
    assert len(outcomes) == len(files)
    failed = sum(o.status == "failed" for o in outcomes)
    if failed:
        log.warning("%d of %d downloads failed", failed, len(outcomes))
    return outcomes
