"""Raw webhook payloads → neutral events, parsed once at the edge: our own small payloads per case, every
real fixture parsed, and every event surviving the trip through a stored job (JSON) unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.errors import InvalidInput
from bot.forges.models import CommentEvent, Event, PullRequestEvent, PushEvent, event_from_json, event_to_json
from bot.web.intake import read_delivery
from tests.conftest import shared_path

GH_REPO = {"full_name": "acme/deployments", "clone_url": "https://github.com/acme/deployments.git",
           "default_branch": "main", "id": 7}
GL_PROJECT = {"id": 9, "path_with_namespace": "acme/deployments", "default_branch": "main",
              "git_http_url": "https://gitlab.com/acme/deployments.git"}


def gh_pull(**over: Any) -> dict[str, Any]:
    pull = {"number": 4, "title": "istions: v1", "body": "", "state": "open", "draft": True, "merged": False,
            "head": {"ref": "drafts/istions/v1", "sha": "a" * 40}, "base": {"ref": "main", "sha": "b" * 40},
            "user": {"login": "dev", "id": 2, "type": "User"}, "html_url": "https://github.com/acme/deployments/pull/4"}
    pull.update(over)
    return pull


def gl_mr(**over: Any) -> dict[str, Any]:
    mr = {"iid": 4, "title": "Draft: istions: v1", "state": "opened", "draft": True, "source_branch": "drafts/istions/v1",
          "target_branch": "main", "source_project_id": 9, "target_project_id": 9, "action": "open",
          "last_commit": {"id": "a" * 40}, "url": "https://gitlab.com/acme/deployments/-/merge_requests/4"}
    mr.update(over)
    return mr


CASES = [
    pytest.param("github", "push", {"ref": "refs/heads/drafts/istions/v1", "before": "0" * 40, "after": "c" * 40,
                                    "repository": GH_REPO, "sender": {"login": "dev"}},
                 PushEvent, "created draft branch", id="github-push-created"),
    pytest.param("github", "pull_request", {"action": "closed", "pull_request": gh_pull(
        state="closed", merged=True, merge_commit_sha="d" * 40, merged_by={"login": "alice"}),
        "repository": GH_REPO, "sender": {"login": "alice"}}, PullRequestEvent, "merged", id="github-merged"),
    pytest.param("github", "pull_request", {"action": "closed", "pull_request": gh_pull(state="closed"),
                                            "repository": GH_REPO, "sender": {"login": "dev"}},
                 PullRequestEvent, "closed", id="github-closed-unmerged"),
    pytest.param("github", "pull_request", {"action": "ready_for_review", "pull_request": gh_pull(draft=False),
                                            "repository": GH_REPO, "sender": {"login": "dev"}},
                 PullRequestEvent, "ready_for_review", id="github-ready"),
    pytest.param("github", "issue_comment", {"action": "created", "issue": {"number": 4, "pull_request": {}},
                                             "comment": {"id": 11, "body": "/approve", "user": {"login": "alice"},
                                                         "created_at": "2026-01-01T00:00:00Z"},
                                             "repository": GH_REPO, "sender": {"login": "alice"}},
                 CommentEvent, "created", id="github-pr-comment"),
    pytest.param("gitlab", "Merge Request Hook", {"object_kind": "merge_request", "project": GL_PROJECT,
                                                  "user": {"username": "dev"}, "object_attributes": gl_mr(
                                                      action="update", draft=False, title="istions: v1"),
                                                  "changes": {"draft": {"previous": True, "current": False}}},
                 PullRequestEvent, "ready_for_review", id="gitlab-draft-removed"),
    pytest.param("gitlab", "Merge Request Hook", {"object_kind": "merge_request", "project": GL_PROJECT,
                                                  "user": {"username": "dev"}, "object_attributes": gl_mr(
                                                      action="update"),
                                                  "changes": {"draft": {"previous": False, "current": True}}},
                 PullRequestEvent, "converted_to_draft", id="gitlab-draft-added"),
    pytest.param("gitlab", "Merge Request Hook", {"object_kind": "merge_request", "project": GL_PROJECT,
                                                  "user": {"username": "alice"}, "object_attributes": gl_mr(
                                                      action="merge", state="merged", merge_commit_sha="d" * 40)},
                 PullRequestEvent, "merged", id="gitlab-merged"),
    pytest.param("gitlab", "Note Hook", {"object_kind": "note", "project": GL_PROJECT, "user": {"username": "alice"},
                                         "object_attributes": {"id": 5, "note": "/approve", "noteable_type":
                                                               "MergeRequest", "created_at": "2026-01-01 00:00:00 UTC"},
                                         "merge_request": {"iid": 4}}, CommentEvent, "created", id="gitlab-note"),
    pytest.param("gitlab", "Push Hook", {"object_kind": "push", "project": GL_PROJECT, "ref": "refs/heads/main",
                                         "before": "a" * 40, "after": "0" * 40, "user_username": "dev"},
                 PushEvent, "deleted", id="gitlab-push-deleted"),
    pytest.param("gitlab", "Tag Push Hook", {"object_kind": "tag_push", "project": GL_PROJECT,
                                             "ref": "refs/tags/basens/v2", "before": "0" * 40, "after": "e" * 40,
                                             "user_username": "alice"},
                 PushEvent, "created", id="gitlab-tag-push"),
]


def stored_and_rebuilt(event: Event) -> Event:
    """What the worker gets back from the job the edge stored."""
    return event_from_json(json.loads(json.dumps(event_to_json(event))))


@pytest.mark.parametrize(("forge", "header", "payload", "kind", "expected"), CASES)
def test_parse(forge: str, header: str, payload: dict[str, Any], kind: type, expected: str) -> None:
    intake = read_delivery(forge, header, payload, "d-1")
    event = intake.event
    assert event is not None and isinstance(event, kind)
    assert event.repo.full_name == "acme/deployments" and event.delivery_id == "d-1"
    assert intake.key.startswith(f"{forge}:acme/deployments:")
    assert stored_and_rebuilt(event) == event
    if isinstance(event, PullRequestEvent):
        assert event.action == expected
        assert event.pull_request.head_branch == "drafts/istions/v1" and event.pull_request.number == 4
        if expected == "merged":
            assert event.pull_request.merge_commit_sha == "d" * 40
    elif isinstance(event, CommentEvent):
        assert (event.pull_number, event.comment.body, event.comment.author.login) == (4, "/approve", "alice")
    elif isinstance(event, PushEvent):
        assert event.created if expected.startswith("created") else event.deleted


def test_comment_on_plain_issue_is_ignored() -> None:
    payload = {"action": "created", "issue": {"number": 1}, "comment": {"id": 1, "body": "/approve"},
               "repository": GH_REPO}
    intake = read_delivery("github", "issue_comment", payload)
    assert intake.event is None and "not a pull request" in intake.reason


def test_a_gitlab_repository_is_its_path_never_its_numeric_id() -> None:
    push = {"object_kind": "push", "ref": "refs/heads/drafts/istions/v1", "before": "0" * 40, "after": "c" * 40}
    intake = read_delivery("gitlab", "Push Hook", {**push, "project": GL_PROJECT})
    assert intake.key == "gitlab:acme/deployments:ref:refs/heads/drafts/istions/v1"
    with pytest.raises(InvalidInput, match=r"no `project\.path_with_namespace`"):
        read_delivery("gitlab", "Push Hook", {**push, "project": {"id": 9}})


def test_gitlab_system_notes_are_ignored_at_the_edge() -> None:
    note = {"object_kind": "note", "project": GL_PROJECT, "user": {"username": "alice"}, "merge_request": {"iid": 4},
            "object_attributes": {"id": 5, "note": "approved this merge request", "noteable_type": "MergeRequest",
                                  "system": True}}
    intake = read_delivery("gitlab", "Note Hook", note)
    assert intake.event is None and "system note" in intake.reason


@pytest.mark.parametrize(("stored", "says"), [
    ({"forge": "github", "event": "push", "payload": {}}, "not a stored event"),
    ({"kind": "push", "event": {"ref": "refs/heads/main"}}, "missing"),
    ({"kind": "comment", "event": {"repo": "acme/deployments"}}, "RepoRef is not an object"),
])
def test_a_stored_event_that_is_not_one_is_refused(stored: dict[str, Any], says: str) -> None:
    with pytest.raises(InvalidInput, match=says):
        event_from_json(stored)


def _fixtures(forge: str) -> list[tuple[Path, str]]:
    root = shared_path("fixtures", forge)
    found: list[tuple[Path, str]] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / "manifest.json").exists()):
        for entry in json.loads((folder / "manifest.json").read_text()):
            header = entry.get("x_gitlab_event") or entry.get("event") or entry.get("x_github_event")
            found.append((folder / entry["file"], str(header)))
    return found


@pytest.mark.parametrize("forge", ["github", "gitlab"])
def test_every_real_fixture_the_edge_accepts_parses(forge: str) -> None:
    """Contract: a real delivery is refused (400), ignored with a reason, or one typed event that a
    stored job carries to the worker unchanged; GitLab's repository is the project's path."""
    parsed = 0
    for path, header in _fixtures(forge):
        payload = json.loads(path.read_text())
        try:
            intake = read_delivery(forge, header, payload)
        except InvalidInput:  # the edge refuses it with 400
            continue
        if intake.event is None:
            assert intake.reason, path.name
            continue
        parsed += 1
        expected = payload["repository"]["full_name"] if forge == "github" else \
            payload["project"]["path_with_namespace"]
        assert intake.event.repo.full_name == expected, path.name
        assert stored_and_rebuilt(intake.event) == intake.event, path.name
    assert parsed > 5
