"""The durable job table on Redis, for workers on many machines (PORCHBOT_REDIS_URL).

Same semantics as ``SqliteJobStore``: a delivery id is stored once; a claim takes a lease; a row whose
lease ran out is handed out again; a claim is refused while another row of the same key holds a live
lease; older pending pushes of a key can be coalesced into the job that just read the branch. Every
state change is one Lua script (``bot/queue/redis_scripts.py``), so two workers racing for a row or a key
cannot both win. Layout (every name shares the ``{prefix}`` hash tag):

- ``{prefix}:job:<id>``             hash: kind, key, payload, status, lease_until, attempts, created
- ``{prefix}:pending``              zset of pending ids by ``created`` (the listing order)
- ``{prefix}:running``              zset of running ids by ``lease_until`` (expired = score <= now)
- ``{prefix}:key:<key>:running``    the key's running ids by ``lease_until`` (serialisation)
- ``{prefix}:key:<key>:pending``    the key's pending ids by ``created`` (next job, coalescing)
- ``{prefix}:counts``               hash: rows per status
- ``{prefix}:sweep``                a short-lived token: whose turn it is to sweep
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import redis

from bot.errors import PorchbotError
from bot.queue import redis_scripts as lua
from bot.queue.store import DONE, FAILED, PENDING, RUNNING, Job

_OFFSET_TTL_SECONDS = 60.0


class RedisJobStore:
    """``JobStore`` on Redis; ``clock`` overrides Redis's TIME (tests), ``prefix`` namespaces the keys."""

    def __init__(self, client: redis.Redis, *, prefix: str = "porchbot",
                 clock: Callable[[], float] | None = None) -> None:
        self._redis = client
        self._clock = clock
        self._ns = "{" + prefix + "}"
        self._add = client.register_script(lua.ADD)
        self._claim = client.register_script(lua.CLAIM)
        self._move = client.register_script(lua.MOVE)
        self._extend = client.register_script(lua.EXTEND)
        self._coalesce = client.register_script(lua.COALESCE)
        self._expired = client.register_script(lua.EXPIRED)
        self._offset: tuple[float, float] | None = None  # (Redis time - local time, measured at)
        # Per key, the Redis moment of this process's latest claim: the exact "started before" for
        # coalescing (every job stored before it had its ref updated before the handler read the branch).
        self._claimed_at: dict[str, float] = {}

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "porchbot", check: bool = True) -> RedisJobStore:
        """A store on ``url``; with ``check`` a Redis that does not answer is a clear start-up error."""
        where = _safe_address(url)
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
            if check:
                client.ping()
        except (redis.RedisError, ValueError) as err:
            raise PorchbotError(f"PORCHBOT_REDIS_URL: Redis at {where} does not answer "
                                f"({type(err).__name__}): start it or fix the URL") from None
        return cls(client, prefix=prefix)

    # -- names and clocks ----------------------------------------------------------------------
    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    def _job_key(self, job_id: str) -> str:
        return f"{self._ns}:job:{job_id}"

    def _row_keys(self, job_id: str, key: str) -> list[str]:
        return [self._job_key(job_id), f"{self._ns}:pending", f"{self._ns}:running",
                f"{self._ns}:key:{key}:running", f"{self._ns}:counts", f"{self._ns}:key:{key}:pending"]

    def _key_of(self, job_id: str) -> str | None:
        # A row's key never changes after add, so reading it outside the script is safe; passing it
        # in lets the script declare the per-key names it touches.
        raw: Any = self._redis.hget(self._job_key(job_id), "key")
        return None if raw is None else _text(raw)

    def _to_store_clock(self, local_time: float) -> float:
        """A moment on this machine's clock as Redis's clock reads it (workers' clocks may differ)."""
        if self._clock is not None:
            return local_time
        now = time.monotonic()
        if self._offset is None or now - self._offset[1] > _OFFSET_TTL_SECONDS:
            before = time.time()
            seconds, micros = self._redis.time()
            after = time.time()
            self._offset = (seconds + micros / 1_000_000 - (before + after) / 2, now)
        return local_time + self._offset[0]

    # -- the JobStore protocol -------------------------------------------------------------------
    def add(self, job_id: str, kind: str, key: str, payload: dict[str, Any]) -> bool:
        """Store a job; False when this id was seen before (a redelivery)."""
        added = self._add(keys=self._row_keys(job_id, key),
                          args=[job_id, kind, key, json.dumps(payload), self._now()])
        return bool(added)

    def claim(self, job_id: str, lease_seconds: float) -> Job | None:
        key = self._key_of(job_id)
        if key is None:
            return None
        row = self._claim(keys=self._row_keys(job_id, key), args=[job_id, self._now(), repr(lease_seconds)])
        if not row:
            return None
        kind, job_key, payload, attempts, created, claimed_at = row
        self._claimed_at[_text(job_key)] = float(_text(claimed_at))
        return Job(job_id, _text(kind), _text(job_key), json.loads(_text(payload)), int(attempts),
                   float(_text(created)))

    def finish(self, job_id: str, *, failed: bool = False) -> None:
        self._transition(job_id, FAILED if failed else DONE, only_from="")

    def release(self, job_id: str) -> None:
        """Give a claimed job back (graceful shutdown, or a retry later)."""
        self._transition(job_id, PENDING, only_from=RUNNING)

    def _transition(self, job_id: str, status: str, *, only_from: str) -> None:
        key = self._key_of(job_id)
        if key is not None:
            self._move(keys=self._row_keys(job_id, key), args=[job_id, status, only_from])

    def expired(self, now: float | None = None) -> list[str]:
        moment = self._now() if now is None else repr(now)
        flat = self._expired(keys=[f"{self._ns}:running"], args=[moment, f"{self._ns}:job:"])
        pairs = [(float(_text(flat[i + 1])), _text(flat[i])) for i in range(0, len(flat), 2)]
        return [job_id for _created, job_id in sorted(pairs)]

    def pending_ids(self, older_than: float = 0.0) -> list[str]:
        """Pending jobs stored at least ``older_than`` seconds ago (by this store's clock), oldest first."""
        if self._clock is not None:
            now = self._clock()
        else:
            seconds, micros = self._redis.time()
            now = seconds + micros / 1e6
        return [_text(job_id) for job_id in self._redis.zrangebyscore(f"{self._ns}:pending", "-inf",
                                                                       now - older_than)]

    def counts(self) -> dict[str, int]:
        raw: Any = self._redis.hgetall(f"{self._ns}:counts")
        counts = {_text(status): int(count) for status, count in raw.items()}
        return {status: count for status, count in counts.items() if count > 0}

    def defer(self, job_id: str, delay: float) -> None:
        """Keep a claimed job, handed out again (by the sweeper) only after ``delay``; its key stays busy."""
        self._extend_lease(job_id, delay, attempt=None)

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        """Extend a running job's lease while its worker is still at it; False when the row is no longer
        this claim's (finished, released, or re-claimed after the lease ran out)."""
        return self._extend_lease(job_id, lease_seconds, attempt=attempt)

    def _extend_lease(self, job_id: str, seconds: float, attempt: int | None) -> bool:
        key = self._key_of(job_id)
        if key is None:
            return False
        changed = self._extend(keys=self._row_keys(job_id, key),
                               args=[job_id, self._now(), repr(seconds), "" if attempt is None else str(attempt)])
        return bool(changed)

    def next_pending(self, key: str) -> str | None:
        """The oldest pending job of ``key`` (handed out as soon as the key's running job ends)."""
        first = self._redis.zrange(f"{self._ns}:key:{key}:pending", 0, 0)
        return _text(first[0]) if first else None

    def coalesce(self, key: str, created_before: float) -> int:
        """Mark done the pending jobs of ``key`` stored before the job that just ran here was claimed
        (``created_before``, this machine's clock, when this store did not make that claim): a
        level-triggered job that started after them has seen everything they would have."""
        claimed_at = self._claimed_at.pop(key, None)
        moment = claimed_at if claimed_at is not None else self._to_store_clock(created_before)
        done = self._coalesce(keys=[f"{self._ns}:pending", f"{self._ns}:counts", f"{self._ns}:key:{key}:pending"],
                              args=[repr(moment), f"{self._ns}:job:"])
        return int(done)

    def sweep_turn(self, period_seconds: float) -> bool:
        """True for one caller per period across every process sharing this Redis (the sweeper's turn)."""
        won = self._redis.set(f"{self._ns}:sweep", "1", nx=True, px=max(1, int(period_seconds * 1000 * 0.9)))
        return bool(won)


def _safe_address(url: str) -> str:
    """host:port/db of a Redis URL, without its password."""
    parts = urlsplit(url)
    return f"{parts.hostname or '?'}:{parts.port or 6379}{parts.path or ''}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

