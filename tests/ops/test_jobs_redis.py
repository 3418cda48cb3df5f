"""RedisJobStore: the same cases as tests/bot/test_jobs.py, plus races between many claimers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis

from bot.queue.redis_store import RedisJobStore

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


def test_next_pending_and_coalesce_older_pushes_of_one_key(client: redis.Redis, fresh_redis_url: str) -> None:
    now = [1000.0]
    store = make_store(client, clock=lambda: now[0])
    key = "repo:ref:drafts/a/v1"
    store.add("p1", "github", key, {})
    now[0] = 1001
    store.add("p2", "github", key, {})
    store.add("other", "github", "repo:ref:drafts/b/v1", {})
    assert store.next_pending(key) == "p1"
    now[0] = 1001.5
    assert store.claim("p1", lease_seconds=60) is not None
    assert store.next_pending(key) == "p2"
    now[0] = 1002
    store.add("p3", "github", key, {})
    store.finish("p1")
    # p1 was claimed at 1001.5 (by this store: its own record wins over the caller's clock): p2 is
    # covered by what p1's job read, p3 is not.
    assert store.coalesce(key, created_before=1003) == 1
    assert store.next_pending(key) == "p3"
    assert store.pending_ids() == ["other", "p3"]
    assert store.counts() == {"done": 2, "pending": 2}
    assert store.claim("p2", lease_seconds=60) is None  # coalesced rows are done
    store.release("p3")  # not running: nothing happens
    assert store.next_pending(key) == "p3"
    # A store that did not make the claim goes by the caller's moment.
    elsewhere = make_store(redis.Redis.from_url(fresh_redis_url), clock=lambda: now[0])
    assert elsewhere.coalesce(key, created_before=1002.5) == 1
    assert store.next_pending(key) is None


def test_coalesce_with_the_server_clock(client: redis.Redis) -> None:
    store = make_store(client)
    store.add("old", "github", "k", {})
    time.sleep(0.05)
    assert store.coalesce("k", created_before=time.time()) == 1  # the worker's clock, mapped to Redis's
    assert store.counts() == {"done": 1}


def test_defer_and_renew_move_the_lease(client: redis.Redis) -> None:
    now = [1000.0]
    store = make_store(client, clock=lambda: now[0])
    store.add("a", "github", "k", {})
    store.add("b", "github", "k", {})
    job = store.claim("a", lease_seconds=10)
    assert job is not None
    now[0] += 8
    assert store.renew("a", job.attempts, lease_seconds=10)  # still at it: lease now ends at 1018
    now[0] += 5
    assert store.expired() == [] and store.claim("b", lease_seconds=10) is None  # key still busy
    store.defer("a", 30)  # the forge said "retry in 30 s"
    now[0] += 20
    assert store.expired() == []
    now[0] += 11
    assert store.expired() == ["a"]
    again = store.claim("a", lease_seconds=10)
    assert again is not None and again.attempts == 2
    assert not store.renew("a", job.attempts, lease_seconds=10)  # the first claim lost the row
    assert store.renew("a", again.attempts, lease_seconds=10)
    store.finish("a")
    assert not store.renew("a", again.attempts, lease_seconds=10)


def test_a_redis_that_does_not_answer_is_a_clear_error() -> None:
    from bot.errors import PorchbotError
    from tests.ops.redis_server import free_port

    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    with pytest.raises(PorchbotError) as refused:
        RedisJobStore.from_url(url)
    message = str(refused.value)
    assert "does not answer" in message and "127.0.0.1" in message and "hunter2" not in message


def test_pending_ids_can_leave_out_fresh_jobs(client: redis.Redis) -> None:
    store = make_store(client)  # the Redis server's own clock
    store.add("a", "github", "k", {})
    assert store.pending_ids() == ["a"]
    assert store.pending_ids(older_than=3600) == []
