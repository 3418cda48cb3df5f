"""The parser's node tree for plain documents, built from their lines without the YAML parser.

A merge parses each version of every resource it merges (three for a resource changed upstream), and
parsing is most of its cost. The documents kpt writes are mostly in ``fastlane``'s strict line grammar
(block mappings indented by two, compact sequences of mappings, one-line plain scalars, kpt's merge
comment and quoted identifier annotation); for those, every node the parser makes — kind, tag, value,
style, comment, line and column — follows from one line, so :func:`document` builds the tree directly.
Any other text returns None and goes to the parser. tests/upgrade/test_fastparse.py compares both trees
slot by slot on every document of the shared update suite, and the merge runs with and without it.
"""

from __future__ import annotations

from bot.render.yaml.convert import resolve_scalar_tag
from bot.render.yaml.node import MAP, SEQ, STR, Kind, Node, Style
from bot.upgrade import fastlane

_COMMENTED = "metadata: # "


def document(text: str) -> Node | None:
    """The DOCUMENT node the parser gives ``text`` (one document), or None when it is not plain enough."""
    if not text.endswith("\n") or text.endswith("\n\n"):
        return None
    root = Node(Kind.MAPPING, tag=MAP, line=1, column=1)
    # frames: (indent of the keys, node, is a sequence, keys seen); an item's keys sit two right of its dash
    frames: list[tuple[int, Node, bool, set[str]]] = [(0, root, False, set())]
    pending: tuple[int, Node] | None = None  # the mapping whose last key waits for its block
    number = 0
    for line in text[:-1].split("\n"):
        number += 1
        parts = fastlane.line_parts(line)
        if parts is None:
            return None
        indent, dash, key, value, quoted = parts
        if pending is not None:
            p_indent, p_map = pending
            pending = None
            if dash and indent == p_indent:
                block = Node(Kind.SEQUENCE, tag=SEQ, line=number, column=indent + 1)
                frames.append((p_indent, block, True, set()))
            elif not dash and indent == p_indent + 2:
                block = Node(Kind.MAPPING, tag=MAP, line=number, column=indent + 1)
                frames.append((indent, block, False, set()))
            else:
                return None
            p_map.content.append(block)
        if dash:
            while frames and not (frames[-1][2] and frames[-1][0] == indent):
                if frames[-1][0] < indent:
                    return None
                frames.pop()
            if not frames:
                return None
            indent += 2
            item = Node(Kind.MAPPING, tag=MAP, line=number, column=indent + 1)
            frames[-1][1].content.append(item)
            frames.append((indent, item, False, set()))
        else:
            while frames and (frames[-1][0] > indent or frames[-1][2]):
                frames.pop()
            if not frames or frames[-1][0] != indent:
                return None
        mapping, seen = frames[-1][1], frames[-1][3]
        if key in seen:
            return None
        seen.add(key)
        key_node = Node(Kind.SCALAR, tag=resolve_scalar_tag(key), value=key, line=number, column=indent + 1)
        if line.startswith(_COMMENTED):
            key_node.line_comment = line[len(_COMMENTED) - 2:]
        mapping.content.append(key_node)
        column = indent + len(key) + 3
        if value is None:
            pending = (indent, mapping)
        elif quoted is not None:
            mapping.content.append(Node(Kind.SCALAR, tag=STR, value=quoted, style=Style.SINGLE_QUOTED,
                                        line=number, column=column))
        else:
            mapping.content.append(Node(Kind.SCALAR, tag=resolve_scalar_tag(value), value=value, line=number,
                                        column=column))
    if pending is not None:
        return None
    return Node(Kind.DOCUMENT, content=[root], line=1, column=1)
