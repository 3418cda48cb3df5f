"""Where a reported conflict sits in the written file: the line of its field (1-based).

The merge result is written by kyaml's rules, so lines are only known after writing; the documents of
files that have conflicts are read back and each conflict's field path is followed.
"""

from __future__ import annotations

import dataclasses

from bot.render.yaml import read_file_documents
from bot.render.yaml.node import Kind, Node
from bot.upgrade.conflicts import Conflict


def _element(seq: Node, selector: str) -> Node | None:
    wanted = [part.partition("=") for part in selector.split(",")]
    for item in seq.content:
        if item.kind is Kind.MAPPING:
            if all((found := item.get(key)) is not None and found.value == value for key, _, value in wanted):
                return item
        elif len(wanted) == 1 and not wanted[0][1] and item.value == wanted[0][0]:
            return item
    return None


def field_line(root: Node, segments: tuple[str, ...]) -> int:
    """The line of the deepest node of ``segments`` found (0 when not even the first is)."""
    node, line = root, 0
    for segment in segments:
        if segment.startswith("[") and segment.endswith("]") and node.kind is Kind.SEQUENCE:
            child = _element(node, segment[1:-1])
            if child is None:
                break
            node, line = child, child.line
        elif node.kind is Kind.MAPPING:
            key = node.key_node(segment)
            if key is None:
                break
            node, line = node.get(segment) or key, key.line
        else:
            break
    return line


def locate(text: str, by_doc: dict[int, list[Conflict]]) -> dict[int, list[Conflict]]:
    """Set ``line`` of the conflicts of each document (by index in the file's text ``text``)."""
    pieces = text.split("\n---\n")
    offset, result = 0, {}
    for index, piece in enumerate(pieces):
        if index in by_doc:
            docs = read_file_documents(piece + ("\n" if index < len(pieces) - 1 else ""))
            root = docs[0][0].content[0] if docs else None
            result[index] = [dataclasses.replace(c, line=offset + max(1, field_line(root, c.segments) if root else 1))
                             for c in by_doc[index]]
        offset += piece.count("\n") + 2
    return result
