"""Upgrading downstream packages to a newer upstream revision (``rpkg upgrade``, ``rpkg update``).

One call for automation — :func:`upgrade_revision`: a downstream revision, a target upstream revision and a
strategy in; the new Draft (or, for an existing Draft, the moved one) and its conflict report out. The
merge is bot.upgrade's (kpt's three-way merge, byte for byte); here the three trees are read from git,
the Kptfile's ``upstream``/``upstreamLock`` moved to the new revision, the result rendered (a failed render
pushes nothing) and committed as Porch does (``Upgrading revision`` with the ``upgrade`` task).
The CLI and, when an upstream publishes, the bot both call it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import Conflict, InvalidInput, NotFound
from bot.lifecycle import commits, naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PUBLISHED, PackageRevision
from bot.lifecycle.drafts import Change, create_draft, ensure_new_workspace, next_revision
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import RefUpdate
from bot.lifecycle.packagefiles import KPTFILE
from bot.lifecycle.rendering import render_staged
from bot.lifecycle.upstream_changes import UpstreamChanges, upstream_changes
from bot.lifecycle.upstreams import (
    Upstream,
    UpstreamLock,
    extract_package,
    read_lock,
    registered_for,
    resolve_upstream,
)
from bot.render.yaml.node import Node
from bot.upgrade import RESOURCE_MERGE, STRATEGIES
from bot.upgrade.conflicts import Conflict as MergeConflict
from bot.upgrade.engine import update_package
from bot.upgrade.kptfile_merge import canonical, read_canonical, set_upstream_ref, write_canonical


@dataclass(frozen=True)
class UpgradeOutcome:
    """What an upgrade made and what a reviewer should know about it."""

    change: Change
    package_path: str
    old_upstream: str  # the ref the downstream was locked to, e.g. ``basens/v1``
    new_upstream: str  # the tag it now follows, e.g. ``basens/v2``
    strategy: str
    conflicts: tuple[MergeConflict, ...] = ()
    upstream_changes: UpstreamChanges = field(default_factory=UpstreamChanges)


def downstream_lock(cache: RepositoryCache, revision: PackageRevision) -> UpstreamLock:
    text = cache.git.show_file(cache.git.peel(revision.commit), f"{revision.package_path}/{KPTFILE}")
    lock = read_lock(text or "", revision.name)
    if lock is None:
        raise InvalidInput(f"{revision.name} has no upstream: only a cloned package can be upgraded")
    return lock


def _target(upstream: Upstream, number: int | None) -> int:
    if not upstream.published:
        raise NotFound(f"upstream package {upstream.package_path!r} has no published revision")
    target = number if number is not None else upstream.latest
    if target not in upstream.published:
        raise NotFound(f"upstream package {upstream.package_path!r} has no revision v{target}")
    return target


def _relock(stage: Path, lock: UpstreamLock, tag: str, commit: str) -> None:
    """Point the Kptfile's upstream at ``tag`` and lock it to ``commit`` (the repo and directory as written)."""
    kptfile = read_canonical(stage)
    if kptfile is None:
        raise InvalidInput("the upgraded package has no Kptfile")
    kptfile = set_upstream_ref(kptfile, tag, None)  # the strategy written (or not) stays as it was
    locked = Node.mapping()
    locked.set("type", Node.scalar("git"))
    git = locked.set("git", Node.mapping())
    for key, value in (("repo", lock.repo), ("directory", lock.directory), ("ref", tag), ("commit", commit)):
        git.set(key, Node.scalar(value))
    kptfile.set("upstreamLock", locked)
    write_canonical(stage, canonical(kptfile))


@dataclass
class _Merge:
    """One three-way merge into a staged package; filled in by ``fill`` when create/commit calls it."""

    upstream: Upstream
    lock: UpstreamLock
    target: int
    strategy: str
    conflicts: tuple[MergeConflict, ...] = ()
    changes: UpstreamChanges = field(default_factory=UpstreamChanges)

    def fill_from(self, cache: RepositoryCache, commit: str, package_path: str) -> Any:
        def fill(stage: Path) -> None:
            extract_package(cache, commit, package_path, stage)
            self.merge(stage)
        return fill

    def merge(self, stage: Path) -> None:
        new_commit = self.upstream.published[self.target]
        with tempfile.TemporaryDirectory(prefix="porchbot-upgrade-") as scratch:
            old_dir, new_dir = Path(scratch) / "old", Path(scratch) / "new"
            old_dir.mkdir()
            new_dir.mkdir()
            if self.lock.commit:
                extract_package(self.upstream.cache, self.lock.commit, self.upstream.package_path, old_dir)
            extract_package(self.upstream.cache, new_commit, self.upstream.package_path, new_dir)
            self.changes = upstream_changes(old_dir, new_dir)
            result = update_package(stage, old_dir if self.lock.commit else None, new_dir, self.strategy)
        self.conflicts = tuple(result.conflicts)
        _relock(stage, self.lock, self.upstream.tag(self.target), new_commit)

    def task(self, local_name: str) -> dict[str, Any]:
        return {"type": "upgrade", "upgrade": {
            "oldUpstreamRef": {"name": self.lock.ref}, "newUpstreamRef": {"name": self.upstream.tag(self.target)},
            "localPackageRevisionRef": {"name": local_name}, "strategy": self.strategy}}


