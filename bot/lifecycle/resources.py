"""Porch-shaped API objects (``porch.kpt.dev/v1alpha1`` PackageRevision, ``config.porch.kpt.dev`` Repository)
for ``-o json|yaml`` and the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import PackageRevision
from bot.lifecycle.repositories import Repository
from bot.lifecycle.status import read_statuses

LATEST_LABEL = "kpt.dev/latest-revision"


def package_revision_object(revision: PackageRevision, status: dict[str, Any] | None = None) -> dict[str, Any]:
    """A PackageRevision object; ``status`` comes from ``package_revision_objects`` (git reads)."""
    metadata: dict[str, Any] = {"name": revision.name, "namespace": "default"}
    if revision.latest:
        metadata["labels"] = {LATEST_LABEL: "true"}
    spec = {
        "packageName": revision.package,
        "repository": revision.repository,
        "revision": revision.revision,
        "workspaceName": revision.workspace,
        "lifecycle": revision.lifecycle,
    }
    return {"apiVersion": "porch.kpt.dev/v1alpha1", "kind": "PackageRevision", "metadata": metadata,
            "spec": spec, "status": status or {}}


def package_revision_objects(caches: Callable[[str], RepositoryCache],
                             revisions: list[PackageRevision]) -> list[dict[str, Any]]:
    """PackageRevision objects with status, read in one batch per repository (``caches``: name -> cache)."""
    by_repository: dict[str, list[PackageRevision]] = {}
    for revision in revisions:
        by_repository.setdefault(revision.repository, []).append(revision)
    statuses: dict[str, dict[str, Any]] = {}
    for repository, listed in by_repository.items():
        statuses.update(read_statuses(caches(repository), listed))
    return [package_revision_object(revision, statuses.get(revision.name)) for revision in revisions]


def repository_object(repository: Repository, ready: bool, reason: str) -> dict[str, Any]:
    git: dict[str, Any] = {"repo": repository.url, "branch": repository.branch,
                           "directory": repository.display_directory}
    if repository.auth == "basic":
        git["secretRef"] = {"name": f"{repository.name}-auth"}
    condition = {"type": "Ready", "status": "True" if ready else "False",
                 "reason": "Ready" if ready else "Error", "message": reason}
    return {
        "apiVersion": "config.porch.kpt.dev/v1alpha1", "kind": "Repository",
        "metadata": {"name": repository.name, "namespace": "default"},
        "spec": {"type": "git", "content": "Package", "deployment": repository.deployment,
                 "git": git, "forge": repository.forge},
        "status": {"conditions": [condition]},
    }


def as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "items": items}
