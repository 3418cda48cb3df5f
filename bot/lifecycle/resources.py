"""Porch-shaped API objects (``porch.kpt.dev/v1alpha1`` PackageRevision, ``config.porch.kpt.dev`` Repository)
for ``-o json|yaml`` and the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import PackageRevision
from bot.lifecycle.repositories import Repository
from bot.lifecycle.status import read_statuses
from bot.render import kpt_keys as keys

LATEST_LABEL = keys.LATEST_REVISION


def package_revision_object(revision: PackageRevision, status: dict[str, Any] | None = None,
                            namespace: str = "default") -> dict[str, Any]:
    """A PackageRevision object; ``status`` comes from ``package_revision_objects`` (git reads). Drafts and
    proposals have no ``spec.revision`` (Porch v4)."""
    metadata: dict[str, Any] = {"name": revision.name, "namespace": namespace}
    if revision.latest:
        metadata["labels"] = {LATEST_LABEL: "true"}
    spec: dict[str, Any] = {"packageName": revision.package, "repository": revision.repository}
    if revision.revision:
        spec["revision"] = revision.revision
    spec.update({"workspaceName": revision.workspace, "lifecycle": revision.lifecycle})
    return {"apiVersion": "porch.kpt.dev/v1alpha1", "kind": "PackageRevision", "metadata": metadata,
            "spec": spec, "status": status or {}}


def package_revision_objects(caches: Callable[[str], RepositoryCache], revisions: list[PackageRevision],
                             namespace: str = "default") -> list[dict[str, Any]]:
    """PackageRevision objects with status, read in one batch per repository (``caches``: name -> cache)."""
    by_repository: dict[str, list[PackageRevision]] = {}
    for revision in revisions:
        by_repository.setdefault(revision.repository, []).append(revision)
    statuses: dict[str, dict[str, Any]] = {}
    for repository, listed in by_repository.items():
        statuses.update(read_statuses(caches(repository), listed))
    return [package_revision_object(revision, statuses.get(revision.name), namespace) for revision in revisions]


def repository_object(repository: Repository, ready: bool, reason: str, namespace: str = "default") -> dict[str, Any]:
    git: dict[str, Any] = {"repo": repository.url, "branch": repository.branch,
                           "directory": repository.display_directory}
    if repository.auth == "basic":
        git["secretRef"] = {"name": f"{repository.name}-auth"}
    spec_description = {"description": repository.description} if repository.description else {}
    condition = {"type": "Ready", "status": "True" if ready else "False",
                 "reason": "Ready" if ready else "Error", "message": reason}
    return {
        "apiVersion": "config.porch.kpt.dev/v1alpha1", "kind": "Repository",
        "metadata": {"name": repository.name, "namespace": namespace},
        "spec": {"type": "git", "content": "Package", "deployment": repository.deployment,
                 "git": git, "forge": repository.forge, **spec_description},
        "status": {"conditions": [condition]},
    }


def as_list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "items": items}
