"""Propagation's forge-neutral half: which release happened, which downstreams are behind it, and the
names an upgrade Draft takes so that a redone job finds its own earlier work.

An upgrade Draft for upstream revision N lives on ``drafts/<package>/upgrade-to-v<N>``: one branch per
downstream package and upstream revision, whoever (a redelivered webhook, a second worker, a worker killed
half-way) gets there first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.lifecycle import naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import PUBLISHED, PackageRevision
from bot.lifecycle.downstream_index import Downstream, DownstreamIndex
from bot.lifecycle.engine import Engine

_RELEASE = re.compile(r"v[0-9]+")
UPGRADE_WORKSPACE = re.compile(r"upgrade-to-v([0-9]+)")  # ASCII digits only: \d takes any script's


@dataclass(frozen=True)
class Release:
    """A published revision ``<package_path>/v<number>`` of a registered repository."""

    repository: str
    url: str
    package_path: str
    number: int

    @property
    def tag(self) -> str:
        return f"{self.package_path}/v{self.number}"


def upgrade_workspace(number: int) -> str:
    return f"upgrade-to-v{number}"


def upgrade_number(workspace: str) -> int | None:
    match = UPGRADE_WORKSPACE.fullmatch(workspace)  # fullmatch: "$" would let a trailing newline in
    return int(match.group(1)) if match else None


def release_of(engine: Engine, repository: str, ref: str) -> Release | None:
    """The release a pushed tag ref is, or None (not a ``<pkgpath>/v<N>`` tag of a registered repository)."""
    if not ref.startswith("refs/tags/"):
        return None
    parts = naming.split_package_ref(ref[len("refs/tags/"):])
    # ASCII digits only, the whole name: naming.published_number reads "v٣" as 3 (its regex's \d).
    number = naming.published_number(parts[1]) if parts and _RELEASE.fullmatch(parts[1]) else None
    if parts is None or number is None:
        return None
    registered = engine.repository(repository)
    return Release(repository, registered.url, parts[0], number)


def behind(index: DownstreamIndex, release: Release) -> list[Downstream]:
    """The downstream packages locked to an older revision of the released package (never itself)."""
    found = []
    for downstream in index.downstreams_of(release.url, release.package_path):
        if downstream.repository == release.repository and downstream.package_path == release.package_path:
            continue  # a package that names itself as its upstream: a cycle, never upgraded
        if downstream.locked_number is None or downstream.locked_number < release.number:
            found.append(downstream)
    return sorted(found, key=lambda d: (d.repository, d.package_path))


def latest_published(engine: Engine, downstream: Downstream) -> PackageRevision | None:
    revisions = engine.revisions(downstream.repository, fetch=False)
    return next((r for r in revisions if r.package_path == downstream.package_path and r.latest
                 and r.lifecycle == PUBLISHED), None)


def upgrade_branches(cache: RepositoryCache, package_path: str) -> list[tuple[str, int]]:
    """The package's upgrade Draft branches (``drafts/<pkg>/upgrade-to-v<N>``) with their N, newest first."""
    prefix = f"refs/heads/{naming.DRAFTS}{package_path}/"
    found = []
    for ref in cache.git.run("for-each-ref", "--format=%(refname)", prefix).split():
        number = upgrade_number(ref[len(prefix):])
        if number is not None:
            found.append((ref.removeprefix("refs/heads/"), number))
    return sorted(found, key=lambda item: -item[1])


def upgrade_task(cache: RepositoryCache, branch: str) -> dict[str, Any] | None:
    """The ``upgrade`` task its creating commit recorded (what it was upgraded from), for a redone job."""
    log = cache.git.run("log", "--first-parent", "-n", "10", "--format=%B%x00", f"refs/heads/{branch}")
    for message in log.split("\0"):
        for line in message.splitlines():
            if line.startswith("kpt:"):
                try:
                    annotation = json.loads(line[len("kpt:"):])
                except ValueError:
                    continue
                task = annotation.get("task") if isinstance(annotation, dict) else None
                if isinstance(task, dict) and task.get("type") == "upgrade":
                    return task
    return None
