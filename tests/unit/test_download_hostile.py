"""Downloads against hostile and broken asset hosts, several processes and careless input.

Issue 13 (items 2-8, careless input) and issue 14 item 5. Each host is a small HTTP server on
127.0.0.1 whose handler writes raw responses, so it can lie about sizes, cut bodies, stall and
drip. Every case runs through both drivers where they differ (threads, asyncio).
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import re
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.download import (
    AssetConnectError,
    AssetDownloadError,
    Downloader,
    DownloadJob,
    DownloadOutcome,
    IncompleteDownloadError,
    part_path,
)
from capella.download.async_engine import AsyncDownloader
from capella.errors import ConnectError, InvalidInputError

KiB = 1024
MiB = 1024 * KiB
FAST = {"backoff_base": 0.001, "backoff_max": 0.002}  # retries without waiting

Handler = Callable[["_Handler"], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        host: Host = self.server.host  # type: ignore[attr-defined]
        with host.lock:
            host.seen.append((self.path, self.headers.get("Range")))
        host.handler(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def raw(self, head: str, body: bytes = b"", *, close: bool = True) -> None:
        """Write a status line and headers as given, then ``body`` (and close)."""
        self.wfile.write(head.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body)
        self.wfile.flush()
        self.close_connection = close


class Host:
    """A threaded HTTP server on 127.0.0.1 whose answers ``handler`` writes."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[tuple[str, str | None]] = []
        self.lock = threading.Lock()
        self.release = threading.Event()  # stalling handlers wait for it
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.host = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{name}?X-Amz-Signature=s"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hosts() -> Iterator[Callable[[Handler], Host]]:
    started: list[Host] = []

    def start(handler: Handler) -> Host:
        started.append(Host(handler))
        return started[-1]

    yield start
    for host in started:
        host.close()


def payload(size: int, seed: int = 0) -> bytes:
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def requested_range(h: _Handler, size: int) -> tuple[int, int] | None:
    """``(first, last)`` of the request's Range, clipped to ``size``; None without one."""
    m = re.fullmatch(r"bytes=(\d+)-(\d*)", h.headers.get("Range") or "")
    if m is None:
        return None
    return int(m.group(1)), min(int(m.group(2)) if m.group(2) else size - 1, size - 1)


def serve(files: dict[str, bytes], chunk_delay: float = 0.0) -> Handler:
    """A well-behaved host: 200 or 206 with Content-Length, 416 past the end."""

    def handler(h: _Handler) -> None:
        data = files[h.path.split("?")[0].lstrip("/")]
        wanted = requested_range(h, len(data))
        if wanted is None:
            first, last, head = 0, len(data) - 1, "HTTP/1.1 200 OK"
        elif wanted[0] >= len(data):
            h.raw(f"HTTP/1.1 416 Range Not Satisfiable\nContent-Range: bytes */{len(data)}")
            return
        else:
            first, last = wanted
            head = f"HTTP/1.1 206 Partial Content\nContent-Range: bytes {first}-{last}/{len(data)}"
        body = data[first : last + 1]
        h.raw(f"{head}\nContent-Length: {len(body)}\nConnection: close", close=True)
        for i in range(0, len(body), 64 * KiB):
            h.wfile.write(body[i : i + 64 * KiB])
            time.sleep(chunk_delay)

    return handler


def run(kind: str, jobs: list[DownloadJob], **options: Any) -> list[DownloadOutcome]:
    """Run ``jobs`` on the threaded or the asyncio driver."""
    options = {**FAST, **options}
    if kind == "threads":
        with Downloader(**options) as d:
            return d.run(jobs)

    async def go() -> list[DownloadOutcome]:
        async with AsyncDownloader(**options) as d:
            return await d.run(jobs)

    return asyncio.run(go())


drivers = pytest.mark.parametrize("kind", ["threads", "asyncio"])


# -- item 3: a body whose length nobody confirms is never complete ---------------------------


