"""The cross-process download lock (``capella.download.lock``), with real second processes."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest

from capella.download.lock import AssetLockedError, asset_lock, lock_path
from capella.download.paths import WORK_PREFIX, safe_join
from capella.errors import InvalidInputError


def _append_under_lock(target: str, log: str, rounds: int) -> None:
    # Each holder writes "start" and "end" with a pause between: interleaving shows two holders.
    for _ in range(rounds):
        with asset_lock(Path(target), wait=30), open(log, "a") as f:
            f.write("start\n")
            f.flush()
            time.sleep(0.01)
            f.write("end\n")


def test_two_processes_never_hold_the_same_asset_lock_at_once(tmp_path: Path) -> None:
    target, log = tmp_path / "a.tif", tmp_path / "log.txt"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_under_lock, args=(str(target), str(log), 20)) for _ in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    lines = log.read_text().split()
    assert len(lines) == 80
    assert lines == ["start", "end"] * 40  # never two starts in a row
    assert not lock_path(target).exists()  # the last holder cleaned up


def _hold(target: str, ready: str, seconds: float) -> None:
    with asset_lock(Path(target), wait=5):
        Path(ready).touch()
        time.sleep(seconds)


def test_a_waiter_gives_up_with_a_typed_error_after_its_budget(tmp_path: Path) -> None:
    target, ready = tmp_path / "a.tif", tmp_path / "ready"
    holder = multiprocessing.get_context("spawn").Process(
        target=_hold, args=(str(target), str(ready), 3.0)
    )
    holder.start()
    try:
        while not ready.exists():
            time.sleep(0.01)
        with pytest.raises(AssetLockedError) as info, asset_lock(target, wait=0.2):
            pass
        assert info.value.code == "DOWNLOAD_IN_PROGRESS"
        assert "a.tif" in str(info.value)
    finally:
        holder.join(10)


def test_s3_keys_lock_in_the_temporary_folder_and_differ_by_key() -> None:
    a, b = lock_path("s3://bucket/a.tif"), lock_path("s3://bucket/b.tif")
    assert a != b and a.parent == b.parent and a.parent.name == "capella-locks"


def test_no_asset_may_take_the_name_of_a_work_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="reserved"):
        safe_join(tmp_path, lock_path(tmp_path / "a.tif").name)
    assert lock_path(tmp_path / "a.tif").name.startswith(WORK_PREFIX)


def test_the_lock_name_stays_short_for_a_255_character_asset_name(tmp_path: Path) -> None:
    assert len(lock_path(tmp_path / ("x" * 255)).name) < 64
