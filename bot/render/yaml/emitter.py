"""Node tree -> YAML text, byte for byte as kyaml's yaml.v3 encoder writes it (indent 2).

yaml.v3 turns a node into events and runs an emitter state machine over them. We
walk the tree instead, but keep the event order's side effects: a collection's
start is handled where yaml.v3 handles its start event, so the parent's line/foot
comment processing runs right after it (before the body), exactly as in Go.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

from bot.render.yaml.convert import jsonable, node_to_python
from bot.render.yaml.node import Kind, Node
from bot.render.yaml.scalar_writer import FLOW as _FLOW
from bot.render.yaml.scalar_writer import ScalarWriter, presented_tag
from bot.render.yaml.writer import OTHER, SEQ_ITEM

_BLOCK_MAP, _BLOCK_SEQ, _FLOW_MAP, _FLOW_SEQ = 1, 2, 3, 4


class _Emitter(ScalarWriter):
    __slots__ = ()

    # ---- documents --------------------------------------------------------
    def document(self, doc: Node, first: bool) -> None:
        self.analyze(doc.head_comment, "", "", "")
        if not first:
            self.write_indent()
            self.indicator("---", True, False, False)
            self.write_indent()
        if self.head:
            self.process_head()
            self.put_break()
        if doc.content:
            root = doc.content[0]
            self.analyze_start(root, "")
            self.process_head()
            body = self.node(root, OTHER, True, False, False, False)
            self.process_line()
            self.process_foot()
            self.body(root, body)
        self.analyze("", "", doc.foot_comment, "")
        self.foot_indent = 0
        self.process_foot()
        self.foot_indent = -1
        self.write_indent()

    def finish(self) -> str:
        # kyaml never ends a stream with "..." (not even after a "|+" block), so
        # yaml.v3's open_ended marker is tracked but not acted on.
        return "".join(self.buf)

    # ---- events -----------------------------------------------------------
    def analyze_start(self, node: Node, tail: str) -> None:
        kind = node.kind
        if kind is Kind.SCALAR or kind is Kind.ALIAS:
            self.analyze(node.head_comment, node.line_comment, node.foot_comment, tail)
        elif kind is Kind.MAPPING:
            self.analyze(node.head_comment, "", "", tail)
        else:
            self.analyze(node.head_comment, "", "", "")

    def node(self, node: Node, state: int, root: bool, seq_ctx: bool, map_ctx: bool, simple: bool) -> int:
        """Handle the node's start event; returns how its body must be written (0 for none)."""
        kind = node.kind
        if kind is Kind.SCALAR:
            self.scalar(node, state, root, simple)
            return 0
        if kind is Kind.ALIAS:
            self.indicator("*", True, False, False)
            self.put(node.value)
            self.whitespace = False
            self.indention = False
            return 0
        self.anchor_and_tag(node, presented_tag(node)[0])
        flow = self.flow_level > 0 or bool(int(node.style) & _FLOW) or not node.content
        if kind is Kind.MAPPING:
            return _FLOW_MAP if flow else _BLOCK_MAP
        if flow:
            return _FLOW_SEQ
        # kyaml's compact sequence indent: "- " counts as indentation under a mapping key.
        compact = map_ctx and (self.column == 0 or not self.indention) and self.compact
        self.increase_indent(False, state, compact)
        return _BLOCK_SEQ

    def body(self, node: Node, how: int) -> None:
        if how == _BLOCK_MAP:
            self.block_mapping(node)
        elif how == _BLOCK_SEQ:
            self.block_sequence(node)
        elif how == _FLOW_MAP:
            self.flow_mapping(node)
        elif how == _FLOW_SEQ:
            self.flow_sequence(node)

    # ---- block collections ------------------------------------------------
    def block_sequence(self, seq: Node) -> None:
        for item in seq.content:
            self.analyze_start(item, "")
            self.process_head()
            self.write_indent()
            self.indicator("-", True, False, True)
            how = self.node(item, SEQ_ITEM, False, True, False, False)
            self.process_line()
            self.process_foot()
            self.body(item, how)
        self.analyze("", seq.line_comment, seq.foot_comment, "")
        self.indent = self.indents.pop()

    def block_mapping(self, mapping: Node) -> None:
        content = mapping.content
        tail = ""
        first = True
        for i in range(0, len(content) - 1, 2):
            key = content[i]
            value = content[i + 1]
            foot = key.foot_comment
            self.analyze(key.head_comment, key.line_comment, "", tail) if key.kind is Kind.SCALAR else (
                self.analyze_start(key, tail)
            )
            tail = foot
            if first:
                self.increase_indent(False, OTHER)
                first = False
            self.process_head()
            self.write_indent()
            if self.line:
                self.key_line = self.line
                self.line = ""
            self._mapping_key(key, value, block=True)
            self.mapping_value(value)
        if first:
            self.increase_indent(False, OTHER)
        self.analyze("", mapping.line_comment, mapping.foot_comment, tail)
        self.process_head()
        self.indent = self.indents.pop()

    def _mapping_key(self, key: Node, value: Node, *, block: bool) -> None:
        """A key and its ':'; a key that cannot be simple goes after '?', and in a block mapping its own
        line and foot comments are written before the ':' line."""
        if _is_simple_key(key):
            self.node(key, OTHER, False, False, True, True)
            self.analyze_start(value, "")
            self.indicator(":", False, False, False)
            return
        self.indicator("?", True, False, block)
        how = self.node(key, OTHER, False, False, True, False)
        if block:
            self.process_line()
            self.process_foot()
        self.body(key, how)
        self.analyze_start(value, "")
        if block:
            self.write_indent()
        self.indicator(":", True, False, block)

    def mapping_value(self, value: Node) -> None:
        if self.key_line:
            if value.kind is Kind.SCALAR:
                if not self.line:
                    self.line = self.key_line
                    self.key_line = ""
            elif value.kind in (Kind.MAPPING, Kind.SEQUENCE) and not int(value.style) & _FLOW:
                pending = self.line
                self.line = self.key_line
                self.process_line()
                self.line = pending
                self.key_line = ""
        how = self.node(value, OTHER, False, False, True, False)
        self.process_line()
        self.process_foot()
        self.body(value, how)

    # ---- flow collections -------------------------------------------------
    def _pending(self) -> bool:
        return bool(self.line or self.foot or self.tail)

    def _open_flow(self, opener: str) -> None:
        self.indicator(opener, True, True, False)
        self.increase_indent(True, OTHER)
        self.flow_level += 1

    def _start_flow_entry(self, first: bool, trail: bool) -> None:
        # The ',' before an entry, unless a comment after the previous one already wrote it.
        if not first and not trail:
            self.indicator(",", False, False, False)
        self.process_head()
        if self.column == 0:
            self.write_indent()

    def _flow_value(self, value: Node, in_sequence: bool) -> bool:
        """A sequence item or a mapping value, with the ',' a comment after it needs written first;
        True when it had such a comment (the next entry's ',' is then written)."""
        trail = self._pending()
        how = self.node(value, OTHER, False, in_sequence, not in_sequence, False)
        if self._pending():
            self.indicator(",", False, False, False)
        self.process_line()
        self.process_foot()
        self.body(value, how)
        return trail

    def flow_sequence(self, seq: Node) -> None:
        self._open_flow("[")
        trail = False
        for index, item in enumerate(seq.content):
            self.analyze_start(item, "")
            self._start_flow_entry(index == 0, trail)
            trail = self._flow_value(item, True)
        self.analyze("", seq.line_comment, seq.foot_comment, "")
        self.flow_level -= 1
        self.indent = self.indents.pop()
        if self.column == 0:
            self.write_indent()
        self.indicator("]", False, False, False)
        self.process_line()
        self.process_foot()

    def flow_mapping(self, mapping: Node) -> None:
        self._open_flow("{")
        content = mapping.content
        trail = False
        tail = ""
        for i in range(0, len(content) - 1, 2):
            key, value = content[i], content[i + 1]
            self.analyze_start(key, tail)
            tail = key.foot_comment
            self._start_flow_entry(i == 0, trail)
            self._mapping_key(key, value, block=False)
            trail = self._flow_value(value, False)
        self.analyze("", mapping.line_comment, mapping.foot_comment, tail)
        if (self.head or self.foot or self.tail) and content and not trail:
            self.indicator(",", False, False, False)
        self.process_head()
        self.flow_level -= 1
        self.indent = self.indents.pop()
        self.indicator("}", False, False, False)
        self.process_line()
        self.process_foot()

    # ---- scalars ----------------------------------------------------------
