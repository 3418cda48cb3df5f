"""The update strategies, applied to one package (and its local subpackages) at a time.

* ``resource-merge``: subpackage by subpackage (the local tree decides the boundaries): added upstream
  -> copied; added on both sides -> error; deleted upstream -> removed when unchanged locally; else the
  Kptfile, the resources and the non-KRM files are merged.
* ``fast-forward``: refuses when any local file differs from the old upstream (the Kptfile's upstream
  fields aside), else replaces like ``force-delete-replace``.
* ``force-delete-replace``: the package content becomes upstream's (the root Kptfile stays).
* ``copy-merge`` (Porch, kpt main): upstream's files overwrite local ones, files deleted upstream
  are removed, local-only files stay; the Kptfile is merged.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import PorchbotError
from bot.render.kptfile import KPTFILE
from bot.upgrade import COPY_MERGE, FAST_FORWARD, FORCE_DELETE_REPLACE, RESOURCE_MERGE
from bot.upgrade import packages as pk
from bot.upgrade.conflicts import Conflict
from bot.upgrade.kptfile_merge import read_canonical, update_kptfile
from bot.upgrade.package_io import add_merge_comments_in_dir
from bot.upgrade.resources import merge_resources


class UpdateError(PorchbotError):
    pass


@dataclass
class Options:
    rel: str  # package path relative to the package whose upstream was fetched ("." for it)
    local: Path
    updated: Path
    origin: Path
    is_root: bool
    prefix: str = ""  # path of ``local`` below the updated root package, for the conflict report
    conflicts: list[Conflict] = field(default_factory=list)
    written: set[Path] = field(default_factory=set)  # files already in their final form


def _join(prefix: str, rel: str) -> str:
    return prefix if rel == "." else f"{prefix}{rel}/"


def _upstream_git(package: Path) -> object:
    kptfile = read_canonical(package)
    if kptfile is None:
        raise UpdateError(f'Kptfile at "{package}" can\'t be read')
    git = kptfile.path("upstream", "git")
    from bot.render.yaml.emitter import emit_node

    return emit_node(git) if git is not None else None


def resource_merge(options: Options) -> None:
    if not options.is_root and _upstream_git(options.local) != _upstream_git(options.origin):
        return  # the downstream moved this subpackage to another upstream on its own
    subs = pk.subpackages_of(pk.Matcher.LOCAL, True, options.local, options.updated, options.origin)
    for sub in [".", *subs]:
        is_root = sub == "." and options.is_root
        _merge_one(sub, options.local / sub, options.updated / sub, options.origin / sub, is_root,
                   _join(options.prefix, sub), options)


def _merge_one(rel: str, local: Path, updated: Path, origin: Path, is_root: bool, prefix: str,
               options: Options) -> None:
    local_exists, updated_exists, origin_exists = local.exists(), updated.exists(), origin.exists()
    if not origin_exists and local_exists and updated_exists:
        raise UpdateError(f'subpackage "{rel}" added in both upstream and local')
    if not origin_exists and not local_exists and updated_exists:
        pk.copy_package(updated, local, not is_root)
    elif not origin_exists or not local_exists or not updated_exists:
        if origin_exists and local_exists and not updated_exists and not unchanged_package(origin, local):
            return
        if origin_exists and local_exists and not updated_exists:
            shutil.rmtree(local)
    else:
        update_kptfile(local, updated, origin, not is_root)
        conflicts, written = merge_resources(local, origin, updated, prefix)
        options.conflicts.extend(conflicts)
        options.written.update(written)
        pk.replace_non_krm_files(updated, origin, local)


def unchanged_package(origin: Path, local: Path) -> bool:
    """kpt compares the two after adding merge comments to both (it did so before merging)."""
    add_merge_comments_in_dir(origin)
    add_merge_comments_in_dir(local)
    return not pk.package_diff(origin, local)


def _has_kptfile_diff(local: Path, origin: Path) -> bool:
    from bot.render.yaml.emitter import emit_node
    from bot.render.yaml.node import Node

    local_kf = read_canonical(local) or Node.mapping()
    local_kf.delete("upstream")
    local_kf.delete("upstreamLock")
    origin_kf = read_canonical(origin)
    if origin_kf is None:
        origin_kf = Node.mapping()
        origin_kf.set("apiVersion", Node.scalar("kpt.dev/v1"))
        origin_kf.set("kind", Node.scalar("Kptfile"))
        origin_kf.set("metadata", Node.mapping()).set("name", Node.scalar(local.name))
    else:
        name = local_kf.str_value("metadata", "name")
        metadata = origin_kf.get("metadata")
        if name:
            origin_kf.ensure_map("metadata").set("name", Node.scalar(name))
        elif metadata is not None:
            metadata.delete("name")
    from bot.upgrade.kptfile_merge import canonical

    return emit_node(canonical(local_kf)) != emit_node(canonical(origin_kf))


def fast_forward(options: Options) -> None:
    if options.origin.exists():
        subs = pk.subpackages_of(pk.Matcher.LOCAL, True, options.local, options.origin)
        changed: set[str] = set()
        for sub in [".", *subs]:
            local, origin = options.local / sub, options.origin / sub
            if not local.exists() or not origin.exists():
                changed.update(("%s (Package)", sub))
                continue
            diff = pk.package_diff(local, origin)
            if KPTFILE in diff and sub == "." and not _has_kptfile_diff(local, origin):
                diff.discard(KPTFILE)
            changed.update(diff)
        if changed:
            raise UpdateError(f"local package files have been modified: [{' '.join(sorted(changed))}].\n"
                              "  use a different update --strategy.")
    force_delete_replace(options)


def force_delete_replace(options: Options) -> None:
    subs = pk.subpackages_of(pk.Matcher.LOCAL, True, options.local, options.updated)
    for sub in [".", *subs]:
        is_root = sub == "." and options.is_root
        local, updated = options.local / sub, options.updated / sub
        pk.remove_package_content(local, not is_root)
        if not updated.exists():
            shutil.rmtree(local, ignore_errors=True)
        else:
            pk.copy_package(updated, local, not is_root)


def copy_merge(options: Options) -> None:
    update_kptfile(options.local, options.updated, options.origin, True)
    updated_files = set(pk.package_files(options.updated))
    for rel in sorted(updated_files):
        if rel == KPTFILE:
            continue
        target = options.local / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(options.updated / rel, target)
    for rel in pk.package_files(options.origin):
        if rel not in updated_files and rel != KPTFILE:
            (options.local / rel).unlink(missing_ok=True)


UPDATERS = {RESOURCE_MERGE: resource_merge, FAST_FORWARD: fast_forward,
            FORCE_DELETE_REPLACE: force_delete_replace, COPY_MERGE: copy_merge}
