"""Which upgrades are available (``rpkg update|upgrade --discover=upstream|downstream``), as porchctl lists them.

Only upstreams in registered repositories count (Porch knows no others). A lock whose ref is a draft
branch (a clone of a Draft) is behind every published revision of its upstream package.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import InvalidInput, PorchbotError
from bot.lifecycle.discovery import PackageRevision
from bot.lifecycle.engine import Engine
from bot.lifecycle.upgrade import downstream_lock
from bot.lifecycle.upstreams import UpstreamLock, locked_number, registered_for


@dataclass(frozen=True)
class UpstreamUpdates:
    """One downstream revision: its upstream repository ('' when none is registered) and newer revisions."""

    name: str
    upstream_repository: str
    updates: tuple[str, ...]


@dataclass(frozen=True)
class DownstreamUpdate:
    upstream_name: str  # the newest published upstream revision
    downstream_name: str
    old: str  # ``(draft "ws")`` or ``vN``
    new: str  # ``vN``


def _check_ref(lock: UpstreamLock, name: str) -> None:
    if "/" not in lock.ref:
        raise InvalidInput(f"could not parse upstreamLock in Kptfile of package \"{name}\": "
                           f"malformed upstreamLock.Git.Ref \"{lock.ref}\"")


def _lock_of(engine: Engine, revision: PackageRevision) -> UpstreamLock | None:
    try:
        return downstream_lock(engine.cache(revision.repository), revision)
    except InvalidInput as err:
        if "has no upstream" in str(err):
            return None
        raise


def _newer(engine: Engine, lock: UpstreamLock, revisions: list[PackageRevision]) -> tuple[str, tuple[str, ...]]:
    repository = registered_for(engine, lock.repo)
    if repository is None:
        return "", ()
    locked = locked_number(lock) or 0
    published = sorted((r for r in revisions if r.repository == repository.name
                        and r.package_path == lock.package_path and r.published_number is not None),
                       key=lambda r: r.published_number or 0)
    return repository.name, tuple(r.revision for r in published if (r.published_number or 0) > locked)


def discover_upstream(engine: Engine, names: list[str]) -> list[UpstreamUpdates]:
    revisions = engine.all_revisions()
    wanted = [r for r in revisions if r.name in names] if names else revisions
    rows = []
    for revision in wanted:
        lock = _lock_of(engine, revision)
        if lock is None:
            rows.append(UpstreamUpdates(revision.name, "", ()))
            continue
        _check_ref(lock, revision.name)
        repository, updates = _newer(engine, lock, revisions)
        rows.append(UpstreamUpdates(revision.name, repository, updates))
    return rows


def discover_downstream(engine: Engine, names: list[str]) -> list[DownstreamUpdate]:
    """For each (named, or every) upstream package's newest published revision, its downstreams behind it."""
    revisions = engine.all_revisions()
    latest = [r for r in revisions if r.latest and (not names or r.name in names)]
    rows = []
    for revision in revisions:
        try:
            lock = _lock_of(engine, revision)
        except PorchbotError:
            continue  # a downstream whose Kptfile cannot be read is not anyone's update target
        if lock is None or "/" not in lock.ref:
            continue
        repository = registered_for(engine, lock.repo)
        for upstream in latest:
            if repository is None or upstream.repository != repository.name \
                    or upstream.package_path != lock.package_path:
                continue
            number = locked_number(lock)
            if number is not None and number >= (upstream.published_number or 0):
                continue
            old = f"v{number}" if number is not None else f'(draft "{lock.ref.rsplit("/", 1)[-1]}")'
            rows.append(DownstreamUpdate(upstream.name, revision.name, old, upstream.revision))
    return rows

