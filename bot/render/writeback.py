"""Writing rendered resources: in place (kpt's file placement rules), to a new dir, or to stdout."""

from __future__ import annotations

import os
import posixpath
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.package import BARE_SEQ_KEY, SourceDoc
from bot.render.yaml.node import Kind, Node


@dataclass
class PlacedResource:
    path: str  # slash path relative to the root
    index: int
    item: Node


def root_relative_path(item: Node, root: Path, values: dict[str, str] | None = None) -> str:
    """``<subpackage rel dir>/<clean(path)>``: a plain join, as kpt does."""
    if values is None:
        values = ann.annotation_values(item)
    path = values.get(keys.INTERNAL_PATH) or values.get(keys.PATH) or ""
    cleaned = posixpath.normpath(path.lstrip("/")) if path else ""
    package_path = values.get(keys.PACKAGE_PATH)
    if package_path and package_path != str(root):
        rel_dir = os.path.relpath(package_path, root).replace(os.sep, "/")
        if rel_dir != ".":
            return posixpath.join(rel_dir, cleaned) if cleaned else rel_dir
    return cleaned


def place(items: list[Node], root: Path) -> dict[str, list[PlacedResource]]:
    """Group by root-relative file path; defaults for missing index; each group sorted by index."""
    groups: dict[str, list[PlacedResource]] = defaultdict(list)
    pending: list[tuple[str, Node]] = []
    for item in items:
        values = ann.annotation_values(item)
        path = root_relative_path(item, root, values)
        index_text = values.get(keys.INTERNAL_INDEX) or values.get(keys.INDEX)
        if index_text is None or not index_text.lstrip("-").isdigit():
            pending.append((path, item))
            continue
        groups[path].append(PlacedResource(path, int(index_text), item))
    for path, item in pending:
        group = groups[path]
        next_index = max((r.index for r in group), default=-1) + 1
        group.append(PlacedResource(path, next_index, item))
    for group in groups.values():
        group.sort(key=lambda r: r.index)
    return groups


def _clean_item(item: Node) -> str:
    """Drop every reader/call annotation; returns the sequence indent the resource asked for."""
    seq_indent = ann.get_annotation(item, keys.SEQ_INDENT) or "compact"
    ann.remove_annotations(item, keys.READER_ANNOTATIONS + keys.CALL_ANNOTATIONS)
    return seq_indent


def _document(item: Node, docs: dict[int, SourceDoc]) -> Node:
    source = docs.get(id(item))
    content = item
    if source is not None and source.bare_sequence:
        wrapped = item.get(BARE_SEQ_KEY)
        if wrapped is not None and len(item.content) == 2:
            content = wrapped
    if source is not None:
        document = source.document
        document.content = [content]
        return document
    return Node(Kind.DOCUMENT, content=[content])


def serialise_file(path: str, resources: list[PlacedResource], docs: dict[int, SourceDoc]) -> str:
    from bot.render.yaml.emitter import emit_documents, emit_json

    if path.endswith(".json") and len(resources) == 1:
        item = resources[0].item
        _clean_item(item)
        return emit_json(item)
    documents: list[tuple[Node, bool]] = []
    for resource in resources:
        wide = _clean_item(resource.item) == "wide"
        documents.append((_document(resource.item, docs), wide))
    return emit_documents(documents)


def write_in_place(root: Path, items: list[Node], input_paths: set[str], docs: dict[int, SourceDoc],
                   prune: bool) -> list[str]:
    """Write every file that holds resources; delete emptied input files when ``prune``."""
    changed: list[str] = []
    groups = place(items, root)
    for path, resources in groups.items():
        text = serialise_file(path, resources, docs)
        target = root / path
        try:
            if target.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        changed.append(path)
    if prune:
        for path in sorted(input_paths - set(groups)):
            try:
                (root / path).unlink()
                changed.append(path)
            except FileNotFoundError:
                pass
    return changed


def write_to_dir(out_dir: Path, root: Path, items: list[Node], docs: dict[int, SourceDoc]) -> None:
    for path, resources in place(items, root).items():
        target = out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(serialise_file(path, resources, docs), encoding="utf-8")


def stdout_resource_list(root: Path, items: list[Node]) -> str:
    """``-o stdout``: one ResourceList keeping index, path (root-relative) and seqindent."""
    from bot.render.resourcelist import ResourceList
    from bot.render.resourcelist_wire import encode_resource_list

    for item in items:
        path = root_relative_path(item, root)
        if path:
            ann.set_annotation(item, keys.PATH, path)
            ann.set_annotation(item, keys.INTERNAL_PATH, path)
        ann.remove_annotations(item, (keys.PACKAGE_PATH, *keys.CALL_ANNOTATIONS))
    return encode_resource_list(ResourceList(items=items))


def unwrapped_yaml(items: list[Node], docs: dict[int, SourceDoc]) -> str:
    """``-o unwrap``: plain multi-document YAML, reader annotations removed."""
    from bot.render.yaml.emitter import emit_documents

    documents: list[tuple[Node, bool]] = []
    for item in items:
        wide = _clean_item(item) == "wide"
        documents.append((_document(item, docs), wide))
    return emit_documents(documents)
