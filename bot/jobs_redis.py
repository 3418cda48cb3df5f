"""The durable job table on Redis, for workers on many machines (PORCHBOT_REDIS_URL).

Same semantics as ``SqliteJobStore``: a delivery id is stored once; a claim takes a lease; a row whose
lease ran out is handed out again; a claim is refused while another row of the same key holds a live
lease. Every state change is one Lua script, so two workers racing for a row (or for a key) cannot
both win. Layout (every name shares the ``{prefix}`` hash tag so a cluster keeps them on one slot):

- ``{prefix}:job:<id>``     hash: kind, key, payload, status, lease_until, attempts, created
- ``{prefix}:pending``      zset of pending ids scored by ``created`` (the listing order)
- ``{prefix}:running``      zset of running ids scored by ``lease_until`` (expired = score <= now)
- ``{prefix}:key:<key>``    zset of the running ids of one serialisation key, scored by ``lease_until``
- ``{prefix}:counts``       hash: rows per status
- ``{prefix}:sweep``        a short-lived token: whose turn it is to sweep
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis

from bot.jobs import DONE, FAILED, PENDING, RUNNING, Job

# Leases compare against one clock: Redis's own (TIME) unless the caller brings one (tests).
_NOW = """
local function now_from(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

_ADD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local created = now_from(ARGV[5])
redis.call('HSET', KEYS[1], 'kind', ARGV[2], 'key', ARGV[3], 'payload', ARGV[4], 'status', 'pending',
           'lease_until', 0, 'attempts', 0, 'created', tostring(created))
redis.call('ZADD', KEYS[2], created, ARGV[1])
redis.call('HINCRBY', KEYS[3], 'pending', 1)
return 1
"""

# KEYS: job, pending, running, key zset, counts. ARGV: id, now, lease seconds.
_CLAIM = """
local now = now_from(ARGV[2])
local row = redis.call('HMGET', KEYS[1], 'status', 'lease_until', 'kind', 'key', 'payload', 'attempts',
                       'created')
local status = row[1]
if not status then return false end
if status == 'done' or status == 'failed' then return false end
if status == 'running' and tonumber(row[2]) > now then return false end
local live = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. tostring(now), '+inf')
for _, other in ipairs(live) do
  if other ~= ARGV[1] then return false end
end
local lease_until = now + tonumber(ARGV[3])
if status == 'pending' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[5], 'pending', -1)
  redis.call('HINCRBY', KEYS[5], 'running', 1)
end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'running', 'lease_until', tostring(lease_until))
redis.call('ZADD', KEYS[3], lease_until, ARGV[1])
redis.call('ZADD', KEYS[4], lease_until, ARGV[1])
return {row[3], row[4], row[5], attempts, row[7]}
"""

# KEYS: job, pending, running, key zset, counts. ARGV: id, new status, only-from status ('' = any).
_MOVE = """
local row = redis.call('HMGET', KEYS[1], 'status', 'created')
local status = row[1]
if not status then return 0 end
if ARGV[3] ~= '' and status ~= ARGV[3] then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], status, -1)
redis.call('HINCRBY', KEYS[5], ARGV[2], 1)
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'lease_until', 0)
if ARGV[2] == 'pending' then redis.call('ZADD', KEYS[2], tonumber(row[2]), ARGV[1]) end
return 1
"""

# KEYS: running. ARGV: now. Returns id, created pairs so that the caller orders by creation.
_EXPIRED = """
local now = now_from(ARGV[1])
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tostring(now))
local out = {}
for _, id in ipairs(ids) do
  out[#out + 1] = id
  out[#out + 1] = redis.call('HGET', ARGV[2] .. id, 'created') or '0'
end
return out
"""


class RedisJobStore:
    """``JobStore`` on Redis; ``clock`` overrides Redis's TIME (tests), ``prefix`` namespaces the keys."""

    def __init__(self, client: redis.Redis, *, prefix: str = "porchbot",
                 clock: Callable[[], float] | None = None) -> None:
        self._redis = client
        self._clock = clock
        self._ns = "{" + prefix + "}"
        self._add = client.register_script(_NOW + _ADD)
        self._claim = client.register_script(_NOW + _CLAIM)
        self._move = client.register_script(_MOVE)
        self._expired = client.register_script(_NOW + _EXPIRED)

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "porchbot") -> RedisJobStore:
        return cls(redis.Redis.from_url(url), prefix=prefix)

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    def _job_key(self, job_id: str) -> str:
        return f"{self._ns}:job:{job_id}"

    def _keys(self, job_id: str, key: str) -> list[str]:
        return [self._job_key(job_id), f"{self._ns}:pending", f"{self._ns}:running",
                f"{self._ns}:key:{key}", f"{self._ns}:counts"]

    def _key_of(self, job_id: str) -> str | None:
        # A row's key never changes after add, so reading it outside the script is safe; passing it
        # in lets the script declare every key it touches.
        raw: Any = self._redis.hget(self._job_key(job_id), "key")
        return None if raw is None else _text(raw)

    def add(self, job_id: str, kind: str, key: str, payload: dict[str, Any]) -> bool:
        """Store a job; False when this id was seen before (a redelivery)."""
        added = self._add(keys=[self._job_key(job_id), f"{self._ns}:pending", f"{self._ns}:counts"],
                          args=[job_id, kind, key, json.dumps(payload), self._now()])
        return bool(added)

    def claim(self, job_id: str, lease_seconds: float) -> Job | None:
        key = self._key_of(job_id)
        if key is None:
            return None
        row = self._claim(keys=self._keys(job_id, key), args=[job_id, self._now(), repr(lease_seconds)])
        if not row:
            return None
        kind, job_key, payload, attempts, created = row
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
            self._move(keys=self._keys(job_id, key), args=[job_id, status, only_from])

    def expired(self, now: float | None = None) -> list[str]:
        moment = self._now() if now is None else repr(now)
        flat = self._expired(keys=[f"{self._ns}:running"], args=[moment, f"{self._ns}:job:"])
        pairs = [(float(_text(flat[i + 1])), _text(flat[i])) for i in range(0, len(flat), 2)]
        return [job_id for _created, job_id in sorted(pairs)]

    def sweep_turn(self, period_seconds: float) -> bool:
        """True for one caller per period across every process sharing this Redis (the sweeper's turn)."""
        won = self._redis.set(f"{self._ns}:sweep", "1", nx=True, px=max(1, int(period_seconds * 1000 * 0.9)))
        return bool(won)

    def pending_ids(self) -> list[str]:
        return [_text(job_id) for job_id in self._redis.zrange(f"{self._ns}:pending", 0, -1)]

    def counts(self) -> dict[str, int]:
        raw: Any = self._redis.hgetall(f"{self._ns}:counts")
        counts = {_text(status): int(count) for status, count in raw.items()}
        return {status: count for status, count in counts.items() if count > 0}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
