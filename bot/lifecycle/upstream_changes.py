"""What changed upstream between two revisions of a package: resources added, changed and removed.

Resources are matched as kpt matches them for a merge (group, kind, namespace, name); the Kptfile counts
as a resource. Only files whose bytes differ are read, identities come from the lines kpt writes (libyaml for
anything shaped otherwise), and a resource counts as changed when its document's text changed: this is a
summary for reviewers, not a rewrite.
"""

from __future__ import annotations

import os
import re
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


_TOP_KEY = re.compile(r"^([A-Za-z_][\w.-]*):\s*(.*?)\s*$")
_META_KEY = re.compile(r"^  (name|namespace):\s*(.*?)\s*$")


def _identity_by_lines(document: str) -> dict[str, Any] | None:
    """apiVersion, kind and metadata name/namespace read from a block-style document's lines (what kpt
    writes); None when the document is not plainly shaped and needs a real parse."""
    found: dict[str, Any] = {}
    metadata: dict[str, str] = {}
    in_metadata = False
    for line in document.splitlines():
        if not line or line.startswith("#"):
            continue
        top = _TOP_KEY.match(line)
        if top:
            in_metadata = top.group(1) == "metadata"
            if top.group(1) in ("apiVersion", "kind"):
                found[top.group(1)] = top.group(2).split(" #", 1)[0].strip("'\"")
            continue
        meta = _META_KEY.match(line) if in_metadata else None
        if meta:
            metadata[meta.group(1)] = meta.group(2).split(" #", 1)[0].strip("'\"")
    if not found.get("kind") or any(v.startswith(("{", "[", "&", "*", "!")) for v in [*found.values(), *metadata.values()]):
        return None
    return {**found, "metadata": metadata}


def _documents(text: str) -> list[str]:
    return [part for part in re.split(r"(?m)^---[ \t]*\n?", text) if part.strip()]


def resources_of(files: dict[str, bytes]) -> dict[str, tuple[str, Any]]:
    """identity → (label with its file, the document's text) for every KRM resource in ``files``. Identity is
    read from the lines kpt writes; a document shaped otherwise is parsed with libyaml."""
    found: dict[str, tuple[str, Any]] = {}
    for relative, data in files.items():
        try:
            text = data.decode()
        except UnicodeDecodeError:
            continue
        for document in _documents(text):
            identity = _identity_by_lines(document)
            if identity is None:
                try:
                    parsed = yaml.load(document, Loader=_LOADER)
                except yaml.YAMLError:
                    continue  # not a resource a summary can read; the merge reports real problems
                identity = parsed if isinstance(parsed, dict) and parsed.get("kind") else None
            if identity is not None:
                key, shown = _label(identity)
                found[key] = (f"{shown} ({relative})", document.strip())
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
