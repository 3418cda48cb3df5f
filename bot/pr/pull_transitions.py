"""PR mode: the lifecycle on a forge. A draft branch's pull request carries its lifecycle.

Draft = a ``drafts/`` branch with no open PR or a draft PR; Proposed = an open PR ready for review;
approve = policy check, merge at the head the approver saw, annotated tag ``<pkgpath>/v<N>`` on the
merge commit, draft branch deleted. Implements the ``Transitions`` protocol for ``rpkg`` and supplies
the pieces the bot's handlers share with it (state gathering, publishing).
"""

from __future__ import annotations

import os
import sys

from bot.queue import crashpoints
from bot.pr import messages
from bot.config import policy
from bot.errors import Conflict, Forbidden, InvalidInput, NotMergeable, PorchbotError
from bot.forges.base import RENDER_STATUS_CONTEXT, Forge
from bot.forges.models import Permission, PullRequest
from bot.pr.decide import DraftState, Intent, MergeAndPublish, Reply, decide_approve
from bot.lifecycle import commits, naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.drafts import Change
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository
from bot.lifecycle.transitions import GitOnlyTransitions

FORGE_LOGIN_ENV = "PORCHBOT_FORGE_USER"  # overrides who runs `rpkg approve` (default: the token's owner)
TAG_ATTEMPTS = 3


def branch_of(revision: PackageRevision) -> str:
    return revision.ref.removeprefix("refs/heads/")


def split_draft_branch(branch: str) -> tuple[str, str]:
    parts = naming.split_package_ref(branch.removeprefix(naming.DRAFTS)) if branch.startswith(naming.DRAFTS) \
        else None
    if parts is None:
        raise InvalidInput(f"{branch!r} is not a draft branch (drafts/<package path>/<workspace>)")
    return parts


def overlay(revisions: list[PackageRevision], forge: Forge, base_branch: str) -> list[PackageRevision]:
    """Discovery hook: a draft whose branch has an open, ready PR is Proposed."""
    result = []
    for revision in revisions:
        if revision.lifecycle == DRAFT and revision.ref.startswith("refs/heads/" + naming.DRAFTS):
            pull = forge.find_pull_request(branch_of(revision), base_branch)
            if pull is not None and pull.is_open and not pull.draft:
                revision = revision._replace(lifecycle=PROPOSED)
        result.append(revision)
    return result


def published_tag_on(cache: RepositoryCache, package_path: str, commit: str) -> str | None:
    """The ``<pkgpath>/v<N>`` tag already naming ``commit``, if any (makes publishing idempotent)."""
    prefix = f"refs/tags/{package_path}/"
    listing = cache.git.run("for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", prefix)
    for line in listing.splitlines():
        target, peeled, ref = line.split(" ", 2) if line.count(" ") >= 2 else (line, "", "")
        if commit in (target, peeled) and naming.published_number(ref[len(prefix):]) is not None:
            return ref.removeprefix("refs/tags/")
    return None


def next_tag(cache: RepositoryCache, package_path: str) -> str:
    prefix = f"refs/tags/{package_path}/"
    names = cache.git.run("for-each-ref", "--format=%(refname)", prefix).split()
    numbers = [naming.published_number(name[len(prefix):]) for name in names]
    return f"{package_path}/v{max((n for n in numbers if n is not None), default=0) + 1}"


def publish(cache: RepositoryCache, forge: Forge, pull: PullRequest, merge_sha: str, actor: str,
            merged: bool) -> str:
    """Tag the merge commit ``<pkgpath>/v<N>`` (annotated: who, PR link) and delete the draft branch."""
    package_path, _ = split_draft_branch(pull.head_branch)
    for attempt in range(TAG_ATTEMPTS):
        cache.fetched = False
        cache.fetch()
        existing = published_tag_on(cache, package_path, merge_sha)
        if existing is not None:
            forge.delete_branch(pull.head_branch)
            return existing
        tag = next_tag(cache, package_path)
        try:
            forge.create_tag(tag, merge_sha, messages.tag_message(tag, actor, pull, merged))
        except Conflict:
            if attempt == TAG_ATTEMPTS - 1:
                raise
            continue  # another publication of this package took the number: read the tags again
        crashpoints.reached("after_tag")
        forge.delete_branch(pull.head_branch)
        return tag
    raise AssertionError("unreachable")


