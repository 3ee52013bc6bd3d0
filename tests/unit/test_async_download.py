"""The async download engine against a scripted asset host (``httpx.MockTransport``).

The host honours Range and If-Range like S3 and takes a script of faults (statuses, cuts,
ignored ranges, expired signatures) consumed in order. The same host serves the sync engine, so
that a part left by one shell can be resumed by the other.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from capella.aio.download import AsyncDownloader
from capella.download import (
    AssetConnectError,
    AssetDownloadError,
    Downloader,
    DownloadError,
    DownloadJob,
    DownloadOutcome,
    PresignedUrlExpiredError,
    meta_path,
    part_path,
    raise_for_failures,
)
from capella.errors import InvalidInputError

KiB = 1024
HOST = "https://assets.test"
_RANGE = re.compile(r"bytes=(\d+)-(\d*)")


@dataclass
class Fault:
    """One scripted misbehaviour for the next request."""

    status: int | None = None
    retry_after: str | None = None
    cut: int | None = None  # break the connection after this many body bytes
    ignore_range: bool = False
    expired: bool = False
    times: int = 1


class _CutStream(httpx.AsyncByteStream, httpx.SyncByteStream):
    """A body that breaks off after ``cut`` bytes, as a dropped connection does."""

    def __init__(self, body: bytes, cut: int | None, piece: int = 16 * KiB) -> None:
        self.body = body[:cut] if cut is not None else body
        self.cut = cut is not None
        self.piece = piece

    def _pieces(self) -> list[bytes]:
        return [self.body[i : i + self.piece] for i in range(0, len(self.body), self.piece)]

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            await asyncio.sleep(0)
            yield piece
        if self.cut:
            raise httpx.ReadError("connection reset by peer")

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces()
        if self.cut:
            raise httpx.ReadError("connection reset by peer")


@dataclass
class AssetHost:
    files: dict[str, bytes] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0

    def add(self, name: str, size: int) -> str:
        data = hashlib.sha256(name.encode()).digest() * (size // 32 + 1)
        self.files[f"/{name}"] = data[:size]
        return f"{HOST}/{name}?X-Amz-Signature=secretsig&sig=ok"

    def etag(self, path: str) -> str:
        return '"' + hashlib.md5(self.files[path]).hexdigest() + '"'

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fault = self.faults.pop(0) if self.faults else Fault()
        if fault.times > 1:
            self.faults.insert(0, Fault(**{**fault.__dict__, "times": fault.times - 1}))
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return httpx.Response(fault.status, text="<Code>SlowDown</Code>", headers=headers)
        if fault.expired or request.url.params.get("sig") == "expired":
            return httpx.Response(
                403, text="<Error><Code>AccessDenied</Code><Message>Request has expired</Message>"
            )
        path = request.url.path
        data = self.files.get(path)
        if data is None:
            return httpx.Response(404, text="<Code>NoSuchKey</Code>")
        etag = self.etag(path)
        headers = {"ETag": etag, "Accept-Ranges": "bytes"}
        wanted = _RANGE.fullmatch(request.headers.get("range", ""))
        if_range = request.headers.get("if-range")
        if wanted is None or fault.ignore_range or (if_range is not None and if_range != etag):
            headers["Content-Length"] = str(len(data))
            return httpx.Response(200, headers=headers, stream=_CutStream(data, fault.cut))
        start = int(wanted.group(1))
        end = int(wanted.group(2)) if wanted.group(2) else len(data) - 1
        if start >= len(data):
            headers["Content-Range"] = f"bytes */{len(data)}"
            return httpx.Response(416, headers=headers)
        body = data[start : end + 1]
        headers["Content-Range"] = f"bytes {start}-{start + len(body) - 1}/{len(data)}"
        headers["Content-Length"] = str(len(body))
        return httpx.Response(206, headers=headers, stream=_CutStream(body, fault.cut))

    async def answer_async(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.005)  # long enough for the other files to start
            return self.answer(request)
        finally:
            self.in_flight -= 1

    def ranges(self) -> list[str | None]:
        return [r.headers.get("range") for r in self.requests]


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def host() -> AssetHost:
    return AssetHost()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def engine(host: AssetHost, sleeps: Sleeps, **options: Any) -> AsyncDownloader:
    options.setdefault("buffer_size", 16 * KiB)
    return AsyncDownloader(
        transport=httpx.MockTransport(host.answer_async), sleep=sleeps, **options
    )


def run(
    host: AssetHost, sleeps: Sleeps, jobs: list[DownloadJob], **options: Any
) -> list[DownloadOutcome]:
    """One ``AsyncDownloader.run`` on a fresh event loop."""
    run_options = {
        k: options.pop(k) for k in ("override", "enable_resume", "threaded") if k in options
    }

    async def go() -> list[DownloadOutcome]:
        async with engine(host, sleeps, **options) as downloader:
            return await downloader.run(jobs, **run_options)

    return asyncio.run(go())


def sync_run(host: AssetHost, jobs: list[DownloadJob], **options: Any) -> list[DownloadOutcome]:
    # Blocks of 16 KiB, the host's piece size: a cut at a multiple of it keeps every byte sent.
    options.setdefault("buffer_size", 16 * KiB)
    with Downloader(
        transport=httpx.MockTransport(host.answer), sleep=lambda _: None, **options
    ) as downloader:
        return downloader.run(jobs)


def whole(host: AssetHost, url: str, path: Path) -> bool:
    """The final file is the asset, byte for byte, and no work file is left."""
    return (
        path.read_bytes() == host.files[httpx.URL(url).path]
        and not part_path(path).exists()
        and not meta_path(path).exists()
    )


# -- the plain case -------------------------------------------------------------------------------


def test_downloads_into_place_and_leaves_no_work_files(host, sleeps, tmp_path):
    url = host.add("a.tif", 100 * KiB)
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert outcome.bytes == outcome.transferred == 100 * KiB
    assert whole(host, url, tmp_path / "a.tif")
    assert host.ranges() == ["bytes=0-"]


def test_files_download_concurrently_up_to_max_connections(host, sleeps, tmp_path):
    jobs = [DownloadJob(host.add(f"f{n}.tif", 40 * KiB), tmp_path / f"f{n}.tif") for n in range(12)]
    outcomes = run(host, sleeps, jobs, max_connections=4)
    assert [o.job for o in outcomes] == jobs  # in job order
    assert all(whole(host, j.url, j.path) for j in jobs)
    assert 2 <= host.most_in_flight <= 4


def test_not_threaded_fetches_one_file_at_a_time(host, sleeps, tmp_path):
    jobs = [DownloadJob(host.add(f"f{n}.tif", 20 * KiB), tmp_path / f"f{n}.tif") for n in range(4)]
    run(host, sleeps, jobs, threaded=False)
    assert host.most_in_flight == 1


def test_a_whole_file_at_the_final_path_is_confirmed_by_one_request_and_skipped(
    host, sleeps, tmp_path
):
    url = host.add("a.tif", 10 * KiB)
    (tmp_path / "a.tif").write_bytes(host.files["/a.tif"])
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "skipped" and outcome.transferred == 0
    assert [r.headers["range"] for r in host.requests] == [f"bytes={10 * KiB}-"]
    host.requests.clear()
    [again] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")], override=True)
    assert again.status == "downloaded"
    assert whole(host, url, tmp_path / "a.tif")


def test_two_jobs_for_the_same_path_fail_the_second(host, sleeps, tmp_path):
    url = host.add("a.tif", 10 * KiB)
    first, second = run(
        host, sleeps, [DownloadJob(url, tmp_path / "x"), DownloadJob(url, tmp_path / "x")]
    )
    assert first.status == "downloaded"
    assert second.status == "failed" and isinstance(second.error, InvalidInputError)


def test_an_empty_asset_answered_416_becomes_an_empty_file(host, sleeps, tmp_path):
    url = host.add("empty", 0)
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "empty")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "empty").read_bytes() == b""


# -- resume ---------------------------------------------------------------------------------------


def test_a_cut_resumes_from_the_bytes_on_disk(host, sleeps, tmp_path):
    url = host.add("a.tif", 200 * KiB)
    host.faults = [Fault(cut=70 * KiB)]
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert whole(host, url, tmp_path / "a.tif")
    # Everything received before the cut was kept (nothing is lost in a half-filled block).
    assert host.ranges() == ["bytes=0-", f"bytes={70 * KiB}-{200 * KiB - 1}"]
    assert host.requests[1].headers["if-range"] == host.etag("/a.tif")
    assert outcome.transferred == 200 * KiB
    assert len(sleeps) == 1


def test_cuts_beyond_max_retries_leave_a_part_and_no_final_file(host, sleeps, tmp_path):
    url = host.add("a.tif", 200 * KiB)
    host.faults = [Fault(cut=30 * KiB, times=3)]
    [failed] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")], max_retries=2)
    assert failed.status == "failed"
    assert isinstance(failed.error, AssetConnectError)
    assert not (tmp_path / "a.tif").exists()
    assert part_path(tmp_path / "a.tif").stat().st_size == 90 * KiB == failed.bytes
    record = json.loads(meta_path(tmp_path / "a.tif").read_text())
    assert record["total"] == 200 * KiB and "secretsig" not in record["url"]
    [resumed] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert resumed.status == "resumed"
    assert resumed.transferred == 110 * KiB
    assert whole(host, url, tmp_path / "a.tif")


def test_a_200_to_a_range_request_starts_over(host, sleeps, tmp_path):
    url = host.add("a.tif", 100 * KiB)
    host.faults = [Fault(cut=40 * KiB), Fault(ignore_range=True)]
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert outcome.transferred == 140 * KiB
    assert whole(host, url, tmp_path / "a.tif")


def test_a_restart_body_that_breaks_off_resumes_in_the_new_generation(host, sleeps, tmp_path):
    # The retry after the cut must ask for the rest of the new generation's range, not give
    # up on the old (stopped) one and leave the file without an outcome.
    url = host.add("a.tif", 100 * KiB)
    host.faults = [Fault(cut=40 * KiB), Fault(ignore_range=True, cut=32 * KiB)]
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert whole(host, url, tmp_path / "a.tif")
    assert host.ranges()[-1] == f"bytes={32 * KiB}-{100 * KiB - 1}"


def test_416_verifies_a_part_that_is_already_complete(host, sleeps, tmp_path):
    url = host.add("a.tif", 100 * KiB)
    path = tmp_path / "a.tif"
    part_path(path).write_bytes(host.files["/a.tif"])
    meta_path(path).write_text(
        json.dumps(
            {
                "version": 1,
                "url": f"{HOST}/a.tif",
                "total": 100 * KiB,
                "etag": host.etag("/a.tif"),
                "last_modified": None,
                "segments": None,
            }
        )
    )
    [outcome] = run(host, sleeps, [DownloadJob(url, path)])
    assert outcome.status == "resumed"
    assert outcome.transferred == 0
    assert host.ranges() == [f"bytes={100 * KiB}-"]
    assert whole(host, url, path)


def test_a_part_without_its_record_is_not_trusted(host, sleeps, tmp_path):
    url = host.add("a.tif", 50 * KiB)
    path = tmp_path / "a.tif"
    part_path(path).write_bytes(b"garbage" * 100)
    [outcome] = run(host, sleeps, [DownloadJob(url, path)])
    assert outcome.status == "downloaded"
    assert host.ranges() == ["bytes=0-"]
    assert whole(host, url, path)


@pytest.mark.parametrize(("first", "second"), [("sync", "async"), ("async", "sync")])
def test_a_part_left_by_one_shell_resumes_in_the_other(host, sleeps, tmp_path, first, second):
    url = host.add("a.tif", 300 * KiB)
    job = DownloadJob(url, tmp_path / "a.tif")
    host.faults = [Fault(cut=96 * KiB)]
    if first == "sync":
        [failed] = sync_run(host, [job], max_retries=0)
    else:
        [failed] = run(host, sleeps, [job], max_retries=0)
    assert failed.status == "failed"
    assert part_path(job.path).stat().st_size == 96 * KiB
    host.requests.clear()
    if second == "sync":
        [outcome] = sync_run(host, [job])
    else:
        [outcome] = run(host, sleeps, [job])
    assert outcome.status == "resumed"
    assert outcome.transferred == 204 * KiB
    assert host.ranges() == [f"bytes={96 * KiB}-"]
    assert whole(host, url, job.path)


def test_ranges_left_by_the_sync_engine_are_resumed_one_after_the_other(host, sleeps, tmp_path):
    url = host.add("big.tif", 256 * KiB)
    job = DownloadJob(url, tmp_path / "big.tif")
    data = host.files["/big.tif"]
    # What the sync engine leaves after parallel ranges broke off: a preallocated part, and a
    # record of each range's start, end and position (the first range is done, two are not).
    ranges = [
        [0, 128 * KiB, 128 * KiB],
        [128 * KiB, 192 * KiB, 160 * KiB],
        [192 * KiB, 256 * KiB, 192 * KiB],
    ]
    part = bytearray(256 * KiB)
    for start, _end, pos in ranges:
        part[start:pos] = data[start:pos]
    part_path(job.path).write_bytes(part)
    record = {
        "version": 1,
        "url": f"{HOST}/big.tif",
        "total": 256 * KiB,
        "etag": host.etag("/big.tif"),
        "last_modified": None,
        "segments": ranges,
    }
    meta_path(job.path).write_text(json.dumps(record))
    [outcome] = run(host, sleeps, [job])
    assert outcome.status == "resumed"
    assert outcome.transferred == 96 * KiB
    assert host.ranges() == [
        f"bytes={160 * KiB}-{192 * KiB - 1}",
        f"bytes={192 * KiB}-{256 * KiB - 1}",
    ]
    assert whole(host, url, job.path)


def test_a_cut_range_of_a_sync_part_is_recorded_for_the_sync_engine(host, sleeps, tmp_path):
    url = host.add("big.tif", 256 * KiB)
    job = DownloadJob(url, tmp_path / "big.tif")
    ranges = [[0, 128 * KiB, 0], [128 * KiB, 256 * KiB, 128 * KiB]]
    part_path(job.path).write_bytes(bytes(256 * KiB))
    record = {
        "version": 1,
        "url": f"{HOST}/big.tif",
        "total": 256 * KiB,
        "etag": host.etag("/big.tif"),
        "last_modified": None,
        "segments": ranges,
    }
    meta_path(job.path).write_text(json.dumps(record))
    host.faults = [Fault(cut=48 * KiB)]
    [failed] = run(host, sleeps, [job], max_retries=0)
    assert failed.status == "failed"
    saved = json.loads(meta_path(job.path).read_text())
    # The cut range is recorded where it stopped; the other ran in parallel until the file failed.
    first, second = saved["segments"]
    assert first == [0, 128 * KiB, 48 * KiB]
    assert second[:2] == [128 * KiB, 256 * KiB] and 128 * KiB <= second[2] <= 256 * KiB
    [outcome] = sync_run(host, [job])
    assert outcome.status == "resumed"
    assert whole(host, url, job.path)


def test_enable_resume_false_starts_over(host, sleeps, tmp_path):
    url = host.add("a.tif", 100 * KiB)
    host.faults = [Fault(cut=40 * KiB)]
    run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")], max_retries=0)
    host.requests.clear()
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")], enable_resume=False)
    assert outcome.status == "downloaded"
    assert host.ranges() == ["bytes=0-"]


# -- statuses -------------------------------------------------------------------------------------


def test_503_with_retry_after_is_honoured_and_capped(host, sleeps, tmp_path):
    url = host.add("a.tif", 10 * KiB)
    host.faults = [Fault(status=503, retry_after="2"), Fault(status=429, retry_after="600")]
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert sleeps == [2.0, 30.0]


def test_persistent_500_fails_after_max_retries_without_a_part(host, sleeps, tmp_path):
    url = host.add("a.tif", 10 * KiB)
    host.faults = [Fault(status=500, times=10)]
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")], max_retries=3)
    assert outcome.status == "failed"
    assert isinstance(outcome.error, AssetDownloadError) and outcome.error.status_code == 500
    assert "SlowDown" in str(outcome.error)
    assert len(host.requests) == 4
    assert list(tmp_path.iterdir()) == []


def test_404_fails_at_once_and_leaves_nothing(host, sleeps, tmp_path):
    [outcome] = run(host, sleeps, [DownloadJob(f"{HOST}/missing.tif?sig=ok", tmp_path / "m")])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, AssetDownloadError) and outcome.error.code == "ASSET_NOT_FOUND"
    assert sleeps == []
    assert list(tmp_path.iterdir()) == []


def test_every_failure_is_listed_and_completed_files_stay(host, sleeps, tmp_path):
    good = DownloadJob(host.add("good.tif", 10 * KiB), tmp_path / "good.tif")
    bad = DownloadJob(f"{HOST}/missing.tif?sig=ok", tmp_path / "missing.tif")
    outcomes = run(host, sleeps, [bad, good])
    with pytest.raises(DownloadError) as info:
        raise_for_failures(outcomes)
    assert info.value.failures == [outcomes[0]]
    assert whole(host, good.url, good.path)


def test_non_http_urls_are_refused(host, sleeps, tmp_path):
    [outcome] = run(host, sleeps, [DownloadJob("file:///etc/passwd", tmp_path / "p")])
    assert isinstance(outcome.error, InvalidInputError)


# -- expired signatures ---------------------------------------------------------------------------


def test_403_awaits_an_async_refresh_and_resumes(host, sleeps, tmp_path):
    url = host.add("a.tif", 100 * KiB)
    host.faults = [Fault(cut=30 * KiB), Fault(expired=True)]
    calls: list[int] = []

    async def refresh() -> str:
        calls.append(1)
        return url.replace("sig=ok", "sig=fresh")

    job = DownloadJob(url, tmp_path / "a.tif", refresh=refresh)  # type: ignore[arg-type]
    [outcome] = run(host, sleeps, [job])
    assert outcome.status == "downloaded"
    assert calls == [1]
    assert host.requests[-1].url.params["sig"] == "fresh"
    assert host.ranges()[-1] == f"bytes={30 * KiB}-{100 * KiB - 1}"
    assert whole(host, url, job.path)


def test_a_plain_refresh_function_works_too(host, sleeps, tmp_path):
    url = host.add("a.tif", 10 * KiB)
    host.faults = [Fault(expired=True)]
    job = DownloadJob(url, tmp_path / "a.tif", refresh=lambda: url)
    [outcome] = run(host, sleeps, [job])
    assert outcome.status == "downloaded"


def test_403_without_refresh_fails_with_the_hosts_reason(host, sleeps, tmp_path):
    url = host.add("a.tif", 10 * KiB).replace("sig=ok", "sig=expired")
    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert "Request has expired" in str(outcome.error)
    assert "secretsig" not in str(outcome.error)
    assert list(tmp_path.iterdir()) == []


def test_403_after_a_refresh_fails_instead_of_looping(host, sleeps, tmp_path):
    url = host.add("a.tif", 10 * KiB).replace("sig=ok", "sig=expired")
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        return url

    [outcome] = run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif", refresh=refresh)])
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert "after it was refreshed" in str(outcome.error)
    assert calls == [1]


# -- size, logs, cancellation ---------------------------------------------------------------------


def test_size_reads_the_total_and_never_an_error_body(host, sleeps):
    url = host.add("a.tif", 12345)

    async def sizes() -> tuple[int, BaseException]:
        async with engine(host, sleeps) as downloader:
            size = await downloader.size(url)
            try:
                await downloader.size(f"{HOST}/missing?sig=1")
            except AssetDownloadError as exc:
                return size, exc
        raise AssertionError("a 404 gave a size")

    size, error = asyncio.run(sizes())
    assert size == 12345
    assert host.ranges()[0] == "bytes=0-0"
    assert isinstance(error, AssetDownloadError) and error.status_code == 404


def test_logs_never_carry_the_signature(host, sleeps, tmp_path, caplog):
    url = host.add("a.tif", 10 * KiB)
    host.faults = [Fault(status=503), Fault(cut=1 * KiB)]
    with caplog.at_level(logging.DEBUG, logger="capella"):
        run(host, sleeps, [DownloadJob(url, tmp_path / "a.tif")])
    assert "a.tif" in caplog.text
    assert "secretsig" not in caplog.text


def test_a_cancelled_run_leaves_a_resumable_part(host, sleeps, tmp_path):
    url = host.add("a.tif", 400 * KiB)
    job = DownloadJob(url, tmp_path / "a.tif")
    slow = asyncio.Event()

    class Stalling(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield host.files["/a.tif"][: 100 * KiB]
            slow.set()
            await asyncio.sleep(3600)

    async def answer(request: httpx.Request) -> httpx.Response:
        response = host.answer(request)
        if len(host.requests) == 1:
            return httpx.Response(
                206,
                headers={**response.headers, "Content-Length": str(400 * KiB)},
                stream=Stalling(),
            )
        return response

    async def go() -> None:
        downloader = AsyncDownloader(transport=httpx.MockTransport(answer), buffer_size=16 * KiB)
        async with downloader:
            task = asyncio.ensure_future(downloader.run([job]))
            await slow.wait()
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(go())
    assert not job.path.exists()
    assert part_path(job.path).stat().st_size == 100 * KiB
    assert json.loads(meta_path(job.path).read_text())["total"] == 400 * KiB
    [outcome] = run(host, sleeps, [job])
    assert outcome.status == "resumed" and outcome.transferred == 300 * KiB
    assert whole(host, url, job.path)


def test_a_closed_downloader_refuses_to_run(host, sleeps, tmp_path):
    async def go() -> None:
        downloader = engine(host, sleeps)
        await downloader.aclose()
        await downloader.run([])

    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(go())
