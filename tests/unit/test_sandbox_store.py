"""The sandbox's `--db` file holds the URL-signing secret: it must be readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from capella.sandbox.store import Store


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_file_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    store = Store(path)
    store.set_meta("secret", "00ff")
    store.close()
    assert _mode(path) == 0o600


def test_an_existing_wider_database_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    Store(path).close()
    path.chmod(0o644)
    store = Store(path)
    store.close()
    assert _mode(path) == 0o600


def test_records_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    store = Store(path)
    store.save_many([("task", "b", {"n": 1}), ("task", "a", {"n": 2})])
    store.save("task", "b", {"n": 3})
    store.close()
    reopened = Store(path)
    assert list(reopened.load("task")) == [{"n": 3}, {"n": 2}]
    reopened.close()