def _prepare(engine: Engine, cache: RepositoryCache, revision: PackageRevision, number: int | None,
             strategy: str) -> _Merge:
    if strategy not in STRATEGIES:
        raise InvalidInput(f"unknown strategy {strategy!r}: use one of {', '.join(STRATEGIES)}")
    lock = downstream_lock(cache, revision)
    if registered_for(engine, lock.repo) is None:
        raise InvalidInput(f"the upstream of {revision.name} ({lock.repo}) is not a registered repository: "
                           "register it with `porchbot repo register`")
    upstream = resolve_upstream(engine, lock)
    return _Merge(upstream, lock, _target(upstream, number), strategy)


def upgrade_revision(engine: Engine, source_name: str, number: int | None = None, workspace: str | None = None,
                     strategy: str = RESOURCE_MERGE) -> UpgradeOutcome:
    """A new Draft of the Published downstream ``source_name``, merged old upstream → new upstream."""
    cache, source = engine.find(source_name)
    if source.lifecycle != PUBLISHED or source.is_branch_entry:
        raise Conflict(f"{source_name} is not a published revision: only those can be upgraded "
                       "(use `rpkg update` to move a Draft)")
    merge = _prepare(engine, cache, source, number, strategy)
    revisions = engine.revisions(cache.repository.name, fetch=False)
    workspace = naming.validate_workspace(workspace or next_revision(revisions, source.package_path))
    ensure_new_workspace(revisions, source.package_path, workspace)
    change = create_draft(cache, source.package_path, workspace, commits.UPGRADE_SUBJECT, merge.task(source_name),
                          merge.fill_from(cache, cache.git.peel(source.commit), source.package_path))
    return UpgradeOutcome(change, source.package_path, merge.lock.ref, merge.upstream.tag(merge.target),
                          strategy, merge.conflicts, merge.changes)


def update_draft(engine: Engine, draft_name: str, number: int | None,
                 strategy: str = RESOURCE_MERGE) -> UpgradeOutcome:
    """Move the Draft ``draft_name`` to upstream revision ``number`` (default the latest), one commit."""
    cache, draft = engine.find(draft_name)
    if draft.lifecycle != DRAFT:
        raise Conflict(f"{draft_name} is {draft.lifecycle}: only a Draft can be updated (upgrade a published one)")
    merge = _prepare(engine, cache, draft, number, strategy)
    git = cache.git
    with tempfile.TemporaryDirectory(prefix="porchbot-stage-") as scratch:
        stage = Path(scratch) / "package"
        stage.mkdir()
        merge.fill_from(cache, draft.commit, draft.package_path)(stage)
        render_staged(stage)
        package_tree = git.write_directory_tree(stage)
    base = git.subtree(draft.commit, "")
    tree = git.splice_tree(base, draft.package_path, package_tree)
    updates: tuple[RefUpdate, ...] = ()
    commit = draft.commit
    if tree != base:
        message = commits.message(commits.UPGRADE_SUBJECT, draft.package_path, draft.workspace, draft.revision,
                                  merge.task(draft_name))
        commit = git.commit_tree(tree, [draft.commit], message, commits.author(cache.settings),
                                 commits.committer(cache.settings))
        updates = (RefUpdate(draft.ref, commit, draft.commit),)
        cache.push(list(updates))
    return UpgradeOutcome(Change(draft_name, DRAFT, updates, commit), draft.package_path, merge.lock.ref,
                          merge.upstream.tag(merge.target), strategy, merge.conflicts, merge.changes)


def preview_upgrade(engine: Engine, source_name: str, number: int | None,
                    strategy: str = RESOURCE_MERGE) -> UpgradeOutcome:
    """What upgrading ``source_name`` to ``number`` reports (changes and conflicts), pushing nothing: for a
    redone job whose Draft was pushed before its PR was opened."""
    cache, source = engine.find(source_name)
    merge = _prepare(engine, cache, source, number, strategy)
    with tempfile.TemporaryDirectory(prefix="porchbot-preview-") as scratch:
        stage = Path(scratch) / "package"
        stage.mkdir()
        merge.fill_from(cache, cache.git.peel(source.commit), source.package_path)(stage)
    return UpgradeOutcome(Change(source_name, ""), source.package_path, merge.lock.ref,
                          merge.upstream.tag(merge.target), strategy, merge.conflicts, merge.changes)
