"""Forge-neutral values: what handlers and the lifecycle see of GitHub and GitLab. No library object leaks here."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from typing import Any, Literal, get_args, get_type_hints

from bot.errors import InvalidInput

ForgeKind = Literal["github", "gitlab"]
PullState = Literal["open", "closed", "merged"]
StatusState = Literal["pending", "success", "failure", "error"]
AnnotationLevel = Literal["notice", "warning", "failure"]
# GitLab marks a draft merge request by its title (older servers: WIP); its hooks and its API both say so.
GITLAB_DRAFT_TITLE = re.compile(r"^\s*(\[draft\]|\(draft\)|draft:|draft\s|\[wip\]|wip:)\s*", re.IGNORECASE)


class Permission(Enum):
    """A person's rights on a repository, weakest first (GitHub's names; GitLab access levels map onto them)."""

    NONE = 0
    READ = 1
    TRIAGE = 2
    WRITE = 3
    MAINTAIN = 4
    ADMIN = 5

    def at_least(self, other: Permission) -> bool:
        return self.value >= other.value

    @classmethod
    def from_github(cls, name: str | None) -> Permission:
        names = {"none": cls.NONE, "read": cls.READ, "pull": cls.READ, "triage": cls.TRIAGE,
                 "write": cls.WRITE, "push": cls.WRITE, "maintain": cls.MAINTAIN, "admin": cls.ADMIN}
        return names.get((name or "none").lower(), cls.NONE)

    @classmethod
    def from_gitlab(cls, access_level: int) -> Permission:
        # 10 guest, 20 reporter, 30 developer, 40 maintainer, 50 owner
        if access_level >= 50:
            return cls.ADMIN
        if access_level >= 40:
            return cls.MAINTAIN
        if access_level >= 30:
            return cls.WRITE
        if access_level >= 10:
            return cls.READ
        return cls.NONE


def iso_utc(value: datetime | str | None) -> str:
    """One timestamp format for both forges: `2024-05-01T12:00:00Z` (GitLab adds milliseconds, PyGithub
    hands out datetimes); an unparsable string is passed through rather than lost."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class User:
    login: str
    id: int | None = None
    name: str | None = None
    email: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class PullRequest:
    """A GitHub pull request or a GitLab merge request; `number` is the PR number / the MR iid."""

    number: int
    title: str
    body: str
    state: PullState
    draft: bool
    head_branch: str
    head_sha: str
    base_branch: str
    author: User
    url: str
    is_fork: bool = False
    mergeable: bool | None = None
    merge_commit_sha: str | None = None
    merged_by: User | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def merged(self) -> bool:
        return self.state == "merged"


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    author: User
    created_at: str
    url: str | None = None


@dataclass(frozen=True)
class CommitStatus:
    context: str
    state: StatusState
    description: str | None = None
    target_url: str | None = None


@dataclass(frozen=True)
class CombinedStatus:
    """The latest status per context on one commit, and their roll-up (failure > pending > success)."""

    sha: str
    state: StatusState
    statuses: tuple[CommitStatus, ...] = ()

    def get(self, context: str) -> CommitStatus | None:
        return next((s for s in self.statuses if s.context == context), None)


@dataclass(frozen=True)
class Annotation:
    """A finding at a file and line, shown on GitHub as a check-run annotation."""

    path: str
    start_line: int
    message: str
    level: AnnotationLevel = "failure"
    end_line: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Review:
    """An approval (GitHub review APPROVED, GitLab MR approval) or another review verdict."""

    author: User
    state: Literal["approved", "changes_requested", "commented", "dismissed"]
    commit_sha: str | None = None


@dataclass(frozen=True)
class MergeResult:
    merge_commit_sha: str


@dataclass(frozen=True)
class Tag:
    name: str
    commit_sha: str
    object_sha: str  # the annotated tag object, or the commit when the tag is lightweight


