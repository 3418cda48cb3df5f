"""The lifecycle decision as a table of named cases: state + intent → actions (no forge, no git)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.forges.models import Permission, PullRequest, User
from bot.pr.decide import (
    Action,
    ConvertToDraft,
    DraftState,
    Intent,
    MarkReady,
    MergeAndPublish,
    Publish,
    Render,
    Reply,
    decide,
)

HEAD = "a" * 40
PULL = PullRequest(number=4, title="istions: v1", body="", state="open", draft=False,
                   head_branch="drafts/istions/v1", head_sha=HEAD, base_branch="main", author=User("dev"),
                   url="https://forge/acme/deployments/pull/4", mergeable=True)
STATE = DraftState(pull=PULL, render_state="success", approvers=frozenset({"alice", "bob", "dev"}))


def approve(actor: str = "alice", **over: object) -> Intent:
    return Intent("approve", actor, **over)  # type: ignore[arg-type]


def refusal(text: str) -> tuple[str, str]:
    return ("refuse", text)


CASES: list[tuple[str, DraftState, Intent, object]] = [
    ("approver approves a green proposal", STATE, approve(), [MergeAndPublish(HEAD, "alice")]),
    ("approver login in another case", STATE, approve("Alice"), [MergeAndPublish(HEAD, "Alice")]),
    ("non-approver", STATE, approve("mallory"), refusal("not an approver")),
    ("author who is an approver", STATE, approve("dev"), refusal("you opened this pull request")),
    ("author in another case", STATE, approve("DEV"), refusal("you opened this pull request")),
    ("still a draft PR", replace(STATE, pull=replace(PULL, draft=True)), approve(), refusal("not proposed")),
    ("render failed", replace(STATE, render_state="failure"), approve(), refusal("**failure**")),
    ("render not reported yet", replace(STATE, render_state=None), approve(), refusal("no render result")),
    ("render pending", replace(STATE, render_state="pending"), approve(), refusal("**pending**")),
    ("head moved since the approver looked", STATE, approve(seen_sha="b" * 40), refusal("moved")),
    ("head committed after the comment", STATE, approve(moved_after_comment=True), refusal("moved")),
    ("explicit sha equal to head", STATE, approve(seen_sha=HEAD), [MergeAndPublish(HEAD, "alice")]),
    ("two approvals required, only the /approve", replace(STATE, required_approvals=2), approve(),
     refusal("needs 2 approvals")),
    ("two required: /approve plus bob's review", replace(STATE, required_approvals=2, approvals=frozenset({"bob"})),
     approve(), [MergeAndPublish(HEAD, "alice")]),
    ("the author's own review does not count", replace(STATE, required_approvals=2,
                                                       approvals=frozenset({"dev"})), approve(),
     refusal("needs 2 approvals")),
    ("a review by a non-approver does not count", replace(STATE, required_approvals=2,
                                                          approvals=frozenset({"mallory"})), approve(),
     refusal("needs 2 approvals")),
    ("forge says unmergeable", replace(STATE, pull=replace(PULL, mergeable=False)), approve(),
     refusal("cannot be merged")),
    ("racing approver: already merged", replace(STATE, pull=replace(PULL, state="merged", merge_commit_sha="c" * 40),
                                                published_tag="istions/v1"), approve("bob"), ("reply", "istions/v1")),
    ("merged but never tagged: finish the publication",
     replace(STATE, pull=replace(PULL, state="merged", merge_commit_sha="c" * 40, merged_by=User("alice"))),
     approve("bob"), [Publish("c" * 40, "alice"), ("reply", "Already done")]),
    ("closed unmerged", replace(STATE, pull=replace(PULL, state="closed")), approve(), refusal("is closed")),
    ("merged by a person: publish", replace(STATE, pull=replace(PULL, state="merged", merge_commit_sha="c" * 40)),
     Intent("merged", "carol"), [Publish("c" * 40, "carol")]),
    ("merged event replayed after the tag", replace(STATE, pull=replace(PULL, state="merged", merge_commit_sha="c" * 40),
                                                   published_tag="istions/v1"), Intent("merged", "carol"), []),
    ("propose a draft", replace(STATE, pull=replace(PULL, draft=True)), Intent("propose", "dev", Permission.WRITE),
     [MarkReady(), ("reply", "Proposed")]),
    ("propose what is proposed", STATE, Intent("propose", "dev", Permission.WRITE), [("reply", "already proposed")]),
    ("reject a proposal", STATE, Intent("reject", "alice", Permission.WRITE), [ConvertToDraft(), ("reply", "Rejected")]),
    ("reject without write access", STATE, Intent("reject", "mallory", Permission.READ), refusal("write access")),
    ("the author may reject without write", STATE, Intent("reject", "dev", Permission.READ),
     [ConvertToDraft(), ("reply", "Rejected")]),
    ("reject a closed PR", replace(STATE, pull=replace(PULL, state="closed")), Intent("reject", "alice",
                                                                                       Permission.WRITE),
     refusal("is closed")),
    ("render on demand", STATE, Intent("render", "alice", Permission.WRITE), [Render()]),
    ("help", STATE, Intent("help", "anyone"), [("reply", "/approve")]),
]


def _matches(actions: list[Action], expected: object) -> bool:
    if isinstance(expected, tuple) and expected[0] == "refuse":
        return len(actions) == 1 and isinstance(actions[0], Reply) and actions[0].refusal and \
            expected[1] in actions[0].text
    wanted = expected if isinstance(expected, list) else [expected]
    if len(actions) != len(wanted):
        return False
    for action, want in zip(actions, wanted, strict=True):
        if isinstance(want, tuple):
            if not (isinstance(action, Reply) and not action.refusal and want[1] in action.text):
                return False
        elif action != want:
            return False
    return True


@pytest.mark.parametrize(("state", "intent", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decide(state: DraftState, intent: Intent, expected: object) -> None:
    actions = decide(state, intent)
    assert _matches(actions, expected), actions
