"""Bulk downloads fanned out over executors, end to end: a Dask LocalCluster and a process pool.

The workers are other processes: they get the client by pickle, fetch from the sandbox over
HTTP and write into a shared folder or a moto S3 bucket. Every file is checked by sha256; the
sandbox counts the bytes it sends of each asset, so a file fetched twice is seen.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import boto3
import pytest
from _moto import moto_s3, point_aws_at
from cloudpathlib import S3Path

from capella import AsyncCapellaConsoleClient, CapellaConsoleClient
from capella.download.fanout import (
    FanoutRun,
    RemoteJob,
    RemoteResult,
    checked_executor,
    fetch,
    portable,
)
from capella.download.jobs import DownloadJob, DownloadOutcome
from capella.download.progress import RunProgress
from capella.errors import AssetDownloadError, DownloadError, InvalidInputError
from capella.sandbox import DEMO_API_KEY, Sandbox, asset_host
from capella.sandbox.assets import asset_size, content_sha256, read_range

pytestmark = pytest.mark.e2e

ASSETS = 200  # 50 GEO products: raster, metadata, preview, thumbnail (the licence is left out)
WORKERS = 4
MiB = 1 << 20


# -- the engines and the bucket ----------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 on 127.0.0.1, and the AWS environment every worker process inherits."""
    with moto_s3() as endpoint, pytest.MonkeyPatch.context() as env:
        point_aws_at(env, endpoint)
        yield endpoint


@pytest.fixture(scope="module")
def dask_client(moto_endpoint: str) -> Iterator[Any]:
    """A LocalCluster of 4 single-threaded worker processes (started after the AWS env is set)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=WORKERS,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        host="127.0.0.1",
        silence_logs=logging.ERROR,
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def order_id(sandbox: Sandbox) -> str:
    """An order of 50 GEO products: 200 downloadable assets."""
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
        items = client.search(product_type="GEO", limit=ASSETS // 4)
        return client.submit_order(items=items)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[CapellaConsoleClient]:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
        yield c


@pytest.fixture
def served(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Bytes of asset content the sandbox sent, by STAC id and asset key."""
    counts: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def counting(item: dict[str, Any], key: str, *args: Any) -> Iterator[bytes]:
        for chunk in read_range(item, key, *args):
            with lock:
                counts[f"{item['id']}/{key}"] += len(chunk)
            yield chunk

    monkeypatch.setattr(asset_host, "read_range", counting)
    return counts


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def assert_whole(
    sandbox: Sandbox, paths: dict[str, dict[str, Any]], read: Callable[[Any], str]
) -> int:
    """Every asset is at its path with the sandbox's content; returns how many were checked."""
    count = 0
    for stac_id, assets in paths.items():
        item = sandbox.state.catalog.get(stac_id)
        assert item is not None
        for key, path in assets.items():
            assert read(path) == content_sha256(item, key, sandbox.config.raster_size), path
            count += 1
    return count


def assert_fetched_once(
    sandbox: Sandbox,
    served: collections.Counter[str],
    paths: dict[str, dict[str, Any]],
    interrupted: int = 0,
) -> None:
    """No asset was downloaded twice: each was sent exactly once, except at most the
    ``interrupted`` ones a killed worker had in flight (bytes on the wire when it died are lost;
    the rerun asks only for what is not on disk, so never more than one more copy)."""
    sizes = {
        f"{stac_id}/{key}": asset_size(
            sandbox.state.catalog.get(stac_id), key, sandbox.config.raster_size
        )
        for stac_id, assets in paths.items()
        for key in assets
    }
    assert len(sizes) == ASSETS
    again = {a: served[a] for a, size in sizes.items() if served[a] != size}
    assert len(again) <= interrupted, again
    assert all(sizes[a] < n <= 2 * sizes[a] for a, n in again.items()), again


def finished_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file() and not p.name.endswith(".part"))


def kill_when(folder: Path, done: int, pids: Callable[[], list[int]], job: threading.Thread) -> int:
    """SIGKILL one worker once ``done`` files are in place (while the others keep going)."""
    while finished_files(folder) < done:
        assert job.is_alive(), "the download ended before a worker could be killed"
        time.sleep(0.02)
    victim = pids()[0]
    os.kill(victim, signal.SIGKILL)
    return victim


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


# -- Dask --------------------------------------------------------------------------------------


