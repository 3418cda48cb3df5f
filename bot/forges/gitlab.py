"""GitLab adapter on python-gitlab. Merge requests play pull requests; `number` is the MR iid.

Draft is the title prefix (`Draft:`), which every GitLab version honours; check runs do not exist, so
`create_check_run` returns None and the caller lists findings in its sticky note instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.v4.objects import Project, ProjectMergeRequest

from bot.errors import Conflict, InvalidInput, NotFound, NotMergeable
from bot.observability.metrics import forge_call

from .base import RENDER_STATUS_CONTEXT, RetryPolicy
from .failures import Failure, call_with_retry, classify_status, network_failure
from .models import (
    GITLAB_DRAFT_TITLE,
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
    iso_utc,
)

T = TypeVar("T")
DRAFT_PREFIX = GITLAB_DRAFT_TITLE
EMOJI = {"+1": "thumbsup", "-1": "thumbsdown", "laugh": "laughing", "hooray": "tada"}
TO_GITLAB_STATE = {"pending": "pending", "success": "success", "failure": "failed", "error": "failed"}
FROM_GITLAB_STATE: dict[str, StatusState] = {
    "success": "success", "skipped": "success", "failed": "failure", "canceled": "error",
    "pending": "pending", "running": "pending", "created": "pending", "manual": "pending",
}


class _Gitlab(gitlab.Gitlab):
    """python-gitlab that never sleeps on its own: the adapter's bounded retries decide."""

    def http_request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["obey_rate_limit"] = False
        kwargs["retry_transient_errors"] = False
        return super().http_request(*args, **kwargs)


def _user(data: Mapping[str, Any] | None) -> User:
    if not data:
        return User(login="ghost")
    login = str(data.get("username", "ghost"))
    return User(login=login, id=data.get("id"), name=data.get("name"),
                is_bot=bool(data.get("bot")) or login.endswith("_bot") or "bot_" in login)


def _pull(mr: ProjectMergeRequest) -> PullRequest:
    state = {"opened": "open", "merged": "merged"}.get(mr.state, "closed")
    detailed = getattr(mr, "detailed_merge_status", None)
    mergeable = None if state != "open" else (
        mr.merge_status == "can_be_merged" if mr.merge_status in ("can_be_merged", "cannot_be_merged")
        else None)
    if detailed in ("broken_status", "conflict"):
        mergeable = False
    merged_by = getattr(mr, "merge_user", None) or getattr(mr, "merged_by", None)
    return PullRequest(
        number=mr.iid, title=DRAFT_PREFIX.sub("", mr.title), body=mr.description or "", state=state,  # type: ignore[arg-type]
        draft=bool(getattr(mr, "draft", False) or getattr(mr, "work_in_progress", False)),
        head_branch=mr.source_branch, head_sha=mr.sha, base_branch=mr.target_branch,
        author=_user(mr.author), url=mr.web_url, is_fork=mr.source_project_id != mr.target_project_id,
        mergeable=mergeable, merge_commit_sha=getattr(mr, "merge_commit_sha", None) if state == "merged" else None,
        merged_by=_user(merged_by) if state == "merged" and merged_by else None,
    )


def _comment(data: Mapping[str, Any]) -> Comment:
    return Comment(id=int(data["id"]), body=str(data.get("body") or ""), author=_user(data.get("author")),
                   created_at=iso_utc(data.get("created_at")), url=None)


