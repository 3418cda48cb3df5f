"""The package update engine: one call for automation, the loop ``kpt pkg update`` runs per package.

Contract of :func:`update_package` (used by ``porchbot pkg update`` and, later, ``rpkg upgrade``):

* ``downstream`` is the package directory to update **in place**: the downstream revision as the user
  left it (a Kptfile at its root; its ``upstream.updateStrategy`` is ignored, ``strategy`` wins).
* ``old_upstream`` holds the upstream package at the revision the downstream was cloned from (the
  ``upstreamLock`` commit); pass ``None`` when there is none (then everything upstream counts as new).
* ``new_upstream`` holds the upstream package at the target revision.
* The two upstream directories are only read, except that kpt's merge comments are written to them.
* Nothing is fetched and nothing is committed; the Kptfile's ``upstream``/``upstreamLock`` are left
  for the caller (``command.py`` writes the ref, strategy and lock as kpt does).
* Returns :class:`UpdateResult`: the conflict report (``conflicts.py``) and kpt's progress messages.
  Raises :class:`~bot.upgrade.strategies.UpdateError` (or ``MergeError``/``PackageReadError``) when
  kpt would fail; the downstream may then be partly updated, as with kpt.

The output is byte for byte what kpt 1.0.0-beta.56 writes (see tests/upgrade and the shared suite).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bot.render.collector import collector_paused
from bot.upgrade import RESOURCE_MERGE, STRATEGIES
from bot.upgrade import packages as pk
from bot.upgrade.conflicts import Conflict
from bot.upgrade.kptfile_merge import read_canonical, update_kptfile
from bot.upgrade.package_io import add_merge_comments_in_dir
from bot.upgrade.strategies import UPDATERS, Options, UpdateError, unchanged_package


@dataclass
class UpdateResult:
    conflicts: list[Conflict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    written: set[Path] = field(default_factory=set)  # files the merge wrote in final form


def update_package(downstream: Path, old_upstream: Path | None, new_upstream: Path,
                   strategy: str = RESOURCE_MERGE) -> UpdateResult:
    if strategy not in STRATEGIES:
        raise UpdateError(f"unrecognized update strategy {strategy}")
    result = UpdateResult()
    with collector_paused():  # a merge's node trees hold no cycles (see bot/render/collector.py)
        with tempfile.TemporaryDirectory(prefix="porchbot-origin-") as empty:
            update_tree(downstream, new_upstream, old_upstream or Path(empty), strategy, result)
        add_merge_comments_in_dir(downstream, result.written)
    return result


def update_tree(local_root: Path, updated_root: Path, origin_root: Path, strategy: str | None,
                result: UpdateResult, prefix: str = "") -> None:
    """kpt's updateRootPackage after fetching: this package, then the remote subpackages in it."""
    stack = ["."]
    while stack:
        rel = stack.pop()
        local, updated, origin = local_root / rel, updated_root / rel, origin_root / rel
        sub_prefix = prefix if rel == "." else f"{prefix}{rel}/"
        _update_one(rel, local, updated, origin, rel == ".", strategy if rel == "." else None, result,
                    sub_prefix)
        for sub in pk.subpackages_of(pk.Matcher.REMOTE, False, local, updated, origin):
            stack.append(sub if rel == "." else f"{rel}/{sub}")


def _update_one(rel: str, local: Path, updated: Path, origin: Path, is_root: bool, strategy: str | None,
                result: UpdateResult, prefix: str) -> None:
    name = local.name
    local_exists = pk.is_package_dir(local)
    updated_exists = is_root or pk.is_package_dir(updated)
    origin_exists = is_root or pk.is_package_dir(origin)
    if not origin_exists and local_exists and updated_exists:
        result.messages.append(f'Package "{name}" added in both local and upstream.')
        raise UpdateError(f'subpackage "{rel}" added in both upstream and local')
    if not origin_exists and not local_exists and updated_exists:
        result.messages.append(f'Adding package "{name}" from upstream.')
        pk.copy_package(updated, local, not is_root)
    elif origin_exists and not local_exists and updated_exists:
        result.messages.append(f'Ignoring package "{name}" in upstream since it is deleted from local.')
    elif origin_exists and local_exists and not updated_exists:
        if unchanged_package(origin, local):
            result.messages.append(f'Deleting package "{name}" from local since it is removed in upstream.')
            import shutil

            shutil.rmtree(local)
        else:
            result.messages.append(f'Package "{name}" deleted from upstream, but keeping local since it has changes.')
    elif origin_exists and local_exists and updated_exists:
        _merge(rel, local, updated, origin, is_root, strategy, result, prefix)


def _unfetched(package: Path, is_root: bool) -> bool:
    kptfile = read_canonical(package)
    if kptfile is None:
        if is_root:
            return False
        raise UpdateError(f'Kptfile at "{package}" can\'t be read')
    return kptfile.get("upstream") is not None and kptfile.get("upstreamLock") is None


def _merge(rel: str, local: Path, updated: Path, origin: Path, is_root: bool, strategy: str | None,
           result: UpdateResult, prefix: str) -> None:
    updated_unfetched, origin_unfetched = _unfetched(updated, is_root), _unfetched(origin, is_root)
    if updated_unfetched:
        update_kptfile(local, updated, origin, True)
        return
    if origin_unfetched:
        raise UpdateError("no origin available for package")
    if strategy is None:
        kptfile = read_canonical(local)
        strategy = (kptfile.str_value("upstream", "updateStrategy") if kptfile is not None else None) or ""
    updater = UPDATERS.get(strategy)
    if updater is None:
        raise UpdateError(f"unrecognized update strategy {strategy}")
    if strategy != RESOURCE_MERGE:
        # kpt adds merge comments to all three trees before any strategy; resource-merge does it in
        # memory (resources.py), the others copy files and need them on disk.
        for directory in (local, updated, origin):
            add_merge_comments_in_dir(directory)
    result.messages.append(f'Updating package "{local.name}" with strategy "{strategy}".')
    options = Options(rel, local, updated, origin, is_root, prefix)
    updater(options)
    result.conflicts.extend(options.conflicts)
    result.written.update(options.written)
