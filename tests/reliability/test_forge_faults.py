"""Issue 6 point 4: forge faults. 5xx, slow answers and rate limits are retried with backoff that honours
Retry-After / the rate-limit reset; a job that finally fails leaves one honest error status and one
reply, and the worker keeps going. A rate limit too long to sleep through defers the job (the queue
hands it out again after the wait) instead of failing it.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.errors import RateLimited
from bot.pr.messages import STATUS_MARKER
from bot.queue.jobqueue import EmbeddedWorker, Queue
from bot.queue.sqlite_store import SqliteJobStore
from bot.queue.store import PENDING, RUNNING, Job
from tests.reliability.support import REPO, Bot, bot_world, eventually, package_files

pytestmark = pytest.mark.timeout(300)
DRAFT = "drafts/app/v1"
STATUSES = r"/repos/acme/deployments/statuses/"
COMMENTS = r"/repos/acme/deployments/issues/\d+/comments$"


def _ready(bot: Bot) -> int:
    bot.quiet_setup(DRAFT, package_files("app", 0))
    return int(bot.emulator.pulls(REPO, DRAFT)[-1].number)


@pytest.mark.parametrize(("path", "method", "fault"), [
    pytest.param(STATUSES, "POST", {"status": 503, "times": 2}, id="503-twice-on-the-status"),
    pytest.param(COMMENTS, "GET", {"status": 502, "times": 3}, id="502-three-times-on-comments"),
    pytest.param(COMMENTS, "GET", {"status": 0, "delay": 1.5, "times": 1}, id="slow-answer"),
    pytest.param(STATUSES, "POST", {"rate_limit": {"reset_in": 2}}, id="rate-limit-reset"),
    pytest.param(COMMENTS, "GET", {"rate_limit": {"retry_after": 1, "status": 429}}, id="429-retry-after"),
])
def test_passing_faults_are_retried(tmp_path: Path, path: str, method: str, fault: dict[str, Any]) -> None:
    with bot_world(tmp_path) as bot:
        number = _ready(bot)
        if "rate_limit" in fault:
            bot.emulator.faults.rate_limit(path, **fault["rate_limit"])
        else:
            bot.emulator.faults.inject(path, method=method, **fault)
        started = time.monotonic()
        head = bot.commit(DRAFT, package_files("app", 1))
        eventually(lambda: bot.rendered(DRAFT, head), "the render despite the fault", timeout=90)
        assert bot.emulator.faults.triggered >= 1
        if "rate_limit" in fault:  # the wait the forge asked for was honoured, not hammered through
            assert time.monotonic() - started >= 1.0
        assert "failed" not in bot.wait_drained()
        assert len(bot.comments(number, STATUS_MARKER)) == 1


def test_a_job_that_finally_fails_reports_once_and_the_worker_goes_on(tmp_path: Path) -> None:
    with bot_world(tmp_path, serve_workers=1) as bot:
        number = _ready(bot)
        bot.emulator.faults.inject(COMMENTS, method="GET", status=500, times=1000)
        head = bot.commit(DRAFT, package_files("app", 1))
        rendered = eventually(lambda: bot.head(DRAFT) if bot.head(DRAFT) != head else None, "the render commit")
        state = eventually(lambda: bot.render_state(rendered), "the error status", timeout=90)
        assert state == "error"
        status = next(s for s in bot.emulator.statuses(REPO, rendered) if s.context == "porchbot/render")
        assert "HTTP 500" in str(status.description)
        bot.wait_drained()
        replies = bot.comments(number, "could not finish")
        assert len(replies) == 1 and "HTTP 500" in replies[0].body
        bot.emulator.faults.clear()
        later = bot.commit(DRAFT, package_files("app", 2))  # the same worker renders the next push
        eventually(lambda: bot.rendered(DRAFT, later), "the next push rendered", timeout=60)
        assert bot.force_pushes() == 0


def test_a_long_rate_limit_defers_the_job(tmp_path: Path) -> None:
    calls: list[float] = []
    done = threading.Event()

    def handler(job: Job) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RateLimited("github: rate limited, retry in 2s", 2.0)
        done.set()

    settings = Settings(state_dir=tmp_path, sweep_seconds=0.2, job_lease_seconds=30)
    queue = Queue(settings, handler=handler)
    worker = EmbeddedWorker(queue, workers=1)
    worker.start()
    try:
        assert queue.submit("github:d1", "github", "github:acme/x:pr:1", {"n": 1})
        eventually(lambda: len(calls) == 1, "the first attempt")
        time.sleep(0.6)
        store = queue.store
        assert isinstance(store, SqliteJobStore)
        assert store.counts() == {RUNNING: 1}  # deferred: still held, not failed, not handed out early
        assert done.wait(10)
        assert 1.9 <= calls[1] - calls[0] < 6
        eventually(lambda: store.counts() == {"done": 1}, "the job done")
        assert PENDING not in store.counts()
    finally:
        worker.stop()
