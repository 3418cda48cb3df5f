"""A YAML node tree shaped like go-yaml v3's ``yaml.Node``.

kpt formats files with kyaml, a fork of go-yaml v3; the conformance cases compare
``git diff`` output byte for byte, so our tree keeps exactly what yaml.v3 keeps
(kind, tag, value, style, head/line/foot comments, anchors) and nothing else.
Mapping content alternates key, value, key, value, as in yaml.v3.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum, IntFlag


class Kind(IntEnum):
    DOCUMENT = 1
    SEQUENCE = 2
    MAPPING = 4
    SCALAR = 8
    ALIAS = 16


class Style(IntFlag):
    NONE = 0
    TAGGED = 1
    DOUBLE_QUOTED = 2
    SINGLE_QUOTED = 4
    LITERAL = 8
    FOLDED = 16
    FLOW = 32


_MAPPING = Kind.MAPPING  # a module global: faster to reach than the enum's class attribute

STR = "!!str"
INT = "!!int"
FLOAT = "!!float"
BOOL = "!!bool"
NULL = "!!null"
MAP = "!!map"
SEQ = "!!seq"
BINARY = "!!binary"
TIMESTAMP = "!!timestamp"


class Node:
    """One YAML node. Mutable on purpose: builtin functions edit trees in place."""

    __slots__ = (
        "alias",
        "anchor",
        "column",
        "content",
        "foot_comment",
        "head_comment",
        "kind",
        "line",
        "line_comment",
        "style",
        "tag",
        "value",
    )

    def __init__(
        self,
        kind: Kind,
        tag: str = "",
        value: str = "",
        style: Style = Style.NONE,
        content: list[Node] | None = None,
        head_comment: str = "",
        line_comment: str = "",
        foot_comment: str = "",
        anchor: str = "",
        alias: Node | None = None,
        line: int = 0,
        column: int = 0,
    ) -> None:
        self.kind = kind
        self.tag = tag
        self.value = value
        self.style = style
        self.content: list[Node] = content if content is not None else []
        self.head_comment = head_comment
        self.line_comment = line_comment
        self.foot_comment = foot_comment
        self.anchor = anchor
        self.alias = alias
        self.line = line
        self.column = column

    # ---- constructors -------------------------------------------------
    @staticmethod
    def scalar(value: str, tag: str = STR, style: Style = Style.NONE) -> Node:
        return Node(Kind.SCALAR, tag=tag, value=value, style=style)

    @staticmethod
    def mapping(style: Style = Style.NONE) -> Node:
        return Node(Kind.MAPPING, tag=MAP, style=style)

    @staticmethod
    def sequence(style: Style = Style.NONE) -> Node:
        return Node(Kind.SEQUENCE, tag=SEQ, style=style)

    # ---- mapping helpers ----------------------------------------------
    def pairs(self) -> Iterator[tuple[Node, Node]]:
        content = self.content
        for i in range(0, len(content) - 1, 2):
            yield content[i], content[i + 1]

    def get(self, key: str) -> Node | None:
        """The value under ``key`` in a mapping, or None (also for non-mappings)."""
        # The hottest call of a render (hundreds per resource): one iterator over the content is about
        # twice as fast as indexing by range. A trailing key without a value gives None, as before.
        if self.kind is not _MAPPING:
            return None
        pairs = iter(self.content)
        for candidate in pairs:
            if candidate.value == key:
                return next(pairs, None)
            next(pairs, None)
        return None

    def key_node(self, key: str) -> Node | None:
        if self.kind is not _MAPPING:
            return None
        content = self.content
        for i in range(0, len(content) - 1, 2):
            if content[i].value == key:
                return content[i]
        return None

    def set(self, key: str, value: Node) -> Node:
        """Replace the value under ``key`` (keeping the key node and its comments) or append it."""
        content = self.content
        for i in range(0, len(content) - 1, 2):
            if content[i].value == key:
                content[i + 1] = value
                return value
        content.append(Node.scalar(key))
        content.append(value)
        return value

    def delete(self, key: str) -> bool:
        content = self.content
        for i in range(0, len(content) - 1, 2):
            if content[i].value == key:
                del content[i : i + 2]
                return True
        return False

    def keys(self) -> list[str]:
        return [self.content[i].value for i in range(0, len(self.content) - 1, 2)]

    def path(self, *keys: str) -> Node | None:
        node: Node | None = self
        for key in keys:
            if node is None:
                return None
            node = node.get(key)
        return node

    def ensure_map(self, *keys: str) -> Node:
        """Walk ``keys`` creating empty block mappings where missing (or null)."""
        node = self
        for key in keys:
            child = node.get(key)
            if child is None or (child.kind is Kind.SCALAR and child.tag == NULL):
                child = node.set(key, Node.mapping())
            node = child
        return node

    def str_value(self, *keys: str) -> str | None:
        node = self.path(*keys) if keys else self
        if node is None or node.kind is not Kind.SCALAR or node.tag == NULL:
            return None
        return node.value

    # ---- misc -----------------------------------------------------------
    def copy(self) -> Node:
        """Deep copy (aliases keep pointing at the copied anchor when inside the tree)."""
        return _deep_copy(self, {})

    def is_null(self) -> bool:
        return self.kind is Kind.SCALAR and self.tag == NULL

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        if self.kind is Kind.SCALAR:
            return f"Node(SCALAR {self.tag} {self.value!r})"
        return f"Node({self.kind.name} {len(self.content)} children)"


def _deep_copy(node: Node, memo: dict[int, Node]) -> Node:
    existing = memo.get(id(node))
    if existing is not None:
        return existing
    clone = Node(
        node.kind,
        tag=node.tag,
        value=node.value,
        style=node.style,
        head_comment=node.head_comment,
        line_comment=node.line_comment,
        foot_comment=node.foot_comment,
        anchor=node.anchor,
        line=node.line,
        column=node.column,
    )
    memo[id(node)] = clone
    clone.content = [_deep_copy(child, memo) for child in node.content]
    if node.alias is not None:
        clone.alias = _deep_copy(node.alias, memo)
    return clone

