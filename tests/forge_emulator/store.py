"""The emulator's state and the operations on it. Every change that a forge would announce emits an Event."""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .gitops import ZERO_SHA, BareRepo, Identity
from .model import (
    App,
    CheckRun,
    Comment,
    Event,
    Pull,
    Reaction,
    Repo,
    Review,
    Status,
    User,
    now_iso,
    permission_at_least,
)


class ApiError(Exception):
    """A refusal a forge would answer with this status; each front end renders it in its own shape."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self.users: dict[str, User] = {}
        self.repos: dict[str, Repo] = {}
        self.pulls: dict[tuple[str, int], Pull] = {}
        self.comments: dict[int, Comment] = {}
        self.statuses: dict[tuple[str, str], list[Status]] = {}
        self.check_runs: dict[int, tuple[Repo, CheckRun]] = {}
        self.apps: dict[int, App] = {}
        self.installation_tokens: dict[str, App] = {}
        self.token_expiry: dict[str, float] = {}  # installation token -> epoch seconds; refused after
        self.app_token_ttl = 3600.0  # GitHub's: one hour
        self._numbers: dict[str, itertools.count[int]] = {}
        self.listeners: list[Callable[[Event], None]] = []

    def next_id(self) -> int:
        return next(self._ids)

    def emit(self, event: Event) -> None:
        for listener in self.listeners:
            listener(event)

    # -- users and repositories ------------------------------------------------------------------
    def add_user(self, login: str, token: str | None = None, user_type: str = "User") -> User:
        with self.lock:
            user = User(id=self.next_id(), login=login, name=login.title(), email=f"{login}@example.com",
                        token=token or f"tok_{login}_{secrets.token_hex(8)}", type=user_type)
            self.users[login] = user
            return user

    def user_by_token(self, token: str) -> User | None:
        with self.lock:
            for user in self.users.values():
                if secrets.compare_digest(user.token, token):
                    return user
            app = self.installation_tokens.get(token)
            if app is None or self.token_expiry.get(token, float("inf")) <= time.time():
                return None
            return app.bot

    def user_by_id(self, user_id: int) -> User | None:
        return next((u for u in self.users.values() if u.id == user_id), None)

    def create_repo(self, full_name: str, owner: User, default_branch: str = "main",
                    files: dict[str, bytes] | None = None) -> Repo:
        with self.lock:
            bare = BareRepo.init(self.root / "repos" / f"{full_name}.git", default_branch)
            repo = Repo(id=self.next_id(), full_name=full_name, default_branch=default_branch, bare=bare,
                        owner=owner)
            self.repos[full_name] = repo
            self._numbers[full_name] = itertools.count(1)
            if files:
                sha = bare.make_commit(files, None, "Initial commit\n", identity(owner))
                bare.update_ref(f"refs/heads/{default_branch}", sha)
            return repo

    def repo(self, full_name: str) -> Repo:
        repo = self.repos.get(full_name)
        if repo is None:
            raise ApiError(404, "Not Found")
        return repo

    def repo_by_id(self, repo_id: int) -> Repo:
        for repo in self.repos.values():
            if repo.id == repo_id:
                return repo
        raise ApiError(404, "404 Project Not Found")

    def require(self, repo: Repo, user: User, need: str) -> None:
        if not permission_at_least(repo.permission(user), need):
            raise ApiError(403, "Resource not accessible by integration" if user.type == "Bot"
                           else "Must have push access to this repository")

    # -- refs ------------------------------------------------------------------------------------
    def refs_changed(self, repo: Repo, changes: list[tuple[str, str, str]], actor: User) -> None:
        """Announce ref updates (from a git push or an API call) and follow them in open pulls."""
        with self.lock:
            self._refs_changed(repo, changes, actor)

    def _refs_changed(self, repo: Repo, changes: list[tuple[str, str, str]], actor: User) -> None:
        for ref, before, after in changes:
            self.emit(Event("push", "push", repo, actor, ref=ref, before=before, after=after))
            if not ref.startswith("refs/heads/") or after == ZERO_SHA:
                continue
            branch = ref.removeprefix("refs/heads/")
            for pull in self.pulls_of(repo):
                if pull.state == "open" and pull.head_branch == branch and pull.head_sha != after:
                    old = pull.head_sha
                    pull.head_sha, pull.updated_at = after, now_iso()
                    self.emit(Event("pull_request", "synchronize", repo, actor, pull=pull, before=old,
                                    after=after))

    def set_ref(self, repo: Repo, ref: str, sha: str, actor: User, force: bool = False) -> None:
        with self.lock:
            before = repo.bare.ref_target(ref) or ZERO_SHA
            if before != ZERO_SHA and not force and not repo.bare.is_ancestor(before, sha):
                raise ApiError(422, "Update is not a fast forward")
            repo.bare.update_ref(ref, sha)
        self.refs_changed(repo, [(ref, before, sha)], actor)

    def create_ref(self, repo: Repo, ref: str, sha: str, actor: User) -> None:
        with self.lock:
            if repo.bare.ref_target(ref):
                raise ApiError(422, "Reference already exists")
            if repo.bare.object_type(sha) is None:
                raise ApiError(422, "Object does not exist")
            repo.bare.update_ref(ref, sha, ZERO_SHA)
        self.refs_changed(repo, [(ref, ZERO_SHA, sha)], actor)

    def delete_ref(self, repo: Repo, ref: str, actor: User) -> None:
        with self.lock:
            before = repo.bare.ref_target(ref)
            if before is None:
                raise ApiError(422, "Reference does not exist")
            repo.bare.delete_ref(ref)
        self.refs_changed(repo, [(ref, before, ZERO_SHA)], actor)

    # -- pulls -----------------------------------------------------------------------------------
    def pulls_of(self, repo: Repo) -> list[Pull]:
        return [p for (name, _), p in sorted(self.pulls.items()) if name == repo.full_name]

    def pull(self, repo: Repo, number: int) -> Pull:
        pull = self.pulls.get((repo.full_name, number))
        if pull is None:
            raise ApiError(404, "Not Found")
        return pull

    def open_pull(self, repo: Repo, head: str, base: str, title: str, body: str, draft: bool,
                  actor: User) -> Pull:
        with self.lock:
            self.require(repo, actor, "write")
            head_sha = repo.bare.resolve(f"refs/heads/{head}")
            base_sha = repo.bare.resolve(f"refs/heads/{base}")
            if head_sha is None or base_sha is None:
                raise ApiError(422, f"Validation Failed: {'head' if head_sha is None else 'base'} invalid")
            for other in self.pulls_of(repo):
                if other.state == "open" and other.head_branch == head and other.base_branch == base:
                    raise ApiError(422, f"A pull request already exists for {repo.namespace}:{head}.")
            pull = Pull(id=self.next_id(), number=next(self._numbers[repo.full_name]), repo=repo,
                        title=title, body=body, head_branch=head, base_branch=base, author=actor,
                        head_sha=head_sha, base_sha=base_sha, draft=draft)
            self.pulls[(repo.full_name, pull.number)] = pull
        self.emit(Event("pull_request", "opened", repo, actor, pull=pull))
        return pull

    def update_pull(self, pull: Pull, actor: User, *, title: str | None = None, body: str | None = None,
                    state: str | None = None, draft: bool | None = None) -> Pull:
        actions: list[tuple[str, dict[str, object]]] = []
        with self.lock:
            self.require(pull.repo, actor, "triage" if actor.login != pull.author.login else "read")
            if title is not None and title != pull.title:
                actions.append(("edited", {"title": {"from": pull.title}}))
                pull.title = title
            if body is not None and body != pull.body:
                actions.append(("edited", {"body": {"from": pull.body}}))
                pull.body = body
            if draft is not None and draft != pull.draft and pull.state == "open":
                pull.draft = draft
                actions.append(("converted_to_draft" if draft else "ready_for_review", {}))
            if state is not None and state != pull.state and not pull.merged:
                if state == "open" and pull.repo.bare.resolve(f"refs/heads/{pull.head_branch}") is None:
                    raise ApiError(422, "Validation Failed: head branch was deleted")
                pull.state = state
                pull.closed_at = now_iso() if state == "closed" else None
                actions.append(("closed" if state == "closed" else "reopened", {}))
            pull.updated_at = now_iso()
        for action, changes in actions:
            self.emit(Event("pull_request", action, pull.repo, actor, pull=pull, changes=changes))
        return pull

    def add_labels(self, pull: Pull, actor: User, labels: list[str]) -> Pull:
        """Both forges: adding a label the PR already has is no error and no second copy."""
        with self.lock:
            self.require(pull.repo, actor, "triage")
            pull.labels.extend(label for label in dict.fromkeys(labels) if label not in pull.labels)
            pull.updated_at = now_iso()
        return pull

    def mergeable(self, pull: Pull) -> bool | None:
        if pull.state != "open":
            return None
        base = pull.repo.bare.resolve(f"refs/heads/{pull.base_branch}")
        return base is not None and pull.repo.bare.merge_tree(base, pull.head_sha) is not None

    def merge_pull(self, pull: Pull, actor: User, sha: str | None, message: str | None) -> str:
        repo = pull.repo
        with self.lock:
            self.require(repo, actor, "write")
            if pull.merged or pull.state != "open":
                raise ApiError(405, "Pull Request is not mergeable")
            if pull.draft:
                raise ApiError(405, "Pull Request is still a draft")
            if sha and sha != pull.head_sha:
                raise ApiError(409, "Head branch was modified. Review and try the merge again.")
            base_ref = f"refs/heads/{pull.base_branch}"
            base = repo.bare.resolve(base_ref)
            tree = repo.bare.merge_tree(base, pull.head_sha) if base else None
            if base is None or tree is None:
                raise ApiError(405, "Pull Request is not mergeable")
            text = message or f"Merge pull request #{pull.number} from {repo.namespace}/{pull.head_branch}"
            merge_sha = repo.bare.commit_tree(tree, [base, pull.head_sha], text + "\n\n" + pull.title + "\n",
                                              identity(actor), identity(actor))
            repo.bare.update_ref(base_ref, merge_sha, base)
            pull.merged, pull.merged_by, pull.merged_at = True, actor, now_iso()
            pull.state, pull.closed_at, pull.merge_commit_sha = "closed", pull.merged_at, merge_sha
        self.refs_changed(repo, [(base_ref, base, merge_sha)], actor)
        self.emit(Event("pull_request", "closed", repo, actor, pull=pull))
        return merge_sha

    # -- comments, reactions, reviews ------------------------------------------------------------
    def add_comment(self, repo: Repo, number: int, body: str, actor: User) -> Comment:
        with self.lock:
            self.require(repo, actor, "read")
            pull = self.pull(repo, number)
            comment = Comment(id=self.next_id(), repo=repo, number=number, author=actor, body=body)
            self.comments[comment.id] = comment
        self.emit(Event("comment", "created", repo, actor, pull=pull, comment=comment))
        return comment

    def comment(self, repo: Repo, comment_id: int) -> Comment:
        comment = self.comments.get(comment_id)
        if comment is None or comment.repo is not repo:
            raise ApiError(404, "Not Found")
        return comment

    def edit_comment(self, comment: Comment, body: str, actor: User) -> Comment:
        with self.lock:
            if actor.login != comment.author.login:
                self.require(comment.repo, actor, "maintain")
            old, comment.body, comment.updated_at = comment.body, body, now_iso()
        self.emit(Event("comment", "edited", comment.repo, actor, comment=comment,
                        pull=self.pull(comment.repo, comment.number), changes={"body": {"from": old}}))
        return comment

    def delete_comment(self, comment: Comment, actor: User) -> None:
        with self.lock:
            if actor.login != comment.author.login:
                self.require(comment.repo, actor, "maintain")
            del self.comments[comment.id]

    def add_reaction(self, comment: Comment, content: str, actor: User) -> tuple[Reaction, bool]:
        with self.lock:
            for reaction in comment.reactions:
                if reaction.user.login == actor.login and reaction.content == content:
                    return reaction, False
            reaction = Reaction(id=self.next_id(), user=actor, content=content)
            comment.reactions.append(reaction)
            return reaction, True

    def add_review(self, pull: Pull, actor: User, state: str, body: str) -> Review:
        with self.lock:
            if state == "APPROVED" and actor.login == pull.author.login:
                raise ApiError(422, "Can not approve your own pull request")
            review = Review(id=self.next_id(), number=pull.number, user=actor, state=state, body=body,
                            commit_id=pull.head_sha)
            pull.reviews.append(review)
        self.emit(Event("review", "submitted", pull.repo, actor, pull=pull, review=review))
        return review

    # -- statuses and checks ---------------------------------------------------------------------
    def add_status(self, repo: Repo, sha: str, state: str, context: str, description: str | None,
                   target_url: str | None, actor: User) -> Status:
        with self.lock:
            self.require(repo, actor, "write")
            if repo.bare.object_type(sha) != "commit":
                raise ApiError(422, f"No commit found for SHA: {sha}")
            status = Status(id=self.next_id(), sha=sha, state=state, context=context,
                            description=description, target_url=target_url, creator=actor)
            self.statuses.setdefault((repo.full_name, sha), []).insert(0, status)
            return status

    def statuses_for(self, repo: Repo, sha: str) -> list[Status]:
        return list(self.statuses.get((repo.full_name, sha), []))

    def add_check_run(self, repo: Repo, run: CheckRun, actor: User) -> CheckRun:
        with self.lock:
            self.require(repo, actor, "write")
            if repo.bare.object_type(run.head_sha) != "commit":
                raise ApiError(422, f"No commit found for SHA: {run.head_sha}")
            self.check_runs[run.id] = (repo, run)
            return run


def identity(user: User) -> Identity:
    return Identity(user.name, user.email)
