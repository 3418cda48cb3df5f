"""What the PR adapter reads of a draft now: its pull request's lifecycle and everything `decide` needs."""

from __future__ import annotations

from bot.config import policy
from bot.forges.base import RENDER_STATUS_CONTEXT, Forge
from bot.forges.models import PullRequest
from bot.lifecycle import naming, publishing
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PROPOSED, PackageRevision
from bot.lifecycle.readiness import unmet_gates
from bot.lifecycle.repositories import Repository
from bot.pr.decide import DraftState


def branch_of(revision: PackageRevision) -> str:
    return revision.ref.removeprefix("refs/heads/")


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


def draft_state(forge: Forge, config: policy.BotConfig, repository: Repository, pull: PullRequest,
                cache: RepositoryCache | None = None) -> DraftState:
    """Everything `decide` needs about one draft's PR, read from the forge now."""
    package_path, _ = naming.split_draft_branch(pull.head_branch)
    status = forge.get_combined_status(pull.head_sha).get(RENDER_STATUS_CONTEXT) if pull.head_sha else None
    repo_policy = config.policy(repository.name)
    approvers = policy.approvers_for(config, repository.name, lambda path: forge.get_file(path, pull.base_branch),
                                     package_path)
    approvals = frozenset(r.author.login.lower() for r in forge.list_approvals(pull.number)) if \
        repo_policy.required_approvals else frozenset()
    tag, branch_left = None, False
    if pull.merged and pull.merge_commit_sha and cache is not None:
        tag = publishing.published_tag_on(cache, package_path, pull.merge_commit_sha)
        # Tagged but not cleaned up (a worker died in between): publishing again deletes the branch.
        branch_left = tag is not None and cache.git.rev_parse(f"refs/heads/{pull.head_branch}") is not None
    kptfile = forge.get_file(f"{package_path}/Kptfile", pull.head_sha or pull.head_branch) \
        if pull.is_open and not pull.merged else None
    gates = tuple(unmet_gates(kptfile.decode("utf-8", "replace"))) if kptfile else ()
    return DraftState(pull=pull, render_state=status.state if status else None, approvers=approvers,
                      approvals=approvals, required_approvals=repo_policy.required_approvals, published_tag=tag,
                      draft_branch_left=branch_left, unmet_gates=gates)
