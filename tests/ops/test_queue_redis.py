"""The queue on Redis in-process, and a worker process's SIGTERM: the job in flight finishes or goes back."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis

from bot.config.settings import Settings
from bot.observability import metrics
from bot.queue.jobqueue import EmbeddedWorker, Queue
from bot.queue.redis_store import RedisJobStore
from bot.queue.store import Job
from tests.ops.processes import porchbot, stop
from tests.ops.recorder import RECORD_ENV, SLEEP_ENV, read_records

pytestmark = [pytest.mark.redis, pytest.mark.timeout(120)]


def _settings(redis_url: str, tmp_path: Path) -> Settings:
    return Settings(redis_url=redis_url, state_dir=tmp_path / "state", job_lease_seconds=30, sweep_seconds=0.2)


def _wait(predicate: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_redis_queue_selected_and_jobs_timed(fresh_redis_url: str, tmp_path: Path) -> None:
    seen: list[str] = []
    queue = Queue(_settings(fresh_redis_url, tmp_path), handler=lambda job: seen.append(job.job_id))
    assert isinstance(queue.store, RedisJobStore)
    before = metrics.REGISTRY.get_sample_value("porchbot_job_duration_seconds_count",
                                               {"kind": "github", "outcome": "done"}) or 0
    worker = EmbeddedWorker(queue, workers=1)
    worker.start()
    try:
        assert queue.submit("github:1", "github", "k", {})
        assert not queue.submit("github:1", "github", "k", {})  # a replay of the delivery id
        _wait(lambda: queue.store.counts() == {"done": 1})
    finally:
        worker.stop()
    assert seen == ["github:1"]
    after = metrics.REGISTRY.get_sample_value("porchbot_job_duration_seconds_count",
                                              {"kind": "github", "outcome": "done"})
    assert after == before + 1


def test_stop_past_the_grace_releases_the_job_in_flight(fresh_redis_url: str, tmp_path: Path) -> None:
    started, proceed = threading.Event(), threading.Event()

    def slow(job: Job) -> None:
        started.set()
        proceed.wait(10)

    queue = Queue(_settings(fresh_redis_url, tmp_path), handler=slow)
    worker = EmbeddedWorker(queue, workers=1, shutdown_grace=0.3)
    worker.start()
    queue.submit("github:slow", "github", "k", {})
    assert started.wait(10)
    worker.stop()  # the handler is still busy: the job goes back instead of waiting for its lease
    assert queue.store.pending_ids() == ["github:slow"]
    proceed.set()


def test_worker_sigterm_finishes_the_job_in_flight(fresh_redis_url: str, tmp_path: Path) -> None:
    record_file = tmp_path / "processed.txt"
    env = {"PORCHBOT_REDIS_URL": fresh_redis_url, "PORCHBOT_STATE_DIR": str(tmp_path / "state"),
           "PORCHBOT_TEST_JOB_HANDLER": "tests.ops.recorder:record", RECORD_ENV: str(record_file),
           SLEEP_ENV: "1.5"}
    store = RedisJobStore(redis.Redis.from_url(fresh_redis_url))
    producer = Queue(_settings(fresh_redis_url, tmp_path))
    worker = porchbot(["worker", "--workers", "1"], env, tmp_path / "worker.log")
    try:
        producer.submit("github:inflight", "github", "k", {})
        _wait(lambda: store.counts().get("running") == 1)
        code = stop(worker, signal.SIGTERM, timeout=20)
    finally:
        stop(worker, signal.SIGKILL)
    assert code == 0
    assert [job_id for job_id, _pid, _attempt in read_records(record_file)] == ["github:inflight"]
    assert store.counts() == {"done": 1}


def test_a_job_longer_than_its_lease_is_not_handed_out_twice(fresh_redis_url: str, tmp_path: Path) -> None:
    calls: list[str] = []
    lock = threading.Lock()

    def long_job(job: Job) -> None:
        with lock:
            calls.append(job.job_id)
        time.sleep(2.5)  # two and a half leases: renewals keep it this worker's

    settings = Settings(redis_url=fresh_redis_url, state_dir=tmp_path / "state", job_lease_seconds=1.0,
                        sweep_seconds=0.2)
    queues = [Queue(settings, handler=long_job) for _ in range(2)]
    workers = [EmbeddedWorker(queue, workers=1) for queue in queues]
    for worker in workers:
        worker.start()
    try:
        queues[0].submit("github:long", "github", "k", {})
        _wait(lambda: queues[0].store.counts() == {"done": 1})
    finally:
        for worker in workers:
            worker.stop()
    assert calls == ["github:long"]


def test_worker_refuses_to_start_without_redis(tmp_path: Path) -> None:
    from tests.ops.redis_server import free_port

    env = {"PORCHBOT_REDIS_URL": f"redis://:s3cret@127.0.0.1:{free_port()}/0",
           "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    log_path = tmp_path / "worker.log"
    worker = porchbot(["worker"], env, log_path)
    assert worker.wait(timeout=60) != 0
    output = log_path.read_text()
    assert "does not answer" in output and "Traceback" not in output and "s3cret" not in output
