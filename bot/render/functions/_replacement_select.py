"""Resource selection for apply-replacements: kustomize's ResId matching and label selectors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from bot.render.functions import _common as c
from bot.render.yaml.node import Kind, Node

NOT_NAMESPACEABLE = "_non_namespaceable_"


class _OptionsLike(Protocol):
    delimiter: str
    index: int
    create: bool


@dataclass(frozen=True)
class Selector:
    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""

    def is_empty_id(self) -> bool:
        return not (self.group or self.version or self.kind or self.name or self.namespace)

    def selects(self, item: Node) -> bool:
        """kustomize's ResId.IsSelectedBy (the resource id against this selector)."""
        item_group, item_version = c.split_group_version(c.api_version(item))
        if self.name and self.name != c.name(item):
            return False
        if self.namespace and (self.namespace or c.DEFAULT_NAMESPACE) != _effective_namespace(item):
            return False
        if self.group and self.group != item_group:
            return False
        if self.version and self.version != item_version:
            return False
        return not (self.kind and self.kind != c.kind(item))

    def res_id(self) -> str:
        gvk = ".".join([self.kind or "[noKind]", self.version or "[noVer]", self.group or "[noGrp]"])
        return f"{gvk}/{self.name or '[noName]'}.{self.namespace or '[noNs]'}"

    def describe(self, field_path: str, options: _OptionsLike | None) -> str:
        """kustomize's SourceSelector.String()."""
        parts = [self.res_id()]
        if field_path:
            parts.append(field_path)
        if options is not None and (options.delimiter or options.create):
            parts.append(f"{options.delimiter}({options.index}), create={str(options.create).lower()}")
        return ":".join(parts)


def _effective_namespace(item: Node) -> str:
    if c.NAMESPACE_SCOPED.get((c.api_version(item), c.kind(item))) is False:
        return NOT_NAMESPACEABLE
    return c.namespace(item) or c.DEFAULT_NAMESPACE


def selector_from_node(node: Node | None) -> Selector | None:
    if node is None or node.kind is not Kind.MAPPING:
        return None
    return Selector(
        group=c.nested_str(node, "group"), version=c.nested_str(node, "version"),
        kind=c.nested_str(node, "kind"), name=c.nested_str(node, "name"),
        namespace=c.nested_str(node, "namespace"), label_selector=c.nested_str(node, "labelSelector"),
        annotation_selector=c.nested_str(node, "annotationSelector"),
    )


_REQUIREMENT = re.compile(
    r"^\s*(?P<neg>!)?\s*(?P<key>[^\s=!,()]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[^\s,()]*)|\s+(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?\s*$"
)


def _split_requirements(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [part for part in parts if part.strip()]


def matches_label_selector(labels: dict[str, str], selector: str) -> bool:
    """The Kubernetes label-selector syntax (equality and set based)."""
    for requirement in _split_requirements(selector):
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise ValueError(f"unable to parse requirement: {requirement.strip()}")
        key = match["key"]
        if match["neg"]:
            ok = key not in labels
        elif match["op"] in ("=", "=="):
            ok = labels.get(key) == match["value"]
        elif match["op"] == "!=":
            ok = labels.get(key) != match["value"]
        elif match["setop"]:
            values = {v.strip() for v in match["values"].split(",")}
            ok = labels.get(key) in values if match["setop"] == "in" else labels.get(key) not in values
        else:
            ok = key in labels
        if not ok:
            return False
    return True


def _matches_meta(item: Node, selector: Selector) -> bool:
    return (matches_label_selector(c.label_map(item), selector.label_selector)
            and matches_label_selector(c.annotation_map(item), selector.annotation_selector))


def matches_selectors(item: Node, select: Selector, rejects: list[Selector]) -> bool:
    """A target: selected by ``select`` (id and label/annotation selectors) and by no reject."""
    if not _matches_meta(item, select):
        return False
    for reject in rejects:
        if (reject.label_selector or reject.annotation_selector) and _matches_meta(item, reject):
            return False
    if not select.selects(item):
        return False
    return not any(not reject.is_empty_id() and reject.selects(item) for reject in rejects)
