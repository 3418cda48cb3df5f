"""GitHub adapter on PyGithub. PyGithub objects stay in this module; callers get `bot.forges.models` values."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import github
import requests
from github import Auth
from github.NamedUser import NamedUser
from github.Organization import Organization
from github.PullRequest import PullRequest as GhPullRequest

from bot.errors import Conflict, InvalidInput, NotFound
from bot.observability.metrics import forge_call

from .base import RENDER_STATUS_CONTEXT, RetryPolicy
from .failures import Failure, call_with_retry, classify_status, network_failure
from .github_app import InstallationTokenAuth, InstallationTokens
from .models import (
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
DEFAULT_API = "https://api.github.com"
ANNOTATIONS_PER_CALL = 50  # GitHub's limit per check-run request


def _user(user: NamedUser | Organization | None) -> User:
    if user is None:
        return User(login="ghost")
    return User(login=user.login, id=user.id, is_bot=user.type == "Bot")


def _pull(pr: GhPullRequest) -> PullRequest:
    head_repo = pr.head.repo
    return PullRequest(
        number=pr.number, title=pr.title or "", body=pr.body or "",
        state="merged" if pr.merged else ("open" if pr.state == "open" else "closed"),
        draft=bool(pr.draft), head_branch=pr.head.ref, head_sha=pr.head.sha, base_branch=pr.base.ref,
        author=_user(pr.user), url=pr.html_url,
        is_fork=head_repo is None or head_repo.full_name != pr.base.repo.full_name,
        mergeable=pr.mergeable, merge_commit_sha=pr.merge_commit_sha if pr.merged else None,
        merged_by=_user(pr.merged_by) if pr.merged and pr.merged_by else None,
    )


class GitHubForge:
    """One GitHub repository, through a personal token or a GitHub App installation."""

    def __init__(self, repo_name: str, auth: Auth.Auth, *, base_url: str = DEFAULT_API,
                 retry: RetryPolicy | None = None, timeout: float = 15.0, throttle: bool | None = None) -> None:
        """`throttle`: space calls out (0.25 s, 1 s between writes) as github.com asks to stay clear of its
        secondary rate limits; by default on for github.com only (Enterprise and the test emulator have none)."""
        self._repo_name = repo_name
        self._retry = retry or RetryPolicy()
        spaced = base_url.rstrip("/") == DEFAULT_API if throttle is None else throttle
        # PyGithub's own retries would sleep inside the library; ours are bounded and configurable.
        self._gh = github.Github(auth=auth, base_url=base_url, timeout=int(max(1, timeout)), retry=None,
                                 lazy=True, per_page=100, user_agent="porchbot",
                                 seconds_between_requests=0.25 if spaced else None,
                                 seconds_between_writes=1.0 if spaced else None)
        self._repo = self._gh.get_repo(repo_name)

    @classmethod
    def with_token(cls, repo_name: str, token: str, **kwargs: Any) -> GitHubForge:
        return cls(repo_name, Auth.Token(token), **kwargs)

    @classmethod
    def with_app(cls, repo_name: str, app_id: int | str, private_key: str, installation_id: int | None = None,
                 *, base_url: str = DEFAULT_API, **kwargs: Any) -> GitHubForge:
        """GitHub App auth: a JWT signed with the app's key buys an installation token (renewed as needed);
        the installation is looked up for `repo_name` unless given."""
        tokens = InstallationTokens(app_id, private_key, base_url=base_url, retry=kwargs.get("retry"))
        if installation_id is not None:
            tokens.remember(repo_name, installation_id)
        return cls.with_installation_tokens(repo_name, tokens, base_url=base_url, **kwargs)

    @classmethod
    def with_installation_tokens(cls, repo_name: str, tokens: InstallationTokens, **kwargs: Any) -> GitHubForge:
        """App auth through tokens shared with others (the bot's git credentials use the same ones)."""
        return cls(repo_name, InstallationTokenAuth(tokens, repo_name), **kwargs)

    @property
    def kind(self) -> ForgeKind:
        return "github"

    @property
    def repo_name(self) -> str:
        return self._repo_name

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        with forge_call("github"):
            return call_with_retry(fn, _classifier(operation), self._retry)

    # -- pull requests ---------------------------------------------------------------------------
    def get_pull_request(self, number: int) -> PullRequest:
        return self._call(f"read pull request #{number}", lambda: _pull(self._fetch_pull(number)))

    def _fetch_pull(self, number: int) -> GhPullRequest:
        pr = self._repo.get_pull(number)
        pr.complete()  # lazy mode: fetch now, inside the retry loop
        return pr

    def find_pull_request(self, head_branch: str, base_branch: str | None = None) -> PullRequest | None:
        owner = self._repo_name.split("/", 1)[0]

        def find() -> PullRequest | None:
            pulls = self._repo.get_pulls(state="open", head=f"{owner}:{head_branch}",
                                         **({"base": base_branch} if base_branch else {}))
            return next((_pull(pr) for pr in pulls if pr.head.ref == head_branch), None)

        return self._call(f"look up the pull request for {head_branch}", find)

    def open_pull_request(self, head_branch: str, base_branch: str, title: str, body: str,
                          draft: bool) -> PullRequest:
        try:
            return self._call(f"open a pull request from {head_branch}", lambda: _pull(
                self._repo.create_pull(base=base_branch, head=head_branch, title=title, body=body, draft=draft)))
        except InvalidInput as err:
            # GitHub says 422 where GitLab says 409; both mean "one is already open for this branch".
            if "already exists" in str(err):
                raise Conflict(f"GitHub: a pull request from {head_branch} is already open") from err
            raise

    def mark_ready(self, number: int) -> PullRequest:
        # Real GitHub only offers this through GraphQL; PyGithub sends the markPullRequestReadyForReview mutation.
        def ready() -> PullRequest:
            pr = self._fetch_pull(number)
            if pr.draft:
                pr.mark_ready_for_review()
            return _pull(self._fetch_pull(number))

        return self._call(f"mark pull request #{number} ready for review", ready)

    def convert_to_draft(self, number: int) -> PullRequest:
        def to_draft() -> PullRequest:
            pr = self._fetch_pull(number)
            if not pr.draft:
                pr.convert_to_draft()
            return _pull(self._fetch_pull(number))

        return self._call(f"convert pull request #{number} to draft", to_draft)

    def _set_state(self, number: int, state: str, verb: str) -> PullRequest:
        def edit() -> PullRequest:
            pr = self._repo.get_pull(number)
            pr.edit(state=state)
            return _pull(pr)

        return self._call(f"{verb} pull request #{number}", edit)

    def close_pull_request(self, number: int) -> PullRequest:
        return self._set_state(number, "closed", "close")

    def closed_pull_requests(self, head_branch: str, base_branch: str) -> list[PullRequest]:
        owner = self._repo_name.split("/", 1)[0]

        def find() -> list[PullRequest]:
            pulls = self._repo.get_pulls(state="closed", head=f"{owner}:{head_branch}", base=base_branch)
            return [_pull(pr) for pr in pulls if pr.head.ref == head_branch and not pr.merged]

        return self._call(f"look up closed pull requests for {head_branch}", find)

    def edit_pull_request(self, number: int, title: str, body: str) -> PullRequest:
        def edit() -> PullRequest:
            pr = self._repo.get_pull(number)
            pr.edit(title=title, body=body)
            return _pull(self._repo.get_pull(number))

        return self._call(f"edit pull request #{number}", edit)

    def add_labels(self, number: int, labels: Sequence[str]) -> None:
        if labels:  # a PR's labels are its issue's
            self._call(f"label pull request #{number}", lambda: self._repo.get_issue(number).add_to_labels(*labels))

    def merge_pull_request(self, number: int, expected_head_sha: str, message: str | None = None) -> MergeResult:
        def merge() -> MergeResult:
            pr = self._repo.get_pull(number)
            if message is None:
                status = pr.merge(sha=expected_head_sha, merge_method="merge")
            else:
                status = pr.merge(commit_message=message, sha=expected_head_sha, merge_method="merge")
            return MergeResult(merge_commit_sha=status.sha)

        try:
            return self._call(f"merge pull request #{number}", merge)
        except Conflict as err:
            raise Conflict(f"GitHub: pull request #{number} moved past {expected_head_sha[:12]}; "
                           "review the new head and approve again") from err

    # -- conversation ----------------------------------------------------------------------------
    def list_comments(self, number: int) -> list[Comment]:
        return self._call(f"list the comments of #{number}", lambda: [
            Comment(id=c.id, body=c.body or "", author=_user(c.user), created_at=iso_utc(c.created_at),
                    url=c.html_url)
            for c in self._repo.get_issue(number).get_comments()])

    def create_comment(self, number: int, body: str) -> Comment:
        def create() -> Comment:
            c = self._repo.get_issue(number).create_comment(body)
            return Comment(id=c.id, body=c.body or "", author=_user(c.user), created_at=iso_utc(c.created_at),
                           url=c.html_url)

        return self._call(f"comment on #{number}", create)

    def edit_comment(self, number: int, comment_id: int, body: str) -> Comment:
        def edit() -> Comment:
            c = self._repo.get_issue(number).get_comment(comment_id)
            c.edit(body)
            return Comment(id=c.id, body=c.body or "", author=_user(c.user), created_at=iso_utc(c.created_at),
                           url=c.html_url)

        return self._call(f"edit comment {comment_id}", edit)

    def add_reaction(self, number: int, comment_id: int, reaction: str) -> None:
        self._call(f"react to comment {comment_id}",
                   lambda: self._repo.get_issue(number).get_comment(comment_id).create_reaction(reaction))

    def list_approvals(self, number: int) -> list[Review]:
        def approvals() -> list[Review]:
            # A later COMMENTED review does not withdraw an approval on GitHub; the other verdicts do.
            latest: dict[str, Review] = {}
            for review in self._repo.get_pull(number).get_reviews():
                state = (review.state or "").lower()
                if state in ("approved", "changes_requested", "dismissed") and review.user is not None:
                    latest[review.user.login] = Review(author=_user(review.user), state=state,  # type: ignore[arg-type]
                                                       commit_sha=review.commit_id)
            return [r for r in latest.values() if r.state == "approved"]

        return self._call(f"list the reviews of #{number}", approvals)

    # -- commits ---------------------------------------------------------------------------------
    def set_commit_status(self, sha: str, state: StatusState, context: str = RENDER_STATUS_CONTEXT,
                          description: str | None = None, target_url: str | None = None) -> None:
        extra = {k: v for k, v in (("description", description), ("target_url", target_url)) if v is not None}
        self._call(f"set the {context} status on {sha[:12]}", lambda: self._repo.get_commit(sha).create_status(
            state, context=context, **extra))

    def get_combined_status(self, sha: str) -> CombinedStatus:
        def combined() -> CombinedStatus:
            status = self._repo.get_commit(sha).get_combined_status()
            return CombinedStatus(sha=status.sha, state=status.state, statuses=tuple(  # type: ignore[arg-type]
                CommitStatus(context=s.context, state=s.state, description=s.description,  # type: ignore[arg-type]
                             target_url=s.target_url) for s in status.statuses))

        return self._call(f"read the statuses of {sha[:12]}", combined)

    def create_check_run(self, sha: str, name: str, conclusion: str, title: str, summary: str,
                         annotations: Sequence[Annotation] = ()) -> CheckRun | None:
        notes: list[dict[str, str | int]] = [
            {"path": a.path, "start_line": a.start_line, "end_line": a.end_line or a.start_line,
             "annotation_level": a.level, "message": a.message, **({"title": a.title} if a.title else {})}
            for a in annotations]
        batches = [notes[i:i + ANNOTATIONS_PER_CALL] for i in range(0, len(notes), ANNOTATIONS_PER_CALL)] or [[]]

        def create() -> CheckRun:
            run = self._repo.create_check_run(name=name, head_sha=sha, status="completed", conclusion=conclusion,
                                              output={"title": title, "summary": summary,
                                                      "annotations": batches[0]})
            for batch in batches[1:]:
                run.edit(output={"title": title, "summary": summary, "annotations": batch})
            return CheckRun(id=run.id, url=run.html_url)

        return self._call(f"create the {name} check run on {sha[:12]}", create)

    def list_check_runs(self, sha: str, name: str) -> list[CheckRun]:
        return self._call(f"list the {name} check runs on {sha[:12]}", lambda: [
            CheckRun(id=run.id, url=run.html_url, name=run.name, conclusion=run.conclusion)
            for run in self._repo.get_commit(sha).get_check_runs(check_name=name) if run.name == name])

    # -- refs and files --------------------------------------------------------------------------
    def get_branch_head(self, branch: str) -> str | None:
        try:
            return self._call(f"read branch {branch}", lambda: self._repo.get_branch(branch).commit.sha)
        except NotFound:
            return None

    def create_tag(self, name: str, sha: str, message: str) -> Tag:
        def create() -> Tag:
            tag = self._repo.create_git_tag(tag=name, message=message, object=sha, type="commit")
            self._repo.create_git_ref(ref=f"refs/tags/{name}", sha=tag.sha)
            return Tag(name=name, commit_sha=sha, object_sha=tag.sha)

        existing = self._ref_exists(f"tags/{name}")
        if existing:
            raise Conflict(f"GitHub: tag {name} already exists")
        return self._call(f"create tag {name}", create)

    def _ref_exists(self, ref: str) -> bool:
        try:
            self._call(f"read ref {ref}", lambda: self._repo.get_git_ref(ref).object.sha)
        except NotFound:
            return False
        return True

    def delete_branch(self, branch: str) -> None:
        def delete() -> None:
            ref = self._repo.get_git_ref(f"heads/{branch}")
            ref.complete()  # a lazy GitRef points at GET-only /git/ref/...; the fetched one at /git/refs/...
            ref.delete()

        try:
            self._call(f"delete branch {branch}", delete)
        except NotFound:
            return

    def get_file(self, path: str, ref: str) -> bytes | None:
        def read() -> bytes | None:
            content = self._repo.get_contents(path, ref=ref)
            if isinstance(content, list) or content.type != "file":
                return None
            if content.encoding == "none":  # over 1 MiB: the contents API leaves it to the blobs API
                return base64.b64decode(self._repo.get_git_blob(content.sha).content)
            return bytes(content.decoded_content)

        try:
            return self._call(f"read {path} at {ref}", read)
        except NotFound:
            return None

    # -- people ----------------------------------------------------------------------------------
    def get_permission(self, login: str) -> Permission:
        try:
            return self._call(f"read the permission of {login}",
                              lambda: Permission.from_github(self._repo.get_collaborator_role_name(login)))
        except NotFound:
            return Permission.NONE

    def current_user(self) -> User:
        def whoami() -> User:
            user = self._gh.get_user()
            user.complete()  # lazy mode: GET /user now, inside the retry loop
            return User(login=user.login, id=user.id, name=user.name, email=user.email, is_bot=user.type == "Bot")

        return self._call("read the authenticated user", whoami)


def _classifier(operation: str) -> Callable[[Exception], Failure | None]:
    def classify(exc: Exception) -> Failure | None:
        if isinstance(exc, github.GithubException):
            data = exc.data if isinstance(exc.data, dict) else {}
            message = str(data.get("message") or (data.get("errors") or [{}])[0].get("message") or exc.status)
            return classify_status("GitHub", operation, exc.status, message, exc.headers or {})
        if isinstance(exc, requests.exceptions.RequestException):
            return network_failure("GitHub", operation, exc)
        return None

    return classify
