"""Every Forge method, against the emulator over HTTP, for GitHub and GitLab alike."""

from __future__ import annotations

import pytest

from bot.errors import Conflict, Forbidden, NotMergeable
from bot.forges.base import Forge
from bot.forges.models import Annotation, Permission
from tests.forge_emulator import Emulator

from .conftest import REPO, make_forge

MARKER = "<!-- porchbot:status -->"


def draft_branch(emulator: Emulator, name: str = "drafts/basens/v1", content: str = "a: 1\n") -> str:
    emulator.commit_files(REPO, name, {"basens/Kptfile": content}, "owner", "Creating new empty revision")
    return name


def test_open_find_and_get_a_draft_pull_request(forge_emulator: Emulator, forge: Forge) -> None:
    assert isinstance(forge, Forge) and forge.kind == forge_emulator.kind and forge.repo_name == REPO
    branch = draft_branch(forge_emulator)
    opened = forge.open_pull_request(branch, "main", "basens v1", "a package", draft=True)
    assert (opened.draft, opened.state, opened.head_branch, opened.base_branch) == (True, "open", branch, "main")
    assert opened.title == "basens v1" and opened.author.login == "porchbot"
    assert opened.head_sha == forge_emulator.branch_sha(REPO, branch)
    assert forge.find_pull_request(branch) == forge.get_pull_request(opened.number)
    assert forge.find_pull_request("drafts/other/v1") is None
    assert forge.find_pull_request(branch, base_branch="elsewhere") is None
    with pytest.raises(Conflict, match="already"):
        forge.open_pull_request(branch, "main", "basens v1 again", "", draft=False)


def test_ready_for_review_and_back_to_draft(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=True)
    since = len(forge_emulator.deliveries)
    assert forge.mark_ready(pr.number).draft is False
    assert forge.mark_ready(pr.number).draft is False  # already ready: no second change
    assert forge.convert_to_draft(pr.number).draft is True
    assert [p.draft for p in forge_emulator.pulls(REPO, pr.head_branch)] == [True]
    if forge_emulator.kind == "github":
        sent = forge_emulator.wait_for_webhook("pull_request", since=since, count=2)
        assert [d.action for d in sent] == ["ready_for_review", "converted_to_draft"]
    else:
        sent = forge_emulator.wait_for_webhook("merge_request", "update", since=since, count=2)
        assert [d.payload["changes"]["draft"]["current"] for d in sent] == [False, True]


def test_close(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=False)
    assert forge.close_pull_request(pr.number).state == "closed"
    assert forge.find_pull_request(pr.head_branch) is None
    forge_emulator.reopen(REPO, pr.number, "owner")  # a person reopens it: the adapter sees it open again
    assert forge.get_pull_request(pr.number).state == "open"


def test_merge_at_the_expected_head(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=False)
    result = forge.merge_pull_request(pr.number, pr.head_sha, "Approving package revision basens/v1")
    assert forge_emulator.branch_sha(REPO, "main") == result.merge_commit_sha
    merged = forge.get_pull_request(pr.number)
    assert merged.merged and merged.merge_commit_sha == result.merge_commit_sha
    assert merged.merged_by is not None and merged.merged_by.login == "porchbot"


def test_merge_refuses_a_head_that_moved(forge_emulator: Emulator, forge: Forge) -> None:
    branch = draft_branch(forge_emulator)
    pr = forge.open_pull_request(branch, "main", "basens v1", "", draft=False)
    forge_emulator.commit_files(REPO, branch, {"basens/extra.yaml": "b: 2\n"}, "owner", "a newer human commit")
    with pytest.raises(Conflict, match="moved past"):
        forge.merge_pull_request(pr.number, pr.head_sha)
    assert forge.get_pull_request(pr.number).state == "open"


def test_merge_refuses_a_draft(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=True)
    with pytest.raises(NotMergeable):
        forge.merge_pull_request(pr.number, pr.head_sha)


def test_merge_refuses_conflicting_changes(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator, content="a: 1\n"), "main", "v1", "", draft=False)
    forge_emulator.commit_files(REPO, "main", {"basens/Kptfile": "a: 3\n"}, "owner", "conflicting change")
    assert forge.get_pull_request(pr.number).mergeable is False
    with pytest.raises(NotMergeable):
        forge.merge_pull_request(pr.number, pr.head_sha)


