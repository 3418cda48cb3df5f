"""A GitHub delivery (X-GitHub-Event + JSON body) → one forge-neutral event, or the reason it is ignored.

Pure: dicts in, frozen dataclasses out. Fields the bot routes and serialises on are required (a delivery
without them is refused at the edge); the rest are hints, because handlers read the live PR, branch and
statuses from the forge before they act.
"""

from __future__ import annotations

from typing import Any

from bot.forges.models import (
    Comment,
    CommentEvent,
    Event,
    PullAction,
    PullRequest,
    PullRequestEvent,
    PushEvent,
    RepoRef,
    User,
)
from bot.web.payload import Ignored, need_dict, need_number, need_text, number, optional_dict, text

ACTED_ON = frozenset({"push", "pull_request", "issue_comment", "pull_request_review"})
_PULL_ACTIONS: dict[str, PullAction] = {
    "opened": "opened", "reopened": "reopened", "ready_for_review": "ready_for_review",
    "converted_to_draft": "converted_to_draft", "synchronize": "synchronize", "edited": "edited"}


def _user(data: Any) -> User:
    if not isinstance(data, dict):
        return User(login="ghost")
    return User(login=text(data.get("login")) or "ghost", id=number(data.get("id")), is_bot=data.get("type") == "Bot")


def _repo(payload: dict[str, Any]) -> RepoRef:
    repo = need_dict(payload, "repository")
    return RepoRef(forge="github", full_name=need_text(repo, "full_name", "repository"),
                   clone_url=text(repo.get("clone_url")), default_branch=text(repo.get("default_branch")) or "main",
                   id=number(repo.get("id")))


def _pull(payload: dict[str, Any]) -> PullRequest:
    data = need_dict(payload, "pull_request")
    head, base = need_dict(data, "head", "pull_request"), optional_dict(data, "base")
    merged = bool(data.get("merged"))
    state = "merged" if merged else ("open" if data.get("state") == "open" else "closed")
    return PullRequest(
        number=need_number(data, "number", "pull_request"), title=text(data.get("title")), body=text(data.get("body")),
        state=state, draft=bool(data.get("draft")), head_branch=text(head.get("ref")),  # type: ignore[arg-type]
        head_sha=text(head.get("sha")), base_branch=text(base.get("ref")), author=_user(data.get("user")),
        url=text(data.get("html_url")), merge_commit_sha=text(data.get("merge_commit_sha")) if merged else None,
        merged_by=_user(data.get("merged_by")) if merged and data.get("merged_by") else None)


def _comment_event(payload: dict[str, Any], repo: RepoRef, sender: User, delivery: str | None) -> Event | Ignored:
    issue = need_dict(payload, "issue")
    pull_number = need_number(issue, "number", "issue")
    data = need_dict(payload, "comment")
    comment = Comment(id=number(data.get("id")) or 0, body=need_text(data, "body", "comment"),
                      author=_user(data.get("user")), created_at=text(data.get("created_at")),
                      url=text(data.get("html_url")) or None)
    if not isinstance(issue.get("pull_request"), dict):
        return Ignored("comment is on an issue, not a pull request")
    raw = text(payload.get("action"))
    action = raw if raw in ("created", "edited", "deleted") else "created"
    return CommentEvent(repo=repo, pull_number=pull_number, comment=comment, sender=sender,
                        action=action, delivery_id=delivery)  # type: ignore[arg-type]


def parse_github(event: str, payload: dict[str, Any], delivery: str | None = None) -> Event | Ignored:
    if event not in ACTED_ON:
        return Ignored(f"event {event!r} is not acted on")
    repo = _repo(payload)
    sender = _user(payload.get("sender"))
    if event == "push":
        return PushEvent(repo=repo, ref=need_text(payload, "ref"), before=text(payload.get("before")),
                         after=need_text(payload, "after"), pusher=sender, delivery_id=delivery)
    if event == "pull_request":
        pull = _pull(payload)
        raw = text(payload.get("action"))
        action: PullAction = ("merged" if pull.merged else "closed") if raw == "closed" else \
            _PULL_ACTIONS.get(raw, "other")
        return PullRequestEvent(repo=repo, action=action, pull_request=pull, sender=sender, delivery_id=delivery)
    if event == "pull_request_review":
        pull = _pull(payload)
        approved = text(optional_dict(payload, "review").get("state")).lower() == "approved"
        return PullRequestEvent(repo=repo, action="approved" if approved else "other", pull_request=pull,
                                sender=sender, delivery_id=delivery)
    return _comment_event(payload, repo, sender, delivery)
