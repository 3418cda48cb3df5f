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
         description: str = "", keywords: list[str] | None = None, site: str = "") -> Change:
    package_path, workspace, _ = _target(engine, repository, package, revision)
    name = package_path.rsplit("/", 1)[-1]
    files = init_files(name, description, keywords or [], site)

    def fill(stage: Path) -> None:
        for file_name, text in files.items():
            (stage / file_name).write_text(text)

    task = {"type": "init", "init": {"description": description or "sample description"}}
    return create_draft(engine.cache(repository), package_path, workspace, commits.INIT_SUBJECT, task, fill)


def clone(engine: Engine, source: str, package: str, repository: str, revision: str | None = None,
          directory: str = "", ref: str = "", porch_form: bool = True) -> Change:
    """A new package from ``source``. ``porch_form``: the Kptfile's upstream as Porch's clone task writes it
    (repo as given, directory without a leading slash, no updateStrategy, an upstream-identifier on the
    Kptfile); otherwise as ``kpt pkg get`` writes it (the kpt book's era)."""
    upstream = sources.resolve(engine, source, directory, ref)
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
        lock = upstream.porch_lock if porch_form else upstream.lock
        kptfile.write_text(set_upstream(kptfile.read_text(), name, lock, porch_form=porch_form))
        if deployment:  # Porch regenerates the package context of a deployment's clone
            context = stage / PACKAGE_CONTEXT
            current = context.read_text() if context.exists() else None
            context.write_text(set_package_context_name(current, name))

    task = {"type": "clone", "clone": {"upstreamRef": upstream.upstream_ref}}
    return create_draft(engine.cache(repository), package_path, workspace, commits.CLONE_SUBJECT, task, fill)


def copy(engine: Engine, source_name: str, revision: str | None = None, any_lifecycle: bool = False) -> Change:
    """A new Draft of the source's package with the source's files. Only from a published revision, unless
    ``any_lifecycle`` (porchctl's ``--replay-strategy``: Porch replays the source's tasks, which gives the
    same files; a draft or proposal can be the start)."""
    cache, source = engine.find(source_name)
    if not any_lifecycle and (source.lifecycle != PUBLISHED or source.is_branch_entry):
        raise Conflict(f"{source_name} is not a published revision: only those can be copied "
                       "(--replay-strategy copies any revision)")
    revisions = engine.revisions(cache.repository.name, fetch=False)
    workspace = naming.validate_workspace(revision or next_revision(revisions, source.package_path))
    ensure_new_workspace(revisions, source.package_path, workspace)

    def fill(stage: Path) -> None:
        cache.git.extract(f"{source.commit}:{source.package_path}", stage)

    task = {"type": "edit", "edit": {"sourceRef": {"name": source.name}}}
    return create_draft(cache, source.package_path, workspace, commits.COPY_SUBJECT, task, fill)
