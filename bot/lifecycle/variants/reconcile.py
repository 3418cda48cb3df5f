"""The git side of reconciling a variant: what its downstream holds now, and the Drafts it makes.

Every name is deterministic, so a redone job finds its own earlier work instead of making it twice: a
variant's clone Draft is ``drafts/<package>/variant-<id>`` (id: a hash of the holding repository and the
variant's name), a Draft that brings a changed spec to a published downstream is ``variant-<id>-<spec>``;
what a Draft already carries is read back from its Kptfile (``porchbot.dev/variant-spec``, the upstream
lock). Commits name the variant. PRs, upgrades of published downstreams and deletion policies on a forge
are bot.pr.variants_reconcile's.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.lifecycle import commits
from bot.lifecycle.create import clone
from bot.lifecycle.create import copy as copy_revision
from bot.lifecycle.discovery import DRAFT, PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.drafts import Change
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import RefUpdate
from bot.lifecycle.naming import package_path_in
from bot.lifecycle.packagefiles import KPTFILE
from bot.lifecycle.upstreams import locked_number, read_lock
from bot.lifecycle.variants.injection import injected_inputs
from bot.lifecycle.variants.mutate import applied_spec, apply_variant
from bot.lifecycle.variants.spec import PackageVariant

VARIANT_SUBJECT = "Applying package variant"


@dataclass(frozen=True)
class Observed:
    """One variant's downstream as git holds it."""

    variant: PackageVariant
    package_path: str
    drafts: tuple[PackageRevision, ...]  # the variant's own Drafts and Proposals, by workspace
    published: PackageRevision | None  # the package's latest published revision
    others: bool  # revisions of the package that are neither (a person's Drafts, a foreign package)
    owner: str  # the variant key the published Kptfile names (porchbot.dev/variant), "" if none
    applied: str  # the spec hash the published Kptfile records

    @property
    def exists(self) -> bool:
        return bool(self.drafts) or self.published is not None or self.others


def is_variant_workspace(variant: PackageVariant, workspace: str) -> bool:
    return workspace == variant.workspace or workspace.startswith(variant.workspace + "-")


def kptfile_of(engine: Engine, revision: PackageRevision) -> str | None:
    cache = engine.cache(revision.repository)
    return cache.git.show_file(cache.git.peel(revision.commit), f"{revision.package_path}/{KPTFILE}")


def observe(engine: Engine, variant: PackageVariant) -> Observed:
    """From the downstream repository's cache (the caller fetched it)."""
    repository = engine.repository(variant.downstream_repo)
    package_path = package_path_in(repository.directory, variant.downstream_package)
    revisions = [r for r in engine.revisions(repository.name, fetch=False) if r.package_path == package_path]
    drafts = tuple(r for r in revisions if r.lifecycle in (DRAFT, PROPOSED)
                   and is_variant_workspace(variant, r.workspace))
    published = next((r for r in revisions if r.latest and r.lifecycle == PUBLISHED and not r.is_branch_entry),
                     None)
    others = any(r not in drafts and r.lifecycle in (DRAFT, PROPOSED) for r in revisions) or \
        (published is None and any(r.is_branch_entry for r in revisions))
    owner, applied = applied_spec(kptfile_of(engine, published)) if published is not None else ("", "")
    return Observed(variant, package_path, drafts, published, others, owner, applied)


def revision_lock(engine: Engine, revision: PackageRevision) -> int | None:
    """The upstream revision number a downstream revision is locked to (None: none, or not a number)."""
    lock = read_lock(kptfile_of(engine, revision) or "", revision.name)
    return locked_number(lock) if lock is not None else None


def draft_spec(engine: Engine, revision: PackageRevision) -> str:
    return applied_spec(kptfile_of(engine, revision))[1]


def spec_hash(variant: PackageVariant, resources: list[dict[str, Any]]) -> str:
    return variant.spec_hash(injected_inputs(variant, resources))


def _task(variant: PackageVariant, spec: str) -> dict[str, Any]:
    return {"type": "patch", "patch": {"packageVariant": variant.key, "file": variant.file, "spec": spec}}


def apply_to_draft(engine: Engine, draft: PackageRevision, variant: PackageVariant,
                   resources: list[dict[str, Any]]) -> Change | None:
    """One commit applying ``variant`` to the Draft ``draft``; None when its files already are so."""
    cache = engine.cache(draft.repository)
    git = cache.git
    spec = spec_hash(variant, resources)
    head = git.rev_parse(draft.ref) or draft.commit
    with tempfile.TemporaryDirectory(prefix="porchbot-variant-") as scratch:
        stage = Path(scratch) / "package"
        stage.mkdir()
        git.extract(f"{head}:{draft.package_path}", stage)
        apply_variant(stage, variant, spec, resources)
        package_tree = git.write_directory_tree(stage)
    base = git.subtree(head, "")
    tree = git.splice_tree(base, draft.package_path, package_tree)
    if tree == base:
        return None
    message = commits.message(f"{VARIANT_SUBJECT} {variant.name}", draft.package_path, draft.workspace,
                              draft.revision, _task(variant, spec))
    commit = git.commit_tree(tree, [head], message, commits.committer(cache.settings),
                             commits.committer(cache.settings))
    update = RefUpdate(draft.ref, commit, head)
    cache.push([update])
    return Change(draft.name, draft.lifecycle, (update,), commit)


def find_draft(engine: Engine, repository: str, workspace: str, package_path: str) -> PackageRevision | None:
    return next((r for r in engine.revisions(repository, fetch=False) if r.package_path == package_path
                 and r.workspace == workspace and r.lifecycle in (DRAFT, PROPOSED)), None)


def clone_variant(engine: Engine, variant: PackageVariant, upstream: PackageRevision,
                  resources: list[dict[str, Any]]) -> PackageRevision:
    """The clone Draft of a missing downstream, with the variant applied (two commits, both on
    ``drafts/<package>/variant-<id>``; a job killed in between applies the second when redone)."""
    change = clone(engine, upstream.name, variant.downstream_package, variant.downstream_repo,
                   revision=variant.workspace)
    return _applied(engine, variant, change, resources)


def copy_for_spec(engine: Engine, variant: PackageVariant, published: PackageRevision,
                  resources: list[dict[str, Any]]) -> PackageRevision:
    """A new Draft of the published downstream carrying the variant's changed spec."""
    workspace = f"{variant.workspace}-{spec_hash(variant, resources)[:8]}"
    change = copy_revision(engine, published.name, revision=workspace)
    return _applied(engine, variant, change, resources)


def _applied(engine: Engine, variant: PackageVariant, change: Change,
             resources: list[dict[str, Any]]) -> PackageRevision:
    _, revision = engine.find(change.name)
    apply_to_draft(engine, revision, variant, resources)
    return engine.find(change.name)[1]


def discard_draft(engine: Engine, draft: PackageRevision) -> Change:
    """Delete a variant's Draft (its variant was removed with ``deletionPolicy: delete``)."""
    cache = engine.cache(draft.repository)
    update = RefUpdate(draft.ref, None, cache.git.rev_parse(draft.ref))
    if update.expected is not None:
        cache.push([update])
    return Change(draft.name, "", (update,))