@dataclass(frozen=True)
class CheckRun:
    id: int
    url: str | None = None
    name: str | None = None
    conclusion: str | None = None


# -- webhook events, as the handlers see them ------------------------------------------------------
@dataclass(frozen=True)
class RepoRef:
    forge: ForgeKind
    full_name: str  # owner/name, or the GitLab path_with_namespace
    clone_url: str
    default_branch: str
    id: int | None = None


@dataclass(frozen=True)
class PushEvent:
    repo: RepoRef
    ref: str  # refs/heads/... or refs/tags/...
    before: str
    after: str
    pusher: User
    delivery_id: str | None = None

    @property
    def created(self) -> bool:
        return set(self.before) == {"0"}

    @property
    def deleted(self) -> bool:
        return set(self.after) == {"0"}

    @property
    def branch(self) -> str | None:
        return self.ref.removeprefix("refs/heads/") if self.ref.startswith("refs/heads/") else None


PullAction = Literal["opened", "ready_for_review", "converted_to_draft", "closed", "merged", "reopened",
                     "synchronize", "edited", "approved", "other"]


@dataclass(frozen=True)
class PullRequestEvent:
    repo: RepoRef
    action: PullAction
    pull_request: PullRequest
    sender: User
    delivery_id: str | None = None


@dataclass(frozen=True)
class CommentEvent:
    repo: RepoRef
    pull_number: int
    comment: Comment
    sender: User
    action: Literal["created", "edited", "deleted"] = "created"
    delivery_id: str | None = None


Event = PushEvent | PullRequestEvent | CommentEvent
# The kind tag a stored event carries; the job holds {"kind": ..., "event": <the dataclass as JSON>}.
EVENT_KINDS: dict[str, type[PushEvent] | type[PullRequestEvent] | type[CommentEvent]] = {
    "push": PushEvent, "pull_request": PullRequestEvent, "comment": CommentEvent}


def event_to_json(event: Event) -> dict[str, Any]:
    """A neutral event as plain JSON values, tagged with its kind (what a queued job stores)."""
    kind = next(name for name, cls in EVENT_KINDS.items() if isinstance(event, cls))
    return {"kind": kind, "event": _plain(event)}


def _plain(value: Any) -> Any:
    # The events hold only dataclasses and scalars: no deep copy (dataclasses.asdict) needed.
    if is_dataclass(value) and not isinstance(value, type):
        kind: Any = type(value)
        return {name: _plain(getattr(value, name)) for name, _ in _field_types(kind)}
    return value


def event_from_json(data: Any) -> Event:
    """The event ``event_to_json`` stored, rebuilt field by field (nested dataclasses included)."""
    if not isinstance(data, dict) or data.get("kind") not in EVENT_KINDS or not isinstance(data.get("event"), dict):
        raise InvalidInput("not a stored event: expected {\"kind\": push|pull_request|comment, \"event\": {...}}")
    built: Event = _build(EVENT_KINDS[data["kind"]], data["event"])
    return built


@cache
def _field_types(cls: Any) -> tuple[tuple[str, Any], ...]:
    """Each field's name and the dataclass it holds (None for a scalar), resolved once per class:
    evaluating the string annotations is most of a rebuild's cost."""
    hints = get_type_hints(cls)
    return tuple((f.name, _nested(hints[f.name])) for f in fields(cls))


def _nested(hint: Any) -> Any:
    # `User | None` and plain `User` alike: the dataclass among the hint's members, if any.
    return next((t for t in (get_args(hint) or (hint,)) if is_dataclass(t)), None)


def _build(cls: Any, data: Any) -> Any:
    if not isinstance(data, dict):
        raise InvalidInput(f"stored event: {cls.__name__} is not an object")
    values = {name: data[name] if nested is None or data[name] is None else _build(nested, data[name])
              for name, nested in _field_types(cls) if name in data}
    try:
        return cls(**values)
    except TypeError as err:  # a required field is missing
        raise InvalidInput(f"stored event: {err}") from None
