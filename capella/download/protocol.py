"""The download protocol, without I/O: what each asset-host answer means and what comes next.

Every driver (the threaded engine, the asyncio engine, the S3 multipart sink) sends the request
``request_headers`` describes, hands the answer's status line and headers to ``decide``, and does
what the returned ``Next`` says: stream the body, start over, treat the part as complete, retry,
refresh the presigned URL, or fail. ``Content-Range``, ``Content-Length`` and the 206/200/416
decisions are read here and nowhere else, so a change of behaviour is one change, and every
decision is testable without a server.

State is plain data: a ``Generation`` (one pass at the file: size, validators, byte ranges) made
of ``Segment`` s. ``decide`` updates it when an answer teaches the size or the validators.
"""

from __future__ import annotations

import enum
import math
import re
import ssl
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import attrs

from capella._redact import redact, redact_url
from capella._version import __version__
from capella.download.signals import Fatal, Retry
from capella.errors import (
    AssetConnectError,
    AssetDownloadError,
    CapellaConsoleClientError,
    IncompleteDownloadError,
    PresignedUrlExpiredError,
)

MiB = 1 << 20
# The asset side's own names: the API side (capella._http) retries a different set of statuses.
ASSET_USER_AGENT = f"capella/{__version__}"
ASSET_RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# A failed attempt that moved a range forward by this much does not count against max_retries.
PROGRESS_RESETS_RETRIES = MiB
# How many times an asset may change on the server (new size or validator) during one run.
MAX_CHANGES = 3
# A range's speed is judged after it has streamed this long (the first reads include the
# request's round trip).
RATE_WINDOW = 0.1
# Ranges start on these boundaries (whole pages of the part file).
ALIGN = 64 * 1024
# A large file starts on this many ranges; idle connections join later (see engine.py).
INITIAL_RANGES = 2

T = TypeVar("T")

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(?:(\d+)-(\d+)|\*)\s*/\s*(\d+|\*)\s*$", re.IGNORECASE)
_XML_FIELD = re.compile(r"<(Code|Message)>([^<]{1,200})</\1>")


class Head(Protocol):
    """What ``decide`` reads of an answer: its status line and headers (never its body)."""

    status: int
    reason: str

    def header(self, name: str) -> str | None:
        """The header's value, or None."""


# -- state -------------------------------------------------------------------------------------


class Generation:
    """One pass at writing a file: its size, validator and byte ranges.

    A new generation starts when the file must be rewritten from zero (the asset changed or the
    server ignored a Range); segments of an older generation stop at their next chunk.
    """

    __slots__ = ("etag", "last_modified", "segments", "split", "total", "unconfirmed")

    def __init__(
        self, total: int | None = None, etag: str | None = None, last_modified: str | None = None
    ) -> None:
        self.total = total
        self.etag = etag
        self.last_modified = last_modified
        self.segments: list[Segment] = []
        self.split = False  # fetched as several ranges
        self.unconfirmed = False  # a body of unannounced length ended: its size is a guess

    def validator(self) -> str | None:
        """The value for ``If-Range``: a strong ETag, else Last-Modified."""
        # If-Range needs a strong validator: a weak ETag (W/"...") must not be sent.
        if self.etag and not self.etag.startswith("W/"):
            return self.etag
        return self.last_modified

    def take_validators(self, head: Head) -> None:
        """Remember the answer's ETag and Last-Modified."""
        self.etag = head.header("ETag")
        self.last_modified = head.header("Last-Modified")

    def same_object(self, head: Head) -> bool:
        """False when the answer's validators show another version of the asset."""
        etag = head.header("ETag")
        if self.etag and etag and etag != self.etag:
            return False
        modified = head.header("Last-Modified")
        return not (self.last_modified and modified and modified != self.last_modified)

    def complete(self) -> bool:
        """Every range is written to its end."""
        return all(s.end is not None and s.pos >= s.end for s in self.segments)

    def done_bytes(self) -> int:
        """Bytes written so far, over every range."""
        return sum(
            max(0, min(s.pos, s.end if s.end is not None else s.pos) - s.start)
            for s in tuple(self.segments)
        )

    def unfinished(self) -> list[Segment]:
        """The ranges still to fetch, in order."""
        return [s for s in self.segments if s.end is None or s.pos < s.end]


