"""``kpt pkg get``'s merge keys: a ``# kpt-merge: <namespace>/<name>`` line comment on ``metadata:``
and the ``internal.kpt.dev/upstream-identifier`` annotation, added to every resource of a fetched package.

Line-based, so a resource is otherwise left byte for byte as it was (see packagefiles.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.render.kpt_keys import UPSTREAM_IDENTIFIER

_METADATA = re.compile(r"^metadata:[ \t]*$")
_SEPARATOR = re.compile(r"^---(\s.*)?$")


def add_merge_keys_to_package(package_dir: Path) -> None:
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and path.suffix in (".yaml", ".yml") and path.name != "Kptfile":
            original = path.read_text()
            updated = add_merge_keys(original)
            if updated != original:
                path.write_text(updated)


def add_merge_keys(text: str) -> str:
    documents: list[list[str]] = [[]]
    for line in text.splitlines(keepends=True):
        if _SEPARATOR.match(line):
            documents.append([line])
        else:
            documents[-1].append(line)
    return "".join("".join(_document(lines)) for lines in documents)


def _document(lines: list[str]) -> list[str]:
    try:
        resource: Any = yaml.safe_load("".join(line for line in lines if not _SEPARATOR.match(line)))
    except yaml.YAMLError:
        return lines
    if not isinstance(resource, dict) or not isinstance(resource.get("metadata"), dict):
        return lines
    metadata = resource["metadata"]
    name, kind = metadata.get("name"), resource.get("kind")
    if not isinstance(name, str) or not isinstance(kind, str):
        return lines
    annotations = metadata.get("annotations") or {}
    start = next((i for i, line in enumerate(lines) if _METADATA.match(line)), None)
    if start is None or not isinstance(annotations, dict):
        return lines  # flow-style metadata or a line comment already there: leave it as it is
    namespace = metadata.get("namespace") or ""
    api_version = str(resource.get("apiVersion") or "")
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    identifier = f"{group}|{kind}|{namespace or 'default'}|{name}"
    out = list(lines)
    end = _block_end(out, start, "")
    if UPSTREAM_IDENTIFIER not in annotations:
        out = _insert_annotation(out, start, end, identifier)
    out[start] = out[start].rstrip("\n").rstrip() + f" # kpt-merge: {namespace}/{name}\n"
    return out


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: list[str], start: int, parent_indent: str) -> int:
    """Index after the last meaningful line of the block opened at ``start``."""
    end = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if not _meaningful(line):
            continue
        if len(_indent_of(line)) <= len(parent_indent) and not line.startswith(parent_indent + " "):
            break
        end = index + 1
    return end


def _insert_annotation(lines: list[str], start: int, end: int, identifier: str) -> list[str]:
    child = next((_indent_of(line) for line in lines[start + 1:end] if _meaningful(line)), "  ")
    value = "'" + identifier.replace("'", "''") + "'"
    annotations_at = next((i for i in range(start + 1, end)
                           if re.match(rf"^{child}annotations:[ \t]*$", lines[i])), None)
    if annotations_at is None:
        entry = f"{child}annotations:\n{child}{child}{UPSTREAM_IDENTIFIER}: {value}\n"
        return [*lines[:end], entry, *lines[end:]]
    inner_end = _block_end(lines, annotations_at, child)
    inner = next((_indent_of(line) for line in lines[annotations_at + 1:inner_end] if _meaningful(line)),
                 child + child)
    return [*lines[:inner_end], f"{inner}{UPSTREAM_IDENTIFIER}: {value}\n", *lines[inner_end:]]
