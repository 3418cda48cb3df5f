"""``rpkg init``, ``rpkg clone`` and ``rpkg copy``: a new Draft on a draft branch."""

from __future__ import annotations

from pathlib import Path

from bot.errors import Conflict, InvalidInput
from bot.lifecycle import commits, naming, sources
from bot.lifecycle.discovery import PUBLISHED, PackageRevision
from bot.lifecycle.drafts import Change, create_draft, ensure_new_workspace, next_revision
from bot.lifecycle.engine import Engine
from bot.lifecycle.mergekeys import add_merge_keys_to_package
from bot.lifecycle.packagefiles import (
    KPTFILE,
    PACKAGE_CONTEXT,
    init_files,
    set_package_context_name,
    set_upstream,
)


def _target(engine: Engine, repository: str, package: str,
            workspace: str | None) -> tuple[str, str, list[PackageRevision]]:
    repo = engine.repository(repository)
    package_path = naming.package_path_in(repo.directory, package)
    revisions = engine.revisions(repository)
    if any(r.package_path == package_path for r in revisions):
        raise Conflict(f"package {package!r} already exists in repository {repository!r}")
    for revision in revisions:
        if package_path.startswith(revision.package_path + "/") or revision.package_path.startswith(
                package_path + "/"):
            raise InvalidInput(f"package {package!r} would nest with package {revision.package!r}")
    workspace = naming.validate_workspace(workspace or "v1")
    return package_path, workspace, revisions


def init(engine: Engine, package: str, repository: str, revision: str | None = None,
         description: str = "") -> Change:
    package_path, workspace, _ = _target(engine, repository, package, revision)
    name = package_path.rsplit("/", 1)[-1]
    files = init_files(name, description)

    def fill(stage: Path) -> None:
        for file_name, text in files.items():
            (stage / file_name).write_text(text)

    task = {"type": "init", "init": {"description": description or "sample description"}}
    return create_draft(engine.cache(repository), package_path, workspace, commits.INIT_SUBJECT, task, fill)


def clone(engine: Engine, source: str, package: str, repository: str, revision: str | None = None) -> Change:
    upstream = sources.resolve(engine, source)
    package_path, workspace, _ = _target(engine, repository, package, revision)
    name = package_path.rsplit("/", 1)[-1]
    deployment = engine.repository(repository).deployment
    treeish = f"{upstream.commit}:{upstream.package_path}" if upstream.package_path else upstream.commit

    def fill(stage: Path) -> None:
        upstream.git.extract(treeish, stage)
        kptfile = stage / KPTFILE
        if not kptfile.is_file():
            raise InvalidInput(f"{source} is not a kpt package (no Kptfile)")
        add_merge_keys_to_package(stage)
        kptfile.write_text(set_upstream(kptfile.read_text(), name, upstream.lock))
        if deployment:  # Porch regenerates the package context of a deployment's clone
            context = stage / PACKAGE_CONTEXT
            current = context.read_text() if context.exists() else None
            context.write_text(set_package_context_name(current, name))

    task = {"type": "clone", "clone": {"upstreamRef": upstream.upstream_ref}}
    return create_draft(engine.cache(repository), package_path, workspace, commits.CLONE_SUBJECT, task, fill)


def copy(engine: Engine, source_name: str, revision: str | None = None) -> Change:
    cache, source = engine.find(source_name)
    if source.lifecycle != PUBLISHED or source.is_branch_entry:
        raise Conflict(f"{source_name} is not a published revision: only those can be copied")
    revisions = engine.revisions(cache.repository.name, fetch=False)
    workspace = naming.validate_workspace(revision or next_revision(revisions, source.package_path))
    ensure_new_workspace(revisions, source.package_path, workspace)

    def fill(stage: Path) -> None:
        cache.git.extract(f"{source.commit}:{source.package_path}", stage)

    task = {"type": "edit", "edit": {"sourceRef": {"name": source.name}}}
    return create_draft(cache, source.package_path, workspace, commits.COPY_SUBJECT, task, fill)
