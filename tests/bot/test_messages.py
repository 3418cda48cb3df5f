"""What people read, pinned by golden files (regenerate with PORCHBOT_UPDATE_GOLDEN=1 and review the diff)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.forges.models import Annotation, PullRequest, User
from bot.handlers.slash import parse_comment
from bot.pr import messages
from bot.render.render_types import RenderOutcome, StepOutcome
from bot.render.resourcelist import ResourceRef, Result

GOLDEN = Path(__file__).parent / "golden"
PULL = PullRequest(number=4, title="istions: v1", body="", state="merged", draft=False,
                   head_branch="drafts/istions/v1", head_sha="a" * 40, base_branch="main", author=User("dev"),
                   url="https://forge.example/acme/deployments/pull/4")
PASSED = RenderOutcome(exit_code=0, steps=[
    StepOutcome(image="gcr.io/kpt-fn/set-namespace:v0.4.1", results=[
        Result(message="namespace \"\" updated to \"istions\", 1 value(s) changed", severity="info")]),
    StepOutcome(image="gcr.io/kpt-fn/set-labels:v0.1.5")])
FAILED = RenderOutcome(exit_code=1, error_message="validator failed", steps=[
    StepOutcome(image="gcr.io/kpt-fn/starlark:v0.5.1", exit_code=1,
                stderr="failed to evaluate function: error: function failure\n", results=[
                    Result(message="fail: namespace istions needs a team label", severity="error",
                           resource_ref=ResourceRef(api_version="v1", kind="Namespace", name="istions"))])])
FINDING = Annotation(path="istions/namespace.yaml", start_line=1, message="namespace istions needs a team label")

CASES = {
    "render_success.md": lambda: messages.render_report("c" * 40, PASSED, changed=True),
    "render_failure_gitlab.md": lambda: messages.render_report("d" * 40, FAILED, False, [FINDING], True),
    "render_failure_github.md": lambda: messages.render_report("d" * 40, FAILED, False, [FINDING], False),
    "refuse_not_approver.md": lambda: messages.refuse_not_approver("mallory"),
    "refuse_author.md": lambda: messages.refuse_author("dev"),
    "refuse_render.md": lambda: messages.refuse_render("failure"),
    "already_published.md": lambda: messages.already_published("istions/v1", PULL),
    "tag_message.txt": lambda: messages.tag_message("istions/v1", "alice", PULL, merged=False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str) -> None:
    text = CASES[name]()
    path = GOLDEN / name
    if os.environ.get("PORCHBOT_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.endswith(".md")))
def test_the_bot_never_reads_its_own_text_as_commands(name: str) -> None:
    assert parse_comment(CASES[name]()).ignored
