"""Where a downstream package comes from: the upstream its Kptfile names, found among the registered
repositories (or fetched into a cache of its own), and that upstream's published revisions.

Repository URLs are compared in normalised form (scheme, user, ``.git`` suffix and trailing slashes
aside), so ``https://example.com/org/blueprints.git`` and ``https://example.com/org/blueprints/`` name the
same repository, as a person would expect.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import InvalidInput, NotFound
from bot.lifecycle import naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository, resolve_local_url

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]+@)?", re.IGNORECASE)


@dataclass(frozen=True)
class UpstreamLock:
    """A downstream Kptfile's ``upstreamLock.git`` (``upstream.git`` when there is no lock)."""

    repo: str
    directory: str  # as written: kpt writes a leading slash, Porch none
    ref: str
    commit: str

    @property
    def package_path(self) -> str:
        return self.directory.strip("/")


@dataclass(frozen=True)
class Upstream:
    """An upstream package in a repository cache, with its published revisions (``vN`` → tag commit)."""

    cache: RepositoryCache
    package_path: str
    published: dict[int, str]

    @property
    def latest(self) -> int:
        return max(self.published, default=0)

    def tag(self, number: int) -> str:
        return f"{self.package_path}/v{number}"


def normalise_url(url: str) -> str:
    """A repository URL reduced to what identifies the repository."""
    url = resolve_local_url(url.strip()) if "://" not in url and not url.startswith("git@") else url.strip()
    url = _SCHEME.sub("", url)
    if url.startswith("git@"):
        url = url[len("git@"):].replace(":", "/", 1)
    url = url.rstrip("/")
    return url.removesuffix(".git").rstrip("/").lower()


def read_lock(kptfile_text: str, where: str) -> UpstreamLock | None:
    """The package's upstream as its Kptfile records it; None for a package with no upstream."""
    try:
        document = yaml.safe_load(kptfile_text) or {}
    except yaml.YAMLError as err:
        raise InvalidInput(f"the Kptfile of {where} is not valid YAML: {err}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"the Kptfile of {where} is not a mapping")
    lock = (document.get("upstreamLock") or {}).get("git") or {}
    upstream = (document.get("upstream") or {}).get("git") or {}
    source = lock or upstream
    if not source:
        return None
    fields = {key: str(source.get(key) or "") for key in ("repo", "directory", "ref", "commit")}
    if not fields["repo"]:
        raise InvalidInput(f"could not parse upstreamLock in Kptfile of package {where!r}: no repo")
    return UpstreamLock(**fields)


def registered_for(engine: Engine, url: str) -> Repository | None:
    wanted = normalise_url(url)
    for repository in engine.repositories().values():
        if normalise_url(repository.url) == wanted:
            return repository
    return None


def upstream_cache(engine: Engine, url: str) -> RepositoryCache:
    """The registered repository's cache, else one of its own named after the URL (fetched)."""
    repository = registered_for(engine, url)
    if repository is not None:
        cache = engine.cache(repository.name)
    else:
        key = hashlib.sha1(normalise_url(url).encode()).hexdigest()[:16]
        cache = RepositoryCache(engine.settings, Repository(name=f"upstream-{key}", url=url))
    with cache.exclusive():
        cache.fetch()
    return cache


def published_of(cache: RepositoryCache, package_path: str) -> dict[int, str]:
    """The package's published revisions: N → the tagged commit (one narrow for-each-ref)."""
    prefix = f"refs/tags/{package_path}/"
    listing = cache.git.run("for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", prefix)
    published: dict[int, str] = {}
    for line in listing.splitlines():
        ref, target, *peeled = line.split(" ")
        number = naming.published_number(ref[len(prefix):])
        if number is not None:
            published[number] = peeled[0] if peeled and peeled[0] else target
    return published


def resolve_upstream(engine: Engine, lock: UpstreamLock) -> Upstream:
    cache = upstream_cache(engine, lock.repo)
    return Upstream(cache, lock.package_path, published_of(cache, lock.package_path))


def locked_number(lock: UpstreamLock) -> int | None:
    """The published N the lock's ref names (``<pkg>/vN``), None for a branch or a draft."""
    prefix = f"{lock.package_path}/" if lock.package_path else ""
    return naming.published_number(lock.ref[len(prefix):]) if lock.ref.startswith(prefix) else None


def extract_package(cache: RepositoryCache, commit: str, package_path: str, destination: Path) -> None:
    """The package at ``commit`` into ``destination`` (refused when it is not there)."""
    if cache.git.rev_parse(f"{commit}^{{commit}}") is None:
        raise NotFound(f"commit {commit[:12]} not found in {cache.display_url}")
    treeish = f"{commit}:{package_path}" if package_path else commit
    if package_path and cache.git.subtree(commit, package_path) is None:
        raise NotFound(f"package {package_path!r} not found at {commit[:12]} in {cache.display_url}")
    cache.git.extract(treeish, destination)