def test_merge_needs_write_access(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=False)
    forge_emulator.add_user("reader")
    forge_emulator.grant(REPO, "reader", "read")
    with pytest.raises(Forbidden):
        make_forge(forge_emulator, "reader").merge_pull_request(pr.number, pr.head_sha)


def test_a_rejected_token_is_forbidden(forge_emulator: Emulator, forge: Forge) -> None:
    forge_emulator.add_user("revoked")
    intruder = make_forge(forge_emulator, "revoked")
    forge_emulator.user("revoked").token = "no-longer-valid"
    with pytest.raises(Forbidden, match="401"):
        intruder.get_pull_request(1)


def test_sticky_comment_edit_and_reaction(forge_emulator: Emulator, forge: Forge) -> None:
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=False)
    forge_emulator.comment(REPO, pr.number, "owner", "/approve")
    sticky = forge.create_comment(pr.number, f"{MARKER}\nRendering: running")
    listed = forge.list_comments(pr.number)
    assert [c.body for c in listed] == ["/approve", f"{MARKER}\nRendering: running"]
    found = next(c for c in listed if MARKER in c.body)
    assert found.id == sticky.id and found.author.login == "porchbot"
    edited = forge.edit_comment(pr.number, sticky.id, f"{MARKER}\nRendering: success")
    assert edited.body.endswith("success")
    assert [c.body for c in forge.list_comments(pr.number)][1].endswith("success")
    command = listed[0]
    forge.add_reaction(pr.number, command.id, "+1")
    forge.add_reaction(pr.number, command.id, "+1")  # idempotent
    reactions = forge_emulator.comments(REPO, pr.number)[0].reactions
    expected = "+1" if forge_emulator.kind == "github" else "thumbsup"
    assert [(r.user.login, r.content) for r in reactions] == [("porchbot", expected)]


def test_commit_status_and_combined_status(forge_emulator: Emulator, forge: Forge) -> None:
    sha = forge_emulator.branch_sha(REPO, draft_branch(forge_emulator))
    assert sha is not None
    forge.set_commit_status(sha, "pending", description="rendering")
    forge.set_commit_status(sha, "pending", description="rendering again")  # GitLab answers 400: still fine
    assert forge.get_combined_status(sha).state == "pending"
    refused = [e for e in forge_emulator.exchanges if e.status == 400]
    assert len(refused) == (1 if forge_emulator.kind == "gitlab" else 0)
    forge.set_commit_status(sha, "success", description="rendered", target_url="http://example.com/r/1")
    combined = forge.get_combined_status(sha)
    assert combined.state == "success"
    status = combined.get("porchbot/render")
    assert status is not None and (status.state, status.description) == ("success", "rendered")
    forge.set_commit_status(sha, "failure", context="porchbot/validate")
    assert forge.get_combined_status(sha).state == "failure"


def test_check_run_with_annotations(forge_emulator: Emulator, forge: Forge) -> None:
    sha = forge_emulator.branch_sha(REPO, draft_branch(forge_emulator))
    assert sha is not None
    notes = [Annotation("basens/ns.yaml", line, f"finding {line}", title="kubeval") for line in range(1, 61)]
    run = forge.create_check_run(sha, "porchbot/render", "failure", "2 validators failed", "details", notes)
    if forge_emulator.kind == "gitlab":
        assert run is None
        return
    assert run is not None
    [stored] = forge_emulator.check_runs(REPO, sha)
    assert (stored.id, stored.conclusion, stored.head_sha) == (run.id, "failure", sha)
    # GitHub takes at most 50 annotations per request: the adapter sends the rest in updates, which append.
    assert [a["start_line"] for a in stored.annotations] == list(range(1, 61))


