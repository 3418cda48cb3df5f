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


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the pure-Python loader is ~20x slower


def _files(package_dir: Path) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    if not package_dir.is_dir():
        return found
    for directory, subdirectories, files in os.walk(package_dir):
        subdirectories[:] = sorted(d for d in subdirectories if d != ".git")
        for file_name in sorted(files):
            if file_name == "Kptfile" or file_name.endswith(_YAML_SUFFIXES):
                path = Path(directory) / file_name
                found[path.relative_to(package_dir).as_posix()] = path.read_bytes()
    return found


def resources_of(files: dict[str, bytes]) -> dict[str, tuple[str, Any]]:
    """identity → (label with its file, the resource as data) for every KRM resource in ``files``."""
    found: dict[str, tuple[str, Any]] = {}
    for relative, data in files.items():
        try:
            documents = list(yaml.load_all(data.decode(), Loader=_LOADER))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # not a resource file a summary can read; the merge reports real problems
        for document in documents:
            if isinstance(document, dict) and document.get("kind"):
                key, shown = _label(document)
                found[key] = (f"{shown} ({relative})", document)
    return found


def upstream_changes(old_dir: Path, new_dir: Path) -> UpstreamChanges:
    """Only files whose bytes differ are read as YAML: an upgrade of a 1,000-resource package that changed
    ten files parses those ten, twice."""
    old_files, new_files = _files(old_dir), _files(new_dir)
    differing = {name for name in old_files.keys() | new_files.keys() if old_files.get(name) != new_files.get(name)}
    old = resources_of({name: old_files[name] for name in differing if name in old_files})
    new = resources_of({name: new_files[name] for name in differing if name in new_files})
    return UpstreamChanges(
        added=tuple(sorted(new[key][0] for key in new.keys() - old.keys())),
        changed=tuple(sorted(new[key][0] for key in new.keys() & old.keys() if new[key][1] != old[key][1])),
        removed=tuple(sorted(old[key][0] for key in old.keys() - new.keys())),
    )
