"""The durable job table behind the queue.

huey moves job ids between processes, but a huey task is gone once a worker dequeues it, so a
worker killed mid-job would lose it. Every delivery therefore becomes a row here first (which also
de-duplicates delivery ids); a worker claims a row with a lease, and a row whose lease ran out is
handed out again. Work on one key (one draft / PR) is serialised by refusing a claim while another
row of the same key holds a live lease.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.queue.store import DONE, FAILED, PENDING, RUNNING, Job


class SqliteJobStore:
    """``JobStore`` on one SQLite file (processes sharing a state directory share it)."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS jobs (job_id TEXT PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL,"
                " payload TEXT NOT NULL, status TEXT NOT NULL, lease_until REAL NOT NULL DEFAULT 0,"
                " attempts INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)")
            conn.execute("CREATE INDEX IF NOT EXISTS jobs_key ON jobs(key, status)")
            conn.execute("CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, lease_until)")

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    def add(self, job_id: str, kind: str, key: str, payload: dict[str, Any]) -> bool:
        """Store a job; False when this id was seen before (a redelivery)."""
        try:
            self._conn().execute(
                "INSERT INTO jobs(job_id, kind, key, payload, status, created) VALUES (?,?,?,?,?,?)",
                (job_id, kind, key, json.dumps(payload), PENDING, self._clock()))
        except sqlite3.IntegrityError:
            return False
        return True

    def claim(self, job_id: str, lease_seconds: float) -> Job | None:
        now = self._clock()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "SELECT kind, key, payload, status, lease_until, attempts, created FROM jobs WHERE job_id=?",
                (job_id,)).fetchone()
            if row is None:
                conn.execute("COMMIT")
                return None
            kind, key, payload, status, lease_until, attempts, created = row
            if status in (DONE, FAILED) or (status == RUNNING and lease_until > now):
                conn.execute("COMMIT")
                return None
            busy = conn.execute(
                "SELECT 1 FROM jobs WHERE key=? AND status=? AND lease_until>? AND job_id<>? LIMIT 1",
                (key, RUNNING, now, job_id)).fetchone()
            if busy:
                conn.execute("COMMIT")
                return None
            conn.execute("UPDATE jobs SET status=?, lease_until=?, attempts=attempts+1 WHERE job_id=?",
                         (RUNNING, now + lease_seconds, job_id))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return Job(job_id, kind, key, json.loads(payload), attempts + 1, created)

    def finish(self, job_id: str, *, failed: bool = False) -> None:
        self._conn().execute("UPDATE jobs SET status=?, lease_until=0 WHERE job_id=?",
                             (FAILED if failed else DONE, job_id))

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        """Extend a running job's lease while its worker is still at it; False when the row is no longer
        this claim's (finished, released, or claimed again after the lease ran out)."""
        cursor = self._conn().execute(
            "UPDATE jobs SET lease_until=? WHERE job_id=? AND status=? AND attempts=?",
            (self._clock() + lease_seconds, job_id, RUNNING, attempt))
        return cursor.rowcount == 1

    def release(self, job_id: str) -> None:
        """Give a claimed job back (graceful shutdown, or a retry later)."""
        self._conn().execute("UPDATE jobs SET status=?, lease_until=0 WHERE job_id=? AND status=?",
                             (PENDING, job_id, RUNNING))

    def defer(self, job_id: str, delay: float) -> None:
        """Keep a claimed job but hand it out again only after ``delay`` (a forge's Retry-After): its
        lease is moved, so the sweeper's `expired` returns it then, and its key stays serialised."""
        self._conn().execute("UPDATE jobs SET lease_until=? WHERE job_id=? AND status=?",
                             (self._clock() + delay, job_id, RUNNING))

    def next_pending(self, key: str) -> str | None:
        """The oldest pending job of ``key`` (handed out as soon as the key's running job ends)."""
        row = self._conn().execute(
            "SELECT job_id FROM jobs WHERE key=? AND status=? ORDER BY created LIMIT 1", (key, PENDING)).fetchone()
        return None if row is None else str(row[0])

    def coalesce(self, key: str, created_before: float) -> int:
        """Mark done the pending jobs of ``key`` stored before ``created_before``: a level-triggered job
        that started after them has seen everything they would have (their event happened first)."""
        cursor = self._conn().execute("UPDATE jobs SET status=? WHERE key=? AND status=? AND created<?",
                                      (DONE, key, PENDING, created_before))
        return int(cursor.rowcount)

    def sweep_turn(self, period_seconds: float) -> bool:
        """Always this caller's turn: processes sharing one SQLite file are few and on one machine, and a
        second sweep only re-enqueues ids that a claim then refuses."""
        return True

    def expired(self, now: float | None = None) -> list[str]:
        moment = self._clock() if now is None else now
        rows = self._conn().execute(
            "SELECT job_id FROM jobs WHERE status=? AND lease_until<=? ORDER BY created",
            (RUNNING, moment)).fetchall()
        return [r[0] for r in rows]

    def pending_ids(self, older_than: float = 0.0) -> list[str]:
        """Pending jobs stored at least ``older_than`` seconds ago, oldest first."""
        rows = self._conn().execute("SELECT job_id FROM jobs WHERE status=? AND created<=? ORDER BY created",
                                    (PENDING, self._clock() - older_than)).fetchall()
        return [r[0] for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._conn().execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {status: count for status, count in rows}