def first_generation(total: int | None = None) -> tuple[Generation, Segment]:
    """A generation of one range from byte 0 (to ``total``, or open-ended)."""
    gen = Generation(total)
    segment = Segment(gen, 0, total)
    gen.segments.append(segment)
    return gen, segment


class Segment:
    """A byte range ``[start, end)`` of the file, written up to ``pos``.

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


# -- requests ----------------------------------------------------------------------------------


def request_headers(segment: Segment) -> dict[str, str]:
    """``Range`` (and ``If-Range`` once the validator is known) for the rest of ``segment``."""
    if segment.end is None:
        headers = {"Range": f"bytes={segment.pos}-"}
    else:
        headers = {"Range": f"bytes={segment.pos}-{segment.end - 1}"}
    validator = segment.gen.validator()
    if validator is not None and (segment.pos > 0 or segment.gen.total is not None):
        headers["If-Range"] = validator
    return headers


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


# -- answers -----------------------------------------------------------------------------------


class Step(enum.Enum):
    """What a driver does after an answer."""

    STREAM = "stream"  # copy the body into the segment
    RESTART = "restart"  # start the file over and send a new request (no failure counted)
    RESTART_WITH_BODY = "restart with body"  # start over and stream this very body from byte 0
    COMPLETE = "complete"  # nothing left to send: the bytes on disk are the whole asset
    RETRY = "retry"  # a transient answer: pause, then ask again (a failure counted)
    REFRESH = "refresh"  # the presigned URL expired: get a fresh one, then ask again
    FAIL = "fail"  # the file cannot be downloaded


@attrs.frozen
class Next:
    """``decide``'s verdict: the step, and what the driver needs to carry it out."""

    step: Step
    reason: str = ""
    changed: bool = False  # RESTART*: the asset changed (counts against MAX_CHANGES)
    total: int | None = None  # RESTART_WITH_BODY: the new size (None: unknown)
    sized: bool = False  # STREAM: this answer taught the size (record it)
    ranges: bool = False  # STREAM, sized: the host honours Range, so the rest may be split
    wait: float | None = None  # RETRY: what Retry-After asked for
    content: bool = False  # the URL answered with the asset (it works)

    @property
    def restarts(self) -> bool:
        """The file starts over (RESTART, RESTART_WITH_BODY)."""
        return self.step in (Step.RESTART, Step.RESTART_WITH_BODY)

    @property
    def error(self) -> bool:
        """An error answer: its body is an error page (RETRY, REFRESH, FAIL)."""
        return self.step in (Step.RETRY, Step.REFRESH, Step.FAIL)


_STATUS_STEPS: dict[int, Callable[[Segment, Head], Next]] = {}


def decide(segment: Segment, head: Head) -> Next:
    """What to do with an answer to ``request_headers(segment)``; updates the generation."""
    by_status = _STATUS_STEPS.get(head.status)
    if by_status is not None:
        return by_status(segment, head)
    if head.status in ASSET_RETRYABLE_STATUS:
        return Next(Step.RETRY, wait=_retry_after(head.header("Retry-After")))
    if head.status == 403:
        return Next(Step.REFRESH)
    return Next(Step.FAIL)


def _retry_after(value: str | None) -> float | None:
    from capella._http import parse_retry_after  # the one reading of Retry-After

    return parse_retry_after(value)


def _partial(segment: Segment, head: Head) -> Next:
    first, _last, total = parse_content_range(head.header("Content-Range"))
    gen = segment.gen
    if first != segment.pos or total is None:
        # Not the bytes asked for: do not guess, start over.
        return Next(Step.RESTART, "unexpected Content-Range", changed=True, content=True)
    if gen.total is not None and (total != gen.total or not gen.same_object(head)):
        return Next(Step.RESTART, "the asset changed on the server", changed=True, content=True)
    if segment.end is not None:
        return Next(Step.STREAM, content=True)
    # The first answer: now the size is known.
    fresh = gen.total is None
    gen.total = total
    segment.end = total
    if fresh or gen.validator() is None:
        gen.take_validators(head)
    return Next(Step.STREAM, sized=True, ranges=True, content=True)


