"""PR mode's proposal backend: a draft branch's pull request carries its lifecycle.

Draft = a ``drafts/`` branch with no open PR or a draft PR; Proposed = an open PR ready for review;
approve = the same policy decision the bot makes on ``/approve`` (bot.pr.decide), a merge at the head the
approver saw, the annotated tag, the draft branch deleted. The lifecycle rules themselves are
bot.lifecycle.transitions.Lifecycle's: this module only says how a PR keeps a proposal.
"""

from __future__ import annotations

from bot.config import policy
from bot.config.settings import current_settings
from bot.errors import Conflict, Forbidden, InvalidInput, NotMergeable, PorchbotError
from bot.forges import factory as forge_factory
from bot.forges.base import Forge
from bot.forges.models import Permission, PullRequest
from bot.lifecycle import naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PackageRevision
from bot.lifecycle.drafts import Change
from bot.lifecycle.engine import Engine
from bot.lifecycle.git_proposals import GitBranchProposals, git_only_lifecycle
from bot.lifecycle.gitaccess import RefUpdate
from bot.lifecycle.repositories import Repository
from bot.lifecycle.transitions import Lifecycle, Publication
from bot.pr import messages
from bot.pr.decide import Intent, MergeAndPublish, Reply, decide_approve
from bot.pr.publishing import merge_and_publish
from bot.pr.state import branch_of, draft_state, overlay

FORGE_LOGIN_ENV = "PORCHBOT_FORGE_USER"  # overrides who runs `rpkg approve` (default: the token's owner)


class PullRequestProposals:
    """``ProposalBackend`` on a forge, acting with the caller's own forge token."""

    def __init__(self, forge: Forge, config: policy.BotConfig, actor: str | None = None) -> None:
        self.forge = forge
        self.config = config
        self.actor = actor if actor is not None else current_settings().forge_user
        self._branches = GitBranchProposals()  # deleting a draft's branch is plain git in both modes

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

    def current(self, cache: RepositoryCache, revision: PackageRevision) -> PackageRevision:
        return overlay([revision], self.forge, cache.repository.branch)[0]

    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        pull = self._pull(cache, revision)
        if pull is None:
            package_path, workspace = naming.split_draft_branch(branch_of(revision))
            self.forge.open_pull_request(branch_of(revision), cache.repository.branch,
                                         messages.pull_title(package_path, workspace),
                                         messages.pull_body(package_path, workspace), draft=False)
        elif pull.draft:
            self.forge.mark_ready(pull.number)
        return ()

    def withdraw(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        if not revision.ref.startswith("refs/heads/" + naming.DRAFTS):
            return self._branches.withdraw(cache, revision)  # a git-only proposal in a forge-backed repo
        pull = self._pull(cache, revision)
        if pull is not None and not pull.draft:
            self.forge.convert_to_draft(pull.number)
        return ()

    def publish(self, cache: RepositoryCache, revision: PackageRevision) -> Publication:
        actor = self._actor()
        pull = self._pull(cache, revision)
        if pull is None:
            raise Conflict(f"cannot approve {revision.name}: its pull request is gone")
        state = draft_state(self.forge, self.config, cache.repository, pull, cache)
        intent = Intent("approve", actor, Permission.NONE, seen_sha=cache.git.peel(revision.commit))
        action = decide_approve(state, intent)[0]
        if isinstance(action, Reply):
            text = action.text.replace(messages.REPLY_MARKER, "").strip()
            raise (Forbidden if action.refusal else Conflict)(text)
        assert isinstance(action, MergeAndPublish)
        try:
            tag = merge_and_publish(cache, self.forge, pull, action)
        except NotMergeable as err:
            raise Conflict(str(err)) from err
        return Publication(tag.rsplit("/", 1)[1], None)

    def discard(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        pull = self._pull(cache, revision)
        if pull is not None:
            self.forge.close_pull_request(pull.number)
        return self._branches.discard(cache, revision)


def lifecycle_for(repository: Repository) -> Lifecycle:
    """PR mode for a forge-backed repository (with the user's token), git-only otherwise."""
    if not repository.forge_backed:
        return git_only_lifecycle()
    forge = forge_factory.forge_for(repository)
    return Lifecycle(PullRequestProposals(forge, policy.load_config(current_settings().config_dir)))


def with_pull_requests_all(engine: Engine, revisions: list[PackageRevision],
                           warnings: list[str] | None = None) -> list[PackageRevision]:
    """Discovery hook for listings: drafts of forge-backed repositories take their PR's lifecycle. A
    repository whose PRs cannot be read is listed from its branches alone, with a line in ``warnings``."""
    by_repository: dict[str, list[PackageRevision]] = {}
    for revision in revisions:
        by_repository.setdefault(revision.repository, []).append(revision)
    result: list[PackageRevision] = []
    for name, listed in by_repository.items():
        repository = engine.repository(name)
        if repository.forge_backed and any(r.lifecycle == DRAFT for r in listed):
            try:
                listed = overlay(listed, forge_factory.forge_for(repository), repository.branch)
            except PorchbotError as err:
                if warnings is not None:
                    warnings.append(f"repository {name!r}: pull requests not read ({err}); drafts are shown as Draft")
        result.extend(listed)
    return result


def after_create(engine: Engine, change: Change) -> PullRequest | None:
    """After ``rpkg init|clone|copy`` on a forge-backed repository: the draft PR (config ``open_draft_pr``)."""
    repository = engine.repository(change.name.rsplit("-", 1)[0])
    if not repository.forge_backed or not change.updates:
        return None
    cache = engine.cache(repository.name)
    if not policy.load_config(current_settings().config_dir).open_draft_pr:
        return None
    forge = forge_factory.forge_for(cache.repository)
    branch = change.updates[0].ref.removeprefix("refs/heads/")
    existing = forge.find_pull_request(branch, cache.repository.branch)
    if existing is not None:
        return existing
    package_path, workspace = naming.split_draft_branch(branch)
    return forge.open_pull_request(branch, cache.repository.branch, messages.pull_title(package_path, workspace),
                                   messages.pull_body(package_path, workspace), draft=True)
