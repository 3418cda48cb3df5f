"""``porchbot pkg update DIR[@REF] [--strategy S]``: kpt pkg update's command body (no printing).

Preconditions and messages follow kpt: the package must be a directory below the current directory,
inside a git work tree without uncommitted changes; its Kptfile names the upstream. The root Kptfile
is rewritten first with the new ref and strategy (kept even when the update then fails, as kpt does);
every package with its own upstream (the root, and subpackages that followed the same upstream at the
same ref) is updated in turn, and its ``upstreamLock`` moved to the commit the ref resolved to.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bot.errors import InvalidInput
from bot.render.yaml.node import Node
from bot.upgrade import RESOURCE_MERGE
from bot.upgrade import packages as pk
from bot.upgrade.engine import UpdateResult, update_tree
from bot.upgrade.gitfetch import UpstreamCache
from bot.upgrade.kptfile_merge import canonical, read_canonical, set_upstream_ref, write_canonical
from bot.upgrade.package_io import add_merge_comments_in_dir
from bot.upgrade.strategies import UpdateError


@dataclass(frozen=True)
class UpdateRequest:
    package: Path
    ref: str | None
    strategy: str


def parse_target(arg: str, strategy: str | None, cwd: Path) -> UpdateRequest:
    parts = arg.split("@")
    if len(parts) > 2:
        raise InvalidInput("at most 1 version permitted")
    path = Path(os.path.abspath(cwd / (parts[0] or ".")))
    if path.is_symlink():
        path = path.resolve()
    if not path.is_dir():
        raise InvalidInput(f'error reading Kptfile at "{path}": no such directory')
    if os.path.relpath(path, cwd).startswith(".."):
        raise InvalidInput(f"{path}: package path must be under current working directory")
    return UpdateRequest(path, parts[1] if len(parts) > 1 and parts[1] else None, strategy or RESOURCE_MERGE)


def check_git_clean(package: Path) -> None:
    inside = subprocess.run(["git", "-C", str(package), "rev-parse", "--is-inside-work-tree"],
                            capture_output=True, text=True, check=False)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise InvalidInput(f'Package "{package}" is not within a git repository. Please initialize a repository '
                           "using 'git init' and then commit the changes using 'git commit -m \"<commit message>\"'.")
    status = subprocess.run(["git", "-C", str(package), "status", "--porcelain", "--untracked-files=all", "--", "."],
                            capture_output=True, text=True, check=False)
    if status.returncode != 0 or status.stdout.strip():
        raise InvalidInput(f'Package "{package}" contains uncommitted changes. '
                           "Please commit the changes using 'git commit -m \"<commit message>\"'.")


def _git_field(kptfile: Node, *keys: str) -> str:
    return kptfile.str_value(*keys) or ""


def run_update(request: UpdateRequest) -> UpdateResult:
    """Update the package in place; raises on kpt's failures (the message is kpt's)."""
    check_git_clean(request.package)
    root = read_canonical(request.package)
    if root is None:
        raise InvalidInput(f'error reading Kptfile at "{request.package}": no Kptfile found')
    if root.path("upstream", "git") is None:
        raise UpdateError(f"{request.package}: package must have an upstream reference")
    original_ref = _git_field(root, "upstream", "git", "ref")
    root = set_upstream_ref(root, request.ref, request.strategy)
    write_canonical(request.package, root)
    result = UpdateResult()
    count = 0
    with UpstreamCache() as cache:
        stack = [request.package]
        while stack:
            package = stack.pop()
            count += 1
            _update_root_package(package, request.package, cache, result)
            for sub in sorted(pk.subpackages(package, pk.Matcher.ALL, False)):
                sub_dir = package / sub
                sub_kf = read_canonical(sub_dir)
                if sub_kf is None or sub_kf.path("upstream", "git") is None:
                    continue
                if _follows_root(sub_kf, root, original_ref):
                    write_canonical(sub_dir, set_upstream_ref(sub_kf, request.ref, request.strategy))
                stack.append(sub_dir)
    result.messages.append(f"\nUpdated {count} package(s).")
    add_merge_comments_in_dir(request.package, result.written)
    return result


def _follows_root(sub: Node, root: Node, original_ref: str) -> bool:
    sub_dir = posixpath.normpath(_git_field(sub, "upstream", "git", "directory") or ".")
    root_dir = posixpath.normpath(_git_field(root, "upstream", "git", "directory") or ".")
    return (_git_field(sub, "upstream", "git", "repo") == _git_field(root, "upstream", "git", "repo")
            and _git_field(sub, "upstream", "git", "ref") == original_ref and sub_dir.startswith(root_dir))


def _update_root_package(package: Path, root: Path, cache: UpstreamCache, result: UpdateResult) -> None:
    kptfile = read_canonical(package)
    assert kptfile is not None
    repo = _git_field(kptfile, "upstream", "git", "repo")
    directory = _git_field(kptfile, "upstream", "git", "directory")
    ref = _git_field(kptfile, "upstream", "git", "ref")
    shown = "." if package == root else os.path.relpath(package, root)
    result.messages.append(f'Package "{package.name if shown == "." else shown}":')
    result.messages.append(f"Fetching upstream from {repo}@{ref}")
    updated = cache.fetch(repo, directory, ref)
    lock_commit = _git_field(kptfile, "upstreamLock", "git", "commit")
    if kptfile.get("upstreamLock") is not None:
        result.messages.append(f"Fetching origin from {repo}@{ref}")
        origin_path = cache.fetch(_git_field(kptfile, "upstreamLock", "git", "repo"),
                                  _git_field(kptfile, "upstreamLock", "git", "directory"), lock_commit).path
    else:
        origin_path = cache.empty()
    prefix = "" if package == root else os.path.relpath(package, root).replace(os.sep, "/") + "/"
    update_tree(package, updated.path, origin_path, None, result, prefix)
    locked = read_canonical(package)
    if locked is None:
        raise UpdateError(f'Kptfile at "{package}" can\'t be read')
    lock = Node.mapping()
    lock.set("type", Node.scalar("git"))
    git = lock.set("git", Node.mapping())
    for key, value in (("repo", updated.repo), ("directory", updated.directory), ("ref", updated.ref),
                       ("commit", updated.commit)):
        git.set(key, Node.scalar(value))
    locked.set("upstreamLock", lock)
    write_canonical(package, canonical(locked))
