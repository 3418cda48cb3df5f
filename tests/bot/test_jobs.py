from __future__ import annotations

from pathlib import Path

from bot.queue.sqlite_store import SqliteJobStore


def test_add_deduplicates_delivery_ids(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db")
    assert store.add("d1", "github", "k", {"a": 1})
    assert not store.add("d1", "github", "k", {"a": 2})
    assert store.pending_ids() == ["d1"]


def test_claim_serialises_one_key_and_expired_leases_come_back(tmp_path: Path) -> None:
    now = [1000.0]
    store = SqliteJobStore(tmp_path / "jobs.db", clock=lambda: now[0])
    store.add("a", "github", "repo:draft", {})
    store.add("b", "github", "repo:draft", {})
    store.add("c", "github", "other", {})
    job = store.claim("a", lease_seconds=60)
    assert job is not None and job.attempts == 1
    assert store.claim("a", lease_seconds=60) is None  # already running
    assert store.claim("b", lease_seconds=60) is None  # same key busy
    assert store.claim("c", lease_seconds=60) is not None  # other key free
    # A worker killed mid-job: its lease runs out and the job is handed out again.
    assert store.expired() == []
    now[0] += 61
    assert store.expired() == ["a", "c"]
    assert store.claim("a", lease_seconds=60) is not None
    store.finish("a")
    assert store.claim("a", lease_seconds=60) is None
    assert store.counts()["done"] == 1


def test_release_returns_job_to_pending(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.db")
    store.add("a", "gitlab", "k", {"x": "y"})
    job = store.claim("a", lease_seconds=60)
    assert job is not None and job.payload == {"x": "y"}
    store.release("a")
    assert store.pending_ids() == ["a"]


def test_renew_extends_only_the_current_claim(tmp_path: Path) -> None:
    now = [1000.0]
    store = SqliteJobStore(tmp_path / "jobs.db", clock=lambda: now[0])
    store.add("a", "github", "k", {})
    job = store.claim("a", lease_seconds=10)
    assert job is not None
    now[0] += 8
    assert store.renew("a", job.attempts, 10)
    now[0] += 8  # past the first lease, inside the renewed one
    assert store.expired() == []
    assert not store.renew("a", job.attempts + 1, 10)  # another claim's attempt number
    store.finish("a")
    assert not store.renew("a", job.attempts, 10)


def test_pending_ids_can_leave_out_fresh_jobs(tmp_path: Path) -> None:
    now = [1000.0]
    store = SqliteJobStore(tmp_path / "jobs.db", clock=lambda: now[0])
    store.add("old", "github", "k", {})
    now[0] += 10
    store.add("fresh", "github", "k", {})
    assert store.pending_ids() == ["old", "fresh"]
    assert store.pending_ids(older_than=5) == ["old"]


def test_both_stores_implement_every_method_the_queue_calls() -> None:
    """The Protocol lists what Queue calls (no optional methods probed with getattr): both stores have it all,
    with the same parameters."""
    import inspect

    from bot.queue.redis_store import RedisJobStore
    from bot.queue.store import JobStore

    wanted = {name for name in vars(JobStore) if not name.startswith("_")}
    assert {"defer", "renew", "next_pending", "coalesce", "sweep_turn"} <= wanted
    for store in (SqliteJobStore, RedisJobStore):
        for name in wanted:
            expected = list(inspect.signature(getattr(JobStore, name)).parameters)
            assert list(inspect.signature(getattr(store, name)).parameters) == expected, (store.__name__, name)
