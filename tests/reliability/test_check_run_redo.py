"""Issue 6 point 2, check runs: a render job redone after its worker died between creating the check
run and setting the status leaves exactly one check run on the head, not one per attempt."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from bot.pr.messages import STATUS_MARKER
from bot.queue.crashpoints import ENV
from tests.reliability.support import REPO, bot_world, eventually, package_files

pytestmark = pytest.mark.timeout(300)
DRAFT = "drafts/app/v1"
# No builtin and no image behind it: the render fails, which is when the bot reports a check run.
MISSING_FUNCTION = "gcr.io/kpt-fn/no-such-function:v0.0.1"


def test_a_render_redone_after_the_check_run_adds_no_second_one(tmp_path: Path) -> None:
    with bot_world(tmp_path, serve_workers=0, lease_seconds=3.0) as bot:
        bot.quiet_setup(DRAFT, package_files("app", 0, image=MISSING_FUNCTION))
        number = bot.emulator.pulls(REPO, DRAFT)[-1].number
        first = bot.start_worker({ENV: "after_check_run"})
        head = bot.commit(DRAFT, package_files("app", 1))
        assert eventually(lambda: first.poll(), "the worker to die after the check run") == -signal.SIGKILL
        assert len(bot.emulator.check_runs(REPO, head)) == 1
        assert bot.render_state(head) is None  # died before the status
        bot.start_worker()
        eventually(lambda: bot.render_state(head) == "failure", "the redone job's failure status", timeout=90)
        counts = bot.wait_drained()
        assert "failed" not in counts, counts
        runs = bot.emulator.check_runs(REPO, head)
        assert [(run.name, run.conclusion) for run in runs] == [("porchbot/render", "failure")]
        assert len(bot.comments(number, STATUS_MARKER)) == 1
        assert bot.head(DRAFT) == head  # a failed render commits nothing
