"""Node predicates and comparisons the three-way merge needs, with kyaml's meanings.

kyaml decides "changed upstream" by comparing the YAML text of two nodes written with the top node
in single-quoted flow style: quoting and block/flow style of the top node do not count, values,
comments and the styles of nested scalars do. ``fingerprint`` builds a hashable value with the same
equalities without writing YAML (the merge asks this for every field of every resource).
"""

from __future__ import annotations

import re
from typing import Any

from bot.render.yaml.node import Kind, Node, Style

NULL = "!!null"
STR = "!!str"
_PLAIN_TAGS = frozenset({"", STR, "!!int", "!!float", "!!bool", NULL, "!!timestamp", "!!map", "!!seq"})


def missing_or_null(node: Node | None) -> bool:
    return node is None or node.tag == NULL


def tagged_null(node: Node | None) -> bool:
    return node is not None and node.tag == NULL


def empty_map(node: Node | None) -> bool:
    return node is not None and node.kind is Kind.MAPPING and not node.content


def fingerprint(node: Node | None) -> Any:
    """Equal exactly when kyaml's single-quoted flow rendering of the two nodes is equal."""
    if node is None:
        return None
    return _print(node, top=True)


def _print(node: Node, top: bool) -> Any:
    tag = node.tag if node.tag not in _PLAIN_TAGS else ""
    comments = (node.head_comment, node.line_comment, node.foot_comment)
    if node.kind is Kind.SCALAR:
        style = 0 if top else int(node.style & ~Style.FLOW)
        return ("s", tag, node.value, style, comments)
    if node.kind is Kind.ALIAS:
        return ("a", node.value, comments)
    return (node.kind.value, tag, comments, tuple(_print(child, False) for child in node.content))


# YAML 1.1 words that a 1.1 parser (the Kubernetes API server's) reads as booleans or numbers although
# YAML 1.2 reads them as strings; kyaml double-quotes such plain strings when it sets a field.
_YAML11_WORDS = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())
_YAML11_NUMBER = re.compile(r"^[-+]?(?:0b[01_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+|\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?$")


def yaml11_non_string(value: str) -> bool:
    if not value or "\n" in value:
        return False
    return value in _YAML11_WORDS or value in ("~", "null", "Null", "NULL") or bool(_YAML11_NUMBER.match(value))


def plain_scalar(value: str) -> Node:
    """A scalar without a tag, as kyaml's NewScalarRNode makes it: written plain when it can be."""
    return Node(Kind.SCALAR, tag="", value=value)
