"""Porch-shaped API objects (``porch.kpt.dev/v1alpha1`` PackageRevision, ``config.porch.kpt.dev`` Repository)
for ``-o json|yaml`` and the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import yaml

from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DELETION_PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.packagefiles import KPTFILE
from bot.lifecycle.repositories import Repository

LATEST_LABEL = "kpt.dev/latest-revision"


def package_revision_object(revision: PackageRevision, cache: RepositoryCache | None = None) -> dict[str, Any]:
    """A PackageRevision object; ``cache`` (when given) fills status from the git objects."""
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
    status: dict[str, Any] = {}
    if cache is not None:
        status = _status(cache, revision)
    return {"apiVersion": "porch.kpt.dev/v1alpha1", "kind": "PackageRevision", "metadata": metadata,
            "spec": spec, "status": status}


def _status(cache: RepositoryCache, revision: PackageRevision) -> dict[str, Any]:
    status: dict[str, Any] = {}
    kptfile = cache.git.show_file(revision.commit, f"{revision.package_path}/{KPTFILE}")
    if kptfile:
        try:
            document = yaml.safe_load(kptfile) or {}
        except yaml.YAMLError:
            document = {}
        lock = document.get("upstreamLock") if isinstance(document, dict) else None
        if lock:
            status["upstreamLock"] = lock
    if revision.lifecycle in (PUBLISHED, DELETION_PROPOSED):
        if revision.ref.startswith("refs/tags/"):
            who_when = cache.git.run("for-each-ref", "--format=%(taggeremail)%09%(taggerdate:unix)%09"
                                     "%(*committeremail)%09%(*committerdate:unix)%09%(committeremail)"
                                     "%09%(committerdate:unix)", revision.ref).strip().split("\t")
            email, stamp = _first_pair(who_when)
        else:
            email, stamp = cache.git.commit_info(revision.commit, "%ce%x09%ct").split("\t")
        status["publishedBy"] = email.strip("<>")
        if stamp:
            status["publishTimestamp"] = datetime.fromtimestamp(int(stamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return status


def _first_pair(fields: list[str]) -> tuple[str, str]:
    for index in range(0, len(fields) - 1, 2):
        if fields[index] and fields[index + 1]:
            return fields[index], fields[index + 1]
    return "", ""


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