class GitLabForge:
    """One GitLab project, through a personal, project or group access token."""

    def __init__(self, project_path: str, token: str, *, url: str = "https://gitlab.com",
                 retry: RetryPolicy | None = None, timeout: float = 15.0) -> None:
        self._path = project_path
        self._retry = retry or RetryPolicy()
        self._headers = threading.local()
        self._gl = _Gitlab(url, private_token=token, keep_base_url=True, timeout=timeout, per_page=100,
                           user_agent="porchbot")
        self._gl.session.hooks["response"].append(self._remember_headers)
        self._project: Project = self._gl.projects.get(project_path, lazy=True)

    def _remember_headers(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._headers.last = dict(response.headers)

    @property
    def kind(self) -> ForgeKind:
        return "gitlab"

    @property
    def repo_name(self) -> str:
        return self._path

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        def classify(exc: Exception) -> Failure | None:
            if isinstance(exc, gitlab.exceptions.GitlabError) and exc.response_code:
                message = str(exc.error_message)[:200]
                return classify_status("GitLab", operation, exc.response_code, message,
                                       getattr(self._headers, "last", {}))
            if isinstance(exc, requests.exceptions.RequestException | gitlab.exceptions.GitlabError):
                return network_failure("GitLab", operation, exc)
            return None

        with forge_call("gitlab"):
            return call_with_retry(fn, classify, self._retry)

    def _mr(self, number: int) -> ProjectMergeRequest:
        return self._project.mergerequests.get(number, lazy=True)

    # -- merge requests --------------------------------------------------------------------------
    def get_pull_request(self, number: int) -> PullRequest:
        return self._call(f"read merge request !{number}",
                          lambda: _pull(self._project.mergerequests.get(number)))

    def find_pull_request(self, head_branch: str, base_branch: str | None = None) -> PullRequest | None:
        def find() -> PullRequest | None:
            filters: dict[str, Any] = {"source_branch": head_branch, "state": "opened"}
            if base_branch:
                filters["target_branch"] = base_branch
            found = self._project.mergerequests.list(get_all=False, **filters)
            return next((_pull(mr) for mr in found if mr.source_branch == head_branch
                         and base_branch in (None, mr.target_branch)), None)

        return self._call(f"look up the merge request for {head_branch}", find)

    def open_pull_request(self, head_branch: str, base_branch: str, title: str, body: str,
                          draft: bool) -> PullRequest:
        data = {"source_branch": head_branch, "target_branch": base_branch, "description": body,
                "title": f"Draft: {title}" if draft else title}
        try:
            return self._call(f"open a merge request from {head_branch}",
                              lambda: _pull(self._project.mergerequests.create(data)))
        except Conflict as err:
            raise Conflict(f"GitLab: a merge request from {head_branch} is already open") from err

    def _retitle(self, number: int, draft: bool, verb: str) -> PullRequest:
        def retitle() -> PullRequest:
            mr = self._project.mergerequests.get(number)
            bare = DRAFT_PREFIX.sub("", mr.title)
            wanted = f"Draft: {bare}" if draft else bare
            if mr.title != wanted:
                mr.title = wanted
                mr.save()
            return _pull(self._project.mergerequests.get(number))

        return self._call(f"{verb} merge request !{number}", retitle)

    def mark_ready(self, number: int) -> PullRequest:
        return self._retitle(number, False, "mark ready")

    def convert_to_draft(self, number: int) -> PullRequest:
        return self._retitle(number, True, "convert to draft")

    def _state_event(self, number: int, event: str) -> PullRequest:
        def apply() -> PullRequest:
            mr = self._mr(number)
            mr.state_event = event
            mr.save()
            return _pull(self._project.mergerequests.get(number))

        return self._call(f"{event} merge request !{number}", apply)

    def close_pull_request(self, number: int) -> PullRequest:
        return self._state_event(number, "close")

    def closed_pull_requests(self, head_branch: str, base_branch: str) -> list[PullRequest]:
        def find() -> list[PullRequest]:
            found = self._project.mergerequests.list(get_all=False, source_branch=head_branch,
                                                     target_branch=base_branch, state="closed")
            return [_pull(mr) for mr in found if mr.source_branch == head_branch]

        return self._call(f"look up closed merge requests for {head_branch}", find)

    def edit_pull_request(self, number: int, title: str, body: str) -> PullRequest:
        def edit() -> PullRequest:
            mr = self._project.mergerequests.get(number)
            draft = DRAFT_PREFIX.match(mr.title) is not None
            mr.title = f"Draft: {title}" if draft else title
            mr.description = body
            mr.save()
            return _pull(self._project.mergerequests.get(number))

        return self._call(f"edit merge request !{number}", edit)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:  # add_labels keeps the MR's other labels (``labels`` would replace them)
            self._call(f"label merge request !{number}", lambda: self._project.mergerequests.update(
                number, {"add_labels": ",".join(labels)}))

    def merge_pull_request(self, number: int, expected_head_sha: str, message: str | None = None) -> MergeResult:
        def merge() -> MergeResult:
            options: dict[str, Any] = {"sha": expected_head_sha}
            if message is not None:
                options["merge_commit_message"] = message
            result = self._mr(number).merge(**options)
            return MergeResult(merge_commit_sha=str(result.get("merge_commit_sha")))

        try:
            return self._call(f"merge merge request !{number}", merge)
        except Conflict as err:
            raise Conflict(f"GitLab: merge request !{number} moved past {expected_head_sha[:12]}; "
                           "review the new head and approve again") from err
        except InvalidInput as err:  # GitLab answers 422 "Branch cannot be merged" on conflicts
            raise NotMergeable(str(err)) from err

    # -- conversation ----------------------------------------------------------------------------
    def list_comments(self, number: int) -> list[Comment]:
        def notes() -> list[Comment]:
            found = self._mr(number).notes.list(get_all=True, sort="asc", order_by="created_at")
            return sorted((_comment(n.attributes) for n in found if not n.attributes.get("system")),
                          key=lambda c: (c.created_at, c.id))

        return self._call(f"list the notes of !{number}", notes)

    def create_comment(self, number: int, body: str) -> Comment:
        return self._call(f"comment on !{number}",
                          lambda: _comment(self._mr(number).notes.create({"body": body}).attributes))

    def edit_comment(self, number: int, comment_id: int, body: str) -> Comment:
        def edit() -> Comment:
            data = self._mr(number).notes.update(comment_id, {"body": body})
            return _comment({"id": comment_id, "body": body, **data})

        return self._call(f"edit note {comment_id}", edit)

    def add_reaction(self, number: int, comment_id: int, reaction: str) -> None:
        name = EMOJI.get(reaction, reaction)
        awards = self._mr(number).notes.get(comment_id, lazy=True).awardemojis
        try:
            self._call(f"react to note {comment_id}", lambda: awards.create({"name": name}))
        except (NotFound, InvalidInput):
            # GitLab refuses a second identical award ("has already been taken"): that is success for us.
            existing = self._call(f"list the awards of note {comment_id}", lambda: awards.list(get_all=True))
            if not any(a.name == name for a in existing):
                raise

    def list_approvals(self, number: int) -> list[Review]:
        def approvals() -> list[Review]:
            state = self._mr(number).approvals.get()
            return [Review(author=_user(entry.get("user")), state="approved")
                    for entry in getattr(state, "approved_by", []) or []]

        return self._call(f"list the approvals of !{number}", approvals)

    # -- commits ---------------------------------------------------------------------------------
    def set_commit_status(self, sha: str, state: StatusState, context: str = RENDER_STATUS_CONTEXT,
                          description: str | None = None, target_url: str | None = None) -> None:
        data = {"state": TO_GITLAB_STATE[state], "name": context}
        data.update({k: v for k, v in (("description", description), ("target_url", target_url)) if v})
        try:
            self._call(f"set the {context} status on {sha[:12]}",
                       lambda: self._project.commits.get(sha, lazy=True).statuses.create(data))
        except InvalidInput:
            # GitLab refuses pending → pending (and running → running) with a 400; GitHub takes the same
            # call as a no-op. When the status already says what we asked for, that is success.
            current = self.get_combined_status(sha).get(context)
            if current is None or current.state != state:
                raise

    def get_combined_status(self, sha: str) -> CombinedStatus:
        def combined() -> CombinedStatus:
            found = self._project.commits.get(sha, lazy=True).statuses.list(get_all=True)
            latest: dict[str, Any] = {}
            for status in sorted(found, key=lambda s: s.id):
                latest[status.name] = status
            statuses = tuple(CommitStatus(context=s.name, state=FROM_GITLAB_STATE.get(s.status, "pending"),
                                          description=s.description, target_url=s.target_url)
                             for s in latest.values())
            states = {s.state for s in statuses}
            overall: StatusState = ("failure" if states & {"failure", "error"} else
                                    "pending" if "pending" in states or not states else "success")
            return CombinedStatus(sha=sha, state=overall, statuses=statuses)

        return self._call(f"read the statuses of {sha[:12]}", combined)

    def create_check_run(self, sha: str, name: str, conclusion: str, title: str, summary: str,
                         annotations: Sequence[Annotation] = ()) -> CheckRun | None:
        return None

    def list_check_runs(self, sha: str, name: str) -> list[CheckRun]:
        return []

    # -- refs and files --------------------------------------------------------------------------
    def get_branch_head(self, branch: str) -> str | None:
        try:
            return self._call(f"read branch {branch}",
                              lambda: str(self._project.branches.get(branch).commit["id"]))
        except NotFound:
            return None

    def create_tag(self, name: str, sha: str, message: str) -> Tag:
        try:
            self._call(f"read tag {name}", lambda: self._project.tags.get(name))
        except NotFound:
            pass
        else:
            raise Conflict(f"GitLab: tag {name} already exists")

        def create() -> Tag:
            tag = self._project.tags.create({"tag_name": name, "ref": sha, "message": message})
            return Tag(name=name, commit_sha=str(tag.commit["id"]), object_sha=str(tag.target))

        return self._call(f"create tag {name}", create)

    def delete_branch(self, branch: str) -> None:
        try:
            self._call(f"delete branch {branch}", lambda: self._project.branches.delete(branch))
        except NotFound:
            return

    def get_file(self, path: str, ref: str) -> bytes | None:
        try:
            return self._call(f"read {path} at {ref}",
                              lambda: bytes(self._project.files.raw(file_path=path, ref=ref)))
        except NotFound:
            return None

    # -- people ----------------------------------------------------------------------------------
    def get_permission(self, login: str) -> Permission:
        def level() -> Permission:
            users = self._gl.users.list(username=login, get_all=False)
            if not users:
                return Permission.NONE
            member = self._project.members_all.get(users[0].id)
            return Permission.from_gitlab(int(member.access_level))

        try:
            return self._call(f"read the access level of {login}", level)
        except NotFound:
            return Permission.NONE

    def current_user(self) -> User:
        def whoami() -> User:
            self._gl.auth()  # GET /user
            data = self._gl.user.attributes if self._gl.user is not None else {}
            found = _user(data)
            email = data.get("email") or data.get("public_email") or None
            return User(login=found.login, id=found.id, name=found.name, email=email, is_bot=found.is_bot)

        return self._call("read the authenticated user", whoami)
