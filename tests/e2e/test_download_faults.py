"""The download engine against the sandbox's asset host with faults switched on.

Cuts at random (seeded) offsets, 5xx, 429 with Retry-After, expired signatures with and without
a refresh, a host that ignores Range; with one stream per file and with parallel byte ranges.
Every download that should succeed is checked by sha256 against the sandbox's content, and no
test may leave a partial file at a final path.

Presigned URLs come from ``POST /orders`` + ``GET /orders/{id}/download`` sent with plain httpx,
so that these tests depend on the engine and the sandbox only.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from capella.download import (
    Downloader,
    DownloadJob,
    DownloadOutcome,
    PresignedUrlExpiredError,
    filename_from_url,
    part_path,
    safe_join,
)
from capella.sandbox import DEMO_API_KEY, Sandbox
from capella.sandbox.assets import content_sha256

pytestmark = pytest.mark.e2e

KiB = 1024
RASTER_KEYS = ("HH", "VV")
# Successful downloads that went through at least one fault; checked at the end of the module.
FAULTED: list[str] = []


@attrs.frozen
class Asset:
    """One presigned asset of the module's order."""

    stac_id: str
    key: str
    href: str
    order_id: str

    @property
    def filename(self) -> str:
        return filename_from_url(self.href)


@attrs.frozen
class Order:
    order_id: str
    assets: list[Asset]
    api: httpx.Client

    def fresh_href(self, asset: Asset) -> str:
        """What a ``get_presigned_items(order_id)`` gives for this asset now."""
        items = self.api.get(f"/orders/{self.order_id}/download").raise_for_status().json()
        for item in items:
            if item["id"] == asset.stac_id:
                return str(item["assets"][asset.key]["href"])
        raise AssertionError(f"{asset.stac_id} is not in order {self.order_id}")

    def pick(self, index: int, keys: tuple[str, ...] = ()) -> Asset:
        pool = [a for a in self.assets if not keys or a.key in keys]
        return pool[index % len(pool)]


@pytest.fixture(scope="module")
def order(sandbox: Sandbox) -> Iterator[Order]:
    headers = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
    with httpx.Client(base_url=sandbox.url, headers=headers, timeout=30) as api:
        body = {"limit": 8, "query": {"sar:product_type": {"eq": "GEO"}}}
        features = api.post("/catalog/search", json=body).raise_for_status().json()["features"]
        assert len(features) == 8
        items = [{"collectionId": f["collection"], "granuleId": f["id"]} for f in features]
        order_id = api.post("/orders", json={"items": items}).raise_for_status().json()["orderId"]
        presigned = api.get(f"/orders/{order_id}/download").raise_for_status().json()
        assets = [
            Asset(item["id"], key, asset["href"], order_id)
            for item in presigned
            for key, asset in item["assets"].items()
            if key != "license"
        ]
        yield Order(order_id, assets, api)


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def single_stream(sleeps: Sleeps, **kwargs: Any) -> Downloader:
    """The default engine (sandbox rasters are far below the 64 MiB range threshold)."""
    return Downloader(sleep=sleeps, timeout=10, **kwargs)


def ranged(sleeps: Sleeps, **kwargs: Any) -> Downloader:
    """An engine that fetches anything from 64 KiB as up to 4 parallel 64 KiB-aligned ranges."""
    options: dict[str, Any] = {
        "max_connections": 4,
        "segment_threshold": 64 * KiB,
        "segment_size": 32 * KiB,
        "buffer_size": 16 * KiB,
    }
    options.update(kwargs)
    return Downloader(sleep=sleeps, timeout=10, **options)


ENGINES = {"single": single_stream, "ranged": ranged}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_sha(sandbox: Sandbox, asset: Asset) -> str:
    item = sandbox.state.catalog.get(asset.stac_id)
    assert item is not None
    return content_sha256(item, asset.key, sandbox.config.raster_size)


def asset_size(sandbox: Sandbox, asset: Asset) -> int:
    response = httpx.get(asset.href, headers={"Range": "bytes=0-0"})
    assert response.status_code == 206
    return int(response.headers["content-range"].rsplit("/", 1)[1])


def job_for(asset: Asset, folder: Path, refresh: Any = None) -> DownloadJob:
    return DownloadJob(
        asset.href,
        safe_join(folder, asset.filename),
        stac_id=asset.stac_id,
        asset_key=asset.key,
        refresh=refresh,
    )


def assert_whole(sandbox: Sandbox, asset: Asset, outcome: DownloadOutcome) -> None:
    """The final file is the sandbox's content byte for byte; no work file is left."""
    assert outcome.status in ("downloaded", "resumed"), outcome.error
    path = outcome.job.path
    assert sha256(path) == expected_sha(sandbox, asset), path
    assert not part_path(path).exists()
    assert not path.with_name(path.name + ".part.meta").exists()
    FAULTED.append(f"{asset.stac_id}/{asset.key}")