def _full(segment: Segment, head: Head) -> Next:
    total = int_header(head.header("Content-Length"))
    gen = segment.gen
    if total is None and (segment.pos > 0 or gen.unconfirmed):
        # A body of unannounced length cannot be checked: its end may be a cut. Asked again
        # from where it ended, the host must tell the size (a 206 or a 416); it did not.
        return Next(Step.FAIL, "size unverified", content=True)
    if gen.total is None and segment.pos == 0 and len(gen.segments) == 1:
        # A first request answered in full: the server does not do ranges, or chose not to.
        gen.total = total
        segment.end = total
        gen.take_validators(head)
        return Next(Step.STREAM, sized=True, content=True)
    # The bytes on disk cannot be continued (If-Range did not match, or Range was ignored):
    # rewrite from zero with this very response.
    changed = not gen.same_object(head) or (gen.total is not None and total != gen.total)
    reason = "the asset changed on the server" if changed else "the server ignored Range"
    return Next(Step.RESTART_WITH_BODY, reason, changed=changed, total=total, content=True)


def _unsatisfiable(segment: Segment, head: Head) -> Next:
    total = parse_content_range(head.header("Content-Range"))[2]
    gen = segment.gen
    alone = len(gen.segments) == 1 and segment.end is None
    if alone and total is not None and segment.pos == total and gen.total in (None, total):
        # Nothing left to send: the part on disk is already the whole asset.
        gen.total = total
        segment.end = total
        return Next(Step.COMPLETE, content=True)
    return Next(Step.RESTART, f"range not satisfiable (size {total})", changed=True)


_STATUS_STEPS.update({206: _partial, 200: _full, 416: _unsatisfiable})


def restart(total: int | None, head: Head | None) -> tuple[Generation, Segment]:
    """The generation that rewrites a file from zero (validators of ``head``, when given)."""
    gen, segment = first_generation(total)
    if head is not None:
        gen.take_validators(head)
    return gen, segment


def count_change(changes: int, name: str, reason: str) -> int:
    """``changes + 1``, or IncompleteDownloadError once the asset changed too often."""
    changes += 1
    if changes > MAX_CHANGES:
        raise IncompleteDownloadError(
            f"{name} changed on the server {changes} times during the download ({reason})",
            "ASSET_CHANGED",
        )
    return changes


def probe(head: Head) -> tuple[Next, int | None]:
    """What a ``Range: bytes=0-0`` size probe's answer means, and the size it tells."""
    if head.status not in _STATUS_STEPS:
        return decide(first_generation()[1], head), None
    if head.status == 200:
        return Next(Step.STREAM, content=True), int_header(head.header("Content-Length"))
    return Next(Step.STREAM, content=True), parse_content_range(head.header("Content-Range"))[2]


@attrs.frozen
class ProbeRetry:
    """A size probe to send again: after ``wait`` (None: the backoff), failing with ``cause``."""

    wait: float | None
    cause: AssetDownloadError


def probe_size(head: Head, body: bytes, url: str, name: str) -> int | ProbeRetry:
    """The size a probe's answer tells, or how to retry the probe; raises when it cannot succeed.

    ``body`` is the error body when the answer carries no content (``probe``), else empty.
    """
    verdict, total = probe(head)
    if verdict.content:
        if total is None:
            raise unknown_size(name, head.status)
        return total
    if verdict.step is not Step.RETRY:
        raise status_error(head, body, url, name)
    return ProbeRetry(verdict.wait, retry_error(head, body))


def body_ended(segment: Segment) -> None:
    """A body of unannounced length ended: its end is not trusted until the host confirms it.

    The driver asks again from ``segment.pos``: a 416 with that size confirms it, a 206 sends
    the rest, and an answer without a size fails the file (``_full``).
    """
    segment.gen.unconfirmed = True


def whole_body(head: Head) -> bool:
    """The answer carries the whole asset (a 200): dropping the connection beats reading it."""
    return head.status == 200


def check_size(name: str, written: int, total: int | None) -> None:
    """IncompleteDownloadError unless ``written`` is the announced ``total``."""
    if total is not None and written != total:
        raise IncompleteDownloadError(
            f"{name}: {written} bytes written, the server announced {total}", "SIZE_MISMATCH"
        )


# -- ranges ------------------------------------------------------------------------------------


