"""Package-tree file operations with kpt's rules (pkgutil, diff, ReplaceNonKRMFiles).

A package's own files are those below its directory minus ``.git`` and minus subpackages (directories
holding a Kptfile). Non-KRM files are every file but the Kptfile and ``*.yaml``/``*.yml``.
"""

from __future__ import annotations

import os
import shutil
from enum import Enum
from pathlib import Path

from bot.render.kptfile import KPTFILE
from bot.render.yaml import read_file_documents
from bot.upgrade.kptfile_merge import read_canonical
from bot.upgrade.package_io import is_yaml, walk_files


class Matcher(Enum):
    ALL = "all"
    LOCAL = "local"  # subpackages without an upstream
    REMOTE = "remote"  # subpackages with their own upstream
    NONE = "none"


def subpackages(root: Path, matcher: Matcher, recursive: bool) -> list[str]:
    """kpt's pkg.Subpackages: relative paths of package directories below ``root``."""
    found: list[str] = []
    if not root.is_dir():
        return found

    def visit(directory: Path) -> None:
        for entry in sorted(os.scandir(directory), key=lambda e: e.name.encode()):
            if not entry.is_dir(follow_symlinks=False) or entry.name == ".git":
                continue
            path = Path(entry.path)
            if (path / KPTFILE).is_file():
                kptfile = read_canonical(path)
                has_upstream = kptfile is not None and kptfile.get("upstream") is not None
                if matcher is Matcher.ALL or (matcher is Matcher.LOCAL and not has_upstream) or (
                        matcher is Matcher.REMOTE and has_upstream):
                    found.append(path.relative_to(root).as_posix())
                if not recursive:
                    continue
            visit(path)

    visit(root)
    return found


def subpackages_of(matcher: Matcher, recursive: bool, *roots: Path) -> list[str]:
    """The union over several trees, sorted as kpt sorts them (plain string order)."""
    return sorted({p for root in roots for p in subpackages(root, matcher, recursive)})


def is_package_dir(path: Path) -> bool:
    return (path / KPTFILE).exists()


def package_files(root: Path) -> list[str]:
    return walk_files(root) if root.is_dir() else []


def package_dirs(root: Path) -> list[str]:
    """Directories of a package (subpackages and .git excluded), relative."""
    dirs: list[str] = []
    if not root.is_dir():
        return dirs

    def visit(directory: Path, prefix: str) -> None:
        for entry in sorted(os.scandir(directory), key=lambda e: e.name.encode()):
            if entry.is_dir(follow_symlinks=False) and entry.name != ".git":
                if (Path(entry.path) / KPTFILE).exists():
                    continue
                dirs.append(prefix + entry.name)
                visit(Path(entry.path), prefix + entry.name + "/")

    visit(root, "")
    return dirs


def _kptfiles_equal(one: Path, two: Path) -> bool:
    a, b = read_canonical(one), read_canonical(two)
    for node in (a, b):
        if node is not None:
            node.delete("upstream")
            node.delete("upstreamLock")
    from bot.render.yaml.emitter import emit_node

    return (emit_node(a) if a is not None else "") == (emit_node(b) if b is not None else "")


def _yaml_equal(one: bytes, two: bytes) -> bool:
    if one == two:
        return True
    try:
        from bot.render.yaml import write_file_documents

        def normal(data: bytes) -> str:
            return write_file_documents(read_file_documents(data.decode("utf-8")))

        return normal(one) == normal(two)
    except Exception:
        return False


def package_diff(one: Path, two: Path) -> set[str]:
    """kpt's PkgDiff: files (and directories) that differ between two packages."""
    files_one = set(package_files(one)) | set(package_dirs(one))
    files_two = set(package_files(two)) | set(package_dirs(two))
    diff = files_one ^ files_two
    for rel in files_one & files_two:
        a, b = one / rel, two / rel
        if a.is_dir():
            continue
        if rel.rsplit("/", 1)[-1] == KPTFILE:
            if not _kptfiles_equal(a.parent, b.parent):
                diff.add(rel)
        elif not _yaml_equal(a.read_bytes(), b.read_bytes()):
            diff.add(rel)
    return diff


def copy_package(src: Path, dst: Path, copy_root_kptfile: bool) -> None:
    """pkgutil.CopyPackage (matcher None): the package's own files, the root Kptfile only if asked
    and only when the destination has none."""
    dst.mkdir(parents=True, exist_ok=True)
    for rel in package_dirs(src):
        (dst / rel).mkdir(parents=True, exist_ok=True)
    for rel in package_files(src):
        if rel == KPTFILE and (not copy_root_kptfile or (dst / KPTFILE).exists()):
            continue
        _copy_file(src / rel, dst / rel)


def _copy_file(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        if dst.exists() or dst.is_symlink():
            dst.unlink()
        os.symlink(os.readlink(src), dst)
        return
    shutil.copyfile(src, dst)
    shutil.copymode(src, dst)


def remove_package_content(path: Path, remove_root_kptfile: bool) -> None:
    for rel in package_files(path):
        if rel == KPTFILE and not remove_root_kptfile:
            continue
        (path / rel).unlink()
    for rel in sorted(package_dirs(path), reverse=True):
        directory = path / rel
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()


def is_krm_file(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name == KPTFILE or is_yaml(name)


def replace_non_krm_files(updated: Path, origin: Path, local: Path) -> None:
    """Upstream's non-KRM files, except where the downstream added or changed one."""
    updated_files = {f for f in package_files(updated) if not is_krm_file(f)}
    origin_files = {f for f in package_files(origin) if not is_krm_file(f)}
    local_files = {f for f in package_files(local) if not is_krm_file(f)}
    modified: set[str] = set()
    for rel in sorted(local_files):
        if rel not in origin_files or (origin / rel).read_bytes() != (local / rel).read_bytes():
            modified.add(rel)
            continue
        if rel not in updated_files:
            (local / rel).unlink()
    updated_dirs = package_dirs(updated)
    for rel in updated_dirs:
        (local / rel).mkdir(parents=True, exist_ok=True)
    for rel in sorted(updated_files - modified):
        _copy_file(updated / rel, local / rel)
    origin_dirs = set(package_dirs(origin))
    for rel in sorted(package_dirs(local), reverse=True):
        if rel not in updated_dirs and rel in origin_dirs:
            directory = local / rel
            if directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
