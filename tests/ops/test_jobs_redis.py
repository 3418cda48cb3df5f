"""RedisJobStore: the same cases as tests/bot/test_jobs.py, plus races between many claimers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from bot.jobs_redis import RedisJobStore

pytestmark = pytest.mark.redis


@pytest.fixture
def client(fresh_redis_url: str) -> Iterator[redis.Redis]:
    conn = redis.Redis.from_url(fresh_redis_url)
    yield conn
    conn.close()


def make_store(client: redis.Redis, clock: Callable[[], float] | None = None) -> RedisJobStore:
    return RedisJobStore(client, prefix="t", clock=clock)


def test_add_deduplicates_delivery_ids(client: redis.Redis) -> None:
    store = make_store(client)
    assert store.add("d1", "github", "k", {"a": 1})
    assert not store.add("d1", "github", "k", {"a": 2})
    assert store.pending_ids() == ["d1"]
    job = store.claim("d1", lease_seconds=60)
    assert job is not None and job.payload == {"a": 1}  # the first delivery's body, not the replay's


def test_claim_serialises_one_key_and_expired_leases_come_back(client: redis.Redis) -> None:
    now = [1000.0]
    store = make_store(client, clock=lambda: now[0])
    store.add("a", "github", "repo:draft", {})
    now[0] += 0.001
    store.add("b", "github", "repo:draft", {})
    now[0] += 0.001
    store.add("c", "github", "other", {})
    job = store.claim("a", lease_seconds=60)
    assert job is not None and job.attempts == 1 and job.key == "repo:draft" and job.kind == "github"
    assert store.claim("a", lease_seconds=60) is None  # already running
    assert store.claim("b", lease_seconds=60) is None  # same key busy
    assert store.claim("c", lease_seconds=60) is not None  # other key free
    # A worker killed mid-job: its lease runs out and the job is handed out again.
    assert store.expired() == []
    now[0] += 61
    assert store.expired() == ["a", "c"]
    again = store.claim("a", lease_seconds=60)
    assert again is not None and again.attempts == 2
    assert store.claim("b", lease_seconds=60) is None  # "a" holds the key again
    store.finish("a")
    assert store.claim("a", lease_seconds=60) is None
    assert store.claim("b", lease_seconds=60) is not None  # key free once "a" finished
    assert store.counts() == {"done": 1, "running": 2}


def test_release_returns_job_to_pending(client: redis.Redis) -> None:
    store = make_store(client)
    store.add("a", "gitlab", "k", {"x": "y"})
    job = store.claim("a", lease_seconds=60)
    assert job is not None and job.payload == {"x": "y"}
    assert store.pending_ids() == []
    store.release("a")
    assert store.pending_ids() == ["a"]
    assert store.counts() == {"pending": 1}
    store.finish("a", failed=True)
    store.release("a")  # only a running job can be released
    assert store.counts() == {"failed": 1}
    assert store.pending_ids() == []


def test_unknown_ids_are_ignored(client: redis.Redis) -> None:
    store = make_store(client)
    assert store.claim("nope", lease_seconds=5) is None
    store.finish("nope")
    store.release("nope")
    assert store.counts() == {}


def test_server_clock_by_default(client: redis.Redis) -> None:
    store = make_store(client)
    store.add("a", "github", "k", {})
    job = store.claim("a", lease_seconds=0.2)
    assert job is not None and job.created > 1_600_000_000
    assert store.expired() == []
    assert store.expired(now=job.created + 1) == ["a"]


def test_many_threads_claim_each_job_exactly_once(client: redis.Redis, fresh_redis_url: str) -> None:
    store = make_store(client)
    for index in range(200):
        store.add(f"j{index}", "github", f"key{index % 20}", {"n": index})
    claimed: list[str] = []
    active_keys: set[str] = set()
    overlaps: list[str] = []
    lock = threading.Lock()

    def claimer() -> None:
        own = make_store(redis.Redis.from_url(fresh_redis_url))
        while True:
            progress = False
            for job_id in own.pending_ids():
                job = own.claim(job_id, lease_seconds=30)
                if job is None:
                    continue
                progress = True
                with lock:
                    claimed.append(job_id)
                    if job.key in active_keys:
                        overlaps.append(job.key)
                    active_keys.add(job.key)
                with lock:
                    active_keys.discard(job.key)
                own.finish(job_id)
            if not progress and not own.pending_ids():
                return

    threads = [threading.Thread(target=claimer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(claimed) == sorted(f"j{index}" for index in range(200))
    assert overlaps == []  # never two running jobs of one key
    assert store.counts() == {"done": 200}


def test_one_sweeper_per_period_across_processes(client: redis.Redis, fresh_redis_url: str) -> None:
    first, second = make_store(client), make_store(redis.Redis.from_url(fresh_redis_url))
    assert first.sweep_turn(0.3)
    assert not second.sweep_turn(0.3) and not first.sweep_turn(0.3)
    time.sleep(0.35)
    assert second.sweep_turn(0.3)