def plan_ranges(
    gen: Generation, segment: Segment, *, workers: int, threshold: int, size: int, spread: bool
) -> list[Segment]:
    """Split what is left after ``segment.pos`` into ranges for other workers (maybe none).

    ``spread``: start on every worker at once (else on ``INITIAL_RANGES``). Ranges start on
    ``ALIGN`` boundaries and are at least ``size`` bytes long.
    """
    assert gen.total is not None
    left = gen.total - segment.pos
    if workers < 2 or gen.total < threshold or left < 2 * size:
        return []
    count = min(workers, workers if spread else INITIAL_RANGES, left // size)
    step = -(-left // count)
    step += -step % ALIGN
    segment.end = segment.pos + step
    new = [
        Segment(gen, start, min(start + step, gen.total))
        for start in range(segment.pos + step, gen.total, step)
    ]
    gen.segments.extend(new)
    gen.split = True
    return new


def slow_range(
    files: Iterable[tuple[T, Generation]], *, size: int, split_below: float, now: float
) -> tuple[tuple[T, Segment] | None, bool]:
    """The largest range in flight worth splitting for an idle connection, if any.

    A range is worth it when at least ``2 * size`` bytes are left and it streams slower than
    ``split_below`` bytes per second. Also says whether to look again later: a range too young
    to judge, or fast now, may turn out slow.
    """
    best: tuple[int, T, Segment] | None = None
    look_again = False
    spread = spread_all(split_below)
    for owner, gen in files:
        if not gen.split:
            continue
        for s in tuple(gen.segments):
            if s.end is None or s.stop:
                continue
            left = s.end - s.pos
            if left < 2 * size or (best is not None and left <= best[0]):
                continue
            if not spread:
                rate = s.rate(now)
                if rate is None or rate >= split_below:
                    look_again = True
                    continue
            best = (left, owner, s)
    if best is None:
        return None, look_again
    return (best[1], best[2]), False


def split_tail(segment: Segment, size: int) -> Segment | None:
    """Give the second half of ``segment`` to a new range (None when too small to split)."""
    if segment.end is None:
        return None
    mid = segment.pos + (segment.end - segment.pos) // 2
    mid -= mid % ALIGN
    if mid - segment.pos < size:
        return None
    tail = Segment(segment.gen, mid, segment.end)
    segment.gen.segments.append(tail)
    segment.end = mid  # the owner stops here; a chunk it reads past ``mid`` is the same data
    return tail


def adopted(size: int) -> Generation:
    """The generation of a file found at the final path: a prefix of ``size`` bytes.

    Its size, checked by the next request (``Range: bytes=size-``), tells whether it is whole
    (416 with that size), shorter (206: the rest follows) or another file (start over).
    """
    gen = Generation()
    gen.segments.append(Segment(gen, 0, None, pos=size))
    return gen


def resumable(record: dict[str, Any] | None, size: int) -> Generation | None:
    """The generation a resume record describes, if it still matches a part of ``size`` bytes."""
    if record is None or size == 0:
        return None
    total = record.get("total")
    gen = Generation(total, record.get("etag"), record.get("last_modified"))
    ranges = record.get("segments")
    if ranges is None:  # a plain prefix: its length is what was written
        if total is not None and size > total:
            return None
        gen.segments.append(Segment(gen, 0, None, pos=size))
        return gen
    # Ranges are written into a sparse file: it is as long as its furthest written byte.
    if total is None or size > total:
        return None
    covered = 0
    for start, end, pos in sorted(ranges):
        if not (start == covered and start <= pos <= end <= total) or (pos > start and pos > size):
            return None
        gen.segments.append(Segment(gen, start, end, pos=pos))
        covered = end
    if covered != total:
        return None
    gen.split = True
    return gen


# -- errors ------------------------------------------------------------------------------------


def error_detail(body: bytes) -> str:
    """A short, redacted summary of an error body (S3 answers XML with Code and Message)."""
    text = body.decode("utf-8", "replace")
    fields = {m.group(1): m.group(2) for m in _XML_FIELD.finditer(text)}
    if fields:
        summary = ": ".join(v for k in ("Code", "Message") if (v := fields.get(k)))
    elif "\x00" in text or "\ufffd" in text:
        summary = ""  # binary: nothing readable to quote
    else:
        summary = " ".join(text.split())[:200]
    return redact(summary)


def retry_error(head: Head, body: bytes) -> AssetDownloadError:
    """The cause recorded for a retryable answer."""
    detail = error_detail(body)
    return AssetDownloadError(
        f"asset host answered {head.status} {head.reason}" + (f" ({detail})" if detail else ""),
        "ASSET_HTTP_ERROR",
        head.status,
    )


def status_error(head: Head, body: bytes, url: str, name: str) -> AssetDownloadError:
    """The error for an answer that is neither content nor worth a retry."""
    status = head.status
    where = redact_url(url)
    if 200 <= status < 300:  # content, but its size cannot be checked (see ``_full``)
        return IncompleteDownloadError(
            f"{name}: the asset host sent a body without Content-Length and did not confirm its "
            f"size when asked again (status {status} without Content-Length or Content-Range); "
            "a body whose end may be a cut is never reported complete",
            "SIZE_UNVERIFIED",
            status,
        )
    if 300 <= status < 400:
        location = head.header("Location")
        target = f" to {redact_url(location)}" if location else ""
        return AssetDownloadError(
            f"{name}: the asset host answered {status} {head.reason} (redirect{target}); "
            "presigned asset URLs are not followed across redirects",
            "UNEXPECTED_REDIRECT",
            status,
        )
    detail = error_detail(body)
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


def unknown_size(name: str, status: int) -> AssetDownloadError:
    """The error for a size probe answered without a size."""
    return AssetDownloadError(
        f"the asset host did not say the size of {name} "
        f"(status {status}, no Content-Length/Content-Range)",
        status=status,
    )


def exhausted(
    name: str, url: str, cause: BaseException, attempts: int
) -> CapellaConsoleClientError:
    """The error once ``attempts`` failed in a row."""
    if isinstance(cause, AssetDownloadError):
        return AssetDownloadError(
            f"{name}: {cause.message} (gave up after {attempts} attempts)",
            cause.code or "DOWNLOAD_FAILED",
            cause.status_code,
        )
    return AssetConnectError(
        f"{name}: transfer from {redact_url(url)} failed after {attempts} attempts "
        f"({redact(f'{type(cause).__name__}: {cause}')})",
        "CONNECTION_ERROR",
    )


def probe_exhausted(name: str, cause: BaseException, attempts: int) -> AssetConnectError:
    """The error once a size probe failed ``attempts`` times."""
    return AssetConnectError(
        f"could not get the size of {name} after {attempts} attempts: "
        f"{type(cause).__name__}: {redact(str(cause))}",
        "CONNECTION_ERROR",
    )


def untrusted_certificate(name: str, url: str, exc: BaseException) -> AssetConnectError:
    """The (fatal, not retried) error for a TLS certificate that does not verify."""
    return AssetConnectError(
        f"{name}: TLS certificate of {redact_url(url)} not trusted: {exc}", "CONNECTION_ERROR"
    )


def is_certificate_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a failed certificate check."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def cut_short(done: int, expected: int) -> ConnectionError:
    """The (retried) cause for a body that ended before its range did."""
    return ConnectionError(f"connection closed after {done} of {expected} bytes of the range")


def error_answer(verdict: Next, head: Head, body: bytes, url: str, name: str) -> str:
    """Act on an error answer as ``decide`` judged it: raise ``Retry`` or ``Fatal``.

    Returns the 403's detail instead when a fresh presigned URL may cure it (the driver then
    asks for one).
    """
    if verdict.step is Step.RETRY:
        raise Retry(retry_error(head, body), verdict.wait)
    if verdict.step is Step.REFRESH:
        return error_detail(body)
    raise Fatal(status_error(head, body, url, name))


def refresher(
    name: str, refresh: Callable[[], T] | None, failed_again: bool, detail: str
) -> Callable[[], T]:
    """``refresh``, when a 403 may lead to a fresh URL; else PresignedUrlExpiredError.

    There is no way to one without a ``refresh``, or when a refreshed URL failed again.
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


class Failures:
    """Failures in a row of one range; progress of ``PROGRESS_RESETS_RETRIES`` forgives them."""

    __slots__ = ("count", "max_retries")

    def __init__(self, max_retries: int) -> None:
        self.max_retries = max_retries
        self.count = 0

    def add(self, progress: int) -> bool:
        """Count one failure after ``progress`` bytes; True while another attempt is allowed."""
        if progress >= PROGRESS_RESETS_RETRIES:
            self.count = 0
        self.count += 1
        return self.count <= self.max_retries


def spread_all(split_below: float) -> bool:
    """Whether ranges start on every connection at once (no speed to judge first)."""
    return split_below == math.inf
