"""Issue 6 point 2: a `porchbot worker` SIGKILLed at any point of a job loses nothing.

Each case kills a real worker process at a named point (bot.queue.crashpoints, a test-only hook), starts a
clean worker, and checks the end state is the one a crash-free run gives: the final head rendered
once (one `Rendering package` commit on top of it, success status, one sticky comment), no job lost
or failed, no force-push; for `/approve`, one merge, one tag on the merge commit, the branch deleted.
A SIGTERM mid-job finishes the job before the worker exits.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from bot.pr.messages import STATUS_MARKER
from bot.queue.crashpoints import ENV, MODE_ENV, PAUSE_ENV
from tests.reliability.support import REPO, Bot, bot_world, eventually, package_files

pytestmark = pytest.mark.timeout(300)
DRAFT = "drafts/app/v1"
LEASE = 3.0


def _died(bot: Bot, proc_index: int) -> int | None:
    return bot.workers[proc_index].poll()


def _check_render_end_state(bot: Bot, head: str, number: int) -> None:
    rendered = eventually(lambda: bot.rendered(DRAFT, head), "the final head rendered", timeout=90)
    counts = bot.wait_drained()
    assert "failed" not in counts, counts
    parents = bot.render_parents(DRAFT)
    assert parents.count(head) == 1 and len(parents) == len(set(parents)), parents
    assert bot.force_pushes() == 0
    sticky = bot.comments(number, STATUS_MARKER)
    assert len(sticky) == 1 and rendered[:12] in sticky[0].body and "Render succeeded" in sticky[0].body


@pytest.mark.parametrize(("point", "kind"), [
    *[(point, "github") for point in ("after_claim", "before_render_commit_push", "after_render_commit_push",
                                      "after_status", "after_sticky", "before_finish")],
    ("after_render_commit_push", "gitlab"), ("after_sticky", "gitlab")])
def test_a_worker_killed_mid_render_loses_nothing(tmp_path: Path, point: str, kind: str) -> None:
    with bot_world(tmp_path, serve_workers=0, lease_seconds=LEASE, kind=kind) as bot:
        bot.quiet_setup(DRAFT, package_files("app", 0))
        number = bot.emulator.pulls(REPO, DRAFT)[-1].number
        bot.start_worker({ENV: point})
        head = bot.commit(DRAFT, package_files("app", 1))
        code = eventually(lambda: _died(bot, 0), f"the worker to die at {point}")
        assert code == -signal.SIGKILL
        bot.start_worker()
        _check_render_end_state(bot, head, number)


@pytest.mark.parametrize("point", ["after_merge", "after_tag"])
def test_a_worker_killed_mid_approval_publishes_once(tmp_path: Path, point: str) -> None:
    with bot_world(tmp_path, serve_workers=0, lease_seconds=LEASE) as bot:
        head = bot.quiet_setup(DRAFT, package_files("app", 0))
        number = bot.emulator.pulls(REPO, DRAFT)[-1].number
        first = bot.start_worker()
        bot.comment(number, "dev", "/render")
        eventually(lambda: bot.rendered(DRAFT, head), "the draft rendered")
        bot.wait_drained()
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
        bot.start_worker({ENV: point})
        bot.comment(number, "alice", "/approve")
        assert eventually(lambda: _died(bot, 1), f"the worker to die at {point}") == -signal.SIGKILL
        bot.start_worker()
        eventually(lambda: bot.head(DRAFT) is None, "the draft branch deleted", timeout=90)
        counts = bot.wait_drained()
        assert "failed" not in counts
        pull = bot.emulator.pull(REPO, number)
        assert pull.state == "merged" or getattr(pull, "merged", False)
        tags = bot.emulator.git(REPO, "tag", "--list", "app/*").split()
        assert tags == ["app/v1"]
        merges = [line for line in bot.emulator.git(REPO, "log", "--format=%s", "main").splitlines()
                  if line.startswith("Approving package revision")]
        assert len(merges) == 1
        tagged = bot.emulator.git(REPO, "rev-parse", "app/v1^{commit}").strip()
        assert tagged == bot.emulator.git(REPO, "rev-parse", "main").strip()
        assert bot.force_pushes() == 0


def test_sigterm_finishes_the_job_in_flight(tmp_path: Path) -> None:
    with bot_world(tmp_path, serve_workers=0, lease_seconds=30) as bot:
        bot.quiet_setup(DRAFT, package_files("app", 0))
        number = bot.emulator.pulls(REPO, DRAFT)[-1].number
        worker = bot.start_worker({ENV: "after_render_commit_push", MODE_ENV: "pause", PAUSE_ENV: "3"})
        head = bot.commit(DRAFT, package_files("app", 1))
        log = tmp_path / "worker0.log"
        eventually(lambda: "crashpoint: pausing" in log.read_text(), "the worker to reach the pause")
        worker.send_signal(signal.SIGTERM)
        started = time.monotonic()
        assert worker.wait(timeout=60) == 0  # it exits on its own, after the job
        assert time.monotonic() - started < 30
        # No other worker ran yet: the job in flight was finished by the one told to stop.
        assert bot.rendered(DRAFT, head) is not None
        bot.start_worker()  # for the webhook of the bot's own push, queued meanwhile
        _check_render_end_state(bot, head, number)
