"""``capella download`` as a person at an 80-column terminal sees it: bars on a real pty.

stderr is a pseudo-terminal of 80 columns (so the CLI shows its bars), stdout a pipe (so the
records can be read back): what the terminal received is checked for whole rows and numbers,
and stdout must still hold every record while the bars are live.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from capella import CapellaConsoleClient
from capella.sandbox import DEMO_API_KEY, Sandbox

pytestmark = pytest.mark.e2e

COLOUR = re.compile(r"\x1b\[[0-9;]*m")
CURSOR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def _terminal(columns: int) -> tuple[int, int]:
    """A pty (master, slave) of ``columns`` x 40."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    return master, slave


def _drain(master: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed its end
            return
        if not chunk:
            return
        into.append(chunk)


def test_the_bars_read_whole_at_80_columns_and_records_still_go_to_stdout(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as client:
        order_id = client.submit_order(stac_ids=client.search(product_type="GEO", limit=2).stac_ids)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPELLA_", "COLUMNS"))}
    env.update(
        CAPELLA_API_KEY=DEMO_API_KEY,
        CAPELLA_API_URL=sandbox.url,
        CAPELLA_CONFIG_DIR=str(tmp_path / "config"),
        TERM="xterm-256color",
    )
    sandbox.faults.add(route="assets", kind="latency", seconds=0.3)  # a few frames per file
    master, slave = _terminal(80)
    screen: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(master, screen))
    reader.start()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "capella.cli", "download", "--order", order_id,
             "--dir", str(tmp_path / "out"), "--no-threaded"],
            stdout=subprocess.PIPE, stderr=slave, text=True, env=env, timeout=120,
        )  # fmt: skip
    finally:
        os.close(slave)
        reader.join(timeout=30)
        os.close(master)
    assert done.returncode == 0
    *records, summary = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 8 and all(r["status"] == "downloaded" for r in records)
    assert summary["summary"]["downloaded"] == 8

    # Each redraw erases and rewrites lines: every control sequence ends a line here.
    text = COLOUR.sub("", b"".join(screen).decode("utf-8", "replace"))
    text = CURSOR.sub("\n", text)
    lines = [line for line in text.split("\n") if line.strip()]
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert not any('"stac_id"' in line for line in lines), "a record went to the terminal"
    rows = [line for line in lines if line.startswith("✓ downloaded")]
    assert len(rows) == 8  # every finished file keeps its row
    assert all(re.search(r"  \d+(\.\d)? (kB|MB|bytes)$", row) for row in rows), rows
    assert any(re.search(r"total 8/8 files .* 100% ", line) for line in lines), lines[-12:]
    assert re.search(r"8 files: 8 downloaded; [\d.]+ kB received in [\d.]+ s \(", text)
    assert "Signature=" not in text and DEMO_API_KEY not in text
