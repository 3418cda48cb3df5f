"""Builtin upsert-resource (catalog ``upsert-resource``, kyaml framework).

The functionConfig is the resource to upsert (a ``kind: List`` upserts each of its items). Every
item with the same group, kind, name and namespace is replaced by a copy of it; when none
matches, a copy is appended, placed at ``config.kubernetes.io/target-path`` if given. There are
no results on success.

Two variants: master (kyaml v0.19: internal path/index annotations, reconciled with their
legacy twins the way kyaml's framework does after the processor) and v0.2.0 (kyaml v0.10: only
the legacy ``config.kubernetes.io/path``/``index`` annotations exist).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.render import kpt_keys as keys
from bot.render.functions.registry import BuiltinRun, register_releases
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from bot.render.yaml.node import Kind, Node

TARGET_PATH = keys.TARGET_PATH
FUNCTION_ANNOTATIONS = (keys.FUNCTION, keys.LEGACY_FUNCTION)
LEGACY_PATH = keys.PATH
LEGACY_INDEX = keys.INDEX
INTERNAL_PATH = keys.INTERNAL_PATH
INTERNAL_INDEX = keys.INTERNAL_INDEX


@dataclass(frozen=True)
class _Keys:
    path: str
    index: str
    reconcile: bool  # kyaml >= v0.11 framework syncs internal and legacy annotations


MASTER = _Keys(path=INTERNAL_PATH, index=INTERNAL_INDEX, reconcile=True)
V0_2_0 = _Keys(path=LEGACY_PATH, index=LEGACY_INDEX, reconcile=False)


@dataclass(frozen=True)
class _Meta:
    group: str
    kind: str
    name: str
    namespace: str
    annotations: dict[str, str]


def _meta(node: Node) -> _Meta:
    api_version = node.str_value("apiVersion") or ""
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    return _Meta(group=group, kind=node.str_value("kind") or "",
                 name=node.str_value("metadata", "name") or "",
                 namespace=node.str_value("metadata", "namespace") or "",
                 annotations=annotations_of(node))


def annotations_of(node: Node) -> dict[str, str]:
    annotations = node.path("metadata", "annotations")
    if annotations is None or annotations.kind is not Kind.MAPPING:
        return {}
    return {key.value: value.value for key, value in annotations.pairs() if value.kind is Kind.SCALAR}


def set_annotations(node: Node, annotations: dict[str, str]) -> None:
    """kyaml's SetAnnotations: drop the field, then re-add it at the end of metadata, keys sorted."""
    metadata = node.get("metadata")
    if metadata is None or metadata.kind is not Kind.MAPPING:
        metadata = node.set("metadata", Node.mapping())
    metadata.delete("annotations")
    if not annotations:
        return
    mapping = metadata.set("annotations", Node.mapping())
    for key in sorted(annotations):
        mapping.set(key, Node.scalar(annotations[key]))


def _reconcile(node: Node) -> None:
    """Fill whichever of internal/legacy path and index is missing, as kyaml's framework does."""
    annotations = annotations_of(node)
    pairs = ((INTERNAL_PATH, LEGACY_PATH), (INTERNAL_INDEX, LEGACY_INDEX))
    for internal, legacy in pairs:
        if internal in annotations and legacy not in annotations:
            _append_annotation(node, legacy, annotations[internal])
        elif legacy in annotations and internal not in annotations:
            _append_annotation(node, internal, annotations[legacy])


def _append_annotation(node: Node, key: str, value: str) -> None:
    node.ensure_map("metadata", "annotations").set(key, Node.scalar(value))


def _same(target: _Meta, candidate: _Meta, keys: _Keys) -> bool:
    target_path = target.annotations.get(TARGET_PATH, "")
    return (target.group == candidate.group and target.kind == candidate.kind
            and target.name == candidate.name and target.namespace == candidate.namespace
            and (target_path == "" or target_path == candidate.annotations.get(keys.path, "")))


def _resources(config: Node) -> list[Node]:
    if config.str_value("kind") == "List":
        items = config.get("items")
        return list(items.content) if items is not None else []
    return [config]


def _replace(items: list[Node], resource: Node, keys: _Keys) -> bool:
    wanted = _meta(resource)
    found = False
    for i, item in enumerate(items):
        current = _meta(item)
        if any(current.annotations.get(k, "") for k in FUNCTION_ANNOTATIONS):
            continue
        if not _same(wanted, current, keys):
            continue
        combined = dict(wanted.annotations)
        combined[keys.path] = current.annotations.get(keys.path, "")
        combined[keys.index] = current.annotations.get(keys.index, "")
        for key in (*FUNCTION_ANNOTATIONS, TARGET_PATH):
            combined.pop(key, None)
        replacement = resource.copy()
        set_annotations(replacement, combined)
        if keys.reconcile:
            _reconcile(replacement)
        items[i] = replacement
        found = True
    return found


def _add(items: list[Node], resource: Node, keys: _Keys) -> None:
    node = resource.copy()
    annotations = annotations_of(node)
    for key in (*FUNCTION_ANNOTATIONS, keys.path, keys.index):
        annotations.pop(key, None)
    target = annotations.pop(TARGET_PATH, "")
    if target:
        annotations[keys.path] = target
    set_annotations(node, annotations)
    if keys.reconcile:
        _reconcile(node)
    items.append(node)


def _runner(keys: _Keys) -> BuiltinRun:
    def run(rl: ResourceList) -> None:
        if rl.function_config is None or rl.function_config.kind is not Kind.MAPPING:
            message = "failed to upsert resource: functionConfig is missing: it must be the resource to upsert"
            raise FunctionError(message, stderr=f"Error: {message}")
        for resource in _resources(rl.function_config):
            if not _replace(rl.items, resource, keys):
                _add(rl.items, resource, keys)

    return run


_DESCRIPTION = "Insert a resource, or replace the resources with the same group, kind, name and namespace"
register_releases("upsert-resource", [
    (("unstable", "latest"), _DESCRIPTION, _runner(MASTER)),
    (("v0.2.0",), _DESCRIPTION, _runner(V0_2_0)),
])
