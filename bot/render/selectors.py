"""``selectors`` / ``exclude`` of a pipeline step, and merging a step's output back into its input."""

from __future__ import annotations

from bot.render import annotations as ann
from bot.render import kpt_keys as keys
from bot.render.kptfile import FunctionSpec, Selector
from bot.render.yaml.node import Kind, Node


def _string_map(node: Node | None) -> dict[str, str]:
    if node is None or node.kind is not Kind.MAPPING:
        return {}
    return {key.value: value.value for key, value in node.pairs() if value.kind is Kind.SCALAR}


def matches(selector: Selector, item: Node) -> bool:
    """Every non-empty field of the selector must match; labels and annotations as subsets."""
    if selector.api_version and item.str_value("apiVersion") != selector.api_version:
        return False
    if selector.kind and item.str_value("kind") != selector.kind:
        return False
    if selector.name and item.str_value("metadata", "name") != selector.name:
        return False
    if selector.namespace and (item.str_value("metadata", "namespace") or "") != selector.namespace:
        return False
    if selector.labels:
        labels = _string_map(item.path("metadata", "labels"))
        if any(labels.get(k) != v for k, v in selector.labels.items()):
            return False
    if selector.annotations:
        annotations = _string_map(item.path("metadata", "annotations"))
        if any(annotations.get(k) != v for k, v in selector.annotations.items()):
            return False
    return True


def has_selection(function: FunctionSpec) -> bool:
    return bool(function.selectors or function.exclude)


def select(function: FunctionSpec, items: list[Node]) -> list[Node]:
    """The input a step sees. A resource matching two selectors is passed twice, as kpt does."""
    selected: list[Node] = []
    for item in items:
        if function.selectors:
            hits = [item for selector in function.selectors if not selector.is_empty() and matches(selector, item)]
        else:
            hits = [item]
        for hit in hits:
            if any(not ex.is_empty() and matches(ex, hit) for ex in function.exclude):
                continue
            selected.append(hit)
    return selected


def tag_resource_ids(items: list[Node]) -> None:
    for index, item in enumerate(items):
        ann.set_annotation(item, keys.KPT_RESOURCE_ID, str(index))


def merge_output(items: list[Node], selected: list[Node], output: list[Node]) -> list[Node]:
    """Unselected resources keep their place; selected ones are replaced (or dropped); new ones go last."""
    selected_ids = {ann.get_annotation(item, keys.KPT_RESOURCE_ID) for item in selected}
    by_id: dict[str, Node] = {}
    new_items: list[Node] = []
    for item in output:
        resource_id = ann.get_annotation(item, keys.KPT_RESOURCE_ID)
        if resource_id is None:
            new_items.append(item)
        else:
            by_id.setdefault(resource_id, item)
    merged: list[Node] = []
    for item in items:
        resource_id = ann.get_annotation(item, keys.KPT_RESOURCE_ID)
        if resource_id in selected_ids:
            replacement = by_id.get(resource_id or "")
            if replacement is not None:
                merged.append(replacement)
        else:
            merged.append(item)
    merged.extend(new_items)
    for item in merged:
        ann.remove_annotations(item, (keys.KPT_RESOURCE_ID,))
    return merged
