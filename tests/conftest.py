"""Shared fixtures: the local sandbox server (started once per session, or fresh per test)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from capella.sandbox import Sandbox
from capella.sandbox.catalog import Catalog

SANDBOX_SEED = 0
SANDBOX_RASTER_SIZE = 262_144  # small rasters: every download in the test suite stays quick
SANDBOX_CATALOG_SIZE = 12_000

_SESSION_SANDBOX = pytest.StashKey[Sandbox]()

SandboxFactory = Callable[..., Sandbox]

# Before the seed examples' tasking windows (May to December 2026).
SEED_NOW = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def seed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Pin the clock tasking reads to :data:`SEED_NOW`, so the seed windows stay in the future
    (a window entirely past is refused) whatever day the tests run."""
    monkeypatch.setattr("capella.tasking.create._now", lambda: SEED_NOW)
    return SEED_NOW


@pytest.fixture(scope="session")
def sandbox_catalog() -> Catalog:
    """The seed-0 catalog, built once and shared by every sandbox of the session (read-only)."""
    return Catalog(seed=SANDBOX_SEED, size=SANDBOX_CATALOG_SIZE, raster_size=SANDBOX_RASTER_SIZE)


@pytest.fixture(scope="session")
def sandbox(request: pytest.FixtureRequest, sandbox_catalog: Catalog) -> Iterator[Sandbox]:
    """The session's running sandbox (seed 0, in memory); its faults are cleared after each test."""
    with Sandbox(
        seed=SANDBOX_SEED, raster_size=SANDBOX_RASTER_SIZE, catalog=sandbox_catalog
    ) as running:
        request.config.stash[_SESSION_SANDBOX] = running
        yield running
        del request.config.stash[_SESSION_SANDBOX]


@pytest.fixture
def sandbox_factory(sandbox_catalog: Catalog) -> Iterator[SandboxFactory]:
    """Start sandboxes with custom `Sandbox` keyword arguments; all stop after the test."""
    started: list[Sandbox] = []

    def start(**options: Any) -> Sandbox:
        options.setdefault("seed", SANDBOX_SEED)
        options.setdefault("raster_size", SANDBOX_RASTER_SIZE)
        shared = (options["seed"], options["raster_size"], options.get("catalog_size"))
        if shared == (SANDBOX_SEED, SANDBOX_RASTER_SIZE, None):
            options.setdefault("catalog", sandbox_catalog)
        running = Sandbox(**options).start()
        started.append(running)
        return running

    yield start
    for running in reversed(started):
        running.stop()


@pytest.fixture
def fresh_sandbox(sandbox_factory: SandboxFactory) -> Sandbox:
    """A sandbox of its own for tests that change state heavily (seed 0, in memory)."""
    return sandbox_factory()


@pytest.fixture(autouse=True)
def _reset_session_sandbox(request: pytest.FixtureRequest) -> Iterator[None]:
    """Clear the session sandbox's faults and clock after each test (if it was started)."""
    yield
    running = request.config.stash.get(_SESSION_SANDBOX, None)
    if running is not None and running.running:
        running.faults.clear()
        running.state.reset_clock()


README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture(scope="session")
def readme_code() -> Callable[[str], list[str]]:
    """Return the ```python blocks of one ``## title`` section of README.md, in order."""

    def blocks(title: str) -> list[str]:
        text = README.read_text(encoding="utf-8")
        start = text.index(f"\n## {title}\n")
        end = text.find("\n## ", start + 1)
        section = text[start : end if end != -1 else len(text)]
        found = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
        assert found, f"the README section {title!r} has no python example"
        return found

    return blocks
