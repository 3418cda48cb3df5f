"""Publishing over the emulator and a real `porchbot serve`: racing approvers, and a merge done by a person."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bot.e2e_support import REPO, World, eventually, own_upstream, world

BASENS_V0 = "kpt-samples-afcf4d1fac605a60ba1ea4b87b5b5b82e222cb69"
DRAFT_BRANCH = "drafts/istions/v1"


def _proposed_draft(w: World) -> Any:
    cloned = w.cli("rpkg", "clone", BASENS_V0, "istions", "--repository=deployments")
    assert cloned.returncode == 0, cloned.stderr
    pull = eventually(lambda: w.pull_for(DRAFT_BRANCH), "the draft PR")

    def green() -> bool:
        head = w.emulator.branch_sha(REPO, DRAFT_BRANCH)
        return bool(head) and w.render_state(head or "") == "success" and bool(w.sticky_comments(pull.number))

    eventually(green, "the render status and sticky comment")
    w.emulator.set_draft(REPO, pull.number, "dev", False)
    return pull


def _tags(w: World) -> list[str]:
    return w.emulator.store.repo(REPO).bare.git("tag", "--list").split()


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_racing_approvers_merge_once(kind: str, tmp_path: Path) -> None:
    with world(kind, tmp_path, own_upstream(tmp_path)) as w:
        pull = _proposed_draft(w)
        w.comment(pull.number, "alice", "/approve")
        w.comment(pull.number, "bob", "/approve")
        eventually(lambda: w.replies_containing(pull.number, "Already done"), "the second approver told")
        assert len(w.replies_containing(pull.number, "Approved and published as `istions/v1`")) == 1
        assert _tags(w) == ["istions/v1"]
        assert w.emulator.pull(REPO, pull.number).merged
        eventually(lambda: w.emulator.branch_sha(REPO, DRAFT_BRANCH) is None, "the draft branch deleted")


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_merge_by_a_person_is_published(kind: str, tmp_path: Path) -> None:
    with world(kind, tmp_path, own_upstream(tmp_path)) as w:
        pull = _proposed_draft(w)
        merge_sha = w.emulator.merge(REPO, pull.number, "alice")
        tag = eventually(lambda: w.emulator.ref_target(REPO, "refs/tags/istions/v1"), "tag istions/v1")
        bare = w.emulator.store.repo(REPO).bare
        assert bare.git("rev-parse", "istions/v1^{commit}").strip() == merge_sha
        assert "Merged by alice" in bare.git("cat-file", "-p", tag)
        eventually(lambda: w.emulator.branch_sha(REPO, DRAFT_BRANCH) is None, "the draft branch deleted")
        assert _tags(w) == ["istions/v1"]


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_cli_transitions_use_the_forge_with_the_users_token(kind: str, tmp_path: Path) -> None:
    """`rpkg propose|reject|approve` on a forge-backed repository: the PR moves, the policy holds."""
    with world(kind, tmp_path, own_upstream(tmp_path)) as w:
        cloned = w.cli("rpkg", "clone", BASENS_V0, "istions", "--repository=deployments")
        assert cloned.returncode == 0, cloned.stderr
        name = cloned.stdout.split()[0]
        pull = eventually(lambda: w.pull_for(DRAFT_BRANCH), "the draft PR")
        eventually(lambda: w.render_state(w.emulator.branch_sha(REPO, DRAFT_BRANCH) or "") == "success",
                   "the render status")
        assert w.cli("rpkg", "propose", name).returncode == 0
        assert not w.emulator.pull(REPO, pull.number).draft
        assert w.cli("rpkg", "reject", name, user="alice").returncode == 0
        assert w.emulator.pull(REPO, pull.number).draft
        assert w.lifecycle(name)[4] == "Draft"  # type: ignore[index]
        assert w.cli("rpkg", "propose", name).returncode == 0
        by_author = w.cli("rpkg", "approve", name, user="dev")
        assert by_author.returncode != 0 and "cannot approve it yourself" in by_author.stderr
        by_stranger = w.cli("rpkg", "approve", name, user="mallory")
        assert by_stranger.returncode != 0 and "not an approver" in by_stranger.stderr
        assert "Traceback" not in by_author.stderr + by_stranger.stderr
        approved = w.cli("rpkg", "approve", name, user="alice")
        assert approved.returncode == 0, approved.stderr
        assert approved.stdout.endswith(" approved\n")
        assert w.emulator.pull(REPO, pull.number).merged
        assert _tags(w) == ["istions/v1"]
        published = w.lifecycle(approved.stdout.split()[0])
        # NAME PACKAGE WORKSPACENAME REVISION LATEST LIFECYCLE REPOSITORY (porchctl v4's table)
        assert published is not None and published[2:6] == ["v1", "v1", "true", "Published"]


@pytest.mark.parametrize(("override", "expected"), [("", "carol"), ("dave", "dave")],
                         ids=["token-owner", "override"])
def test_the_approver_is_the_tokens_owner_unless_overridden(override: str, expected: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config.policy import BotConfig
    from bot.pr.proposals import FORGE_LOGIN_ENV, PullRequestProposals
    from tests.bot.fakes import RecordingForge

    monkeypatch.setenv(FORGE_LOGIN_ENV, override)
    proposals = PullRequestProposals(RecordingForge(login="carol"), BotConfig())
    assert proposals._actor() == expected
