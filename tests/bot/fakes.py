"""A typed, recording fake of the Forge protocol for handler tests (no unittest.mock)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.forges.base import RENDER_STATUS_CONTEXT
from bot.forges.models import (
    Annotation,
    CheckRun,
    CombinedStatus,
    Comment,
    CommitStatus,
    ForgeKind,
    MergeResult,
    Permission,
    PullRequest,
    Review,
    StatusState,
    Tag,
    User,
)


@dataclass
class RecordingForge:
    pulls: dict[int, PullRequest] = field(default_factory=dict)
    comments: list[tuple[int, str]] = field(default_factory=list)
    reactions: list[tuple[int, str]] = field(default_factory=list)
    statuses: list[tuple[str, str, str]] = field(default_factory=list)
    permissions: dict[str, Permission] = field(default_factory=dict)
    forge_kind: ForgeKind = "github"
    check_runs: list[tuple[str, str, str]] = field(default_factory=list)  # (sha, name, conclusion)
    login: str = "porchbot"
    labels: dict[int, list[str]] = field(default_factory=dict)

    @property
    def kind(self) -> ForgeKind:
        return self.forge_kind

    @property
    def repo_name(self) -> str:
        return "acme/deployments"

    def get_pull_request(self, number: int) -> PullRequest:
        return self.pulls[number]

    def find_pull_request(self, head_branch: str, base_branch: str | None = None) -> PullRequest | None:
        return next((p for p in self.pulls.values() if p.head_branch == head_branch and p.is_open), None)

    def open_pull_request(self, head_branch: str, base_branch: str, title: str, body: str,
                          draft: bool) -> PullRequest:
        raise NotImplementedError

    def mark_ready(self, number: int) -> PullRequest:
        from dataclasses import replace

        self.pulls[number] = replace(self.pulls[number], draft=False)
        return self.pulls[number]

    def convert_to_draft(self, number: int) -> PullRequest:
        from dataclasses import replace

        self.pulls[number] = replace(self.pulls[number], draft=True)
        return self.pulls[number]

    def close_pull_request(self, number: int) -> PullRequest:
        raise NotImplementedError

    def closed_pull_requests(self, head_branch: str, base_branch: str) -> list[PullRequest]:
        return [p for p in self.pulls.values() if p.head_branch == head_branch and p.state == "closed"]

    def edit_pull_request(self, number: int, title: str, body: str) -> PullRequest:
        from dataclasses import replace

        self.pulls[number] = replace(self.pulls[number], title=title, body=body)
        return self.pulls[number]

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        held = self.labels.setdefault(number, [])
        held.extend(label for label in labels if label not in held)

    def merge_pull_request(self, number: int, expected_head_sha: str, message: str | None = None) -> MergeResult:
        raise NotImplementedError

    def list_comments(self, number: int) -> list[Comment]:
        return [Comment(id=i, body=body, author=User("porchbot"), created_at="") for i, (n, body)
                in enumerate(self.comments) if n == number]

    def create_comment(self, number: int, body: str) -> Comment:
        self.comments.append((number, body))
        return Comment(id=len(self.comments), body=body, author=User("porchbot"), created_at="")

    def edit_comment(self, number: int, comment_id: int, body: str) -> Comment:
        self.comments[comment_id] = (number, body)
        return Comment(id=comment_id, body=body, author=User("porchbot"), created_at="")

    def add_reaction(self, number: int, comment_id: int, reaction: str) -> None:
        self.reactions.append((comment_id, reaction))

    def list_approvals(self, number: int) -> list[Review]:
        return []

    def set_commit_status(self, sha: str, state: StatusState, context: str = RENDER_STATUS_CONTEXT,
                          description: str | None = None, target_url: str | None = None) -> None:
        self.statuses.append((sha, state, description or ""))

    def get_combined_status(self, sha: str) -> CombinedStatus:
        mine = [CommitStatus(RENDER_STATUS_CONTEXT, s) for h, s, _ in self.statuses if h == sha]  # type: ignore[arg-type]
        return CombinedStatus(sha=sha, state=mine[-1].state if mine else "pending", statuses=tuple(mine[-1:]))

    def create_check_run(self, sha: str, name: str, conclusion: str, title: str, summary: str,
                         annotations: Sequence[Annotation] = ()) -> CheckRun | None:
        if self.forge_kind != "github":
            return None
        self.check_runs.append((sha, name, conclusion))
        return CheckRun(id=len(self.check_runs), name=name, conclusion=conclusion)

    def list_check_runs(self, sha: str, name: str) -> list[CheckRun]:
        return [CheckRun(id=i + 1, name=n, conclusion=c) for i, (h, n, c) in enumerate(self.check_runs)
                if h == sha and n == name]

    def get_branch_head(self, branch: str) -> str | None:
        return None

    def create_tag(self, name: str, sha: str, message: str) -> Tag:
        raise NotImplementedError

    def delete_branch(self, branch: str) -> None:
        raise NotImplementedError

    def get_file(self, path: str, ref: str) -> bytes | None:
        return None

    def get_permission(self, login: str) -> Permission:
        return self.permissions.get(login, Permission.NONE)

    def current_user(self) -> User:
        return User(self.login)
