"""Where a clone comes from: a package revision name, or a ``URL.git/dir@ref`` as ``kpt pkg get`` takes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from bot.errors import InvalidInput, NotFound
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import Git
from bot.lifecycle.packagefiles import GitLock
from bot.lifecycle.repositories import Repository

_GIT_URL = re.compile(r"^(?P<repo>.+?)\.git(?P<dir>/[^@]*)?(@(?P<ref>.+))?$")


@dataclass(frozen=True)
class CloneSource:
    git: Git
    commit: str
    package_path: str  # inside the source repository ('' for its root)
    lock: GitLock  # as kpt pkg get records it
    upstream_ref: dict[str, Any]  # the clone task's upstreamRef, as Porch records it
    porch_lock: GitLock  # as Porch's clone task records it: repo as given, directory without slashes


def _is_url(source: str) -> bool:
    return "://" in source or source.startswith(("/", ".", "git@"))


def resolve(engine: Engine, source: str, directory: str = "", ref: str = "") -> CloneSource:
    """The upstream named by ``source``: a package revision name, ``URL.git/DIR@REF``, or a git URL with
    ``directory`` and ``ref`` given apart (porchctl's ``--directory`` / ``--ref``)."""
    if _is_url(source) and (directory or ref):
        given = source
        return _from_url(engine, given.removesuffix(".git"), given, "/" + directory.strip("/"), ref or "main")
    if ".git" in source and _is_url(source):
        match = _GIT_URL.match(source)
        if match is None:
            raise InvalidInput(f"{source!r}: expected URL.git/DIR@REF")
        repo_url = match.group("repo")
        return _from_url(engine, repo_url, repo_url + ".git", (match.group("dir") or "/").rstrip("/") or "/",
                         match.group("ref") or "main")
    cache, revision = engine.find(source)
    ref = revision.ref.removeprefix("refs/tags/").removeprefix("refs/heads/")
    commit = cache.git.peel(revision.commit)
    lock = GitLock(cache.repository.url, "/" + revision.package_path, ref, commit)
    porch_lock = GitLock(cache.repository.url, revision.package_path, ref, commit)
    return CloneSource(cache.git, commit, revision.package_path, lock, {"upstreamRef": {"name": revision.name}},
                       porch_lock)


def _from_url(engine: Engine, repo_url: str, given_url: str, directory: str, ref: str) -> CloneSource:
    if ".." in directory.split("/"):
        raise InvalidInput(f"{given_url!r}: '..' is not allowed in the directory")
    # The upstream gets a cache of its own, named after its URL, so a second clone fetches little.
    key = hashlib.sha1(repo_url.encode()).hexdigest()[:16]
    upstream = Repository(name=f"upstream-{key}", url=given_url)
    cache = RepositoryCache(engine.settings, upstream)
    cache.fetch()
    commit = None
    for candidate in (f"refs/tags/{ref}", f"refs/heads/{ref}", ref):
        commit = cache.git.rev_parse(f"{candidate}^{{commit}}")
        if commit:
            break
    if commit is None:
        raise NotFound(f"{ref!r} not found in {cache.display_url}")
    package_path = directory.strip("/")
    if package_path and cache.git.subtree(commit, package_path) is None:
        raise NotFound(f"directory {directory!r} not found at {ref} in {cache.display_url}")
    # kpt records the repository without its .git suffix, and the directory with a leading slash.
    lock = GitLock(repo_url, directory, ref, commit)
    upstream_ref = {"type": "git", "git": {"repo": given_url, "ref": ref, "directory": package_path}}
    porch_lock = GitLock(given_url, package_path, ref, commit)
    return CloneSource(cache.git, commit, package_path, lock, upstream_ref, porch_lock)