def _is_simple_key(key: Node) -> bool:
    kind = key.kind
    if kind is Kind.SCALAR:
        if "\n" in key.value:
            return False
        return len(key.value.encode()) + len(key.anchor) + len(key.tag) <= 1024
    if kind is Kind.ALIAS:
        return True
    return not key.content


def _as_document(root: Node) -> Node:
    if root.kind is Kind.DOCUMENT:
        return root
    return Node(Kind.DOCUMENT, content=[root])


def emit_node(root: Node, *, wide: bool = False) -> str:
    """One document (``root`` is a DOCUMENT node or its content), as kyaml writes it."""
    emitter = _Emitter()
    emitter.compact = not wide
    emitter.document(_as_document(root), True)
    return emitter.finish()


def emit_documents(roots: list[tuple[Node, bool]]) -> str:
    """Several documents through one encoder, as kyaml's ByteWriter writes a file.

    Each entry is (node, wide); the second and later documents start with ``---``.
    """
    emitter = _Emitter()
    for index, (root, wide) in enumerate(roots):
        emitter.compact = not wide
        emitter.document(_as_document(root), index == 0)
    return emitter.finish()


def emit_json(root: Node) -> str:
    """A single resource as kyaml writes a ``*.json`` file: Go's json.Encoder, indent 2, keys sorted."""
    data = node_to_python(root)
    text = json.dumps(jsonable(data, _json_leaf), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    text = _FLOAT_MARK.sub(lambda m: m.group(1), text)
    # Go's encoder escapes HTML-significant characters and the JS line separators.
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text + "\n"


_FLOAT_MARK = re.compile(r'"\\u0000([^"\\]*)\\u0000"')


def _go_float(value: float) -> str:
    """encoding/json's float64: shortest digits, exponent form outside [1e-6, 1e21)."""
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        sign, digits, exp = Decimal(repr(value)).as_tuple()
        assert isinstance(exp, int)
        mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
        power = exp + len(digits) - 1
        text = f"{'-' if sign else ''}{mantissa}e{'+' if power >= 0 else '-'}{abs(power):02d}"
        if text[-4:-1] == "e-0":
            text = text[:-2] + text[-1]  # Go trims e-09 to e-9 (but keeps e+21)
        return text
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _json_leaf(data: Any) -> Any:
    if isinstance(data, float):
        if math.isnan(data) or math.isinf(data):
            return str(data)
        # marked so the number is written the way Go's encoder formats float64
        return f"\x00{_go_float(data)}\x00"
    if isinstance(data, bytes):
        return data.decode("latin-1")
    if hasattr(data, "isoformat"):
        return data.isoformat()
    return data
