"""The emulator's forge-neutral records. The GitHub and GitLab front ends render them in their own shapes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .gitops import BareRepo

# GitHub's permission names, weakest first; GitLab access levels map onto them.
PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
GITLAB_LEVELS = {"none": 0, "read": 20, "triage": 20, "write": 30, "maintain": 40, "admin": 50}


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def permission_at_least(have: str, need: str) -> bool:
    return PERMISSIONS.index(have) >= PERMISSIONS.index(need)


@dataclass
class User:
    id: int
    login: str
    name: str
    email: str
    token: str
    type: str = "User"  # "Bot" for app installations


@dataclass
class Repo:
    id: int
    full_name: str
    default_branch: str
    bare: BareRepo
    owner: User
    created_at: str = field(default_factory=now_iso)
    permissions: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.full_name.rsplit("/", 1)[1]

    @property
    def namespace(self) -> str:
        return self.full_name.rsplit("/", 1)[0]

    def permission(self, user: User) -> str:
        if user.login == self.owner.login:
            return "admin"
        return self.permissions.get(user.login, "none")


@dataclass
class Reaction:
    id: int
    user: User
    content: str
    created_at: str = field(default_factory=now_iso)


@dataclass
class Comment:
    id: int
    repo: Repo
    number: int
    author: User
    body: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Review:
    id: int
    number: int
    user: User
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED
    body: str
    commit_id: str
    submitted_at: str = field(default_factory=now_iso)


@dataclass
class Pull:
    id: int
    number: int
    repo: Repo
    title: str
    body: str
    head_branch: str
    base_branch: str
    author: User
    head_sha: str
    base_sha: str
    draft: bool = False
    state: str = "open"  # open | closed
    merged: bool = False
    merged_by: User | None = None
    merged_at: str | None = None
    merge_commit_sha: str | None = None
    closed_at: str | None = None
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    reviews: list[Review] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # in the order they were first added


@dataclass
class Status:
    id: int
    sha: str
    state: str
    context: str
    description: str | None
    target_url: str | None
    creator: User
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class CheckRun:
    id: int
    head_sha: str
    name: str
    status: str
    conclusion: str | None
    title: str | None
    summary: str | None
    text: str | None
    annotations: list[dict[str, Any]]
    external_id: str | None
    details_url: str | None
    started_at: str = field(default_factory=now_iso)
    completed_at: str | None = None


@dataclass
class App:
    id: int
    slug: str
    public_key_pem: bytes
    installation_id: int
    bot: User
    repos: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    """Something a forge would send a webhook about; the front end turns it into its own payload."""

    kind: str  # push | pull_request | comment | review
    action: str
    repo: Repo
    sender: User
    pull: Pull | None = None
    comment: Comment | None = None
    review: Review | None = None
    ref: str | None = None
    before: str | None = None
    after: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)
