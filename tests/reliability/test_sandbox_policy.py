"""Issue 6 point 1 end to end: the real bot on the emulated GitHub refuses what the policy does not allow.

An untrusted author's PR is not rendered until someone trusted comments `/ok-to-render`; a function
image outside the allowlist, or an exec function, fails the render with the reason in the status and
the sticky comment; an image the base branch's `.porchbot.yaml` allows is rendered.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.pr.messages import STATUS_MARKER
from tests.reliability.support import REPO, SET_NAMESPACE, Bot, bot_world, eventually, package_files

pytestmark = pytest.mark.timeout(300)
DRAFT = "drafts/app/v1"


def _status(bot: Bot, sha: str) -> tuple[str, str] | None:
    return bot.render_status(sha)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_an_untrusted_pull_request_waits_for_ok_to_render(tmp_path: Path, kind: str) -> None:
    with bot_world(tmp_path, kind=kind) as bot:
        # mallory (read access) stands in for a fork: her branch reaches the bot only through the PR.
        bot.webhooks(on=False)
        person_head = bot.commit(DRAFT, package_files("app", 0), login="mallory")
        bot.webhooks(on=True)
        # The emulator has no forks and lets only writers open PRs: her access drops right after.
        bot.emulator.grant(REPO, "mallory", "write")
        with bot.emulator.store.lock:
            number = bot.open_pull(DRAFT, login="mallory")
            bot.emulator.grant(REPO, "mallory", "read")
        waiting = eventually(lambda: _status(bot, person_head), "the waiting status")
        assert waiting[0] == "pending" and "/ok-to-render" in waiting[1]
        sticky = eventually(lambda: bot.comments(number, STATUS_MARKER), "the sticky comment")
        assert "Not rendered yet" in sticky[0].body and "@mallory" in sticky[0].body
        assert bot.head(DRAFT) == person_head  # nothing ran, nothing was committed

        bot.comment(number, "mallory", "/ok-to-render")  # the author cannot let herself in
        refusal = eventually(lambda: bot.comments(number, "cannot allow rendering"), "mallory's refusal")
        assert len(refusal) == 1 and bot.head(DRAFT) == person_head

        bot.comment(number, "alice", "/ok-to-render")
        eventually(lambda: bot.comments(number, "allowed rendering"), "the go-ahead reply")
        rendered = eventually(lambda: bot.rendered(DRAFT, person_head), "the render after /ok-to-render")
        assert "Render succeeded" in bot.comments(number, STATUS_MARKER)[0].body
        assert len(bot.comments(number, STATUS_MARKER)) == 1

        later = bot.commit(DRAFT, package_files("app", 1), login="mallory")  # the go-ahead holds
        eventually(lambda: bot.rendered(DRAFT, later), "the render of a later push")
        assert rendered != later


@pytest.mark.parametrize(("image", "reason"), [
    pytest.param("example.com/evil/fn:v1", "not in the allowed images", id="image-outside-the-allowlist"),
    pytest.param("gcr.io/kpt-fn.evil.example/set-namespace:v0.4.1", "not in the allowed images",
                 id="lookalike-registry"),
    pytest.param(None, "exec function", id="exec-function"),
])
def test_a_function_outside_the_policy_fails_the_render(tmp_path: Path, image: str | None, reason: str) -> None:
    with bot_world(tmp_path) as bot:
        files = package_files("app", 0, image or SET_NAMESPACE)
        if image is None:
            files["app/Kptfile"] = str(files["app/Kptfile"]).replace(f"image: {SET_NAMESPACE}", "exec: /bin/sh")
        head = bot.commit(DRAFT, files)
        number = bot.open_pull(DRAFT)
        state, description = eventually(lambda: _status(bot, head) if _status(bot, head) and
                                        _status(bot, head)[0] != "pending" else None, "the failed status")  # type: ignore[index]
        assert state == "failure" and description.startswith("Refused by the function policy")
        assert bot.head(DRAFT) == head  # nothing committed
        sticky = eventually(lambda: bot.comments(number, STATUS_MARKER), "the sticky comment")
        assert reason in sticky[0].body and "Render failed" in sticky[0].body


def test_the_base_branch_policy_file_extends_the_allowlist(tmp_path: Path) -> None:
    config = "render:\n  runtime: builtin\n  allowed_images: [example.com/none/*]\n"
    with bot_world(tmp_path, config=config) as bot:
        refused = bot.commit(DRAFT, package_files("app", 0))
        eventually(lambda: _status(bot, refused) and _status(bot, refused)[0] == "failure",  # type: ignore[index]
                   "a refusal under the config's list alone")
        # The base branch (merged by trusted people) allows the catalog's set-namespace, pinned by name.
        bot.commit("main", {".porchbot.yaml": "render:\n  allowed_images: [gcr.io/kpt-fn/set-namespace:*]\n"})
        # The same file on the draft branch itself would grant nothing: only the base branch counts.
        head = bot.commit(DRAFT, package_files("app", 1))
        eventually(lambda: bot.rendered(DRAFT, head), "the render allowed by the base branch")
