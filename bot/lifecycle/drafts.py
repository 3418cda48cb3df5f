"""Creating and editing drafts: init, clone, copy, pull, push. Each is one commit on a draft branch."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import Conflict, InvalidInput
from bot.lifecycle import commits, naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PackageRevision
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import RefUpdate
from bot.lifecycle.packagefiles import KPTFILE
from bot.lifecycle.rendering import render_staged

PULL_MARKER = ".porchbot-pull.json"  # records what a pulled directory was pulled from (name, commit)


@dataclass(frozen=True)
class Change:
    """What an operation did: the revision's name and lifecycle afterwards, and the refs it moved."""

    name: str
    lifecycle: str  # "" when the revision is gone
    updates: tuple[RefUpdate, ...] = ()
    commit: str | None = None


def next_revision(revisions: list[PackageRevision], package_path: str) -> str:
    numbers = [naming.published_number(r.workspace) or 0 for r in revisions
               if r.package_path == package_path and not r.is_branch_entry]
    return f"v{max(numbers, default=0) + 1}"


def ensure_new_workspace(revisions: list[PackageRevision], package_path: str, workspace: str) -> None:
    for revision in revisions:
        if revision.package_path == package_path and revision.workspace == workspace:
            raise Conflict(f"package {package_path!r} already has a revision {workspace!r} ({revision.name})")


def create_draft(cache: RepositoryCache, package_path: str, workspace: str, subject: str,
                 task: dict[str, Any], fill: Callable[[Path], None]) -> Change:
    """One commit on the branch tip replacing ``package_path`` with what ``fill`` writes, rendered."""
    git = cache.git
    branch_head = git.rev_parse(f"refs/heads/{cache.repository.branch}")
    with tempfile.TemporaryDirectory(prefix="porchbot-stage-") as scratch:
        stage = Path(scratch) / "package"
        stage.mkdir()
        fill(stage)
        render_staged(stage)
        package_tree = git.write_directory_tree(stage)
    base_tree = git.subtree(branch_head, "") if branch_head else None
    tree = git.splice_tree(base_tree, package_path, package_tree)
    message = commits.message(subject, package_path, workspace, workspace, task)
    commit = git.commit_tree(tree, [branch_head] if branch_head else [], message,
                             commits.author(cache.settings), commits.committer(cache.settings))
    ref = naming.draft_branch(package_path, workspace)
    update = RefUpdate(ref, commit, None)
    cache.push([update])
    name = naming.revision_name(cache.repository.name, package_path, workspace)
    return Change(name, DRAFT, (update,), commit)


def pull(engine: Engine, name: str, destination: Path) -> PackageRevision:
    cache, revision = engine.find(name)
    if destination.exists() and any(destination.iterdir()):
        raise InvalidInput(f"{destination} exists and is not empty")
    cache.git.extract(f"{revision.commit}:{revision.package_path}", destination)
    marker = {"name": revision.name, "ref": revision.ref, "commit": revision.commit}
    (destination / PULL_MARKER).write_text(json.dumps(marker) + "\n")
    return revision


def push(engine: Engine, name: str, source: Path) -> Change:
    """Replace the draft's package with ``source`` (rendered), refused unless Draft or if it moved."""
    if not (source / KPTFILE).is_file():
        raise InvalidInput(f"{source} has no Kptfile: not a kpt package")
    cache, revision = engine.find(name)
    if revision.lifecycle != DRAFT:
        raise Conflict(f"{name} is {revision.lifecycle}: only a Draft can be pushed to")
    marker_path = source / PULL_MARKER
    if marker_path.exists():
        marker = json.loads(marker_path.read_text())
        if marker.get("name") == name and marker.get("commit") != revision.commit:
            raise Conflict(f"{name} changed since it was pulled into {source}: pull it again")
    git = cache.git
    with tempfile.TemporaryDirectory(prefix="porchbot-stage-") as scratch:
        stage = Path(scratch) / "package"
        shutil.copytree(source, stage, ignore=shutil.ignore_patterns(PULL_MARKER, ".git"), symlinks=True)
        render_staged(stage)
        package_tree = git.write_directory_tree(stage)
    tree = git.splice_tree(git.subtree(revision.commit, ""), revision.package_path, package_tree)
    if tree == git.subtree(revision.commit, ""):
        return Change(name, DRAFT, (), revision.commit)
    message = commits.message(commits.UPDATE_SUBJECT, revision.package_path, revision.workspace,
                              revision.revision)
    commit = git.commit_tree(tree, [revision.commit], message, commits.author(cache.settings),
                             commits.committer(cache.settings))
    update = RefUpdate(revision.ref, commit, revision.commit)
    cache.push([update])
    if marker_path.exists():
        marker_path.write_text(json.dumps({"name": name, "ref": revision.ref, "commit": commit}) + "\n")
    return Change(name, DRAFT, (update,), commit)
