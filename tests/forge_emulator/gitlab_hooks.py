"""GitLab webhook payloads built from emulator events, in the shapes of GitLab's documented deliveries."""

from __future__ import annotations

from typing import Any

from .gitlab_shapes import Shapes
from .gitops import ZERO_SHA
from .model import Event, Pull, Repo, User
from .store import Store

# Neutral pull-request actions to GitLab's object_attributes.action.
MR_ACTIONS = {"opened": "open", "reopened": "reopen", "close": "close", "merged": "merge",
              "ready_for_review": "update", "converted_to_draft": "update", "edited": "update",
              "synchronize": "update"}


class GitLabHooks:
    def __init__(self, store: Store, shapes: Shapes) -> None:
        self.store = store
        self.shapes = shapes

    def payloads(self, event: Event) -> list[tuple[str, dict[str, Any]]]:
        if event.kind == "push" and event.ref is not None:
            kind = "tag_push" if event.ref.startswith("refs/tags/") else "push"
            return [(kind, self.push(event, kind))]
        if event.kind == "pull_request" and event.pull is not None:
            action = event.action
            if action == "closed":
                action = "merged" if event.pull.merged else "close"
            return [("merge_request", self.merge_request(event, MR_ACTIONS.get(action, "update")))]
        if event.kind == "review" and event.review is not None and event.pull is not None:
            if event.review.state == "APPROVED":
                return [("merge_request", self.merge_request(event, "approved"))]
            return []
        if event.kind == "comment" and event.comment is not None and event.pull is not None:
            return [("note", self.note(event))]
        return []

    def user(self, user: User) -> dict[str, Any]:
        return {"id": user.id, "name": user.name, "username": user.login,
                "avatar_url": self.shapes.user(user)["avatar_url"], "email": "[REDACTED]"}

    def repository(self, repo: Repo) -> dict[str, Any]:
        project = self.shapes.hook_project(repo)
        return {"name": repo.name, "url": project["git_http_url"], "description": "",
                "homepage": project["web_url"], "git_http_url": project["git_http_url"],
                "git_ssh_url": project["git_ssh_url"], "visibility_level": 20}

    def last_commit(self, repo: Repo, sha: str) -> dict[str, Any]:
        info = repo.bare.commit_info(sha)
        return {"id": sha, "message": info.message, "title": info.message.splitlines()[0],
                "timestamp": info.timestamp, "url": f"{self.shapes.html}/{repo.full_name}/-/commit/{sha}",
                "author": {"name": info.author.name, "email": info.author.email}}

    def mr_attributes(self, pull: Pull) -> dict[str, Any]:
        rest = self.shapes.merge_request(pull, self.store.mergeable(pull))
        project = self.shapes.hook_project(pull.repo)
        return {
            "id": pull.id, "iid": pull.number, "target_branch": pull.base_branch,
            "source_branch": pull.head_branch, "source_project_id": pull.repo.id, "author_id": pull.author.id,
            "assignee_ids": [], "assignee_id": None, "reviewer_ids": [], "title": rest["title"],
            "created_at": pull.created_at, "updated_at": pull.updated_at, "last_edited_at": None,
            "last_edited_by_id": None, "milestone_id": None, "state_id": {"opened": 1, "closed": 2, "merged": 3}[rest["state"]],
            "state": rest["state"], "blocking_discussions_resolved": True, "work_in_progress": pull.draft,
            "draft": pull.draft, "first_contribution": False, "merge_status": rest["merge_status"],
            "target_project_id": pull.repo.id, "description": pull.body, "prepared_at": pull.created_at,
            "total_time_spent": 0, "time_change": 0, "human_total_time_spent": None, "human_time_change": None,
            "human_time_estimate": None, "url": rest["web_url"], "source": project, "target": project,
            "last_commit": self.last_commit(pull.repo, pull.head_sha), "labels": [],
            "detailed_merge_status": rest["detailed_merge_status"], "merge_commit_sha": pull.merge_commit_sha,
            "head_pipeline_id": None,
        }

    def merge_request(self, event: Event, action: str) -> dict[str, Any]:
        assert event.pull is not None
        attributes = {**self.mr_attributes(event.pull), "action": action}
        if event.action == "synchronize":
            attributes["oldrev"] = event.before
        changes: dict[str, Any] = {}
        if event.action in ("ready_for_review", "converted_to_draft"):
            draft = event.action == "converted_to_draft"
            title = self.shapes.title(event.pull)
            old_title = title.removeprefix("Draft: ") if draft else f"Draft: {title}"
            changes = {"draft": {"previous": not draft, "current": draft},
                       "title": {"previous": old_title, "current": title}}
        elif "title" in event.changes:
            changes = {"title": {"previous": event.changes["title"]["from"], "current": event.pull.title}}
        elif "body" in event.changes:
            changes = {"description": {"previous": event.changes["body"]["from"], "current": event.pull.body}}
        return {
            "object_kind": "merge_request", "event_type": "merge_request", "user": self.user(event.sender),
            "project": self.shapes.hook_project(event.repo), "repository": self.repository(event.repo),
            "object_attributes": attributes, "labels": [], "changes": changes, "assignees": [], "reviewers": [],
        }

    def note(self, event: Event) -> dict[str, Any]:
        assert event.comment is not None and event.pull is not None
        comment, pull = event.comment, event.pull
        mr = self.mr_attributes(pull)
        return {
            "object_kind": "note", "event_type": "note", "user": self.user(event.sender),
            "project_id": event.repo.id, "project": self.shapes.hook_project(event.repo),
            "repository": self.repository(event.repo),
            "object_attributes": {
                "id": comment.id, "note": comment.body, "noteable_type": "MergeRequest",
                "author_id": comment.author.id, "created_at": comment.created_at,
                "updated_at": comment.updated_at, "project_id": event.repo.id, "attachment": None,
                "line_code": None, "commit_id": "", "noteable_id": pull.id, "system": False, "st_diff": None,
                "action": "create" if event.action == "created" else "update", "type": None,
                "discussion_id": f"{comment.id:040x}",
                "url": f"{mr['url']}#note_{comment.id}",
            },
            "merge_request": mr,
        }

    def push(self, event: Event, kind: str) -> dict[str, Any]:
        repo, before, after = event.repo, event.before or ZERO_SHA, event.after or ZERO_SHA
        commits = []
        if kind == "push" and after != ZERO_SHA:
            for sha in repo.bare.commits_between(before, after, ref=event.ref):
                info = repo.bare.commit_info(sha)
                commits.append({**self.last_commit(repo, sha), "added": list(info.added),
                                "modified": list(info.modified), "removed": list(info.removed)})
        checkout = repo.bare.resolve(after) if after != ZERO_SHA else None
        return {
            "object_kind": kind, "event_name": kind, "before": before, "after": after, "ref": event.ref,
            "ref_protected": event.ref == f"refs/heads/{repo.default_branch}", "checkout_sha": checkout,
            "message": None, "user_id": event.sender.id, "user_name": event.sender.name,
            "user_username": event.sender.login, "user_email": "", "user_avatar": self.user(event.sender)["avatar_url"],
            "project_id": repo.id, "project": self.shapes.hook_project(repo), "commits": commits,
            "total_commits_count": len(commits), "push_options": {}, "repository": self.repository(repo),
        }