def test_a_dask_cluster_downloads_an_order_into_a_folder_despite_a_killed_worker(
    client, sandbox, dask_client, order_id, served, tmp_path
):
    sandbox.faults.add("assets", "latency", seconds=0.05)  # keep every worker busy for a while
    executor = dask_client.get_executor()
    thread, box = in_background(
        lambda: client.download_products(order_id=order_id, local_dir=tmp_path, executor=executor)
    )
    worker_pids = lambda: list(dask_client.run(os.getpid).values())  # noqa: E731
    victim = kill_when(tmp_path, ASSETS // 4, worker_pids, thread)
    thread.join(120)
    assert "error" not in box, box.get("error")
    paths = box["result"]
    assert assert_whole(sandbox, paths, file_sha256) == ASSETS
    assert not list(tmp_path.rglob("*.part"))  # nothing partial at or beside a final path
    assert_fetched_once(sandbox, served, paths, interrupted=1)
    assert victim not in worker_pids()  # the engine replaced the killed worker


def test_two_calls_into_one_folder_never_write_the_same_file_twice(
    client, sandbox, dask_client, order_id, served, tmp_path
):
    # The same 200 jobs twice, interleaved on 4 workers: the asset lock makes one of each pair
    # wait and then find the file whole, so every asset is sent once.
    sandbox.faults.add("assets", "latency", seconds=0.05)
    executor = dask_client.get_executor()

    def call() -> Any:
        return client.download_products(order_id=order_id, local_dir=tmp_path, executor=executor)

    (first, a), (second, b) = in_background(call), in_background(call)
    first.join(120)
    second.join(120)
    assert "error" not in a and "error" not in b, (a.get("error"), b.get("error"))
    assert assert_whole(sandbox, a["result"], file_sha256) == ASSETS
    assert_fetched_once(sandbox, served, a["result"])


def test_a_dask_cluster_downloads_an_order_into_a_bucket(
    client, sandbox, dask_client, order_id, moto_endpoint, served
):
    s3 = boto3.client("s3")
    bucket = f"capella-{uuid.uuid4().hex[:16]}"
    s3.create_bucket(Bucket=bucket)
    paths = client.download_products(
        order_id=order_id, local_dir=f"s3://{bucket}/fanned", executor=dask_client.get_executor()
    )

    def object_sha256(path: S3Path) -> str:
        assert path.key.startswith("fanned/")
        body = s3.get_object(Bucket=bucket, Key=path.key)["Body"].read()
        return hashlib.sha256(body).hexdigest()

    assert assert_whole(sandbox, paths, object_sha256) == ASSETS
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
    assert_fetched_once(sandbox, served, paths)


def test_expired_urls_are_refreshed_where_the_job_runs(client, sandbox, dask_client, tmp_path):
    items = client.search(product_type="GEO", limit=2)
    small_order = client.submit_order(items=items)
    sandbox.faults.add("assets", "expired", times=3)
    paths = client.download_products(
        order_id=small_order, local_dir=tmp_path, executor=dask_client.get_executor()
    )
    assert assert_whole(sandbox, paths, file_sha256) == 8


def test_the_async_client_fans_out_too(sandbox, dask_client, order_id, tmp_path):
    import asyncio

    async def main() -> Any:
        async with AsyncCapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
            return await c.download_products(
                order_id=order_id,
                local_dir=tmp_path,
                include="thumbnail",
                show_progress=True,
                executor=dask_client.get_executor(),
            )

    paths = asyncio.run(main())
    assert assert_whole(sandbox, paths, file_sha256) == ASSETS // 4


def test_failures_raise_the_local_paths_error_after_every_other_asset_is_done(
    client, sandbox, dask_client, order_id, tmp_path
):
    items = client.get_presigned_items(order_id)[:3]
    broken = items[0]["assets"]["thumbnail"]
    broken["href"] = broken["href"].replace("Signature=", "Signature=x")
    with pytest.raises(DownloadError) as local:
        client.download_products(items, local_dir=tmp_path / "local")
    with pytest.raises(DownloadError) as remote:
        client.download_products(
            items, local_dir=tmp_path / "remote", executor=dask_client.get_executor()
        )
    assert type(remote.value) is type(local.value)
    assert [(o.describe(), o.status) for o in remote.value.outcomes] == [
        (o.describe(), o.status) for o in local.value.outcomes
    ]
    assert [type(f.error) for f in remote.value.failures] == [
        type(f.error) for f in local.value.failures
    ]


# -- a process pool ----------------------------------------------------------------------------


def test_a_process_pool_downloads_an_order_and_a_second_call_finishes_after_a_killed_worker(
    client, sandbox, order_id, served, tmp_path
):
    # A process pool does not retry: a killed worker breaks it, the call raises the usual
    # DownloadError, and calling again (with a new pool) resumes from what is on disk.
    sandbox.faults.add("assets", "latency", seconds=0.05)
    spawn = multiprocessing.get_context("spawn")  # the test process runs threads: no fork
    with ProcessPoolExecutor(WORKERS, mp_context=spawn) as pool:
        thread, box = in_background(
            lambda: client.download_products(order_id=order_id, local_dir=tmp_path, executor=pool)
        )
        kill_when(tmp_path, ASSETS // 4, lambda: list(pool._processes), thread)
        thread.join(120)
    assert isinstance(box.get("error"), DownloadError)
    assert 0 < len(box["error"].failures) < ASSETS
    with ProcessPoolExecutor(WORKERS, mp_context=spawn) as pool:
        paths = client.download_products(order_id=order_id, local_dir=tmp_path, executor=pool)
    assert assert_whole(sandbox, paths, file_sha256) == ASSETS
    assert not list(tmp_path.rglob("*.part"))
    assert_fetched_once(sandbox, served, paths, interrupted=WORKERS)  # a broken pool stops all


def test_a_job_run_again_resumes_from_the_part_its_first_run_left(sandbox, order_id, tmp_path):
    # What a rerun after a killed worker does, in this process: the first run is cut after
    # 100 KiB with no retry left, the second one fetches only the rest.
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url, max_retries=0) as c:
        item = c.get_presigned_items(order_id)[0]
        key = next(k for k in ("HH", "VV") if k in item["assets"])
        target = tmp_path / "raster.tif"
        job = RemoteJob(c._state, item["assets"][key]["href"], target, item["id"], key, order_id)
        sandbox.faults.add("assets", "cut", after_bytes=100 * 1024, times=1)
        first = fetch(job)
    assert first.status == "failed" and not target.exists()
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as retrying:
        second = fetch(attrs.evolve(job, client=retrying._state))
    assert (second.status, second.transferred) == ("resumed", second.bytes - 100 * 1024)
    expected = content_sha256(item, key, sandbox.config.raster_size)
    assert file_sha256(target) == expected


# -- the caller's side, without workers --------------------------------------------------------


def test_an_executor_must_be_an_executor() -> None:
    with pytest.raises(InvalidInputError, match=r"concurrent\.futures\.Executor"):
        checked_executor(object())


def test_a_job_lost_by_the_executor_fails_its_asset_only(tmp_path: Path) -> None:
    jobs = [
        DownloadJob("https://x.test/a", tmp_path / "a"),
        DownloadJob("https://x.test/b", tmp_path / "b"),
    ]
    run = FanoutRun(jobs, [])
    lost: Future[RemoteResult] = Future()
    lost.set_exception(RuntimeError("worker lost"))
    done: Future[RemoteResult] = Future()
    done.set_result(RemoteResult("downloaded", 5, 5))
    outcomes = run.outcomes([lost, done])
    assert [(o.status, o.bytes) for o in outcomes] == [("failed", 0), ("downloaded", 5)]
    assert isinstance(outcomes[0].error, RuntimeError)


def test_an_error_that_cannot_travel_comes_back_as_its_text() -> None:
    class Local(Exception):
        def __init__(self, a: int, b: int) -> None:
            super().__init__(f"{a}/{b}")

    back = portable(Local(1, 2))
    assert isinstance(back, AssetDownloadError) and "Local: 1/2" in str(back)


def test_progress_counts_files_and_bytes_as_jobs_come_back(tmp_path: Path) -> None:
    jobs = [
        DownloadJob("https://x.test/a", tmp_path / "a"),
        DownloadJob("https://x.test/b", tmp_path / "b"),
    ]
    run = FanoutRun(jobs, [])
    with ThreadPoolExecutor(1) as pool:
        future: Future[RemoteResult] = pool.submit(RemoteResult, "downloaded", 7, 7)
        future.result()
    run.record(1, future)
    shown = run.snapshot()
    assert [(p.name, p.done, p.finished) for p in shown] == [("a", 0, False), ("b", 7, True)]


def test_a_callers_run_progress_is_told_each_outcome_as_its_job_comes_back(
    tmp_path: Path,
) -> None:
    jobs = [
        DownloadJob("https://x.test/a", tmp_path / "a"),
        DownloadJob("https://x.test/b", tmp_path / "b"),
    ]
    run = FanoutRun(jobs, [])
    still_running: Future[RemoteResult] = Future()
    done: Future[RemoteResult] = Future()
    done.set_result(RemoteResult("downloaded", 7, 7))
    reported: list[DownloadOutcome] = []
    watch = RunProgress(display=False, on_outcome=reported.append)
    with run.watching([still_running, done], watch):
        run.record(1, done)
    assert [(o.job, o.status, o.bytes) for o in reported] == [(jobs[1], "downloaded", 7)]
    assert watch.summary().downloaded == 1 and watch.waiting() == 1