@drivers
def test_a_200_without_length_cut_halfway_is_never_reported_complete(kind, hosts, tmp_path):
    data = payload(1 * MiB)
    host = hosts(lambda h: h.raw("HTTP/1.1 200 OK\nConnection: close", data[: 512 * KiB]))
    [outcome] = run(kind, [DownloadJob(host.url("a.tif"), tmp_path / "a.tif")])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, IncompleteDownloadError)
    assert outcome.error.code == "SIZE_UNVERIFIED"
    assert not (tmp_path / "a.tif").exists()
    assert [r for _, r in host.seen] == ["bytes=0-", f"bytes={512 * KiB}-"]


@drivers
def test_a_cut_200_without_length_is_completed_by_the_206_that_follows(kind, hosts, tmp_path):
    data = payload(1 * MiB)
    half = 512 * KiB
    honest = serve({"a.tif": data})

    def handler(h: _Handler) -> None:
        if h.headers.get("Range") == "bytes=0-":
            h.raw("HTTP/1.1 200 OK\nConnection: close", data[:half])  # cut, length unknown
        else:
            honest(h)

    host = hosts(handler)
    [outcome] = run(kind, [DownloadJob(host.url("a.tif"), tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "a.tif").read_bytes() == data
    assert [r for _, r in host.seen] == ["bytes=0-", f"bytes={half}-"]


@drivers
def test_a_whole_200_without_length_is_complete_once_a_416_confirms_it(kind, hosts, tmp_path):
    data = payload(100 * KiB)

    def handler(h: _Handler) -> None:
        if h.headers.get("Range") == "bytes=0-":
            h.raw("HTTP/1.1 200 OK\nConnection: close", data)
        else:
            h.raw(f"HTTP/1.1 416 Range Not Satisfiable\nContent-Range: bytes */{len(data)}")

    host = hosts(handler)
    [outcome] = run(kind, [DownloadJob(host.url("a.tif"), tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "a.tif").read_bytes() == data


# -- item 4: work files cannot collide with assets -------------------------------------------


@drivers
def test_an_asset_named_like_another_assets_part_file_keeps_its_own_bytes(kind, hosts, tmp_path):
    files = {"X.part": payload(200 * KiB, 2), "X": payload(300 * KiB, 1)}
    host = hosts(serve(files))
    for name in files:  # "X.part" is whole on disk when "X" starts
        [outcome] = run(kind, [DownloadJob(host.url(name), tmp_path / name)])
        assert outcome.status == "downloaded"
    for name, data in files.items():
        assert (tmp_path / name).read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X", "X.part"]


# -- item 5: a size claim reserves nothing ---------------------------------------------------


@drivers
def test_a_content_range_claiming_1_gib_on_1000_bytes_takes_no_disk_space(kind, hosts, tmp_path):
    gib = 1 << 30

    def liar(h: _Handler) -> None:
        first = (requested_range(h, gib) or (0, 0))[0]
        head = f"HTTP/1.1 206 Partial Content\nContent-Range: bytes {first}-{gib - 1}/{gib}"
        h.raw(f"{head}\nContent-Length: {gib - first}", payload(1000))

    host = hosts(liar)
    [outcome] = run(kind, [DownloadJob(host.url("a.tif"), tmp_path / "a.tif")], max_retries=1)
    assert outcome.status == "failed"
    used = sum(p.stat().st_blocks * 512 for p in tmp_path.iterdir())
    assert used < 1 * MiB  # the bytes received, not the 1 GiB claimed


# -- item 6 and issue 14 item 5: a file at the final path is checked -------------------------


def test_a_file_left_at_60_percent_by_the_reference_sdk_is_completed(hosts, tmp_path):
    data = payload(1 * MiB)
    host = hosts(serve({"scene.tif": data}))
    target = tmp_path / "scene.tif"
    target.write_bytes(data[: len(data) * 6 // 10])  # the reference SDK writes in place
    client = CapellaConsoleClient(no_auth=True, base_url="https://api.test")
    with client:
        path = client.download_asset(host.url("scene.tif"), local_path=target)
    assert Path(path).read_bytes() == data
    assert [r for _, r in host.seen] == [f"bytes={len(data) * 6 // 10}-"]


@drivers
def test_a_file_longer_than_the_asset_at_the_final_path_is_replaced(kind, hosts, tmp_path):
    data = payload(100 * KiB)
    host = hosts(serve({"a.tif": data}))
    (tmp_path / "a.tif").write_bytes(payload(150 * KiB, 7))
    [outcome] = run(kind, [DownloadJob(host.url("a.tif"), tmp_path / "a.tif")])
    assert outcome.status == "downloaded"
    assert (tmp_path / "a.tif").read_bytes() == data


# -- item 7: long names ----------------------------------------------------------------------


@drivers
def test_names_of_246_to_255_characters_download_and_longer_ones_fail_alone(kind, hosts, tmp_path):
    names = ["a" * 246, "b" * 255, "c" * 256]
    host = hosts(serve({n: payload(10 * KiB, i) for i, n in enumerate(names)}))
    outcomes = run(kind, [DownloadJob(host.url(n), tmp_path / n) for n in names])
    assert [o.status for o in outcomes] == ["downloaded", "downloaded", "failed"]
    assert isinstance(outcomes[2].error, AssetDownloadError)
    assert outcomes[2].error.code == "NAME_TOO_LONG"
    assert (tmp_path / names[1]).read_bytes() == payload(10 * KiB, 1)


# -- item 8: options reach downloads, and nothing hangs --------------------------------------


def _stall(h: _Handler) -> None:
    """Headers and half the body, then nothing until the test ends."""
    host: Host = h.server.host  # type: ignore[attr-defined]
    h.raw("HTTP/1.1 200 OK\nContent-Length: 2000", b"x" * 1000, close=False)
    host.release.wait(30)


def test_the_clients_timeout_and_max_retries_reach_downloads(hosts, tmp_path):
    host = hosts(_stall)
    client = CapellaConsoleClient(
        no_auth=True, base_url="https://api.test", timeout=0.3, max_retries=1
    )
    with client, pytest.raises(AssetConnectError) as info:
        client.download_asset(host.url("a.tif"), local_path=tmp_path / "a.tif")
    assert "timed out" in str(info.value)  # not the server closing after 30 s
    assert len(host.seen) == 2  # max_retries=1: one retry


def _drip(h: _Handler) -> None:
    """200 bytes, one every 50 ms (10 s in all): slower than the floor, never a read timeout."""
    h.raw("HTTP/1.1 200 OK\nContent-Length: 200", close=False)
    try:
        for _ in range(200):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass  # the client hung up


@drivers
def test_a_body_that_drips_below_the_minimum_rate_is_stalled(kind, hosts, tmp_path):
    host = hosts(_drip)
    job = DownloadJob(host.url("a.tif"), tmp_path / "a.tif")
    [outcome] = run(kind, [job], min_rate=1000, rate_window=0.3, timeout=5, max_retries=0)
    assert outcome.status == "failed"
    assert "stalled" in str(outcome.error) and "min_rate" in str(outcome.error)
    # Seen while the body dripped, not once all of it was there.
    seen = re.search(r"stalled: (\d+) bytes in", str(outcome.error))
    assert seen is not None and int(seen.group(1)) < 100
    assert not (tmp_path / "a.tif").exists()


# -- item 2: two processes, one asset --------------------------------------------------------


def _download_in_child(url: str, target: str, result: Any) -> None:
    with Downloader(**FAST) as d:
        [outcome] = d.run([DownloadJob(url, Path(target))])
    result.put((outcome.status, repr(outcome.error)))


def test_two_processes_downloading_the_same_asset_both_end_with_the_whole_file(hosts, tmp_path):
    data = payload(4 * MiB)
    host = hosts(serve({"a.tif": data}, chunk_delay=0.003))
    ctx = multiprocessing.get_context("spawn")
    for run_no in range(3):
        folder = tmp_path / str(run_no)
        results = ctx.Queue()
        procs = [
            ctx.Process(
                target=_download_in_child,
                args=(host.url("a.tif"), str(folder / "a.tif"), results),
            )
            for _ in range(2)
        ]
        for p in procs:
            p.start()
        statuses = sorted(results.get(timeout=120) for _ in procs)
        for p in procs:
            p.join(30)
        assert [s for s, _ in statuses] == ["downloaded", "skipped"], statuses
        assert (folder / "a.tif").read_bytes() == data
        assert [p.name for p in folder.iterdir()] == ["a.tif"]  # no part, record or lock left


# -- the final size check --------------------------------------------------------------------


@drivers
def test_a_part_that_grew_behind_the_downloads_back_is_not_renamed_into_place(
    kind, hosts, tmp_path
):
    data = payload(100 * KiB)
    target = tmp_path / "a.tif"
    honest = serve({"a.tif": data})

    def handler(h: _Handler) -> None:
        # Something else writes to the part while the body is on its way: every range is
        # accounted for, only the size on disk shows the file is not the asset.
        with open(part_path(target), "ab") as part:
            part.write(b"\0" * (200 * KiB))
        honest(h)

    host = hosts(handler)
    [outcome] = run(kind, [DownloadJob(host.url("a.tif"), target)])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, IncompleteDownloadError)
    assert outcome.error.code == "SIZE_MISMATCH"
    assert not target.exists()


# -- careless input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"include": 5},
        {"exclude": 5},
        {"product_types": 5},
        {"local_dir": None},
        {"local_dir": "FILE/sub"},
        {"items_presigned": "abc"},
        {"items_presigned": [None]},
    ],
    ids=["include", "exclude", "product_types", "local_dir=None", "under-a-file", "abc", "[None]"],
)
def test_careless_download_input_is_a_typed_error_before_any_request(kwargs, tmp_path):
    sent: list[httpx.Request] = []
    (tmp_path / "FILE").write_text("a file, not a folder")
    if kwargs.get("local_dir") == "FILE/sub":
        kwargs = {"local_dir": tmp_path / "FILE" / "sub"}
    call = {"items_presigned": [{"id": "x", "assets": {}}], "local_dir": tmp_path, **kwargs}
    with _recording_client(sent) as client, pytest.raises(InvalidInputError):
        client.download_products(**call)
    assert sent == []


def test_download_asset_into_a_folder_that_cannot_be_created_is_a_typed_error(tmp_path):
    sent: list[httpx.Request] = []
    (tmp_path / "FILE").write_text("a file, not a folder")
    target = tmp_path / "FILE" / "sub" / "a.tif"
    with _recording_client(sent) as client, pytest.raises(InvalidInputError, match="FILE/sub"):
        client.download_asset("https://assets.test/a.tif", local_path=target)
    assert sent == []


def _recording_client(sent: list[httpx.Request]) -> CapellaConsoleClient:
    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return CapellaConsoleClient(
        api_key="k",
        no_token_check=True,
        base_url="https://api.test",
        transport=httpx.MockTransport(record),
    )


def test_an_api_body_that_drips_below_the_minimum_rate_ends(hosts, monkeypatch):
    body = b'{"id": "' + b"u" * 190 + b'"}'

    def drip(h: _Handler) -> None:  # 200 bytes, one every 50 ms: 10 s, never a read timeout
        h.raw(f"HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: {len(body)}")
        try:
            for byte in body:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(0.05)
        except OSError:
            pass  # the client hung up

    import capella._http

    monkeypatch.setattr(capella._http, "DEFAULT_RATE_WINDOW", 0.3)
    host = hosts(drip)
    base = f"http://127.0.0.1:{host.server.server_address[1]}"
    with (
        CapellaConsoleClient(api_key="k", no_token_check=True, base_url=base, max_retries=0) as c,
        pytest.raises(ConnectError, match="stalled"),
    ):
        c.whoami()
    assert len(host.seen) == 1
