"""PR mode's pure pieces: a draft's lifecycle from its PR, draft branch names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.errors import InvalidInput
from bot.forges.models import PullRequest, User
from bot.lifecycle.discovery import DRAFT, PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.naming import split_draft_branch
from bot.pr.state import overlay
from tests.bot.fakes import RecordingForge

PULL = PullRequest(number=1, title="t", body="", state="open", draft=False, head_branch="drafts/apps/web/v1",
                   head_sha="a" * 40, base_branch="main", author=User("dev"), url="u")


def revision(workspace: str, lifecycle: str = DRAFT, prefix: str = "refs/heads/drafts/") -> PackageRevision:
    return PackageRevision(name=f"r-{workspace}", repository="r", package_path="apps/web", package="apps/web",
                           workspace=workspace, revision=workspace, lifecycle=lifecycle,
                           ref=f"{prefix}apps/web/{workspace}", commit="b" * 40)


@pytest.mark.parametrize(("pull", "expected"), [
    (PULL, PROPOSED),
    (replace(PULL, draft=True), DRAFT),
    (replace(PULL, state="closed"), DRAFT),
    (None, DRAFT),
], ids=["open-ready-is-proposed", "draft-pr-is-draft", "closed-pr-is-draft", "no-pr-is-draft"])
def test_a_drafts_lifecycle_is_its_pull_requests(pull: PullRequest | None, expected: str) -> None:
    forge = RecordingForge(pulls={1: pull} if pull else {})
    assert [r.lifecycle for r in overlay([revision("v1")], forge, "main")] == [expected]


def test_published_revisions_are_left_alone() -> None:
    forge = RecordingForge(pulls={1: replace(PULL, head_branch="drafts/apps/web/v2")})
    published = revision("v2", PUBLISHED, "refs/tags/")
    assert overlay([published], forge, "main") == [published]


@pytest.mark.parametrize(("branch", "expected"), [
    ("drafts/istions/v1", ("istions", "v1")),
    ("drafts/apps/web/v2", ("apps/web", "v2")),
])
def test_split_draft_branch(branch: str, expected: tuple[str, str]) -> None:
    assert split_draft_branch(branch) == expected


@pytest.mark.parametrize("branch", ["main", "drafts/v1", "proposed/istions/v1"])
def test_not_a_draft_branch(branch: str) -> None:
    with pytest.raises(InvalidInput):
        split_draft_branch(branch)
