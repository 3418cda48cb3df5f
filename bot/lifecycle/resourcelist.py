"""A package revision's resources as a ``config.kubernetes.io/v1`` ResourceList (``rpkg pull`` to stdout)."""

from __future__ import annotations

from typing import Any

import yaml

from bot.lifecycle.gitaccess import Git


def _is_resource_file(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return base == "Kptfile" or base.endswith((".yaml", ".yml"))


def package_resource_list(git: Git, commit: str, package_path: str) -> str:
    items: list[dict[str, Any]] = []
    prefix = package_path + "/"
    for file_path in git.ls_tree_names(commit, package_path):
        relative = file_path[len(prefix):] if file_path.startswith(prefix) else file_path
        if not _is_resource_file(relative):
            continue
        text = git.show_file(commit, file_path) or ""
        try:
            documents = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            continue
        for index, resource in enumerate(documents):
            if not isinstance(resource, dict) or "kind" not in resource:
                continue
            metadata = resource.setdefault("metadata", {}) or {}
            resource["metadata"] = metadata
            annotations = metadata.setdefault("annotations", {}) or {}
            metadata["annotations"] = annotations
            annotations.update({
                "config.kubernetes.io/index": str(index),
                "internal.config.kubernetes.io/index": str(index),
                "internal.config.kubernetes.io/path": relative,
                "config.kubernetes.io/path": relative,
            })
            items.append(resource)
    resource_list = {"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": items}
    return str(yaml.safe_dump(resource_list, sort_keys=False, default_flow_style=False))
