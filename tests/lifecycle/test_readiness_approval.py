"""A PR whose Kptfile readiness gates are not met is not approved by the bot: ``/approve`` is refused with
the gate's name (the CLI's refusal is porchctl's, in tests/lifecycle/test_workspaces.py)."""

from __future__ import annotations

from dataclasses import replace

from bot.forges.models import PullRequest, User
from bot.pr.decide import DraftState, Intent, MergeAndPublish, Reply, decide

HEAD = "b" * 40
PULL = PullRequest(number=7, title="gated: w1", body="", state="open", draft=False,
                   head_branch="drafts/gated/w1", head_sha=HEAD, base_branch="main", author=User("dev"),
                   url="https://forge/acme/deployments/pull/7", mergeable=True)
READY = DraftState(pull=PULL, render_state="success", approvers=frozenset({"alice"}))


def test_unmet_gates_refuse_approval_naming_the_gate() -> None:
    actions = decide(replace(READY, unmet_gates=("example.com/Checked",)), Intent("approve", "alice"))
    assert not any(isinstance(action, MergeAndPublish) for action in actions)
    replies = [action for action in actions if isinstance(action, Reply)]
    assert replies and replies[0].refusal
    assert "example.com/Checked" in replies[0].text and "Readiness conditions not met" in replies[0].text


def test_met_gates_let_approval_through() -> None:
    assert decide(READY, Intent("approve", "alice")) == [MergeAndPublish(HEAD, "alice")]