def assert_no_partial_final(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.endswith((".part", ".meta")):
            raise AssertionError(f"unexpected final file {path}")


# -- connection cuts ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("seed", range(16))
def test_a_cut_at_a_random_offset_resumes_to_the_exact_content(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, seed: int, engine: str
) -> None:
    rng = random.Random(seed)
    # Ranged: 256 KiB rasters in four 64 KiB ranges, so a cut below 64 KiB hits any request.
    asset = order.pick(seed, RASTER_KEYS if seed % 2 or engine == "ranged" else ())
    size = asset_size(sandbox, asset)
    limit = 64 * KiB if engine == "ranged" else size
    for _ in range(rng.randint(1, 3)):
        sandbox.faults.add("assets", "cut", after_bytes=rng.randrange(1, limit - 1), times=1)
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert_whole(sandbox, asset, outcome)
    assert outcome.transferred >= size
    assert len(sleeps) >= 1  # at least one cut hit this download and was retried


def test_cuts_beyond_max_retries_leave_only_a_part_that_a_later_run_resumes(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path
) -> None:
    asset = order.pick(3, RASTER_KEYS)
    size = asset_size(sandbox, asset)
    sandbox.faults.add("assets", "cut", after_bytes=40_000, times=3)
    with single_stream(sleeps, max_retries=2) as downloader:
        [failed] = downloader.run([job_for(asset, tmp_path)])
    assert failed.status == "failed"
    assert_no_partial_final(tmp_path)
    assert part_path(failed.job.path).stat().st_size == 120_000  # three cuts of 40 000 bytes
    with single_stream(sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert outcome.status == "resumed"
    assert outcome.transferred == size - 120_000
    assert_whole(sandbox, asset, outcome)


# -- error statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize(("status", "times"), [(500, 1), (502, 2), (503, 1), (504, 3)])
def test_5xx_answers_are_retried(
    sandbox: Sandbox,
    order: Order,
    sleeps: Sleeps,
    tmp_path: Path,
    engine: str,
    status: int,
    times: int,
) -> None:
    asset = order.pick(status + times, RASTER_KEYS)
    sandbox.faults.add("assets", "status", status=status, times=times)
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert_whole(sandbox, asset, outcome)
    assert len(sleeps) == times


@pytest.mark.parametrize(("retry_after", "expected"), [(0, 0.0), (1, 1.0), (7, 7.0), (600, 30.0)])
def test_429_waits_as_long_as_retry_after_says_up_to_a_cap(
    sandbox: Sandbox,
    order: Order,
    sleeps: Sleeps,
    tmp_path: Path,
    retry_after: int,
    expected: float,
) -> None:
    asset = order.pick(retry_after)
    sandbox.faults.add("assets", "status", status=429, retry_after=retry_after, times=1)
    with single_stream(sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert_whole(sandbox, asset, outcome)
    assert sleeps == [expected]


def test_a_persistent_503_fails_after_the_retries_without_a_final_file(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path
) -> None:
    asset = order.pick(0)
    sandbox.faults.add("assets", "status", status=503, retry_after=0)
    with single_stream(sleeps, max_retries=3) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert outcome.status == "failed"
    assert outcome.error is not None and "503" in str(outcome.error)
    assert len(sleeps) == 3
    assert list(tmp_path.iterdir()) == []


# -- expired signatures -----------------------------------------------------------------------


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("index", range(3))
def test_an_expired_signature_is_refreshed_from_the_order(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, engine: str, index: int
) -> None:
    asset = order.pick(index * 5 + 1)
    refreshed: list[str] = []

    def refresh() -> str:
        href = order.fresh_href(asset)
        refreshed.append(href)
        return href

    sandbox.faults.add("assets", "expired", times=1)
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path, refresh)])
    assert_whole(sandbox, asset, outcome)
    assert len(refreshed) == 1


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_signature_that_expires_mid_download_is_refreshed_and_resumed(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, engine: str
) -> None:
    asset = order.pick(2, RASTER_KEYS)
    size = asset_size(sandbox, asset)
    # A first run is cut off for good part-way through ...
    sandbox.faults.add("assets", "cut", after_bytes=50_000, times=1)
    with ENGINES[engine](sleeps, max_retries=0) as downloader:
        [failed] = downloader.run([job_for(asset, tmp_path)])
    assert failed.status == "failed"
    assert_no_partial_final(tmp_path)
    kept = failed.bytes
    assert kept > 0
    # ... and by the next one its presigned URL has expired.
    sandbox.faults.add("assets", "expired", times=1)
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path, lambda: order.fresh_href(asset))])
    assert outcome.status == "resumed"
    # What was on disk is reused (ranges taken over by an idle worker may overlap by a chunk).
    assert outcome.transferred < size
    assert_whole(sandbox, asset, outcome)


