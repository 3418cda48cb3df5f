"""A variant that left its repository's files (file removed, or a set's target no longer selected) follows
its ``deletionPolicy``: ``orphan`` leaves its downstream as it is; ``delete`` closes its open Drafts' PRs
with a comment naming the variant and deletes their branches, and proposes the deletion of its published
revision (``DeletionProposed``: a person approves it, never a silent delete). Idempotent: done twice, the
second finds nothing left to do."""

from __future__ import annotations

from bot.errors import PorchbotError
from bot.lifecycle import naming
from bot.lifecycle.engine import Engine
from bot.lifecycle.git_proposals import git_only_lifecycle
from bot.lifecycle.variants import reconcile as git_side
from bot.lifecycle.variants.spec import PackageVariant
from bot.lifecycle.variants.state import Known
from bot.pr import variants_messages as text
from bot.pr.variants_outcome import ForgeOf, Locked, VariantOutcome


def _placeholder(owner: str, gone: Known) -> PackageVariant:
    """Enough of the removed variant to find its work again (its key gives its workspace)."""
    return PackageVariant(name=gone.name, file=gone.file, upstream_repo="", upstream_package="", upstream_revision=0,
                          downstream_repo=gone.downstream_repo, downstream_package=gone.downstream_package,
                          deletion=gone.deletion, owner=owner)


def remove_variant(engine: Engine, forge_of: ForgeOf, locked: Locked, owner: str, gone: Known) -> VariantOutcome:
    if gone.deletion == "orphan":
        return VariantOutcome(gone.key, "orphaned")
    if gone.downstream_repo not in engine.repositories():
        return VariantOutcome(gone.key, "deleted", reason=f"repository {gone.downstream_repo!r} is no longer "
                                                         "registered")
    target = engine.repository(gone.downstream_repo)
    try:
        with locked(target):
            forge = forge_of(target) if target.forge_backed else None
            seen = git_side.observe(engine, _placeholder(owner, gone))
            closed = None
            for draft in seen.drafts:
                branch = draft.ref.removeprefix("refs/heads/")
                pull = forge.find_pull_request(branch, target.branch) if forge else None
                if forge is not None and pull is not None:
                    forge.create_comment(pull.number, text.variant_removed(gone.name, gone.file, gone.deletion))
                    forge.close_pull_request(pull.number)
                    closed = pull.number
                git_side.discard_draft(engine, draft)
            if seen.published is not None and seen.owner == gone.key:
                cache = engine.cache(target.name)
                deletion = naming.deletion_branch(seen.published.package_path, seen.published.revision)
                if cache.git.rev_parse(deletion) is None:
                    git_only_lifecycle().propose_delete(cache, seen.published)
                return VariantOutcome(gone.key, "deletion-proposed", closed)
            return VariantOutcome(gone.key, "deleted", closed)
    except PorchbotError as err:
        return VariantOutcome(gone.key, "failed", reason=str(err))