def test_check_runs_listed_by_head_and_name(forge_emulator: Emulator, forge: Forge) -> None:
    sha = forge_emulator.branch_sha(REPO, draft_branch(forge_emulator))
    assert sha is not None
    assert forge.list_check_runs(sha, "porchbot/render") == []
    run = forge.create_check_run(sha, "porchbot/render", "failure", "failed", "details")
    forge.create_check_run(sha, "other/check", "success", "fine", "details")
    listed = forge.list_check_runs(sha, "porchbot/render")
    if forge_emulator.kind == "gitlab":
        assert run is None and listed == []  # GitLab has no check runs
        return
    assert run is not None
    assert [(r.id, r.name, r.conclusion) for r in listed] == [(run.id, "porchbot/render", "failure")]
    main = forge_emulator.branch_sha(REPO, "main")
    assert main is not None and forge.list_check_runs(main, "porchbot/render") == []


def test_current_user_is_the_tokens_owner(forge_emulator: Emulator, forge: Forge) -> None:
    forge_emulator.add_user("alice")
    me = forge.current_user()
    assert (me.login, me.id, me.is_bot) == ("porchbot", forge_emulator.user("porchbot").id, False)
    assert make_forge(forge_emulator, "alice").current_user().login == "alice"


def test_annotated_tag_on_a_commit(forge_emulator: Emulator, forge: Forge) -> None:
    sha = forge_emulator.branch_sha(REPO, "main")
    assert sha is not None
    tag = forge.create_tag("basens/v1", sha, "Approved by alice\n\nhttp://example.com/pr/1")
    target = forge_emulator.ref_target(REPO, "refs/tags/basens/v1")
    assert tag.commit_sha == sha and target == tag.object_sha != sha
    assert target is not None and "Approved by alice" in forge_emulator.git(REPO, "cat-file", "-p", target)
    assert forge_emulator.git(REPO, "cat-file", "-t", target).strip() == "tag"
    with pytest.raises(Conflict):
        forge.create_tag("basens/v1", sha, "again")


def test_delete_branch_twice(forge_emulator: Emulator, forge: Forge) -> None:
    branch = draft_branch(forge_emulator)
    forge.delete_branch(branch)
    assert forge_emulator.branch_sha(REPO, branch) is None
    forge.delete_branch(branch)
    assert forge.get_branch_head(branch) is None
    assert forge.get_branch_head("main") == forge_emulator.branch_sha(REPO, "main")


@pytest.mark.parametrize(("granted", "expected"), [
    ("admin", Permission.ADMIN), ("maintain", Permission.MAINTAIN), ("write", Permission.WRITE),
    ("read", Permission.READ), (None, Permission.NONE)], ids=["admin", "maintain", "write", "read", "none"])
def test_permission(forge_emulator: Emulator, forge: Forge, granted: str | None, expected: Permission) -> None:
    forge_emulator.add_user("carol")
    if granted:
        forge_emulator.grant(REPO, "carol", granted)
    assert forge.get_permission("carol") == expected
    assert forge.get_permission("nobody-at-all") == Permission.NONE


def test_approvals(forge_emulator: Emulator, forge: Forge) -> None:
    forge_emulator.add_user("alice")
    forge_emulator.grant(REPO, "alice", "write")
    pr = forge.open_pull_request(draft_branch(forge_emulator), "main", "basens v1", "", draft=False)
    assert forge.list_approvals(pr.number) == []
    forge_emulator.approve(REPO, pr.number, "alice")
    approvals = forge.list_approvals(pr.number)
    assert [(a.author.login, a.state) for a in approvals] == [("alice", "approved")]


def test_file_content_at_a_ref(forge_emulator: Emulator, forge: Forge) -> None:
    forge_emulator.commit_files(REPO, "main", {"catalog/OWNERS": "approvers:\n- alice\n"}, "owner")
    assert forge.get_file("catalog/OWNERS", "main") == b"approvers:\n- alice\n"
    assert forge.get_file("catalog/missing", "main") is None
    assert forge.get_file("README.md", "main") == b"deployments\n"


def test_a_file_over_a_mebibyte(forge_emulator: Emulator, forge: Forge) -> None:
    big = bytes(range(256)) * 5000  # 1.28 MB, not text
    forge_emulator.commit_files(REPO, "main", {"blobs/big.bin": big}, "owner")
    assert forge.get_file("blobs/big.bin", "main") == big
    if forge_emulator.kind == "github":  # the contents API leaves files over 1 MiB to the blobs API
        assert any((e.route or "").endswith("/git/blobs/{sha}") for e in forge_emulator.exchanges)
