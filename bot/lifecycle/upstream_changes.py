"""What changed upstream between two revisions of a package: resources added, changed and removed.

Resources are matched as kpt matches them for a merge (group, kind, namespace, name); the Kptfile counts
as a resource. Read with PyYAML: this is a summary for reviewers, not a rewrite, so formatting is moot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class UpstreamChanges:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _label(document: dict[str, Any]) -> tuple[str, str]:
    metadata = document.get("metadata") or {}
    api_version = str(document.get("apiVersion") or "")
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    kind = str(document.get("kind") or "")
    name = str(metadata.get("name") or "")
    namespace = str(metadata.get("namespace") or "")
    key = f"{group}|{kind}|{namespace}|{name}"
    shown = f"{kind} {namespace + '/' if namespace else ''}{name}"
    return key, shown


def resources_of(package_dir: Path) -> dict[str, tuple[str, Any]]:
    """identity → (label with its file, the resource as data) for every KRM resource in the package."""
    found: dict[str, tuple[str, Any]] = {}
    if not package_dir.is_dir():
        return found
    for directory, subdirectories, files in os.walk(package_dir):
        subdirectories[:] = sorted(d for d in subdirectories if d != ".git")
        for file_name in sorted(files):
            if not (file_name == "Kptfile" or file_name.endswith(_YAML_SUFFIXES)):
                continue
            path = Path(directory) / file_name
            relative = path.relative_to(package_dir).as_posix()
            try:
                documents = list(yaml.safe_load_all(path.read_text()))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue  # not a resource file a summary can read; the merge reports real problems
            for document in documents:
                if isinstance(document, dict) and document.get("kind"):
                    key, shown = _label(document)
                    found[key] = (f"{shown} ({relative})", document)
    return found


def upstream_changes(old_dir: Path, new_dir: Path) -> UpstreamChanges:
    old, new = resources_of(old_dir), resources_of(new_dir)
    return UpstreamChanges(
        added=tuple(sorted(new[key][0] for key in new.keys() - old.keys())),
        changed=tuple(sorted(new[key][0] for key in new.keys() & old.keys() if new[key][1] != old[key][1])),
        removed=tuple(sorted(old[key][0] for key in old.keys() - new.keys())),
    )
