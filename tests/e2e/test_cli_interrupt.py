"""Ctrl-C during ``capella download``, sent as a real SIGINT to a real process.

The sandbox answers every asset request after a delay, so files finish one at a time; the
signal arrives once the first file's record is out. What is promised: the finished files'
records, a record and a message for each unfinished file, exit 130, and the same command run
again finishes the job without fetching the finished files twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from capella import CapellaConsoleClient
from capella.sandbox import DEMO_API_KEY, Sandbox

pytestmark = pytest.mark.e2e


def _env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPELLA_")}
    env.update(
        CAPELLA_API_KEY=DEMO_API_KEY,
        CAPELLA_API_URL=sandbox.url,
        CAPELLA_CONFIG_DIR=str(tmp_path / "config"),
    )
    return env


# The CLI as a person at a terminal runs it, where Ctrl-C raises KeyboardInterrupt. A process
# started in the background by a non-interactive shell inherits SIGINT as ignored, and Python
# then keeps ignoring it (as it should: that is how `nohup`-style callers opt out), so a suite
# run that way would see the signal do nothing.
_AS_AT_A_TERMINAL = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from capella.cli import main; main()"
)


def _records(text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    *files, summary = [json.loads(line) for line in text.splitlines()]
    return files, summary["summary"]


def test_ctrl_c_keeps_the_finished_records_names_the_rest_and_a_rerun_completes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
        stac_ids = client.search(product_type="GEO", limit=2).stac_ids
        order_id = client.submit_order(stac_ids=stac_ids)
    arguments = [
        "download", "--order", order_id,
        "--dir", str(tmp_path / "out"), "--include", "HH,thumbnail", "--no-threaded",
    ]  # fmt: skip
    command = [sys.executable, "-m", "capella.cli", *arguments]
    env = _env(sandbox, tmp_path)
    sandbox.faults.add(route="assets", kind="latency", seconds=1.0)
    proc = subprocess.Popen(
        [sys.executable, "-c", _AS_AT_A_TERMINAL, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()  # the first file's record: written as it finished
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    files, summary = _records(first + rest)
    done = [r for r in files if r["status"] != "partial"]
    unfinished = [r for r in files if r["status"] == "partial"]
    assert done and all(r["status"] == "downloaded" for r in done)
    assert all(Path(r["path"]).stat().st_size == r["bytes"] for r in done)
    assert unfinished, "the file in flight when Ctrl-C came is named"
    assert not any(Path(r["path"]).exists() for r in unfinished)
    assert summary["interrupted"] is True
    assert (summary["downloaded"], summary["failed"]) == (len(done), 0)
    assert f"interrupted: {len(done)} of 4 files finished" in err
    assert all(f"unfinished: {Path(r['path']).name}" in err for r in unfinished)
    assert "run the same command again to resume" in err

    sandbox.faults.clear()
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0, again.stderr
    files, summary = _records(again.stdout)
    status = {r["path"]: r["status"] for r in files}
    assert len(status) == 4
    assert all(status[r["path"]] == "skipped" for r in done)
    assert all(status[r["path"]] == "downloaded" for r in unfinished)
    assert summary["skipped"] + summary["downloaded"] == 4