def draft_state(forge: Forge, config: policy.BotConfig, repository: Repository, pull: PullRequest,
                cache: RepositoryCache | None = None) -> DraftState:
    """Everything `decide` needs about one draft's PR, read from the forge now."""
    package_path, _ = split_draft_branch(pull.head_branch)
    status = forge.get_combined_status(pull.head_sha).get(RENDER_STATUS_CONTEXT) if pull.head_sha else None
    repo_policy = config.policy(repository.name)
    approvers = policy.approvers_for(config, repository.name, lambda path: forge.get_file(path, pull.base_branch),
                                     package_path)
    approvals = frozenset(r.author.login.lower() for r in forge.list_approvals(pull.number)) if \
        repo_policy.required_approvals else frozenset()
    tag, branch_left = None, False
    if pull.merged and pull.merge_commit_sha and cache is not None:
        tag = published_tag_on(cache, package_path, pull.merge_commit_sha)
        # Tagged but not cleaned up (a worker died in between): publishing again deletes the branch.
        branch_left = tag is not None and cache.git.rev_parse(f"refs/heads/{pull.head_branch}") is not None
    return DraftState(pull=pull, render_state=status.state if status else None, approvers=approvers,
                      approvals=approvals, required_approvals=repo_policy.required_approvals, published_tag=tag,
                      draft_branch_left=branch_left)


def merge_and_publish(cache: RepositoryCache, forge: Forge, pull: PullRequest, action: MergeAndPublish) -> str:
    package_path, workspace = split_draft_branch(pull.head_branch)
    tag = next_tag(cache, package_path)
    message = commits.message(commits.approve_subject(package_path, tag.rsplit("/", 1)[1]), package_path,
                              workspace, tag.rsplit("/", 1)[1])
    merged = forge.merge_pull_request(pull.number, action.head_sha, message)
    crashpoints.reached("after_merge")  # merged, not tagged: a redone /approve finishes the publication
    return publish(cache, forge, pull, merged.merge_commit_sha, action.approver, merged=False)


