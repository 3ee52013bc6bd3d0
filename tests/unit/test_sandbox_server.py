"""Starting the sandbox on a port that is taken: a typed error, and one line from the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from capella.sandbox import PortInUseError, Sandbox
from capella.sandbox.__main__ import main
from capella.sandbox.catalog import Catalog


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 on which another socket listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        yield int(taken.getsockname()[1])


def test_a_busy_port_raises_port_in_use_naming_it(busy_port: int) -> None:
    sandbox = Sandbox(port=busy_port, catalog_size=10, catalog=Catalog(size=10))
    with pytest.raises(PortInUseError) as caught:
        sandbox.start()
    assert caught.value.port == busy_port
    assert str(busy_port) in str(caught.value)
    assert not sandbox.running


def test_main_on_a_busy_port_prints_one_line_and_exits_1(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--port", str(busy_port)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"port {busy_port}" in err
    assert "--port 0" in err


def test_capella_sandbox_on_a_busy_port_prints_no_traceback(busy_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAPELLA_")}
    done = subprocess.run(
        [sys.executable, "-m", "capella.cli", "sandbox", "--port", str(busy_port)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"capella sandbox: port {busy_port} on 127.0.0.1 is already in use; "
        "choose another --port, or --port 0 for any free one"
    ]
