"""A GitLab delivery (X-Gitlab-Event + JSON body) → one forge-neutral event, or the reason it is ignored.

Pure, like ``github_events``. A repository is named by ``project.path_with_namespace`` (what
`repo register` records and every real delivery carries), never by the numeric ``project.id``; system
notes ("added 1 commit", "approved this merge request") are GitLab's own, not a person's commands.
"""

from __future__ import annotations

from typing import Any

from bot.forges.models import (
    GITLAB_DRAFT_TITLE,
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

ACTED_ON = frozenset({"Push Hook", "Tag Push Hook", "Merge Request Hook", "Note Hook"})
_MR_ACTIONS: dict[str, PullAction] = {
    "open": "opened", "reopen": "reopened", "close": "closed", "merge": "merged", "approved": "approved"}


def _user(data: Any) -> User:
    if not isinstance(data, dict):
        return User(login="ghost")
    return User(login=text(data.get("username")) or "ghost", id=number(data.get("id")),
                name=text(data.get("name")) or None, is_bot=bool(data.get("bot")))


def _repo(payload: dict[str, Any]) -> RepoRef:
    project = need_dict(payload, "project")
    return RepoRef(forge="gitlab", full_name=need_text(project, "path_with_namespace", "project"),
                   clone_url=text(project.get("git_http_url") or project.get("http_url")),
                   default_branch=text(project.get("default_branch")) or "main", id=number(project.get("id")))


def _merge_request(attributes: dict[str, Any], fallback_author: User) -> PullRequest:
    # The hook names the author by id only; the sender stands in, and handlers that care (approval
    # policy) read the merge request from the forge anyway.
    state = {"opened": "open", "merged": "merged"}.get(text(attributes.get("state")), "closed")
    title = text(attributes.get("title"))
    draft = bool(attributes.get("draft") or attributes.get("work_in_progress") or GITLAB_DRAFT_TITLE.match(title))
    return PullRequest(
        number=need_number(attributes, "iid", "object_attributes"), title=GITLAB_DRAFT_TITLE.sub("", title),
        body=text(attributes.get("description")), state=state, draft=draft,  # type: ignore[arg-type]
        head_branch=text(attributes.get("source_branch")),
        head_sha=text(optional_dict(attributes, "last_commit").get("id")),
        base_branch=text(attributes.get("target_branch")), author=fallback_author, url=text(attributes.get("url")),
        is_fork=attributes.get("source_project_id") != attributes.get("target_project_id"),
        merge_commit_sha=(text(attributes.get("merge_commit_sha")) or None) if state == "merged" else None)


def _action(attributes: dict[str, Any], changes: dict[str, Any]) -> PullAction:
    raw = text(attributes.get("action"))
    if raw in _MR_ACTIONS:
        return _MR_ACTIONS[raw]
    draft_change = changes.get("draft")
    if isinstance(draft_change, dict) and "current" in draft_change:
        return "converted_to_draft" if draft_change["current"] else "ready_for_review"
    if raw == "update":
        return "synchronize" if attributes.get("oldrev") else "edited"
    return "other"


def _note_event(payload: dict[str, Any], attributes: dict[str, Any], repo: RepoRef, sender: User,
                delivery: str | None) -> Event | Ignored:
    if attributes.get("noteable_type") != "MergeRequest":
        return Ignored("note is not on a merge request")
    if attributes.get("system"):
        return Ignored("system note (GitLab's own, not a person's)")
    merge_request = need_dict(payload, "merge_request")
    comment = Comment(id=number(attributes.get("id")) or 0, body=need_text(attributes, "note", "object_attributes"),
                      author=sender, created_at=text(attributes.get("created_at")),
                      url=text(attributes.get("url")) or None)
    action = "edited" if attributes.get("action") == "update" else "created"
    return CommentEvent(repo=repo, pull_number=need_number(merge_request, "iid", "merge_request"), comment=comment,
                        sender=sender, action=action, delivery_id=delivery)  # type: ignore[arg-type]


def parse_gitlab(event: str, payload: dict[str, Any], delivery: str | None = None) -> Event | Ignored:
    if event not in ACTED_ON:
        return Ignored(f"event {event!r} is not acted on")
    repo = _repo(payload)
    if event in ("Push Hook", "Tag Push Hook"):  # a tag push is a release when it is <pkgpath>/v<N>
        pusher = User(login=text(payload.get("user_username")) or "ghost", id=number(payload.get("user_id")),
                      name=text(payload.get("user_name")) or None)
        return PushEvent(repo=repo, ref=need_text(payload, "ref"), before=text(payload.get("before")),
                         after=need_text(payload, "after"), pusher=pusher, delivery_id=delivery)
    sender = _user(payload.get("user"))
    attributes = need_dict(payload, "object_attributes")
    if event == "Merge Request Hook":
        return PullRequestEvent(repo=repo, action=_action(attributes, optional_dict(payload, "changes")),
                                pull_request=_merge_request(attributes, sender), sender=sender, delivery_id=delivery)
    return _note_event(payload, attributes, repo, sender, delivery)
