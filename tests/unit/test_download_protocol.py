"""The download protocol without a server: answers in, decisions out.

Every driver (threads, asyncio, the S3 sink) acts on these decisions, so each one is tested
here once, by feeding status lines and headers.
"""

from __future__ import annotations

import asyncio
import math

import httpx
import pytest

from capella import CapellaConsoleClient
from capella.aio import AsyncCapellaConsoleClient, AsyncDownloader
from capella.download import (
    AssetDownloadError,
    Downloader,
    DownloadJob,
    DownloadOutcome,
    DownloadSettings,
    protocol,
)
from capella.download.protocol import Generation, Segment, Step, decide, first_generation
from capella.errors import IncompleteDownloadError, InvalidInputError

MiB = 1 << 20


class Head:
    def __init__(self, status: int, reason: str = "", **headers: str) -> None:
        self.status = status
        self.reason = reason
        self.headers = {k.replace("_", "-").lower(): v for k, v in headers.items()}

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def resumed(pos: int, total: int | None = 1000, etag: str | None = '"v1"') -> Segment:
    """A part of ``pos`` bytes an earlier run recorded (a plain prefix)."""
    gen = Generation(total, etag)
    segment = Segment(gen, 0, None, pos=pos)
    gen.segments.append(segment)
    return segment


# -- requests ------------------------------------------------------------------------------------


def test_the_first_request_is_open_ended_and_unconditional():
    assert protocol.request_headers(first_generation()[1]) == {"Range": "bytes=0-"}


def test_a_resumed_part_asks_for_the_rest_if_it_is_the_same_object():
    assert protocol.request_headers(resumed(400)) == {"Range": "bytes=400-", "If-Range": '"v1"'}


def test_a_weak_etag_is_never_sent_as_if_range():
    headers = protocol.request_headers(resumed(400, etag='W/"v1"'))
    assert "If-Range" not in headers


# -- 206 ---------------------------------------------------------------------------------------


def test_a_first_206_tells_the_size_and_the_validator():
    gen, segment = first_generation()
    verdict = decide(segment, Head(206, content_range="bytes 0-999/1000", etag='"v1"'))
    assert verdict.step is Step.STREAM and verdict.sized and verdict.content
    assert (gen.total, segment.end, gen.etag) == (1000, 1000, '"v1"')


def test_a_206_for_other_bytes_than_asked_starts_over():
    verdict = decide(resumed(400), Head(206, content_range="bytes 0-999/1000"))
    assert verdict.step is Step.RESTART and verdict.changed


def test_a_206_of_another_size_or_version_starts_over():
    bigger = Head(206, content_range="bytes 400-1999/2000", etag='"v1"')
    other = Head(206, content_range="bytes 400-999/1000", etag='"v2"')
    assert decide(resumed(400), bigger).reason == "the asset changed on the server"
    assert decide(resumed(400), other).step is Step.RESTART


def test_a_206_without_a_total_is_not_trusted():
    verdict = decide(first_generation()[1], Head(206, content_range="bytes 0-9/*"))
    assert verdict.step is Step.RESTART


# -- 200 ---------------------------------------------------------------------------------------


def test_a_first_200_is_streamed_with_its_content_length():
    gen, segment = first_generation()
    verdict = decide(segment, Head(200, content_length="1000"))
    assert verdict.step is Step.STREAM and verdict.sized and gen.total == 1000


def test_a_200_to_a_resume_rewrites_from_zero_with_that_body():
    verdict = decide(resumed(400), Head(200, content_length="1000", etag='"v1"'))
    assert verdict.step is Step.RESTART_WITH_BODY
    assert verdict.reason == "the server ignored Range" and not verdict.changed
    changed = decide(resumed(400), Head(200, content_length="1000", etag='"v2"'))
    assert changed.changed and changed.total == 1000


def test_only_a_206_may_be_split_into_ranges():
    partial = decide(first_generation()[1], Head(206, content_range="bytes 0-99/100"))
    full = decide(first_generation()[1], Head(200, content_length="100"))
    assert partial.ranges and not full.ranges


@pytest.mark.parametrize("driver", ["threads", "asyncio"])
def test_a_host_answering_200_is_read_in_one_stream_by_every_driver(tmp_path, driver):
    data = bytes(range(256)) * 4096  # 1 MiB, above the threshold below
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=data)

    options = {"max_connections": 4, "segment_threshold": 1, "segment_size": 64 * 1024}
    job = DownloadJob("https://assets.test/a.bin", tmp_path / "a.bin")
    if driver == "threads":
        with Downloader(transport=httpx.MockTransport(answer), **options) as d:
            [outcome] = d.run([job])
    else:

        async def answer_async(request: httpx.Request) -> httpx.Response:
            return answer(request)

        async def go() -> DownloadOutcome:
            transport = httpx.MockTransport(answer_async)
            async with AsyncDownloader(transport=transport, buffer_size=64 * 1024, **options) as d:
                return (await d.run([job]))[0]

        outcome = asyncio.run(go())
    assert outcome.status == "downloaded" and job.path.read_bytes() == data
    assert len(seen) == 1


# -- 416 ---------------------------------------------------------------------------------------


def test_a_416_at_the_end_of_the_part_means_it_is_complete():
    segment = resumed(1000)
    verdict = decide(segment, Head(416, content_range="bytes */1000"))
    assert verdict.step is Step.COMPLETE and segment.end == 1000


def test_a_416_for_a_part_of_another_size_starts_over():
    assert decide(resumed(400), Head(416, content_range="bytes */300")).step is Step.RESTART
    # The asset shrank to exactly the bytes on disk: not the recorded asset any more.
    assert decide(resumed(400), Head(416, content_range="bytes */400")).step is Step.RESTART


