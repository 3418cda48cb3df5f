"""The one forge interface the bot acts through. Adapters: `github.GitHubForge`, `gitlab.GitLabForge`.

Every method is a single forge call (or a short, fixed sequence of them), bound to one repository.
Errors come out as `bot.errors` types only: `Conflict` (the head moved), `NotMergeable`, `Forbidden`,
`NotFound`, `InvalidInput`, `RateLimited(retry_after)` and `ForgeUnavailable` (5xx / network after retries).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from .models import (
    Annotation,
    CheckRun,
    CombinedStatus,
    Comment,
    ForgeKind,
    MergeResult,
    Permission,
    PullRequest,
    Review,
    StatusState,
    Tag,
    User,
)

RENDER_STATUS_CONTEXT = "porchbot/render"


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries for 5xx, timeouts and rate limits; waits honour Retry-After / x-ratelimit-reset.

    A wait longer than `max_wait` is not slept through: the call raises `RateLimited` at once so the
    job queue can reschedule instead of blocking a worker.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_wait: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        return float(min(self.max_delay, self.base_delay * (2 ** attempt)))


@runtime_checkable
class Forge(Protocol):
    """One repository on one forge, as the bot sees it."""

    @property
    def kind(self) -> ForgeKind: ...

    @property
    def repo_name(self) -> str:
        """owner/name (GitHub) or the project's path_with_namespace (GitLab)."""
        ...

    # -- pull requests / merge requests ----------------------------------------------------------
    def get_pull_request(self, number: int) -> PullRequest: ...

    def find_pull_request(self, head_branch: str, base_branch: str | None = None) -> PullRequest | None:
        """The open PR/MR from `head_branch` (into `base_branch` when given), or None."""
        ...

    def open_pull_request(self, head_branch: str, base_branch: str, title: str, body: str,
                          draft: bool) -> PullRequest: ...

    def mark_ready(self, number: int) -> PullRequest:
        """Ready for review (GitHub) / Draft prefix removed (GitLab)."""
        ...

    def convert_to_draft(self, number: int) -> PullRequest: ...

    def close_pull_request(self, number: int) -> PullRequest: ...

    def closed_pull_requests(self, head_branch: str, base_branch: str) -> list[PullRequest]:
        """PRs from ``head_branch`` closed without a merge (a person declined them), newest first."""
        ...

    def edit_pull_request(self, number: int, title: str, body: str) -> PullRequest:
        """New title and description; a GitLab draft keeps its Draft: prefix."""
        ...

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        """Add labels to the PR/MR (created on the repository when new); labels it has already stay one."""
        ...

    def merge_pull_request(self, number: int, expected_head_sha: str, message: str | None = None) -> MergeResult:
        """Merge only if the head is still `expected_head_sha`: else `Conflict`; `NotMergeable` if refused."""
        ...

    # -- conversation ----------------------------------------------------------------------------
    def list_comments(self, number: int) -> list[Comment]:
        """Oldest first."""
        ...

    def create_comment(self, number: int, body: str) -> Comment: ...

    def edit_comment(self, number: int, comment_id: int, body: str) -> Comment: ...

    def add_reaction(self, number: int, comment_id: int, reaction: str) -> None:
        """GitHub reaction names (+1, -1, eyes, rocket, heart, hooray, laugh, confused); idempotent."""
        ...

    def list_approvals(self, number: int) -> list[Review]:
        """The current approvals: the latest review per person when it is an approval."""
        ...

    # -- commits ---------------------------------------------------------------------------------
    def set_commit_status(self, sha: str, state: StatusState, context: str = RENDER_STATUS_CONTEXT,
                          description: str | None = None, target_url: str | None = None) -> None: ...

    def get_combined_status(self, sha: str) -> CombinedStatus: ...

    def create_check_run(self, sha: str, name: str, conclusion: str, title: str, summary: str,
                         annotations: Sequence[Annotation] = ()) -> CheckRun | None:
        """GitHub check run with annotations; None on forges without check runs (GitLab)."""
        ...

    def list_check_runs(self, sha: str, name: str) -> list[CheckRun]:
        """The check runs called `name` on commit `sha` (a job redone after a crash finds its own); [] on
        forges without check runs (GitLab)."""
        ...

    # -- refs and files --------------------------------------------------------------------------
    def get_branch_head(self, branch: str) -> str | None: ...

    def create_tag(self, name: str, sha: str, message: str) -> Tag:
        """An annotated tag `name` on commit `sha`; `Conflict` if the tag exists."""
        ...

    def delete_branch(self, branch: str) -> None:
        """Deleting a branch that is already gone is not an error."""
        ...

    def get_file(self, path: str, ref: str) -> bytes | None:
        """A file's bytes at `ref`, or None when it does not exist."""
        ...

    # -- people ----------------------------------------------------------------------------------
    def get_permission(self, login: str) -> Permission: ...

    def current_user(self) -> User:
        """Who the credentials act as (GET /user on both forges)."""
        ...
