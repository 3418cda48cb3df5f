"""Issue 6 point 3 in the queue itself: a draft's next job is handed out the moment the previous one ends
(not at the sweeper's next turn), and the pushes a finished job has covered are coalesced; a PR's jobs
(commands) are never coalesced. Real huey consumer threads over the SQLite job store."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from bot.config.settings import Settings
from bot.queue.jobqueue import EmbeddedWorker, Queue
from bot.queue.sqlite_store import SqliteJobStore
from bot.queue.store import Job

PUSH_KEY = "github:acme/deployments:ref:refs/heads/drafts/app/v1"
PR_KEY = "github:acme/deployments:pr:7"


@pytest.mark.parametrize(("key", "runs"), [pytest.param(PUSH_KEY, 2, id="pushes-coalesce"),
                                           pytest.param(PR_KEY, 6, id="commands-all-run")])
def test_the_next_job_of_a_key_runs_at_once(tmp_path: Path, key: str, runs: int) -> None:
    first_started, release = threading.Event(), threading.Event()
    ran: list[tuple[str, float]] = []

    def handler(job: Job) -> None:
        ran.append((job.job_id, time.monotonic()))
        if job.job_id == "d0":
            first_started.set()
            assert release.wait(10)

    # The sweeper would only look after a minute: whatever runs sooner was handed out by the queue.
    queue = Queue(Settings(state_dir=tmp_path, sweep_seconds=60, job_lease_seconds=30), handler=handler)
    worker = EmbeddedWorker(queue, workers=2)
    worker.start()
    try:
        queue.submit("d0", "github", key, {})
        assert first_started.wait(10)
        for n in range(1, 6):  # five more deliveries for the same draft while the first job runs
            queue.submit(f"d{n}", "github", key, {})
        time.sleep(0.3)
        assert [job_id for job_id, _ in ran] == ["d0"]  # serialised: none ran beside it
        released = time.monotonic()
        release.set()
        store = queue.store
        assert isinstance(store, SqliteJobStore)
        deadline = time.monotonic() + 10
        while store.counts() != {"done": 6}:
            assert time.monotonic() < deadline, store.counts()
            time.sleep(0.05)
        time.sleep(0.3)
        assert len(ran) == runs
        assert ran[1][0] == "d1" and ran[1][1] - released < 2.0  # handed out at once, oldest first
    finally:
        worker.stop()
