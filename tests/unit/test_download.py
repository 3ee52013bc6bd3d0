"""The download engine against a small local asset server (real sockets on 127.0.0.1).

The server speaks HTTP/1.1 with keep-alive, honours Range and If-Range like S3, and takes a
script of faults (statuses, cuts, ignored ranges, redirects, slow ranges) consumed in order.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from capella.download import (
    AssetConnectError,
    AssetDownloadError,
    Downloader,
    DownloadError,
    DownloadJob,
    IncompleteDownloadError,
    PresignedUrlExpiredError,
    filename_from_url,
    meta_path,
    part_path,
    partfile,
    raise_for_failures,
    safe_join,
)
from capella.download.engine import DEFAULT_SPLIT_BELOW
from capella.download.progress import FileProgress, RunProgress
from capella.errors import CapellaConsoleClientError, ConnectError, InvalidInputError

KiB = 1024
MiB = 1024 * KiB


# -- the asset server --------------------------------------------------------------------------


@dataclass
class Fault:
    """One scripted misbehaviour, applied to the next request that ``match`` accepts."""

    status: int | None = None
    retry_after: str | None = None
    location: str | None = None
    cut: int | None = None  # close the connection after this many body bytes
    ignore_range: bool = False
    chunk_delay: float = 0.0  # sleep between 16 KiB chunks (a slow range)
    times: int = 1
    match: Callable[[Seen], bool] = lambda seen: True


@dataclass
class Seen:
    """A request as the server received it."""

    path: str
    query: str
    headers: dict[str, str]
    proxied: bool = False

    @property
    def range(self) -> str | None:
        return self.headers.get("range")


@dataclass
class AssetServer:
    url: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    expired: set[str] = field(default_factory=set)  # ``sig`` query values answered 403
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, path: str, data: bytes, etag: str | None = None) -> str:
        self.files[path] = data
        self.etags[path] = etag or '"' + hashlib.md5(data).hexdigest() + '"'
        return f"{self.url}{path}?X-Amz-Signature=secretsig&sig=ok"

    def take(self, seen: Seen) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.match(seen):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def gets(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        state: AssetServer = self.server.state
        proxied = self.path.startswith("http://")
        parts = urllib.parse.urlsplit(self.path)
        seen = Seen(
            parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}, proxied
        )
        with state.lock:
            state.requests.append(seen)
        fault = state.take(seen)
        sig = urllib.parse.parse_qs(parts.query).get("sig", [""])[0]
        if sig in state.expired:
            body = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
            return self._plain(403, body)
        if fault is not None and fault.status is not None:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            if fault.location is not None:
                headers["Location"] = fault.location
            return self._plain(fault.status, b"error page", headers)
        data = state.files.get(parts.path)
        if data is None:
            return self._plain(404, b"<Error><Code>NoSuchKey</Code></Error>")
        etag = state.etags[parts.path]
        total = len(data)
        start, end, status = 0, total, 200
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        ignore = fault is not None and fault.ignore_range
        if wanted and not ignore and (if_range is None or if_range == etag):
            spec = wanted.split("=", 1)[1]
            first, _, last = spec.partition("-")
            start = int(first)
            end = min(int(last) + 1, total) if last else total
            if start >= total:
                return self._plain(416, b"", {"Content-Range": f"bytes */{total}"})
            status = 206
        self.send_response(status)
        self.send_header("Content-Length", str(end - start))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{total}")
        self.end_headers()
        body = memoryview(data)[start:end]
        if fault is not None and fault.cut is not None:
            self.wfile.write(body[: fault.cut])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        step = 16 * KiB
        try:
            for i in range(0, len(body), step):
                self.wfile.write(body[i : i + step])
                if fault is not None and fault.chunk_delay:
                    time.sleep(fault.chunk_delay)
        except OSError:  # the client hung up (a range it no longer needs)
            self.close_connection = True

    def _plain(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up on a range it no longer needs is expected


@pytest.fixture
def server() -> Iterator[AssetServer]:
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    state = AssetServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def downloader(sleeps: Sleeps) -> Iterator[Downloader]:
    with Downloader(sleep=sleeps, timeout=5) as d:
        yield d


def small_segments(sleeps: Sleeps, **kwargs: Any) -> Downloader:
    """A downloader that splits files from 256 KiB into up to 4 ranges (none split further).

    Every connection joins at once, whatever the speed of the ranges (``split_below=inf``).
    """
    options: dict[str, Any] = {
        "split_below": math.inf,
        "max_connections": 4,
        "segment_threshold": 256 * KiB,
        "segment_size": 256 * KiB,
        "buffer_size": 16 * KiB,
        "sleep": sleeps,
        "timeout": 5,
    }
    options.update(kwargs)
    return Downloader(**options)


def payload(size: int, seed: int = 1) -> bytes:
    block = hashlib.sha256(str(seed).encode()).digest()
    return (block * (size // len(block) + 1))[:size]


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith((".part", ".meta")))


def write_partial(path: Path, data: bytes, url: str, total: int, etag: str | None) -> None:
    """What an interrupted earlier run leaves: a prefix in ``.part`` and its record."""
    part_path(path).write_bytes(data)
    record = {
        "version": 1,
        "url": url.split("?", 1)[0],
        "total": total,
        "etag": etag,
        "last_modified": None,
        "segments": None,
    }
    meta_path(path).write_text(json.dumps(record))


# -- integrity and the basic path ---------------------------------------------------------------


def test_downloads_into_place_and_leaves_no_work_files(server, downloader, tmp_path):
    data = payload(300 * KiB)
    url = server.add("/a/asset.tif", data)
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "asset.tif")])
    assert outcome.status == "downloaded"
    assert outcome.bytes == len(data) == outcome.transferred
    assert (tmp_path / "asset.tif").read_bytes() == data
    assert leftovers(tmp_path) == []
    # One request, and it doubles as the size probe: no separate size GET.
    [seen] = server.gets("/a/asset.tif")
    assert seen.range == "bytes=0-"


def test_a_whole_file_at_the_final_path_is_confirmed_by_one_request_and_skipped(
    server, downloader, tmp_path
):
    url = server.add("/a/x.json", b"same")
    (tmp_path / "x.json").write_bytes(b"same")
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "x.json")])
    assert outcome.status == "skipped"
    assert outcome.bytes == 4 and outcome.transferred == 0
    assert [r.range for r in server.requests] == ["bytes=4-"]  # answered 416: size 4
    assert (tmp_path / "x.json").read_bytes() == b"same"


def test_a_file_at_the_final_path_longer_than_the_asset_is_replaced(server, downloader, tmp_path):
    url = server.add("/a/x.json", b"new")
    (tmp_path / "x.json").write_bytes(b"old!")
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "x.json")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "x.json").read_bytes() == b"new"


def test_a_file_at_the_final_path_stays_there_when_the_host_cannot_be_reached(downloader, tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "x.json").write_bytes(b"mine")
    [outcome] = downloader.run(
        [DownloadJob(f"http://127.0.0.1:{port}/x.json", tmp_path / "x.json")]
    )
    assert outcome.status == "failed"
    assert (tmp_path / "x.json").read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_override_downloads_again_and_replaces_the_file(server, downloader, tmp_path):
    url = server.add("/a/x.json", b"new content")
    (tmp_path / "x.json").write_bytes(b"old")
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "x.json")], override=True)
    assert outcome.status == "downloaded"
    assert (tmp_path / "x.json").read_bytes() == b"new content"


def test_empty_asset_answered_416_becomes_an_empty_file(server, downloader, tmp_path):
    url = server.add("/a/empty.txt", b"")
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "empty.txt")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "empty.txt").read_bytes() == b""


def test_parent_folders_are_created(server, downloader, tmp_path):
    url = server.add("/a/b.bin", b"abc")
    target = tmp_path / "stac-id" / "b.bin"
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "downloaded" and target.read_bytes() == b"abc"


def test_outcomes_come_back_in_job_order(server, downloader, tmp_path):
    jobs = []
    for i in range(12):
        url = server.add(f"/p/{i}.bin", payload(1000 + 997 * i, seed=i))
        jobs.append(DownloadJob(url, tmp_path / f"{i}.bin", stac_id=f"s{i}", asset_key="HH"))
    outcomes = downloader.run(jobs)
    assert [o.job for o in outcomes] == jobs
    assert all(o.status == "downloaded" for o in outcomes)
    for i in range(12):
        assert (tmp_path / f"{i}.bin").read_bytes() == payload(1000 + 997 * i, seed=i)


def test_two_jobs_for_the_same_path_fail_the_second(server, downloader, tmp_path):
    url = server.add("/a/x.bin", b"x")
    first, second = downloader.run(
        [DownloadJob(url, tmp_path / "x.bin"), DownloadJob(url, tmp_path / "x.bin")]
    )
    assert first.status == "downloaded"
    assert second.status == "failed" and isinstance(second.error, InvalidInputError)


# -- resume ---------------------------------------------------------------------------------


def test_resume_appends_a_206_to_the_part_file(server, downloader, tmp_path):
    data = payload(200 * KiB)
    url = server.add("/r/a.tif", data)
    target = tmp_path / "a.tif"
    write_partial(target, data[:70_000], url, len(data), server.etags["/r/a.tif"])
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "resumed"
    assert outcome.transferred == len(data) - 70_000
    assert target.read_bytes() == data
    [seen] = server.gets("/r/a.tif")
    assert seen.range == "bytes=70000-"
    assert seen.headers["if-range"] == server.etags["/r/a.tif"]
    assert leftovers(tmp_path) == []


def test_resume_restarts_from_zero_when_the_server_answers_200(server, downloader, tmp_path):
    data = payload(100 * KiB)
    url = server.add("/r/b.tif", data)
    target = tmp_path / "b.tif"
    write_partial(target, b"\xff" * 5000, url, len(data), server.etags["/r/b.tif"])
    server.faults.append(Fault(ignore_range=True))
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "downloaded"
    assert outcome.transferred == len(data)
    assert target.read_bytes() == data  # truncated, not appended to the stale bytes


def test_if_range_mismatch_gets_200_and_restarts(server, downloader, tmp_path):
    old = payload(50 * KiB, seed=1)
    new = payload(60 * KiB, seed=2)
    url = server.add("/r/c.tif", new)
    target = tmp_path / "c.tif"
    write_partial(target, old[:20_000], url, len(old), '"old-etag"')
    [outcome] = downloader.run([DownloadJob(url, target)])
    [seen] = server.gets("/r/c.tif")
    assert seen.headers["if-range"] == '"old-etag"'
    assert outcome.status == "downloaded"
    assert target.read_bytes() == new


def test_416_verifies_a_part_that_is_already_complete(server, downloader, tmp_path):
    data = payload(40 * KiB)
    url = server.add("/r/d.tif", data)
    target = tmp_path / "d.tif"
    write_partial(target, data, url, len(data), server.etags["/r/d.tif"])
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "resumed"
    assert outcome.transferred == 0
    assert target.read_bytes() == data
    [seen] = server.gets("/r/d.tif")
    assert seen.range == f"bytes={len(data)}-"


def test_416_with_another_size_restarts(server, downloader, tmp_path):
    data = payload(10 * KiB)
    url = server.add("/r/e.tif", data)
    target = tmp_path / "e.tif"
    # A part longer than the asset now is: bytes=N- is unsatisfiable and N != total.
    write_partial(target, payload(12 * KiB, seed=9), url, 12 * KiB, server.etags["/r/e.tif"])
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "downloaded"
    assert target.read_bytes() == data


def test_a_part_without_its_record_is_not_trusted(server, downloader, tmp_path):
    data = payload(30 * KiB)
    url = server.add("/r/f.tif", data)
    target = tmp_path / "f.tif"
    part_path(target).write_bytes(b"\x00" * 10_000)
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "downloaded"
    assert server.gets("/r/f.tif")[0].range == "bytes=0-"
    assert target.read_bytes() == data


def test_a_fresh_part_is_not_truncated_and_a_stale_one_is(
    server, downloader, tmp_path, monkeypatch
):
    # On ext4 a truncate to 0, even of an empty file, makes its close start writeback of all
    # that was written: 0.4 s at the end of every fresh 1 GiB download.
    truncated: list[int] = []
    real = os.ftruncate

    def recording(fd: int, length: int) -> None:
        truncated.append(length)
        real(fd, length)

    monkeypatch.setattr(os, "ftruncate", recording)
    data = payload(30 * KiB)
    url = server.add("/r/t.tif", data)
    [fresh] = downloader.run([DownloadJob(url, tmp_path / "fresh" / "t.tif")])
    assert fresh.status == "downloaded" and truncated == []
    stale = tmp_path / "stale" / "t.tif"
    stale.parent.mkdir()
    part_path(stale).write_bytes(b"\xff" * (60 * KiB))  # longer than the asset, no record
    [outcome] = downloader.run([DownloadJob(url, stale)])
    assert outcome.status == "downloaded" and truncated == [0]
    assert stale.read_bytes() == data


def test_a_record_for_another_asset_is_ignored(server, downloader, tmp_path):
    data = payload(30 * KiB)
    url = server.add("/r/g.tif", data)
    target = tmp_path / "g.tif"
    write_partial(target, data[:1000], f"{server.url}/other/g.tif", len(data), '"x"')
    [outcome] = downloader.run([DownloadJob(url, target)])
    assert outcome.status == "downloaded"
    assert server.gets("/r/g.tif")[0].range == "bytes=0-"


def test_enable_resume_false_discards_the_part(server, downloader, tmp_path):
    data = payload(30 * KiB)
    url = server.add("/r/h.tif", data)
    target = tmp_path / "h.tif"
    write_partial(target, data[:1000], url, len(data), server.etags["/r/h.tif"])
    [outcome] = downloader.run([DownloadJob(url, target)], enable_resume=False)
    assert outcome.status == "downloaded"
    assert server.gets("/r/h.tif")[0].range == "bytes=0-"
    assert target.read_bytes() == data


def test_a_cut_mid_stream_resumes_from_the_bytes_on_disk(server, downloader, sleeps, tmp_path):
    data = payload(500 * KiB)
    url = server.add("/c/a.tif", data)
    server.faults.append(Fault(cut=123_457))
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "a.tif").read_bytes() == data
    _first, second = server.gets("/c/a.tif")
    assert second.range == f"bytes=123457-{len(data) - 1}"
    assert second.headers["if-range"] == server.etags["/c/a.tif"]
    assert outcome.transferred == len(data)  # nothing fetched twice
    assert len(sleeps) == 1


def test_repeated_cuts_give_up_after_max_retries(server, sleeps, tmp_path):
    data = payload(300 * KiB)
    url = server.add("/c/b.tif", data)
    server.faults.append(Fault(cut=100, times=100))
    with Downloader(max_retries=3, sleep=sleeps, timeout=5) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "b.tif")])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, AssetConnectError)
    assert isinstance(outcome.error, ConnectError)
    assert "after 4 attempts" in str(outcome.error)
    assert len(server.gets("/c/b.tif")) == 4
    assert not (tmp_path / "b.tif").exists()
    assert part_path(tmp_path / "b.tif").stat().st_size == 400  # kept for a later resume


def test_a_read_timeout_is_retried(server, sleeps, tmp_path):
    data = payload(64 * KiB)
    url = server.add("/c/slow.tif", data)
    server.faults.append(Fault(chunk_delay=1.0))
    with Downloader(timeout=httpx.Timeout(5, read=0.3), sleep=sleeps) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "slow.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "slow.tif").read_bytes() == data
    assert len(server.gets("/c/slow.tif")) == 2


# -- statuses -------------------------------------------------------------------------------


def test_503_with_retry_after_is_honoured(server, downloader, sleeps, tmp_path):
    url = server.add("/s/a.bin", b"payload")
    server.faults.append(Fault(status=503, retry_after="2"))
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "a.bin")])
    assert outcome.status == "downloaded"
    assert sleeps == [2.0]


def test_429_retry_after_is_capped(server, downloader, sleeps, tmp_path):
    url = server.add("/s/b.bin", b"payload")
    server.faults.append(Fault(status=429, retry_after="3600"))
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "b.bin")])
    assert outcome.status == "downloaded"
    assert sleeps == [30.0]


def test_persistent_500_fails_after_max_retries(server, sleeps, tmp_path):
    url = server.add("/s/c.bin", b"payload")
    server.faults.append(Fault(status=500, times=99))
    with Downloader(max_retries=2, sleep=sleeps, timeout=5) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "c.bin")])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, AssetDownloadError)
    assert outcome.error.status_code == 500
    assert len(server.gets("/s/c.bin")) == 3
    assert len(sleeps) == 2
    assert not (tmp_path / "c.bin").exists()
    assert leftovers(tmp_path) == []  # nothing received: no litter


def test_404_fails_at_once(server, downloader, sleeps, tmp_path):
    url = f"{server.url}/missing.tif?sig=ok"
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "missing.tif")])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, AssetDownloadError)
    assert outcome.error.status_code == 404
    assert "not found (404)" in str(outcome.error)
    assert len(server.requests) == 1 and sleeps == []
    assert list(tmp_path.iterdir()) == []


def test_a_redirect_is_an_error_not_followed(server, downloader, tmp_path):
    url = server.add("/s/moved.bin", b"x")
    server.faults.append(Fault(status=302, location="https://elsewhere.example/x.bin?sig=SECRET"))
    [outcome] = downloader.run([DownloadJob(url, tmp_path / "moved.bin")])
    assert outcome.status == "failed"
    message = str(outcome.error)
    assert "302" in message and "redirect to https://elsewhere.example/x.bin" in message
    assert "SECRET" not in message
    assert len(server.requests) == 1


# -- expired presigned URLs ------------------------------------------------------------------


def test_403_asks_refresh_for_a_fresh_url_and_resumes(server, downloader, tmp_path):
    data = payload(200 * KiB)
    server.add("/e/a.tif", data)
    server.expired.add("old")
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        return f"{server.url}/e/a.tif?sig=fresh"

    job = DownloadJob(f"{server.url}/e/a.tif?sig=old", tmp_path / "a.tif", refresh=refresh)
    [outcome] = downloader.run([job])
    assert outcome.status == "downloaded"
    assert (tmp_path / "a.tif").read_bytes() == data
    assert calls == [1]
    assert [r.query for r in server.gets("/e/a.tif")] == ["sig=old", "sig=fresh"]


def test_expiry_mid_download_resumes_with_the_fresh_url(server, downloader, tmp_path):
    data = payload(300 * KiB)
    server.add("/e/b.tif", data)
    server.faults.append(Fault(cut=100_000))

    def refresh() -> str:
        return f"{server.url}/e/b.tif?sig=fresh"

    def expire_old(seen: Seen) -> bool:  # the signature expires after the first request
        server.expired.add("old")
        return False

    server.faults.append(Fault(match=expire_old))
    job = DownloadJob(f"{server.url}/e/b.tif?sig=old", tmp_path / "b.tif", refresh=refresh)
    [outcome] = downloader.run([job])
    assert outcome.status == "downloaded"
    assert (tmp_path / "b.tif").read_bytes() == data
    last = server.gets("/e/b.tif")[-1]
    assert last.query == "sig=fresh" and last.range == f"bytes=100000-{len(data) - 1}"


def test_403_without_refresh_fails_with_a_clear_error(server, downloader, sleeps, tmp_path):
    server.add("/e/c.tif", b"data")
    server.expired.add("old")
    job = DownloadJob(f"{server.url}/e/c.tif?sig=old", tmp_path / "c.tif")
    [outcome] = downloader.run([job])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert outcome.error.status_code == 403
    message = str(outcome.error)
    assert "presigned URL expired or forbidden (403) for c.tif" in message
    assert "get_presigned_items(order_id)" in message
    assert "Request has expired" in message
    assert len(server.requests) == 1 and sleeps == []


def test_403_after_a_refresh_fails_instead_of_looping(server, downloader, tmp_path):
    server.add("/e/d.tif", b"data")
    server.expired.update({"old", "also-old"})
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        return f"{server.url}/e/d.tif?sig=also-old"

    job = DownloadJob(f"{server.url}/e/d.tif?sig=old", tmp_path / "d.tif", refresh=refresh)
    [outcome] = downloader.run([job])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert "after it was refreshed" in str(outcome.error)
    assert calls == [1]
    assert len(server.requests) == 2


def test_a_failing_refresh_fails_the_file_with_its_cause(server, downloader, tmp_path):
    server.add("/e/e.tif", b"data")
    server.expired.add("old")

    def refresh() -> str:
        raise CapellaConsoleClientError("order expired", "ORDER_EXPIRED")

    job = DownloadJob(f"{server.url}/e/e.tif?sig=old", tmp_path / "e.tif", refresh=refresh)
    [outcome] = downloader.run([job])
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert "order expired" in str(outcome.error)
    assert isinstance(outcome.error.__cause__, CapellaConsoleClientError)


# -- parallel ranges -------------------------------------------------------------------------


def test_a_large_file_is_fetched_as_parallel_ranges(server, sleeps, tmp_path):
    data = payload(1 * MiB + 12_345)
    url = server.add("/g/big.tif", data)
    with small_segments(sleeps) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "big.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "big.tif").read_bytes() == data
    ranges = [r.range for r in server.gets("/g/big.tif")]
    assert ranges[0] == "bytes=0-"
    assert len(ranges) == 4  # the first request becomes range 1 of 4
    starts = sorted(int(r.split("=")[1].split("-")[0]) for r in ranges if r)
    assert starts == [0, 327_680, 655_360, 983_040]  # 64 KiB-aligned quarters
    assert all(
        r.headers.get("if-range") == server.etags["/g/big.tif"]
        for r in server.gets("/g/big.tif")[1:]
    )
    assert leftovers(tmp_path) == []


def test_below_the_threshold_one_stream_is_used(server, sleeps, tmp_path):
    data = payload(200 * KiB)
    url = server.add("/g/small.tif", data)
    with small_segments(sleeps) as d:
        d.run([DownloadJob(url, tmp_path / "small.tif")])
    assert len(server.gets("/g/small.tif")) == 1


def test_not_threaded_uses_one_stream(server, sleeps, tmp_path):
    data = payload(1 * MiB)
    url = server.add("/g/serial.tif", data)
    with small_segments(sleeps) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "serial.tif")], threaded=False)
    assert outcome.status == "downloaded"
    assert len(server.gets("/g/serial.tif")) == 1
    assert (tmp_path / "serial.tif").read_bytes() == data


def test_a_failing_range_is_retried_on_its_own(server, sleeps, tmp_path):
    data = payload(1 * MiB)
    url = server.add("/g/cut.tif", data)
    in_third = lambda seen: (seen.range or "").startswith("bytes=524288-")  # noqa: E731
    server.faults.append(Fault(cut=5000, match=in_third))
    server.faults.append(
        Fault(status=503, match=lambda s: (s.range or "").startswith("bytes=786432-"))
    )
    with small_segments(sleeps) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "cut.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "cut.tif").read_bytes() == data
    ranges = [r.range for r in server.gets("/g/cut.tif")]
    assert "bytes=529288-786431" in ranges  # the cut range resumed where it stopped
    assert ranges.count("bytes=786432-1048575") == 2
    assert outcome.transferred == len(data)


def test_a_failed_range_leaves_a_sparse_part_that_resumes_later(server, sleeps, tmp_path):
    data = payload(1 * MiB)
    url = server.add("/g/later.tif", data)
    target = tmp_path / "later.tif"
    in_last = lambda seen: (seen.range or "").startswith("bytes=786432-")  # noqa: E731
    server.faults.append(Fault(status=404, match=in_last))
    with small_segments(sleeps) as d:
        [failed] = d.run([DownloadJob(url, target)])
    assert failed.status == "failed"
    assert not target.exists()
    record = json.loads(meta_path(target).read_text())
    # The part reaches as far as bytes arrived (the record may lag the last writes), never
    # into the range that failed: nothing was preallocated.
    furthest = max(pos for start, _, pos in record["segments"] if pos > start)
    assert furthest <= part_path(target).stat().st_size <= 786432
    assert record["total"] == len(data)
    assert record["segments"][-1] == [786432, 1048576, 786432]
    assert "X-Amz-Signature" not in meta_path(target).read_text()

    missing = {f"bytes={pos}-{end - 1}" for _, end, pos in record["segments"] if pos < end}
    left = sum(end - pos for _, end, pos in record["segments"])
    server.requests.clear()
    with small_segments(sleeps) as d:
        [outcome] = d.run([DownloadJob(url, target)])
    assert outcome.status == "resumed"
    assert target.read_bytes() == data
    assert {r.range for r in server.requests} == missing  # only what was not written yet
    assert all(r.headers["if-range"] == server.etags["/g/later.tif"] for r in server.requests)
    assert outcome.transferred == left


def test_an_idle_worker_takes_over_half_of_a_slow_range(server, sleeps, tmp_path):
    data = payload(2 * MiB)
    url = server.add("/g/steal.tif", data)
    slow = lambda seen: (seen.range or "").startswith("bytes=1048576-")  # noqa: E731
    server.faults.append(Fault(chunk_delay=0.01, match=slow))
    with small_segments(sleeps, max_connections=2, segment_size=64 * KiB) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "steal.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "steal.tif").read_bytes() == data
    ranges = [r.range for r in server.gets("/g/steal.tif")]
    assert len(ranges) > 2  # the slow second half was split by the idle worker


def test_fast_ranges_keep_the_other_connections_out(server, sleeps, tmp_path):
    data = payload(2 * MiB)
    url = server.add("/g/fast.tif", data)
    # Every range counts as fast (above 1 byte/s): the file stays on its first two ranges.
    with small_segments(sleeps, split_below=1, segment_size=64 * KiB) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "fast.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "fast.tif").read_bytes() == data
    ranges = sorted(r.range or "" for r in server.gets("/g/fast.tif"))
    assert ranges == ["bytes=0-", "bytes=1048576-2097151"]
    assert leftovers(tmp_path) == []


def test_slow_ranges_bring_every_connection_in(server, sleeps, tmp_path):
    data = payload(2 * MiB)
    url = server.add("/g/throttled.tif", data)
    # About 1.6 MB/s per range: far below the default split_below, as per-stream throttling is.
    server.faults.append(Fault(chunk_delay=0.01, times=1000))
    with small_segments(sleeps, split_below=DEFAULT_SPLIT_BELOW, segment_size=64 * KiB) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "throttled.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "throttled.tif").read_bytes() == data
    gets = server.gets("/g/throttled.tif")
    assert len(gets) >= 4  # two ranges to start with, then the idle workers split them
    assert leftovers(tmp_path) == []


def test_a_range_that_sees_another_object_restarts_the_file(server, sleeps, tmp_path):
    old = payload(1 * MiB, seed=1)
    new = payload(1 * MiB, seed=2)
    url = server.add("/g/changed.tif", old)

    def swap(seen: Seen) -> bool:
        if seen.range and seen.range.startswith("bytes=262144-"):
            server.files["/g/changed.tif"] = new
            server.etags["/g/changed.tif"] = '"v2"'
        return False

    server.faults.append(Fault(match=swap))
    with small_segments(sleeps) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "changed.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "changed.tif").read_bytes() == new


def test_an_asset_that_keeps_changing_fails(server, sleeps, tmp_path):
    url = server.add("/g/flappy.tif", payload(100 * KiB))
    counter = iter(range(1000))

    def flap(seen: Seen) -> bool:
        server.etags["/g/flappy.tif"] = f'"v{next(counter)}"'
        return False

    server.faults.append(Fault(match=flap, times=1000))
    server.faults.append(Fault(cut=10_000, times=1000))
    with Downloader(sleep=sleeps, timeout=5, max_retries=50) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "flappy.tif")])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, IncompleteDownloadError)
    assert "changed on the server" in str(outcome.error)


# -- failures are collected -----------------------------------------------------------------


def test_every_failure_is_listed_and_completed_files_stay(server, downloader, tmp_path):
    good = server.add("/f/good.tif", b"good")
    server.expired.add("old")
    jobs = [
        DownloadJob(f"{server.url}/f/missing.tif?sig=ok", tmp_path / "missing.tif", "S1", "HH"),
        DownloadJob(good, tmp_path / "good.tif", "S1", "metadata"),
        DownloadJob(f"{server.url}/f/expired.tif?sig=old", tmp_path / "expired.tif", "S2", "VV"),
    ]
    outcomes = downloader.run(jobs)
    assert [o.status for o in outcomes] == ["failed", "downloaded", "failed"]
    with pytest.raises(DownloadError) as caught:
        raise_for_failures(outcomes)
    error = caught.value
    assert isinstance(error, CapellaConsoleClientError)
    assert [o.job for o in error.failures] == [jobs[0], jobs[2]]
    assert error.outcomes == outcomes
    message = str(error)
    assert "2 of 3 downloads failed" in message
    assert "S1/HH (missing.tif): missing.tif: not found (404)" in message
    assert "S2/VV (expired.tif): presigned URL expired or forbidden (403)" in message
    assert (tmp_path / "good.tif").read_bytes() == b"good"
    raise_for_failures(outcomes[1:2])  # nothing failed: no error


def test_no_final_file_is_ever_partial(server, sleeps, tmp_path):
    data = payload(400 * KiB)
    url = server.add("/f/partial.tif", data)
    server.faults.append(Fault(cut=50_000, times=10))
    with Downloader(max_retries=1, sleep=sleeps, timeout=5) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "partial.tif")])
    assert outcome.status == "failed"
    assert not (tmp_path / "partial.tif").exists()
    assert part_path(tmp_path / "partial.tif").read_bytes() == data[:100_000]
    assert outcome.bytes == 100_000


def test_a_full_disk_error_fails_the_file_not_the_run(server, downloader, tmp_path, monkeypatch):

    url_a = server.add("/f/a.bin", b"a" * 10)
    url_b = server.add("/f/b.bin", b"b" * 10)
    real = partfile.pwrite

    def pwrite(fd: int, data: memoryview, offset: int) -> None:
        if bytes(data[:1]) == b"a":
            raise OSError(28, "No space left on device")
        real(fd, data, offset)

    monkeypatch.setattr(partfile, "pwrite", pwrite)
    a, b = downloader.run(
        [DownloadJob(url_a, tmp_path / "a.bin"), DownloadJob(url_b, tmp_path / "b.bin")]
    )
    assert a.status == "failed" and "No space left" in str(a.error)
    assert b.status == "downloaded"
    assert len(server.gets("/f/a.bin")) == 1  # a disk error is not retried


# -- safety ---------------------------------------------------------------------------------


def test_no_credentials_or_extra_headers_reach_the_asset_host(server, downloader, tmp_path):
    data = payload(10 * KiB)
    url = server.add("/h/a.tif", data)
    write_partial(tmp_path / "b.tif", data[:100], url.replace("a.tif", "b.tif"), len(data), '"x"')
    server.add("/h/b.tif", data)
    downloader.run(
        [
            DownloadJob(url, tmp_path / "a.tif"),
            DownloadJob(url.replace("a.tif", "b.tif"), tmp_path / "b.tif"),
        ]
    )
    assert len(server.requests) == 2
    for seen in server.requests:
        assert "authorization" not in seen.headers
        assert not any(
            "apikey" in v.lower() or "bearer" in v.lower() for v in seen.headers.values()
        )
        assert set(seen.headers) <= {"host", "user-agent", "accept-encoding", "range", "if-range"}
        assert seen.headers["user-agent"].startswith("capella/")


@pytest.mark.parametrize(
    "name",
    ["", ".", "..", "../x.tif", "a/b.tif", "a\\b.tif", "/etc/passwd", "C:x.tif", "x\x00.tif"],
)
def test_safe_join_refuses_names_that_leave_the_folder(tmp_path, name):
    with pytest.raises(InvalidInputError):
        safe_join(tmp_path, name)


def test_safe_join_accepts_plain_names(tmp_path):
    assert safe_join(tmp_path, "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010.tif") == (
        tmp_path / "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010.tif"
    )
    assert safe_join(str(tmp_path), "..hidden") == tmp_path / "..hidden"


def test_filename_from_url_drops_the_query_and_decodes():
    url = "https://h.example/bucket/2024/ID/ID%20x_extended.json?X-Amz-Signature=abc&b=..%2F"
    assert filename_from_url(url) == "ID x_extended.json"
    with pytest.raises(InvalidInputError):
        safe_join("/tmp", filename_from_url("https://h.example/a/..%2F..%2Fetc%2Fpasswd?x"))


def test_non_http_urls_are_refused(downloader, tmp_path):
    [outcome] = downloader.run([DownloadJob("file:///etc/passwd", tmp_path / "passwd")])
    assert outcome.status == "failed" and isinstance(outcome.error, InvalidInputError)


def test_logs_and_reprs_never_carry_the_signature(server, sleeps, tmp_path, caplog):
    url = server.add("/l/a.tif", payload(50 * KiB))
    server.faults.append(Fault(cut=1000))
    server.faults.append(Fault(status=503))
    caplog.set_level(logging.DEBUG, logger="capella")
    with Downloader(sleep=sleeps, timeout=5) as d:
        outcomes = d.run(
            [DownloadJob(url, tmp_path / "a.tif"), DownloadJob(url + "x", tmp_path / "b")]
        )
    assert "secretsig" not in caplog.text
    assert "retry 1/5" in caplog.text
    assert "secretsig" not in repr(outcomes)
    assert "secretsig" not in repr(DownloadJob(url, tmp_path / "a.tif"))


# -- size -----------------------------------------------------------------------------------


def test_size_reads_the_total_from_a_one_byte_range(server, downloader):
    url = server.add("/z/a.tif", payload(12_345))
    assert downloader.size(url) == 12_345
    assert server.requests[0].range == "bytes=0-0"


def test_size_of_a_server_without_ranges_uses_content_length(server, downloader):
    url = server.add("/z/b.tif", payload(777))
    server.faults.append(Fault(ignore_range=True))
    assert downloader.size(url) == 777


def test_size_never_reports_an_error_body(server, downloader):
    server.add("/z/c.tif", b"x")
    server.expired.add("old")
    with pytest.raises(PresignedUrlExpiredError):
        downloader.size(f"{server.url}/z/c.tif?sig=old")
    with pytest.raises(AssetDownloadError) as caught:
        downloader.size(f"{server.url}/z/nope.tif")
    assert caught.value.status_code == 404


def test_size_retries_503(server, downloader, sleeps):
    url = server.add("/z/d.tif", payload(10))
    server.faults.append(Fault(status=503, retry_after="1"))
    assert downloader.size(url) == 10
    assert sleeps == [1.0]


# -- progress -------------------------------------------------------------------------------


def test_progress_goes_to_stderr_without_the_query(server, sleeps, tmp_path, capsys):
    url = server.add("/p/shown.tif", payload(100 * KiB))
    with Downloader(sleep=sleeps) as d:
        [outcome] = d.run([DownloadJob(url, tmp_path / "shown.tif")], show_progress=True)
    assert outcome.status == "downloaded"
    out, err = capsys.readouterr()
    assert out == ""
    assert "total 1/1 files" in err
    assert "secretsig" not in err and "sig=" not in err


def test_two_runs_with_progress_in_two_threads_do_not_disturb_each_other(server, tmp_path):
    urls = [server.add(f"/p/{i}.tif", payload(300 * KiB, seed=i)) for i in range(8)]
    results: dict[int, list[Any]] = {}
    errors: list[BaseException] = []

    def download(k: int) -> None:
        try:
            with Downloader(max_connections=2) as d:
                jobs = [
                    DownloadJob(urls[i], tmp_path / str(k) / f"{i}.tif") for i in range(k, 8, 2)
                ]
                results[k] = d.run(jobs, show_progress=True)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=download, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for k in (0, 1):
        assert [o.status for o in results[k]] == ["downloaded"] * 4
        for i in range(k, 8, 2):
            assert (tmp_path / str(k) / f"{i}.tif").read_bytes() == payload(300 * KiB, seed=i)


def test_run_progress_shows_active_files_and_a_total():
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=False)
    state = [
        FileProgress("a.tif", 50, 100, started=True, finished=False, failed=False),
        FileProgress("b.tif", 10, 10, started=True, finished=True, failed=False),
        FileProgress("c.tif", 0, None, started=False, finished=False, failed=False),
    ]
    progress = RunProgress(lambda: state, console=console)
    progress.start()
    progress.stop()
    text = buffer.getvalue()
    assert "a.tif" in text and "total 0/3 files" in text
    assert "c.tif" not in text  # not started yet


# -- the httpx transport path ----------------------------------------------------------------


def test_an_httpx_transport_can_stand_in_for_the_network(tmp_path, sleeps):
    data = payload(100 * KiB)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(503, headers={"Retry-After": "0"})
        start = int(request.headers["range"].split("=")[1].rstrip("-").split("-")[0])
        return httpx.Response(
            206,
            content=data[start:],
            headers={"Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}", "ETag": '"e"'},
        )

    with Downloader(transport=httpx.MockTransport(handler), sleep=sleeps) as d:
        write_partial(
            tmp_path / "m.tif", data[:1000], "https://assets.example/m.tif", len(data), '"e"'
        )
        [outcome] = d.run([DownloadJob("https://assets.example/m.tif?sig=x", tmp_path / "m.tif")])
    assert outcome.status == "resumed"
    assert (tmp_path / "m.tif").read_bytes() == data
    assert seen[-1].headers["range"] == "bytes=1000-"
    assert "authorization" not in seen[-1].headers
    assert sleeps == [0.0]


def test_an_httpx_transport_error_is_retried(tmp_path, sleeps):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, content=b"abc")

    with Downloader(transport=httpx.MockTransport(handler), sleep=sleeps) as d:
        [outcome] = d.run([DownloadJob("https://assets.example/t.bin", tmp_path / "t.bin")])
    assert outcome.status == "downloaded" and (tmp_path / "t.bin").read_bytes() == b"abc"


# -- the pool -------------------------------------------------------------------------------


def test_connections_are_reused_across_files(server, downloader, tmp_path):
    urls = [server.add(f"/k/{i}.bin", payload(5000, seed=i)) for i in range(20)]
    ports: set[int] = set()
    real_request = __import__("http.client").client.HTTPConnection.request

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = real_request(self, *args, **kwargs)
        ports.add(self.sock.getsockname()[1])
        return result

    import http.client

    http.client.HTTPConnection.request = spy  # type: ignore[method-assign]
    try:
        outcomes = downloader.run(
            [DownloadJob(u, tmp_path / f"{i}.bin") for i, u in enumerate(urls)]
        )
    finally:
        http.client.HTTPConnection.request = real_request  # type: ignore[method-assign]
    assert all(o.status == "downloaded" for o in outcomes)
    assert len(ports) <= 8


def test_a_closed_downloader_refuses_to_run(tmp_path):
    d = Downloader()
    d.close()
    with pytest.raises(RuntimeError):
        d.run([DownloadJob("http://127.0.0.1:9/x", tmp_path / "x")])


def test_an_http_proxy_from_the_environment_is_used(server, tmp_path, monkeypatch):
    server.add("/proxied/a.bin", b"via proxy")
    monkeypatch.setenv("http_proxy", server.url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    with Downloader() as d:
        [outcome] = d.run(
            [DownloadJob("http://assets.invalid/proxied/a.bin?sig=ok", tmp_path / "a.bin")]
        )
    assert outcome.status == "downloaded"
    assert (tmp_path / "a.bin").read_bytes() == b"via proxy"
    assert server.requests[0].proxied


def test_outcome_describes_its_asset(tmp_path):
    job = DownloadJob("http://h/x.tif?sig=1", tmp_path / "x.tif", stac_id="S", asset_key="HH")
    assert job.describe() == "S/HH (x.tif)"
    assert DownloadJob("http://h/x.tif", "x.tif").describe() == "x.tif"
    assert os.fspath(DownloadJob("http://h/x.tif", "x.tif").path) == "x.tif"


def test_a_large_block_is_written_in_pieces_of_at_most_write_size(monkeypatch, tmp_path):
    sizes: list[int] = []
    real = partfile.pwrite

    def recording(fd: int, data: memoryview, offset: int) -> None:
        sizes.append(len(data))
        real(fd, data, offset)

    monkeypatch.setattr(partfile, "pwrite", recording)
    data = payload(3 * partfile.WRITE_SIZE + 123)
    target = tmp_path / "block.bin"
    fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        partfile.pwrite(fd, memoryview(b"head"), 0)
        partfile.pwrite_pieces(fd, memoryview(data), 4)
    finally:
        os.close(fd)
    assert target.read_bytes() == b"head" + data
    assert sizes == [4, partfile.WRITE_SIZE, partfile.WRITE_SIZE, partfile.WRITE_SIZE, 123]
