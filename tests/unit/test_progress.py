"""The progress display as a person sees it at 80 columns, and the run summary it ends with.

Rendered with rich into a string (no terminal); time comes from a fake clock, so the rates and
times shown are exact and nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from capella.aio.download import AsyncDownloader
from capella.download import Downloader, DownloadJob, DownloadOutcome
from capella.download.jobs import Status
from capella.download.progress import FileProgress, RunProgress, Summary, summarize
from capella.errors import AssetDownloadError

MB = 1_000_000
SIGNATURE = "X-Amz-Signature=d3adb33fs1gnatur3"
LONG = "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010.tif"


def job(name: str) -> DownloadJob:
    return DownloadJob(f"https://assets.test/{name}?{SIGNATURE}", Path("/data") / name, "S1", "HH")


def active(name: str, done: int, total: int | None) -> FileProgress:
    return FileProgress(
        name, done, total, started=True, finished=False, failed=False, job=job(name)
    )


def finished(
    name: str, status: Status, size: int, error: BaseException | None = None
) -> FileProgress:
    outcome = DownloadOutcome(job(name), status, size, error, transferred=size)
    return FileProgress(
        name, size, size, True, True, status == "failed", outcome=outcome, job=outcome.job
    )


class Screen:
    """A RunProgress drawn into a string at a given width, with a clock the test moves."""

    def __init__(self, files: list[FileProgress], width: int = 80) -> None:
        self.files = files
        self.now = 1000.0
        self.buffer = io.StringIO()
        self.reported: list[DownloadOutcome] = []
        console = Console(file=self.buffer, width=width, force_terminal=False)
        self.progress = RunProgress(
            lambda: list(self.files),
            console=console,
            clock=lambda: self.now,
            on_outcome=self.reported.append,
        )
        self.progress.start()

    def advance(self, seconds: float, index: int, file: FileProgress) -> None:
        self.now += seconds
        self.files[index] = file
        self.progress.update()

    def lines(self) -> list[str]:
        self.progress.stop()
        return self.buffer.getvalue().splitlines()


def test_rows_fit_80_columns_with_whole_numbers_and_a_20_cell_bar() -> None:
    screen = Screen([active(LONG, 5 * MB, 125_200_000), active("b.tif", 0, None)])
    screen.advance(2.0, 0, active(LONG, 35 * MB, 125_200_000))
    lines = screen.lines()
    assert all(len(line) <= 80 for line in lines), lines
    [row] = [line for line in lines if "125.2 MB" in line]
    # name cut in the middle (both ends tell assets apart), a bar of 20 cells, whole figures
    match = re.fullmatch(r"(\S+…\S+) +([━╸ ]{20}) +28%  35\.0/125\.2 MB  15\.0 MB/s", row)
    assert match is not None, row
    assert match.group(1).startswith("CAPELLA_") and match.group(1).endswith("010.tif")


def test_an_unknown_total_shows_bytes_rate_and_elapsed_but_no_percentage() -> None:
    screen = Screen([active("a.tif", 0, None)])
    screen.advance(4.0, 0, active("a.tif", 8 * MB, None))
    [total] = [line for line in screen.lines() if line.startswith("total")]
    assert "%" not in total and "left" not in total and "━" not in total
    assert "8.0 MB" in total and "2.0 MB/s" in total and total.endswith("0:04")


def test_a_known_total_shows_percentage_and_time_left() -> None:
    screen = Screen([active("a.tif", 0, 10 * MB)])
    screen.advance(2.0, 0, active("a.tif", 4 * MB, 10 * MB))
    [total] = [line for line in screen.lines() if line.startswith("total")]
    assert "40%" in total and "4.0/10.0 MB" in total and total.endswith("0:03 left")


def test_finished_files_stay_on_screen_with_the_core_status() -> None:
    screen = Screen([active("a.tif", 0, 3 * MB), active("b.tif", 0, 5 * MB)])
    screen.advance(1.0, 0, finished("a.tif", "resumed", 3 * MB))
    screen.advance(1.0, 1, finished("b.tif", "skipped", 5 * MB))
    lines = screen.lines()
    assert "↻ resumed    a.tif  3.0 MB" in lines
    assert "= skipped    b.tif  5.0 MB" in lines
    assert [o.status for o in screen.reported] == ["resumed", "skipped"]  # once each


def test_the_run_ends_with_a_summary_line() -> None:
    screen = Screen([finished("a.tif", "downloaded", 4 * MB), finished("b.tif", "skipped", 0)])
    screen.now += 2.0
    assert screen.lines()[-1] == (
        "2 files: 1 downloaded, 1 skipped; 4.0 MB received in 2.0 s (2.0 MB/s)"
    )


def test_no_progress_line_carries_a_signature() -> None:
    error = AssetDownloadError(f"a.tif: HTTP 500 from https://assets.test/a.tif?{SIGNATURE}")
    screen = Screen([active("a.tif", 0, None)])
    screen.advance(1.0, 0, finished("a.tif", "failed", 0, error))
    text = "\n".join(screen.lines())
    assert "✗ failed     a.tif" in text
    assert "d3adb33f" not in text


def test_a_file_cut_by_ctrl_c_is_partial_not_failed() -> None:
    screen = Screen([finished("a.tif", "downloaded", MB), active("b.tif", MB, 2 * MB)])
    screen.advance(1.0, 1, finished("b.tif", "failed", MB, KeyboardInterrupt()))
    lines = screen.lines()
    summary = screen.progress.summary()
    assert (summary.downloaded, summary.failed, summary.partial) == (1, 0, 1)
    assert [f.name for f in screen.progress.partial()] == ["b.tif"]
    assert "total 1/2 files" in "\n".join(lines)  # the interrupted file is not counted done


def test_summary_counts_and_record() -> None:
    outcomes = [
        DownloadOutcome(job("a"), "downloaded", 10, None, transferred=10),
        DownloadOutcome(job("b"), "resumed", 10, None, transferred=4),
        DownloadOutcome(job("c"), "failed", 0, AssetDownloadError("x"), transferred=2),
    ]
    summary = summarize(outcomes, 2.0)
    assert summary == Summary(downloaded=1, resumed=1, failed=1, received=16, seconds=2.0)
    assert summary.record() == {
        "downloaded": 1, "resumed": 1, "skipped": 0, "failed": 1, "partial": 0,
        "received": 16, "seconds": 2.0, "bytes_per_second": 8,
    }  # fmt: skip


def confirms(size: int) -> httpx.MockTransport:
    """A host whose asset is ``size`` bytes: a request from the end is answered 416."""
    return httpx.MockTransport(
        lambda request: httpx.Response(416, headers={"Content-Range": f"bytes */{size}"})
    )


@pytest.mark.parametrize("threaded", [True, False])
def test_a_run_with_nothing_to_fetch_still_reports_each_file(
    tmp_path: Path, threaded: bool
) -> None:
    present = tmp_path / "present.tif"
    present.write_bytes(b"12345")
    reported: list[DownloadOutcome] = []
    watch = RunProgress(display=False, on_outcome=reported.append)
    # The file at the final path is confirmed whole by the host, so no byte is fetched.
    with Downloader(transport=confirms(5)) as d:
        d.run(
            [DownloadJob("https://nowhere.invalid/p.tif", present)],
            show_progress=watch,
            threaded=threaded,
        )
    assert [(o.status, o.bytes) for o in reported] == [("skipped", 5)]
    assert watch.summary().skipped == 1


def test_the_async_driver_reports_a_file_it_did_not_fetch(tmp_path: Path) -> None:
    present = tmp_path / "present.tif"
    present.write_bytes(b"123")
    reported: list[DownloadOutcome] = []
    watch = RunProgress(display=False, on_outcome=reported.append)

    async def main() -> None:
        async with AsyncDownloader(transport=confirms(3)) as d:
            await d.run(
                [DownloadJob("https://nowhere.invalid/p.tif", present)], show_progress=watch
            )

    asyncio.run(main())
    assert [(o.status, o.bytes) for o in reported] == [("skipped", 3)]


class FirstLook(RunProgress):
    """A RunProgress that keeps the snapshot the driver showed before any transfer."""

    first: list[FileProgress]

    def start(self, snapshot: Callable[[], list[FileProgress]] | None = None) -> None:
        assert snapshot is not None
        self.first = snapshot()
        super().start(snapshot)


def asset_host(seen: list[str | None]) -> httpx.MockTransport:
    """Serves /N.tif as N bytes; answers a Range with a 206."""

    def answer(request: httpx.Request) -> httpx.Response:
        size = int(request.url.path.strip("/").split(".")[0])
        asked = request.headers.get("Range")
        seen.append(asked)
        if asked == "bytes=0-0":
            headers = {"Content-Range": f"bytes 0-0/{size}"}
            return httpx.Response(206, content=b"x", headers=headers)
        return httpx.Response(200, content=b"x" * size)

    return httpx.MockTransport(answer)


def _run_threads(jobs: list[DownloadJob], watch: RunProgress, seen: list[str | None]) -> list:
    with Downloader(transport=asset_host(seen)) as d:
        return d.run(jobs, show_progress=watch, threaded=False)


def _run_asyncio(jobs: list[DownloadJob], watch: RunProgress, seen: list[str | None]) -> list:
    async def run() -> list:
        async with AsyncDownloader(transport=asset_host(seen)) as d:
            return await d.run(jobs, show_progress=watch, threaded=False)

    return asyncio.run(run())


@pytest.mark.parametrize("driver", [_run_threads, _run_asyncio], ids=["threads", "asyncio"])
@pytest.mark.parametrize("probe", [True, False])
def test_a_person_watching_sees_the_run_total_before_the_first_byte(
    tmp_path: Path, probe: bool, driver: Callable[..., list]
) -> None:
    seen: list[str | None] = []
    console = Console(file=io.StringIO(), width=80)
    watch = FirstLook(console=console, probe_sizes=probe)
    jobs = [DownloadJob(f"https://h.test/{n}.tif?sig=1", tmp_path / f"{n}.tif") for n in (30, 70)]
    outcomes = driver(jobs, watch, seen)
    assert [o.status for o in outcomes] == ["downloaded", "downloaded"]
    assert all(not f.started for f in watch.first)
    if probe:  # one probe per file, then the transfers
        assert [f.total for f in watch.first] == [30, 70]
        assert seen[:2] == ["bytes=0-0", "bytes=0-0"] and len(seen) == 4
    else:
        assert [f.total for f in watch.first] == [None, None]
        assert "bytes=0-0" not in seen
