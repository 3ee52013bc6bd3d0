"""Starting the sandbox on a port that is taken: a typed error, and one line from the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from capella.errors import InvalidInputError
from capella.sandbox import PortInUseError, Sandbox
from capella.sandbox.__main__ import main
from capella.sandbox.catalog import Catalog
from capella.sandbox.config import SandboxConfig


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


# -- what shapes a sandbox: SandboxConfig, whose fields are the Sandbox keywords -----------------


@pytest.mark.parametrize(
    ("field", "value", "allowed"),
    [
        ("completion_share", 1.5, "between 0 and 1"),
        ("completion_share", -0.1, "between 0 and 1"),
        ("raster_size", 0, "at least 1"),
        ("catalog_size", 0, "at least 1"),
        ("order_ttl", -1.0, "at least 0"),
        ("latency", -0.5, "at least 0"),
    ],
)
def test_a_config_value_out_of_bounds_names_the_field_and_what_it_accepts(
    field: str, value: float, allowed: str
) -> None:
    with pytest.raises(InvalidInputError, match=f"^{field} must be {allowed}, not {value}$"):
        options: dict[str, Any] = {field: value}
        SandboxConfig(**options)


def test_the_bounds_themselves_are_accepted() -> None:
    config = SandboxConfig(completion_share=1.0, raster_size=1, order_ttl=0.0, latency=0.0)
    assert (config.completion_share, config.raster_size) == (1.0, 1)


def test_keys_given_as_a_list_are_kept_as_a_set_and_the_config_stays_hashable() -> None:
    # What `Sandbox(**options)` passes from a test or a script: lists, not frozensets.
    given: dict[str, Any] = {"api_keys": ["k1", "k1"], "tokens": (), "forbidden_collections": ["x"]}
    config = SandboxConfig(**given)
    assert config.api_keys == frozenset({"k1"})
    assert config.tokens == frozenset()
    assert config.forbidden_collections == frozenset({"x"})
    same = SandboxConfig(
        api_keys=frozenset({"k1"}), tokens=frozenset(), forbidden_collections=frozenset({"x"})
    )
    assert hash(config) == hash(same)


def test_sandbox_keywords_are_the_config_fields() -> None:
    sandbox = Sandbox(seed=3, latency=0.25, api_keys=["k"])
    assert sandbox.config == SandboxConfig(seed=3, latency=0.25, api_keys=frozenset({"k"}))
    with pytest.raises(TypeError, match="colour"):
        Sandbox(colour="red")


def test_a_shared_catalog_must_match_the_config() -> None:
    with pytest.raises(ValueError, match="another seed, size or raster_size"):
        Sandbox(seed=1, catalog_size=10, catalog=Catalog(size=10))


def test_main_leaves_the_options_not_given_to_the_config(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[dict[str, object]] = []

    def fake_sandbox(**options: object) -> Sandbox:
        seen.append(options)
        raise PortInUseError(0)

    monkeypatch.setattr("capella.sandbox.__main__.Sandbox", fake_sandbox)
    assert main(["--latency", "0.5"]) == 1
    assert seen == [{"port": 8000, "latency": 0.5, "faults": []}]