class PullRequestTransitions:
    """``Transitions`` for a forge-backed repository, acting with the caller's own forge token."""

    def __init__(self, forge: Forge, config: policy.BotConfig, actor: str | None = None) -> None:
        self.forge = forge
        self.config = config
        self.actor = actor if actor is not None else os.environ.get(FORGE_LOGIN_ENV, "")
        self._git_only = GitOnlyTransitions()

    def _actor(self) -> str:
        """Who approves: the override, else whom the token belongs to (asked once)."""
        if not self.actor:
            login = self.forge.current_user().login
            if not login:
                raise InvalidInput(f"the forge did not name the token's owner: set {FORGE_LOGIN_ENV}")
            self.actor = login
        return self.actor

    def _pull(self, cache: RepositoryCache, revision: PackageRevision) -> PullRequest | None:
        return self.forge.find_pull_request(branch_of(revision), cache.repository.branch)

    def _live(self, cache: RepositoryCache, revision: PackageRevision) -> PackageRevision:
        """The revision with its PR's lifecycle (a lookup by name sees the branch only)."""
        return overlay([revision], self.forge, cache.repository.branch)[0]

    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self._live(cache, revision)
        if revision.lifecycle != DRAFT:
            raise Conflict(f"cannot propose {revision.name}: it is {revision.lifecycle}, expected Draft")
        pull = self._pull(cache, revision)
        if pull is None:
            package_path, workspace = split_draft_branch(branch_of(revision))
            self.forge.open_pull_request(branch_of(revision), cache.repository.branch,
                                         messages.pull_title(package_path, workspace),
                                         messages.pull_body(package_path, workspace), draft=False)
        elif pull.draft:
            self.forge.mark_ready(pull.number)
        return Change(revision.name, PROPOSED, (), revision.commit)

    def reject(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self._live(cache, revision)
        if revision.lifecycle != PROPOSED:
            return self._git_only.reject(cache, revision)
        pull = self._pull(cache, revision)
        if pull is not None and not pull.draft:
            self.forge.convert_to_draft(pull.number)
        return Change(revision.name, DRAFT, (), revision.commit)

    def approve(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self._live(cache, revision)
        if revision.lifecycle != PROPOSED:
            raise Conflict(f"cannot approve {revision.name}: it is {revision.lifecycle}, expected Proposed")
        actor = self._actor()
        pull = self._pull(cache, revision)
        if pull is None:
            raise Conflict(f"cannot approve {revision.name}: its pull request is gone")
        state = draft_state(self.forge, self.config, cache.repository, pull, cache)
        intent = Intent("approve", actor, Permission.NONE, seen_sha=cache.git.peel(revision.commit))
        actions = decide_approve(state, intent)
        if isinstance(actions[0], Reply):
            text = actions[0].text.replace(messages.REPLY_MARKER, "").strip()
            raise (Forbidden if actions[0].refusal else Conflict)(text)
        assert isinstance(actions[0], MergeAndPublish)
        try:
            tag = merge_and_publish(cache, self.forge, pull, actions[0])
        except NotMergeable as err:
            raise Conflict(str(err)) from err
        package_path, version = tag.rsplit("/", 1)
        name = naming.revision_name(cache.repository.name, package_path, version)
        return Change(name, PUBLISHED, (), None)

    def delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        if revision.lifecycle in (DRAFT, PROPOSED):
            pull = self._pull(cache, revision)
            if pull is not None:
                self.forge.close_pull_request(pull.number)
        return self._git_only.delete(cache, revision)

    def propose_delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        return self._git_only.propose_delete(cache, revision)


def transitions_for(repository: Repository) -> PullRequestTransitions | GitOnlyTransitions:
    """PR mode for a forge-backed repository (with the user's token), git-only otherwise."""
    if repository.forge not in ("github", "gitlab"):
        return GitOnlyTransitions()
    from bot.forges import factory as forge_factory
    from bot.config.locations import load_settings

    return PullRequestTransitions(forge_factory.forge_for(repository),
                                  policy.load_config(load_settings().config_dir))


def with_pull_requests_all(engine: Engine, revisions: list[PackageRevision]) -> list[PackageRevision]:
    """Discovery hook for listings: drafts of forge-backed repositories take their PR's lifecycle."""
    from bot.forges import factory as forge_factory

    by_repository: dict[str, list[PackageRevision]] = {}
    for revision in revisions:
        by_repository.setdefault(revision.repository, []).append(revision)
    result: list[PackageRevision] = []
    for name, listed in by_repository.items():
        repository = engine.repository(name)
        if repository.forge in ("github", "gitlab") and any(r.lifecycle == DRAFT for r in listed):
            try:
                listed = overlay(listed, forge_factory.forge_for(repository), repository.branch)
            except PorchbotError as err:  # a listing still answers, from the branches alone
                sys.stderr.write(f"warning: repository {name!r}: pull requests not read ({err}); "
                                 "drafts are shown as Draft\n")
        result.extend(listed)
    return result


def after_create(engine: Engine, change: Change) -> PullRequest | None:
    """After ``rpkg init|clone|copy`` on a forge-backed repository: the draft PR (config ``open_draft_pr``)."""
    from bot.forges import factory as forge_factory
    from bot.config.locations import load_settings

    repository = engine.repository(change.name.rsplit("-", 1)[0])
    if repository.forge not in ("github", "gitlab") or not change.updates:
        return None
    cache = engine.cache(repository.name)
    if not policy.load_config(load_settings().config_dir).open_draft_pr:
        return None
    forge = forge_factory.forge_for(cache.repository)
    branch = change.updates[0].ref.removeprefix("refs/heads/")
    existing = forge.find_pull_request(branch, cache.repository.branch)
    if existing is not None:
        return existing
    package_path, workspace = split_draft_branch(branch)
    return forge.open_pull_request(branch, cache.repository.branch, messages.pull_title(package_path, workspace),
                                   messages.pull_body(package_path, workspace), draft=True)
