"""GitHub webhook payloads built from emulator events, in the shapes of GitHub's published deliveries."""

from __future__ import annotations

from typing import Any

from .github_shapes import Shapes
from .gitops import ZERO_SHA
from .model import Event, Pull
from .store import Store


class GitHubHooks:
    def __init__(self, store: Store, shapes: Shapes) -> None:
        self.store = store
        self.shapes = shapes

    def payloads(self, event: Event) -> list[tuple[str, dict[str, Any]]]:
        """(X-GitHub-Event, body) pairs for one emulator event."""
        base = {"repository": self.shapes.repository(event.repo), "sender": self.shapes.user(event.sender)}
        app = next((a for a in self.store.apps.values() if event.repo.full_name in a.repos), None)
        if app is not None:
            base["installation"] = {"id": app.installation_id, "node_id": f"MDIzOkludGVncmF0aW9u{app.installation_id}"}
        if event.kind == "push":
            return [("push", {**self.push(event), **base}), *self.create_or_delete(event, base)]
        if event.kind == "pull_request" and event.pull is not None:
            body: dict[str, Any] = {"action": event.action, "number": event.pull.number,
                                    "pull_request": self.pull(event.pull)}
            if event.action == "synchronize":
                body.update(before=event.before, after=event.after)
            if event.changes:
                body["changes"] = event.changes
            return [("pull_request", {**body, **base})]
        if event.kind == "comment" and event.comment is not None and event.pull is not None:
            body = {"action": event.action, "issue": self.issue(event.pull),
                    "comment": self.shapes.issue_comment(event.comment)}
            if event.changes:
                body["changes"] = event.changes
            return [("issue_comment", {**body, **base})]
        if event.kind == "review" and event.review is not None and event.pull is not None:
            review = self.shapes.review(event.pull, event.review)
            review["state"] = review["state"].lower()  # webhooks spell review states in lower case
            return [("pull_request_review", {"action": event.action, "review": review,
                                             "pull_request": self.pull(event.pull), **base})]
        return []

    def create_or_delete(self, event: Event, base: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """GitHub sends `create` / `delete` besides `push` when a branch or tag appears or goes."""
        ref = event.ref or ""
        ref_type = "tag" if ref.startswith("refs/tags/") else "branch"
        short = ref.removeprefix("refs/tags/").removeprefix("refs/heads/")
        if event.before == ZERO_SHA:
            return [("create", {"ref": short, "ref_type": ref_type, "master_branch": event.repo.default_branch,
                                "description": None, "pusher_type": "user", **base})]
        if event.after == ZERO_SHA:
            return [("delete", {"ref": short, "ref_type": ref_type, "pusher_type": "user", **base})]
        return []

    def pull(self, pull: Pull) -> dict[str, Any]:
        return self.shapes.pull_request(pull, self.store.mergeable(pull))

    def issue(self, pull: Pull) -> dict[str, Any]:
        count = sum(1 for c in self.store.comments.values() if c.repo is pull.repo and c.number == pull.number)
        return self.shapes.issue(pull, count)

    def push(self, event: Event) -> dict[str, Any]:
        repo, before, after = event.repo, event.before or ZERO_SHA, event.after or ZERO_SHA
        commits = []
        if after != ZERO_SHA and repo.bare.object_type(after) == "commit":
            for sha in repo.bare.commits_between(before, after, ref=event.ref):
                commits.append(self.commit(event, sha))
        head = self.commit(event, repo.bare.resolve(after) or after) if after != ZERO_SHA else None
        return {
            "ref": event.ref, "before": before, "after": after,
            "created": before == ZERO_SHA, "deleted": after == ZERO_SHA, "forced": False, "base_ref": None,
            "compare": f"{self.shapes.html}/{repo.full_name}/compare/{before[:12]}...{after[:12]}",
            "commits": commits, "head_commit": head,
            "pusher": {"name": event.sender.login, "email": event.sender.email},
        }

    def commit(self, event: Event, sha: str) -> dict[str, Any]:
        info = event.repo.bare.commit_info(sha)
        return {
            "id": info.sha, "tree_id": event.repo.bare.git("rev-parse", f"{sha}^{{tree}}").strip(),
            "distinct": True, "message": info.message.rstrip("\n"), "timestamp": info.timestamp,
            "url": f"{self.shapes.html}/{event.repo.full_name}/commit/{sha}",
            "author": {"name": info.author.name, "email": info.author.email,
                       "username": info.author.email.split("@")[0]},
            "committer": {"name": info.committer.name, "email": info.committer.email,
                          "username": info.committer.email.split("@")[0]},
            "added": list(info.added), "removed": list(info.removed), "modified": list(info.modified),
        }
