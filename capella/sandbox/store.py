"""SQLite persistence of the sandbox's records, for `--db`: one JSON row per record.

The file holds the secret that signs presigned asset URLs, so it is readable by its owner only.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from capella.sandbox.json_types import Json

__all__ = ["Store"]


_PRIVATE = 0o600


def _make_private(path: Path) -> None:
    """Create `path` owner-only (0600), or tighten an existing file to that mode."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, _PRIVATE)
    try:
        # O_CREAT's mode applies only to a new file; an older, wider file is tightened here.
        os.fchmod(fd, _PRIVATE)
    finally:
        os.close(fd)


class Store:
    """The records as JSON rows (one per record, kept in insertion order), plus a meta table."""

    def __init__(self, path: str | Path) -> None:
        _make_private(Path(path))
        # Used from the server thread and the caller's thread, always under the state's lock.
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS records (
                kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
                PRIMARY KEY (kind, id));
            """
        )

    def meta(self, key: str) -> str | None:
        """The meta value `key`, or None."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Store the meta value `key`."""
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def load(self, kind: str) -> Iterator[Json]:
        """The records of `kind`, oldest first."""
        rows = self._db.execute(
            "SELECT data FROM records WHERE kind = ? ORDER BY seq", (kind,)
        ).fetchall()
        for (data,) in rows:
            yield json.loads(data)

    def save(self, kind: str, ident: str, data: Json) -> None:
        """Insert or replace one record (it keeps its place in the order)."""
        with self._db:
            self._write(kind, ident, data)

    def save_many(self, rows: Iterable[tuple[str, str, Json]]) -> None:
        """Insert or replace `(kind, id, data)` rows in one transaction."""
        with self._db:
            for kind, ident, data in rows:
                self._write(kind, ident, data)

    def _write(self, kind: str, ident: str, data: Json) -> None:
        self._db.execute(
            """INSERT INTO records VALUES (?, ?,
                   COALESCE((SELECT seq FROM records WHERE kind = ? AND id = ?),
                            (SELECT COUNT(*) FROM records WHERE kind = ?)), ?)
               ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data""",
            (kind, ident, kind, ident, kind, json.dumps(data, separators=(",", ":"))),
        )

    def close(self) -> None:
        """Close the database."""
        self._db.close()
