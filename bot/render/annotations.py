"""Reading, setting and removing kpt's annotations on resources (the keys are in ``kpt_keys``).

kyaml writes annotation values single-quoted ("some tools get confused about the type if
annotations are not quoted"), which is why ``-o stdout`` shows ``config.kubernetes.io/index: '0'``.
"""

from __future__ import annotations

from bot.render.kpt_keys import INDEX, INTERNAL_INDEX, INTERNAL_PATH, PATH
from bot.render.yaml.node import Kind, Node, Style


def annotations_node(item: Node) -> Node | None:
    node = item.path("metadata", "annotations")
    if node is None or node.kind is not Kind.MAPPING:
        return None
    return node


def annotation_values(item: Node) -> dict[str, str]:
    """Every scalar annotation in one pass (hot paths read several per resource)."""
    node = annotations_node(item)
    if node is None:
        return {}
    content = node.content
    return {content[i].value: content[i + 1].value for i in range(0, len(content) - 1, 2)
            if content[i + 1].kind is Kind.SCALAR}


def get_annotation(item: Node, key: str) -> str | None:
    node = annotations_node(item)
    if node is None:
        return None
    value = node.get(key)
    if value is None or value.kind is not Kind.SCALAR:
        return None
    return value.value


def set_annotation(item: Node, key: str, value: str) -> None:
    """Set ``key``; a missing metadata or annotations map is created at the end of its parent."""
    set_annotations(item, ((key, value),))


def _annotations_map(item: Node) -> Node:
    """The item's ``metadata.annotations`` mapping, made (at the end of its parent) where missing."""
    metadata = item.get("metadata")
    if metadata is None or metadata.kind is not Kind.MAPPING:
        metadata = item.set("metadata", Node.mapping())
    annotations = metadata.get("annotations")
    if annotations is None or annotations.kind is not Kind.MAPPING:
        annotations = metadata.set("annotations", Node.mapping())
    return annotations


def set_annotations(item: Node, pairs: tuple[tuple[str, str], ...]) -> None:
    """``set_annotation`` for each pair in order, walking to the annotations map once."""
    annotations = _annotations_map(item)
    for key, value in pairs:
        annotations.set(key, Node.scalar(value, style=Style.SINGLE_QUOTED))


def set_annotations_sorted(item: Node, values: dict[str, str]) -> None:
    annotations = _annotations_map(item)
    if not annotations.content:
        # The common case (a resource read from disk): append without scanning for existing keys.
        content = annotations.content
        for key in sorted(values):
            content.append(Node.scalar(key))
            content.append(Node.scalar(values[key], style=Style.SINGLE_QUOTED))
        return
    for key in sorted(values):
        annotations.set(key, Node.scalar(values[key], style=Style.SINGLE_QUOTED))


def remove_annotations(item: Node, keys: tuple[str, ...]) -> None:
    """Delete ``keys``; drop the annotations map when that leaves it empty (kyaml's ClearAnnotation)."""
    metadata = item.get("metadata")
    if metadata is None or metadata.kind is not Kind.MAPPING:
        return
    annotations = metadata.get("annotations")
    if annotations is None or annotations.kind is not Kind.MAPPING:
        return
    removed = False
    for key in keys:
        removed = annotations.delete(key) or removed
    if removed and not annotations.content:
        metadata.delete("annotations")


def resource_path(item: Node) -> str | None:
    return get_annotation(item, INTERNAL_PATH) or get_annotation(item, PATH)


class AnnotationConflict(Exception):
    pass


LEGACY_PAIRS = ((PATH, INTERNAL_PATH), (INDEX, INTERNAL_INDEX))


def legacy_snapshot(item: Node) -> dict[str, str]:
    """The path/index annotations as they were before a call, for ``reconcile_legacy``."""
    values = annotation_values(item)
    return {key: values[key] for key in (PATH, INTERNAL_PATH, INDEX, INTERNAL_INDEX) if key in values}


def reconcile_legacy(item: Node, before: dict[str, str] | None = None) -> None:
    """Keep the legacy and internal path/index annotations equal after a function ran.

    A function may change either one; the changed one wins. Changing both to different values is an
    error, as in kyaml's ``kioutil.CopyLegacyAnnotations``/``CheckMismatchedAnnotations``.
    """
    values = annotation_values(item)
    for legacy, internal in LEGACY_PAIRS:
        legacy_value = values.get(legacy)
        internal_value = values.get(internal)
        if legacy_value == internal_value:
            continue
        if legacy_value is None and internal_value is not None:
            set_annotation(item, legacy, internal_value)
        elif internal_value is None and legacy_value is not None:
            set_annotation(item, internal, legacy_value)
        elif before is not None and before.get(internal) == internal_value and legacy_value is not None:
            set_annotation(item, internal, legacy_value)
        elif before is not None and before.get(legacy) == legacy_value and internal_value is not None:
            set_annotation(item, legacy, internal_value)
        else:
            kind = "path" if legacy == PATH else "index"
            raise AnnotationConflict(
                f"resource input to function has mismatched legacy and internal {kind} annotations")
