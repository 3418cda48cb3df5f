"""kyaml path lookups as kustomize's replacement filter uses them.

``lookup`` is kyaml's PathGetter (``Lookup`` / ``LookupCreate``): one node, ``[k=v]`` picks the
first matching list element, missing parts are created only in create mode. ``match_all`` is
kyaml's PathMatcher: every node the path reaches, ``[k=v]`` keeps all matching elements and
``*`` means every element. ``split_path`` is SmarterPathSplitter: ``[a.b/c]`` is one key.
"""

from __future__ import annotations

from bot.render.yaml.node import STR, Kind, Node


class PathError(Exception):
    pass


def split_outside_brackets(path: str, separator: str) -> list[str]:
    """Split on ``separator`` except inside ``[...]``: kyaml's and kustomize's path splitters both do."""
    parts: list[str] = []
    current = ""
    depth = 0
    for char in path:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        if char == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def split_path(path: str) -> list[str]:
    parts = split_outside_brackets(path, ".")
    # a bracketed map key loses its brackets; a list selector [k=v] keeps them
    return [p[1:-1] if p.startswith("[") and p.endswith("]") and "=" not in p else p for p in parts]


def _list_selector(part: str) -> tuple[str, str] | None:
    if part.startswith("[") and part.endswith("]") and "=" in part:
        key, _, value = part[1:-1].partition("=")
        return key, value
    return None


def _element_matches(element: Node, key: str, value: str) -> bool:
    if key == "":
        return element.kind is Kind.SCALAR and element.value == value
    if element.kind is not Kind.MAPPING:
        return False
    field = element.get(key)
    return field is not None and field.kind is Kind.SCALAR and field.value == value


def _new_node(kind: Kind) -> Node:
    # kyaml creates bare nodes (no tag); the emitter then writes scalars plain
    return Node(kind)


def lookup(node: Node, path: list[str], create_kind: Kind | None = None, *, numeric: bool = False) -> Node | None:
    """PathGetter. ``create_kind`` set means LookupCreate: the last part is created with that kind."""
    current = node
    for i, part in enumerate(path):
        last = i == len(path) - 1
        selector = _list_selector(part)
        if selector is not None:
            if current.kind is not Kind.SEQUENCE:
                raise PathError(f"wrong node kind: expected SequenceNode for {part}")
            key, value = selector
            found = next((e for e in current.content if _element_matches(e, key, value)), None)
            if found is None and create_kind is not None and key:
                found = Node(Kind.MAPPING)
                found.content = [Node.scalar(key, STR), Node.scalar(value, STR)]
                current.content.append(found)
            if found is None:
                return None
            current = found
            continue
        if numeric and part.isdigit() and current.kind is Kind.SEQUENCE:
            index = int(part)
            if index >= len(current.content):
                return None
            current = current.content[index]
            continue
        if current.kind is not Kind.MAPPING:
            if current.kind is Kind.SCALAR and current.is_null():
                return None
            raise PathError(f"wrong node kind: expected MappingNode for field {part}")
        child = current.get(part)
        if child is None:
            if create_kind is None:
                return None
            if last:
                kind = create_kind
            else:
                kind = Kind.SEQUENCE if _list_selector(path[i + 1]) is not None else Kind.MAPPING
            child = _new_node(kind)
            current.content.append(Node.scalar(part, STR))
            current.content.append(child)
        current = child
    return current


def match_all(node: Node, path: list[str]) -> list[Node]:
    """PathMatcher: every node ``path`` reaches from ``node``."""
    if not path:
        return [node]
    part, rest = path[0], path[1:]
    selector = _list_selector(part)
    if selector is not None:
        if node.kind is not Kind.SEQUENCE:
            return []
        key, value = selector
        return [m for e in node.content if _element_matches(e, key, value) for m in match_all(e, rest)]
    if part == "*":
        if node.kind is Kind.SEQUENCE:
            children = node.content
        elif node.kind is Kind.MAPPING:
            children = [value for _, value in node.pairs()]
        else:
            return []
        return [m for child in children for m in match_all(child, rest)]
    if part.isdigit() and node.kind is Kind.SEQUENCE:
        index = int(part)
        return match_all(node.content[index], rest) if index < len(node.content) else []
    if node.kind is not Kind.MAPPING:
        return []
    child = node.get(part)
    return [] if child is None else match_all(child, rest)


def is_nil_or_empty(node: Node | None) -> bool:
    if node is None:
        return True
    if node.kind is Kind.SCALAR:
        return node.tag == "!!null"
    return node.kind in (Kind.MAPPING, Kind.SEQUENCE) and not node.content


def overwrite(target: Node, source: Node) -> None:
    """RNode.SetYNode: the target node takes every field of (a copy of) the source node."""
    copy = source.copy()
    for attribute in ("kind", "tag", "value", "style", "content", "head_comment", "line_comment",
                      "foot_comment", "anchor", "alias"):
        setattr(target, attribute, getattr(copy, attribute))