@pytest.mark.parametrize("index", range(2))
def test_an_expired_signature_without_refresh_fails_clearly(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, index: int
) -> None:
    asset = order.pick(index)
    sandbox.faults.add("assets", "expired")
    with single_stream(sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert outcome.status == "failed"
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    message = outcome.error.message or ""
    assert f"presigned URL expired or forbidden (403) for {asset.filename}" in message
    assert "Request has expired" in message
    assert "Signature=" not in message
    assert sleeps == []
    assert list(tmp_path.iterdir()) == []


def test_a_refresh_that_is_still_expired_fails_instead_of_looping(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path
) -> None:
    asset = order.pick(4)
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        return order.fresh_href(asset)

    sandbox.faults.add("assets", "expired")
    with single_stream(sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path, refresh)])
    assert isinstance(outcome.error, PresignedUrlExpiredError)
    assert calls == [1]


# -- a host that ignores Range ----------------------------------------------------------------


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_host_that_ignores_range_is_read_in_one_stream(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, engine: str
) -> None:
    asset = order.pick(5, RASTER_KEYS)
    sandbox.faults.add("assets", "ignore-range")
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert_whole(sandbox, asset, outcome)


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_cut_on_a_host_that_ignores_range_restarts_from_zero(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, engine: str
) -> None:
    asset = order.pick(6, RASTER_KEYS)
    size = asset_size(sandbox, asset)
    sandbox.faults.add("assets", "ignore-range")
    sandbox.faults.add("assets", "cut", after_bytes=size // 3, times=2)
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert_whole(sandbox, asset, outcome)
    assert outcome.transferred == size + 2 * (size // 3)  # each retry started over


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_part_from_an_earlier_run_is_rewritten_when_range_is_ignored(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, engine: str
) -> None:
    asset = order.pick(7, RASTER_KEYS)
    sandbox.faults.add("assets", "cut", after_bytes=30_000, times=1)
    with ENGINES[engine](sleeps, max_retries=0) as downloader:
        [failed] = downloader.run([job_for(asset, tmp_path)])
    assert failed.status == "failed"
    sandbox.faults.clear()
    sandbox.faults.add("assets", "ignore-range")
    with ENGINES[engine](sleeps) as downloader:
        [outcome] = downloader.run([job_for(asset, tmp_path)])
    assert outcome.status == "downloaded"  # started over: nothing of the part was kept
    assert_whole(sandbox, asset, outcome)


# -- everything at once ------------------------------------------------------------------------


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_many_assets_through_mixed_faults_all_arrive_whole(
    sandbox: Sandbox, order: Order, sleeps: Sleeps, tmp_path: Path, engine: str
) -> None:
    # Metadata documents are left out: they are 5-7 kB, so a resume after a cut at 5 000 bytes
    # asks for less than 5 000 and a cut it takes never fires. Whether a resume takes one of the
    # armed cuts depends on thread timing, which made the exact count below flaky. Every asset
    # kept is at least 32 KiB, above the six body cuts' 30 000 bytes, so every cut a body takes
    # fires.
    assets = [a for a in order.assets if a.key != "metadata"][:16]
    assert len(assets) == 16
    # One status and one cut fire per request: the first six cuts land on error pages (not
    # cut: they are short), the next six on bodies.
    sandbox.faults.add("assets", "cut", after_bytes=5_000, times=12)
    sandbox.faults.add("assets", "status", status=503, retry_after=0, times=4)
    sandbox.faults.add("assets", "status", status=500, times=2)
    sandbox.faults.add("assets", "latency", seconds=0.01, times=10)
    jobs = [job_for(a, tmp_path / a.stac_id) for a in assets]
    with ENGINES[engine](sleeps) as downloader:
        outcomes = downloader.run(jobs)
    for asset, outcome in zip(assets, outcomes, strict=True):
        assert_whole(sandbox, asset, outcome)
    if engine == "single":
        assert len(sleeps) == 4 + 2 + 6
    else:  # a cut may meet a range shorter than 5 000 bytes (a tail piece), and miss
        assert len(sleeps) >= 4 + 2
    assert sandbox.faults.active() == []


def test_the_suite_faulted_at_least_50_downloads() -> None:
    """Runs last in this module (pytest keeps definition order)."""
    assert len(FAULTED) >= 50, len(FAULTED)
