"""Creating and editing drafts: init, clone, copy, pull, push. Each is one commit on a draft branch."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import Conflict, InvalidInput
from bot.lifecycle import commits, naming, resourcelist
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DRAFT, PackageRevision
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import Git, RefUpdate
from bot.lifecycle.packagefiles import KPTFILE
from bot.lifecycle.rendering import render_staged

if TYPE_CHECKING:
    from bot.render.resourcelist import ResourceList

METADATA_FILE = resourcelist.METADATA_FILE  # porchctl's record of what a pulled folder was pulled from


@dataclass(frozen=True)
class Change:
    """What an operation did: the revision's name and lifecycle afterwards, and the refs it moved."""

    name: str
    lifecycle: str  # "" when the revision is gone
    updates: tuple[RefUpdate, ...] = ()
    commit: str | None = None


def next_revision(revisions: list[PackageRevision], package_path: str) -> str:
    """The default workspace of a copy: the next vN used neither as a workspace nor as a revision number."""
    numbers = [naming.published_number(text) or 0 for r in revisions
               if r.package_path == package_path and not r.is_branch_entry for text in (r.workspace, r.revision)]
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
    name = naming.revision_name(cache.repository.name, package_path, workspace, cache.repository.directory)
    return Change(name, DRAFT, (update,), commit)


def revision_metadata(cache: RepositoryCache, revision: PackageRevision, namespace: str) -> str:
    """porchctl's ``KptRevisionMetadata`` for ``revision``: its identity and version (the commit; ``push``
    refuses a pull whose version is not the draft's current one)."""
    return resourcelist.revision_metadata(revision.name, namespace, revision.commit,
                                          cache.git.commit_info(revision.commit, "%ct"))


def pull(engine: Engine, name: str, destination: Path, namespace: str = "default") -> PackageRevision:
    """The revision's files in ``destination``, with porchctl's ``.KptRevisionMetadata`` beside them (a file
    kpt does not read as a resource)."""
    cache, revision = engine.find(name)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise InvalidInput(f"{destination} exists and is not empty")
    cache.git.extract(f"{revision.commit}:{revision.package_path}", destination)
    (destination / METADATA_FILE).write_text(revision_metadata(cache, revision, namespace))
    return revision


@dataclass(frozen=True)
class PushSource:
    """What ``rpkg push`` sends: a package directory, or a ResourceList (stdin); ``version`` is the
    KptRevisionMetadata's resourceVersion ('' when it has none, None when there is no metadata)."""

    directory: Path | None
    resource_list: ResourceList | None
    version: str | None

    @classmethod
    def from_directory(cls, source: Path) -> PushSource:
        if not (source / KPTFILE).is_file():
            raise InvalidInput(f"{source} has no Kptfile: not a kpt package")
        metadata = source / METADATA_FILE
        version = resourcelist.metadata_version(metadata.read_text()) if metadata.is_file() else None
        return cls(source, None, version)

    @classmethod
    def from_resource_list(cls, text: str) -> PushSource:
        items, version = resourcelist.split_metadata(text)
        return cls(None, items, version)

    def fill(self, stage: Path, git: Git, current: PackageRevision) -> None:
        if self.directory is not None:
            shutil.copytree(self.directory, stage, ignore=shutil.ignore_patterns(METADATA_FILE, ".git"),
                            symlinks=True, dirs_exist_ok=True)
            return
        # A ResourceList carries the package's resources only: its other files (README.md) stay.
        git.extract(f"{current.commit}:{current.package_path}", stage)
        assert self.resource_list is not None
        resourcelist.write_resources(stage, self.resource_list)


def push(engine: Engine, name: str, source: PushSource) -> Change:
    """Replace the draft's package with ``source`` (rendered), refused unless Draft or if it moved."""
    cache, revision = engine.find(name)
    if source.version is not None:
        if not source.version:
            raise Conflict("Internal error occurred: resourceVersion must be specified for an update")
        if source.version != revision.commit:
            raise Conflict(f"Internal error occurred: Operation cannot be fulfilled on "
                           f"packagerevisionresources.porch.kpt.dev \"{name}\": the object has been modified; "
                           "please apply your changes to the latest version and try again")
    if revision.lifecycle != DRAFT:
        raise Conflict(f"{name} is {revision.lifecycle}: only a Draft can be pushed to")
    git = cache.git
    with tempfile.TemporaryDirectory(prefix="porchbot-stage-") as scratch:
        stage = Path(scratch) / "package"
        stage.mkdir()
        source.fill(stage, git, revision)
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
    if source.directory is not None and (source.directory / METADATA_FILE).is_file():
        # The pulled folder now describes the new version: a second push from it is not stale.
        metadata = source.directory / METADATA_FILE
        metadata.write_text(resourcelist.with_version(metadata.read_text(), commit))
    return Change(name, DRAFT, (update,), commit)
