"""After an out-of-process call: copy the input's comments back and re-sync mapping key order.

Functions written with other YAML libraries drop comments and reorder keys; kpt matches each output
resource to its input by the id annotation and repairs both, so ``preserve-comments`` holds and a
function that reorders nothing changes nothing on disk. Builtin functions edit trees in place and
skip this.
"""

from __future__ import annotations

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.yaml.node import Kind, Node


def tag_call_ids(items: list[Node], mutator: bool) -> dict[str, Node]:
    originals: dict[str, Node] = {}
    for index, item in enumerate(items):
        call_id = str(index + 1)
        if mutator:
            ann.set_annotations(item, ((keys.ID, call_id), (keys.LEGACY_ID, call_id),
                                       (keys.MIGRATION_ID, str(index))))
        else:
            ann.set_annotations(item, ((keys.ID, call_id), (keys.LEGACY_ID, call_id)))
        originals[call_id] = item
    return originals


def resync_output(originals: dict[str, Node], output: list[Node]) -> dict[int, Node]:
    """Repair each matched output item in place; returns output id(item) -> original item."""
    matched: dict[int, Node] = {}
    for item in output:
        resource_id = ann.get_annotation(item, keys.ID) or ann.get_annotation(item, keys.LEGACY_ID)
        original = originals.get(resource_id or "")
        if original is None:
            continue
        matched[id(item)] = original
        if original is item:
            continue  # edited in place: nothing was lost
        copy_comments(original, item)
        sync_order(original, item)
    return matched


def copy_comments(source: Node, dest: Node) -> None:
    if source.kind is not dest.kind:
        return
    for attr in ("head_comment", "line_comment", "foot_comment"):
        value = getattr(source, attr)
        if value and not getattr(dest, attr):
            setattr(dest, attr, value)
    if source.kind is Kind.MAPPING:
        source_pairs = {key.value: (key, value) for key, value in source.pairs()}
        for key, value in dest.pairs():
            match = source_pairs.get(key.value)
            if match is not None:
                copy_comments(match[0], key)
                copy_comments(match[1], value)
    elif source.kind is Kind.SEQUENCE:
        for src_child, dest_child in zip(source.content, dest.content, strict=False):
            copy_comments(src_child, dest_child)


def sync_order(source: Node, dest: Node) -> None:
    """Keys present in ``source`` keep its order; new keys follow in their own order."""
    if source.kind is Kind.MAPPING and dest.kind is Kind.MAPPING:
        source_pairs = {key.value: value for key, value in source.pairs()}
        position = {name: i for i, name in enumerate(source_pairs)}
        pairs = list(dest.pairs())
        known = sorted((p for p in pairs if p[0].value in position), key=lambda p: position[p[0].value])
        extra = [p for p in pairs if p[0].value not in position]
        dest.content = [node for pair in known + extra for node in pair]
        for key, value in dest.pairs():
            match = source_pairs.get(key.value)
            if match is not None:
                sync_order(match, value)
    elif source.kind is Kind.SEQUENCE and dest.kind is Kind.SEQUENCE:
        for src_child, dest_child in zip(source.content, dest.content, strict=False):
            sync_order(src_child, dest_child)
