"""Raw GitHub / GitLab webhook payloads → the forge-neutral event models. Pure: dicts in, dataclasses out.

Only what routing needs is read: handlers re-read the live state (branch head, PR, statuses) from the
forge before they act, so an event here is a hint ("look at this draft again"), never the truth.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import InvalidInput
from bot.forges.models import (
    Comment,
    CommentEvent,
    ForgeKind,
    PullAction,
    PullRequest,
    PullRequestEvent,
    PushEvent,
    RepoRef,
    User,
)

Event = PushEvent | PullRequestEvent | CommentEvent
_GITLAB_DRAFT = re.compile(r"^\s*(\[draft\]|\(draft\)|draft:|draft\s|\[wip\]|wip:)\s*", re.IGNORECASE)
_GITHUB_PULL_ACTIONS: dict[str, PullAction] = {
    "opened": "opened", "reopened": "reopened", "ready_for_review": "ready_for_review",
    "converted_to_draft": "converted_to_draft", "synchronize": "synchronize", "edited": "edited"}
_GITLAB_MR_ACTIONS: dict[str, PullAction] = {
    "open": "opened", "reopen": "reopened", "close": "closed", "merge": "merged", "approved": "approved"}


def _dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"payload has no object `{what}`")
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _github_user(data: Any) -> User:
    if not isinstance(data, dict):
        return User(login="ghost")
    login = _text(data.get("login")) or "ghost"
    return User(login=login, id=data.get("id"), is_bot=data.get("type") == "Bot")


def _gitlab_user(data: Any) -> User:
    if not isinstance(data, dict):
        return User(login="ghost")
    login = _text(data.get("username")) or "ghost"
    return User(login=login, id=data.get("id"), name=data.get("name"), is_bot=bool(data.get("bot")))


def _github_repo(payload: dict[str, Any]) -> RepoRef:
    repo = _dict(payload.get("repository"), "repository")
    return RepoRef(forge="github", full_name=_text(repo.get("full_name")), clone_url=_text(repo.get("clone_url")),
                   default_branch=_text(repo.get("default_branch")) or "main", id=repo.get("id"))


def _gitlab_repo(payload: dict[str, Any]) -> RepoRef:
    project = _dict(payload.get("project"), "project")
    return RepoRef(forge="gitlab", full_name=_text(project.get("path_with_namespace")),
                   clone_url=_text(project.get("git_http_url") or project.get("http_url")),
                   default_branch=_text(project.get("default_branch")) or "main", id=project.get("id"))


def _github_pull(data: dict[str, Any]) -> PullRequest:
    head, base = _dict(data.get("head"), "pull_request.head"), _dict(data.get("base"), "pull_request.base")
    merged = bool(data.get("merged"))
    state = "merged" if merged else ("open" if data.get("state") == "open" else "closed")
    return PullRequest(
        number=int(data.get("number") or 0), title=_text(data.get("title")), body=_text(data.get("body")),
        state=state, draft=bool(data.get("draft")), head_branch=_text(head.get("ref")),  # type: ignore[arg-type]
        head_sha=_text(head.get("sha")), base_branch=_text(base.get("ref")), author=_github_user(data.get("user")),
        url=_text(data.get("html_url")), merge_commit_sha=_text(data.get("merge_commit_sha")) if merged else None,
        merged_by=_github_user(data.get("merged_by")) if merged and data.get("merged_by") else None)


def parse_github(event: str, payload: dict[str, Any], delivery: str | None = None) -> Event | None:
    """A GitHub delivery as a neutral event; None for events and actions the bot does not act on."""
    repo = _github_repo(payload)
    sender = _github_user(payload.get("sender"))
    if event == "push":
        return PushEvent(repo=repo, ref=_text(payload.get("ref")), before=_text(payload.get("before")),
                         after=_text(payload.get("after")), pusher=sender, delivery_id=delivery)
    if event == "pull_request":
        pull = _github_pull(_dict(payload.get("pull_request"), "pull_request"))
        raw_action = _text(payload.get("action"))
        action: PullAction = ("merged" if pull.merged else "closed") if raw_action == "closed" else \
            _GITHUB_PULL_ACTIONS.get(raw_action, "other")
        return PullRequestEvent(repo=repo, action=action, pull_request=pull, sender=sender, delivery_id=delivery)
    if event == "pull_request_review":
        pull = _github_pull(_dict(payload.get("pull_request"), "pull_request"))
        review = _dict(payload.get("review"), "review")
        action = "approved" if _text(review.get("state")).lower() == "approved" else "other"
        return PullRequestEvent(repo=repo, action=action, pull_request=pull, sender=sender, delivery_id=delivery)
    if event == "issue_comment":
        issue = _dict(payload.get("issue"), "issue")
        if not isinstance(issue.get("pull_request"), dict):
            return None  # a comment on a plain issue
        data = _dict(payload.get("comment"), "comment")
        comment = Comment(id=int(data.get("id") or 0), body=_text(data.get("body")),
                          author=_github_user(data.get("user")), created_at=_text(data.get("created_at")),
                          url=data.get("html_url"))
        raw = _text(payload.get("action"))
        comment_action = raw if raw in ("created", "edited", "deleted") else "created"
        return CommentEvent(repo=repo, pull_number=int(issue.get("number") or 0), comment=comment, sender=sender,
                            action=comment_action, delivery_id=delivery)  # type: ignore[arg-type]
    return None


def _gitlab_mr(attributes: dict[str, Any], fallback_author: User) -> PullRequest:
    # The hook names the author by id only; the sender stands in, and handlers that care (approval
    # policy) read the merge request from the forge anyway.
    raw_state = _text(attributes.get("state"))
    state = {"opened": "open", "merged": "merged"}.get(raw_state, "closed")
    title = _text(attributes.get("title"))
    last_commit = attributes.get("last_commit") if isinstance(attributes.get("last_commit"), dict) else {}
    draft = bool(attributes.get("draft") or attributes.get("work_in_progress") or _GITLAB_DRAFT.match(title))
    return PullRequest(
        number=int(attributes.get("iid") or 0), title=_GITLAB_DRAFT.sub("", title),
        body=_text(attributes.get("description")), state=state, draft=draft,  # type: ignore[arg-type]
        head_branch=_text(attributes.get("source_branch")), head_sha=_text((last_commit or {}).get("id")),
        base_branch=_text(attributes.get("target_branch")), author=fallback_author, url=_text(attributes.get("url")),
        is_fork=attributes.get("source_project_id") != attributes.get("target_project_id"),
        merge_commit_sha=_text(attributes.get("merge_commit_sha")) or None if state == "merged" else None)


def _gitlab_action(attributes: dict[str, Any], changes: dict[str, Any]) -> PullAction:
    raw = _text(attributes.get("action"))
    if raw in _GITLAB_MR_ACTIONS:
        return _GITLAB_MR_ACTIONS[raw]
    draft_change = changes.get("draft")
    if isinstance(draft_change, dict) and "current" in draft_change:
        return "converted_to_draft" if draft_change["current"] else "ready_for_review"
    if raw == "update":
        return "synchronize" if attributes.get("oldrev") else "edited"
    return "other"


def parse_gitlab(event: str, payload: dict[str, Any], delivery: str | None = None) -> Event | None:
    """A GitLab delivery (X-Gitlab-Event) as a neutral event; None for what the bot does not act on."""
    repo = _gitlab_repo(payload)
    if event == "Push Hook":
        pusher = User(login=_text(payload.get("user_username")) or "ghost", id=payload.get("user_id"),
                      name=payload.get("user_name"))
        return PushEvent(repo=repo, ref=_text(payload.get("ref")), before=_text(payload.get("before")),
                         after=_text(payload.get("after")), pusher=pusher, delivery_id=delivery)
    sender = _gitlab_user(payload.get("user"))
    attributes = _dict(payload.get("object_attributes"), "object_attributes")
    if event == "Merge Request Hook":
        changes = payload.get("changes") if isinstance(payload.get("changes"), dict) else {}
        pull = _gitlab_mr(attributes, sender)
        return PullRequestEvent(repo=repo, action=_gitlab_action(attributes, changes or {}), pull_request=pull,
                                sender=sender, delivery_id=delivery)
    if event == "Note Hook":
        if attributes.get("noteable_type") != "MergeRequest" or attributes.get("system"):
            return None
        merge_request = _dict(payload.get("merge_request"), "merge_request")
        comment = Comment(id=int(attributes.get("id") or 0), body=_text(attributes.get("note")), author=sender,
                          created_at=_text(attributes.get("created_at")), url=attributes.get("url"))
        action = "edited" if attributes.get("action") == "update" else "created"
        return CommentEvent(repo=repo, pull_number=int(merge_request.get("iid") or 0), comment=comment,
                            sender=sender, action=action, delivery_id=delivery)  # type: ignore[arg-type]
    return None


def parse_event(forge: ForgeKind | str, event: str, payload: dict[str, Any],
                delivery: str | None = None) -> Event | None:
    if forge == "github":
        return parse_github(event, payload, delivery)
    if forge == "gitlab":
        return parse_gitlab(event, payload, delivery)
    raise InvalidInput(f"unknown forge {forge!r}")
