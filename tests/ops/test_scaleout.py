"""Scale-out: one `porchbot serve --workers 0` and two `porchbot worker` processes share Redis.

200 signed deliveries across 50 pull requests → every job processed exactly once; with one worker
SIGKILLed mid-run its leased jobs come back through the sweeper after the lease and nothing is lost.
The handler is a recorder (PORCHBOT_TEST_JOB_HANDLER) and the deliveries are PR comments, whose jobs
must each run (pushes to one draft coalesce: tests/ops/test_scaleout_render.py covers those with the
real bot).
"""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis

from bot.queue.redis_store import RedisJobStore
from tests.ops.processes import comment_payload, porchbot, post_github, serve, stop
from tests.ops.recorder import RECORD_ENV, SLEEP_ENV, read_records

pytestmark = [pytest.mark.redis, pytest.mark.timeout(240)]

PULLS = 50
DELIVERIES = 200
LEASE_SECONDS = 3.0


def _env(redis_url: str, state: Path, record_file: Path, sleep: float) -> dict[str, str]:
    return {"PORCHBOT_REDIS_URL": redis_url, "PORCHBOT_STATE_DIR": str(state),
            "PORCHBOT_JOB_LEASE_SECONDS": str(LEASE_SECONDS), "PORCHBOT_SWEEP_SECONDS": "0.5",
            "PORCHBOT_TEST_JOB_HANDLER": "tests.ops.recorder:record", RECORD_ENV: str(record_file),
            SLEEP_ENV: str(sleep)}


def _post_all(base: str) -> list[str]:
    job_ids = []
    for index in range(DELIVERIES):
        delivery = str(uuid.uuid4())
        payload = comment_payload("acme/deployments", 1 + index % PULLS, f"/render please ({index})")
        assert post_github(base, "issue_comment", delivery, payload) == 202
        job_ids.append(f"github:{delivery}")
    return job_ids


def _wait_done(store: RedisJobStore, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while store.counts().get("done", 0) < total:
        assert time.monotonic() < deadline, f"jobs not done in time: {store.counts()}"
        time.sleep(0.2)


def _workers(env: dict[str, str], tmp_path: Path) -> list[subprocess.Popen[bytes]]:
    return [porchbot(["worker", "--workers", "2"], env, tmp_path / f"worker{n}.log") for n in (1, 2)]


def test_two_workers_process_every_delivery_exactly_once(fresh_redis_url: str, tmp_path: Path) -> None:
    record_file = tmp_path / "processed.txt"
    env = _env(fresh_redis_url, tmp_path / "state", record_file, sleep=0.01)
    store = RedisJobStore(redis.Redis.from_url(fresh_redis_url))
    workers = _workers(env, tmp_path)
    try:
        with serve(env, tmp_path / "serve.log") as base:
            job_ids = _post_all(base)
            _wait_done(store, DELIVERIES, timeout=120)
    finally:
        codes = [stop(proc) for proc in workers]
    records = read_records(record_file)
    assert sorted(job_id for job_id, _pid, _attempt in records) == sorted(job_ids)  # each exactly once
    by_worker = Counter(pid for _job_id, pid, _attempt in records)
    assert set(by_worker) == {proc.pid for proc in workers}, by_worker  # both workers took a share
    assert codes == [0, 0]  # SIGTERM is a clean shutdown
    assert store.counts() == {"done": DELIVERIES}


def test_a_worker_killed_mid_run_loses_nothing(fresh_redis_url: str, tmp_path: Path) -> None:
    record_file = tmp_path / "processed.txt"
    env = _env(fresh_redis_url, tmp_path / "state", record_file, sleep=0.05)
    store = RedisJobStore(redis.Redis.from_url(fresh_redis_url))
    workers = _workers(env, tmp_path)
    victim, survivor = workers
    try:
        with serve(env, tmp_path / "serve.log") as base:
            job_ids = _post_all(base)
            deadline = time.monotonic() + 60
            while not any(pid == victim.pid for _j, pid, _a in read_records(record_file)):
                assert time.monotonic() < deadline, "the victim never processed a job"
                time.sleep(0.02)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            _wait_done(store, DELIVERIES, timeout=120)
    finally:
        for proc in workers:
            stop(proc)
    records = read_records(record_file)
    processed = Counter(job_id for job_id, _pid, _attempt in records)
    assert set(processed) == set(job_ids)  # nothing lost
    # A job can run twice only when the victim finished its work but died before marking it done:
    # at most one per worker thread of the victim; the redo is a second attempt on the survivor.
    twice = [job_id for job_id, count in processed.items() if count > 1]
    assert len(twice) <= 2 and all(count == 2 for count in processed.values() if count > 1)
    redone = [(job_id, pid) for job_id, pid, attempt in records if attempt > 1]
    assert all(pid == survivor.pid for _job_id, pid in redone)
    assert store.counts() == {"done": DELIVERIES}
