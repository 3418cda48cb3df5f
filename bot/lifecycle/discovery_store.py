"""Discovery's index on disk: one SQLite file per repository.

``package_refs`` holds each package's ref lines, so a listing after a push rebuilds only the packages whose
refs moved (their old lines minus what went, plus what came). ``names`` lets a command that names one
revision find its package with a point query. ``meta`` holds the generation of the listing file these
rows belong to (``Discovery.listing``). The file is a cache: damage costs one full rebuild
(``Discovery.list`` drops a file it cannot read), never a wrong answer.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

FORMAT = "2"  # bump when a stored shape changes: the state is rebuilt, not migrated

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS package_refs (package_path TEXT PRIMARY KEY, lines TEXT) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY, package_path TEXT) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS names_by_package ON names (package_path)",
)


class DiscoveryStore:
    """An open state file. Reads need no transaction; ``writing()`` holds SQLite's write lock from the
    first read of the previous state to the commit, so concurrent listings never mix two snapshots."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @staticmethod
    @contextmanager
    def open(path: Path) -> Iterator[DiscoveryStore]:
        path.parent.mkdir(parents=True, exist_ok=True)
        store = DiscoveryStore(_connect(path))
        with closing(store.connection):
            yield store

    def meta(self, key: str) -> Any:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return marshal.loads(row[0]) if row else None

    @contextmanager
    def writing(self) -> Iterator[DiscoveryStore]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()

    def set_meta(self, values: dict[str, Any]) -> None:
        self.connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                    ((key, marshal.dumps(value)) for key, value in values.items()))

    def clear(self) -> None:
        _clear(self.connection)

    def package_lines(self, paths: Iterable[str]) -> dict[str, list[str]]:
        found = {}
        for path in paths:
            row = self.connection.execute("SELECT lines FROM package_refs WHERE package_path = ?", (path,)).fetchone()
            found[path] = row[0].split("\n") if row and row[0] else []
        return found

    def replace_packages(self, lines: dict[str, list[str]], names: dict[str, list[str]]) -> None:
        """Store the ref lines and revision names of the packages in ``lines`` (a package without lines or
        names is forgotten)."""
        gone = [(path,) for path in lines]
        self.connection.executemany("DELETE FROM names WHERE package_path = ?", gone)
        self.connection.executemany("DELETE FROM package_refs WHERE package_path = ?", gone)
        self.connection.executemany("INSERT INTO package_refs VALUES (?, ?)",
                                    ((path, "\n".join(found)) for path, found in lines.items() if found))
        self.connection.executemany("INSERT OR REPLACE INTO names VALUES (?, ?)",
                                    ((name, path) for path, found in names.items() for name in found))


def known_package(path: Path, name: str) -> str | None:
    """The package path of the revision called ``name`` as of the last listing (None when unknown)."""
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(path, timeout=10)) as connection:
            row = connection.execute("SELECT package_path FROM names WHERE name = ?", (name,)).fetchone()
    except sqlite3.Error:
        return None  # a damaged index only costs a full listing, which writes it again
    return str(row[0]) if row else None


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE in writing()).
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    # WAL: readers never wait for a listing being written; NORMAL: no fsync per commit (a cache, rebuilt
    # when lost).
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in _SCHEMA:
        connection.execute(statement)
    stored = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
    if stored is None or marshal.loads(stored[0]) != FORMAT:
        connection.execute("BEGIN IMMEDIATE")
        _clear(connection)
        connection.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (marshal.dumps(FORMAT),))
        connection.commit()
    return connection


def _clear(connection: sqlite3.Connection) -> None:
    """Everything but the format marker."""
    connection.execute("DELETE FROM meta WHERE key != 'format'")
    connection.execute("DELETE FROM package_refs")
    connection.execute("DELETE FROM names")