def test_an_empty_asset_answers_416_and_is_complete():
    verdict = decide(first_generation()[1], Head(416, content_range="bytes */0"))
    assert verdict.step is Step.COMPLETE


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_transient_statuses_are_retried_with_retry_after(status):
    verdict = decide(first_generation()[1], Head(status, retry_after="7"))
    assert verdict.step is Step.RETRY and verdict.wait == 7.0 and verdict.error


def test_403_asks_for_a_fresh_url_and_other_statuses_fail():
    assert decide(first_generation()[1], Head(403)).step is Step.REFRESH
    assert decide(first_generation()[1], Head(404)).step is Step.FAIL
    assert decide(first_generation()[1], Head(301)).step is Step.FAIL


def test_status_errors_quote_the_hosts_reason_and_redirect_target():
    body = b"<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"
    error = protocol.status_error(Head(404, "Not Found"), body, "https://h/a.tif?sig=s", "a.tif")
    assert error.code == "ASSET_NOT_FOUND" and "NoSuchKey: gone" in error.message
    moved = Head(302, "Found", location="https://elsewhere/a.tif?X-Amz-Signature=s")
    redirect = protocol.status_error(moved, b"", "https://h/a.tif", "a.tif")
    assert redirect.code == "UNEXPECTED_REDIRECT" and "X-Amz-Signature=s" not in redirect.message


def test_a_changing_asset_gives_up_after_max_changes():
    changes = 0
    for _ in range(protocol.MAX_CHANGES):
        changes = protocol.count_change(changes, "a.tif", "changed")
    with pytest.raises(IncompleteDownloadError, match="changed on the server"):
        protocol.count_change(changes, "a.tif", "changed")


def test_progress_forgives_earlier_failures():
    failures = protocol.Failures(max_retries=1)
    assert failures.add(0)
    assert not failures.add(0)
    assert failures.add(protocol.PROGRESS_RESETS_RETRIES)  # a megabyte of progress resets


def test_the_size_probe_reads_the_total_from_either_answer():
    assert protocol.probe(Head(206, content_range="bytes 0-0/1234"))[1] == 1234
    assert protocol.probe(Head(200, content_length="99"))[1] == 99
    assert protocol.probe(Head(503))[0].step is Step.RETRY


# -- ranges ------------------------------------------------------------------------------------


def test_a_large_file_is_split_into_aligned_ranges():
    gen, segment = first_generation(64 * MiB)
    segment.end = gen.total
    new = protocol.plan_ranges(gen, segment, workers=8, threshold=MiB, size=MiB, spread=False)
    assert len(new) == protocol.INITIAL_RANGES - 1
    assert all(s.start % protocol.ALIGN == 0 for s in new)
    assert segment.end == new[0].start and new[-1].end == gen.total and gen.split


def test_small_files_and_single_connections_are_not_split():
    for workers, threshold in ((1, MiB), (8, 128 * MiB)):
        gen, segment = first_generation(64 * MiB)
        assert not protocol.plan_ranges(
            gen, segment, workers=workers, threshold=threshold, size=MiB, spread=True
        )


def test_a_slow_range_is_split_for_an_idle_connection_and_a_fast_one_is_not():
    gen, segment = first_generation(64 * MiB)
    segment.end = gen.total
    gen.split = True
    segment.since, segment.since_pos, segment.pos = 0.0, 0, MiB
    found, _ = protocol.slow_range([("f", gen)], size=MiB, split_below=10 * MiB, now=1.0)
    assert found == ("f", segment)
    none, look_again = protocol.slow_range([("f", gen)], size=MiB, split_below=0.5 * MiB, now=1.0)
    assert none is None and look_again
    assert protocol.spread_all(math.inf)


def test_a_resume_record_must_cover_the_part_exactly():
    record = {"total": 100, "etag": None, "segments": [[0, 50, 50], [50, 100, 70]]}
    gen = protocol.resumable(record, 100)
    assert gen is not None and gen.done_bytes() == 70
    assert protocol.resumable({**record, "segments": [[0, 50, 50], [60, 100, 70]]}, 100) is None
    assert protocol.resumable({"total": 10, "segments": None}, 11) is None


# -- options -----------------------------------------------------------------------------------


def test_settings_refuse_nonsense():
    with pytest.raises(InvalidInputError):
        DownloadSettings(max_connections=0)
    with pytest.raises(InvalidInputError):
        DownloadSettings(max_retries=-1)


def failing_host(seen: list[httpx.Request]):
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, headers={"Retry-After": "0"})

    return answer


def test_the_clients_timeout_and_retries_reach_downloads(tmp_path):
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(failing_host(seen))
    with (
        CapellaConsoleClient(
            api_key="k", no_token_check=True, transport=transport, timeout=7, max_retries=1
        ) as client,
        pytest.raises(AssetDownloadError, match="503"),
    ):
        client.download_asset("https://assets.test/a.tif", local_path=tmp_path / "a.tif")
    assert len(seen) == 2  # one attempt and max_retries=1 retry
    assert seen[0].extensions["timeout"]["read"] == 7


def test_the_async_clients_timeout_and_retries_reach_downloads(tmp_path):
    seen: list[httpx.Request] = []
    sync_answer = failing_host(seen)

    async def answer(request: httpx.Request) -> httpx.Response:
        return sync_answer(request)

    async def go() -> None:
        async with AsyncCapellaConsoleClient(
            api_key="k",
            no_token_check=True,
            transport=httpx.MockTransport(answer),
            timeout=7,
            max_retries=2,
        ) as client:
            with pytest.raises(AssetDownloadError, match="503"):
                await client.download_asset("https://assets.test/a.tif", tmp_path / "a.tif")

    asyncio.run(go())
    assert len(seen) == 3
    assert seen[0].extensions["timeout"]["read"] == 7
