"""Scalar output for the emitter: yaml.v3's style choice and its scalar writers.

Split from ``emitter.py``. Styles are handled as plain ints because IntFlag
operators are slow in CPython and scalars are the emitter's hot path.
"""

from __future__ import annotations

from bot.render.yaml.convert import resolve_scalar_tag
from bot.render.yaml.node import MAP, SEQ, STR, Kind, Node, Style
from bot.render.yaml.scalars import analyze_scalar, escape_double
from bot.render.yaml.writer import Writer

_PLAIN, _SINGLE, _DOUBLE, _LITERAL, _FOLDED = 1, 2, 3, 4, 5

_PLAIN, _SINGLE, _DOUBLE, _LITERAL, _FOLDED = 1, 2, 3, 4, 5
_TAGGED = int(Style.TAGGED)
_DQ = int(Style.DOUBLE_QUOTED)
_SQ = int(Style.SINGLE_QUOTED)
_LIT = int(Style.LITERAL)
_FOLD = int(Style.FOLDED)
_FLOW = int(Style.FLOW)
_QUOTED_OR_BLOCK = _SQ | _DQ | _LIT | _FOLD
_BLOCK_MAP, _BLOCK_SEQ, _FLOW_MAP, _FLOW_SEQ = 1, 2, 3, 4


FLOW = _FLOW


def presented_tag(node: Node) -> tuple[str, bool]:
    """(tag to write or "", force double quotes) as yaml.v3's encoder decides."""
    tag = node.tag
    style = int(node.style)
    if not tag or style & _TAGGED:
        return tag, False
    kind = node.kind
    if kind is Kind.SCALAR:
        if tag == STR and style & _QUOTED_OR_BLOCK:
            return "", False
        rtag = resolve_scalar_tag(node.value)
        if rtag == tag:
            return "", False
        if tag == STR:
            return "", True
        return tag, False
    if (kind is Kind.MAPPING and tag == MAP) or (kind is Kind.SEQUENCE and tag == SEQ):
        return "", False
    return tag, False


def _tag_text(tag: str) -> str:
    if tag.startswith("!"):
        return tag
    prefix = "tag:yaml.org,2002:"
    if tag.startswith(prefix):
        return "!!" + tag[len(prefix) :]
    return f"!<{tag}>"


class ScalarWriter(Writer):
    __slots__ = ()

    def anchor_and_tag(self, node: Node, tag: str) -> None:
        if node.anchor:
            self.indicator("&", True, False, False)
            self.put(node.anchor)
            self.whitespace = False
            self.indention = False
        if tag:
            if not self.whitespace:
                self.put(" ")
            self.put(_tag_text(tag))
            self.whitespace = False
            self.indention = False

    def scalar(self, node: Node, state: int, root: bool, simple: bool) -> None:
        value = node.value
        tag, force = presented_tag(node)
        style = int(node.style)
        if style & _DQ:
            chosen = _DOUBLE
        elif style & _SQ:
            chosen = _SINGLE
        elif style & _LIT:
            chosen = _LITERAL
        elif style & _FOLD:
            chosen = _FOLDED
        elif "\n" in value:
            chosen = _LITERAL
        elif force:
            chosen = _DOUBLE
        else:
            chosen = _PLAIN
        info = analyze_scalar(value)
        flow = self.flow_level > 0
        if simple and info.multiline:
            chosen = _DOUBLE
        if chosen == _PLAIN:
            if (flow and not info.flow_plain) or (not flow and not info.block_plain):
                chosen = _SINGLE
            if not value and (flow or simple):
                chosen = _SINGLE
        if chosen == _SINGLE and not info.single:
            chosen = _DOUBLE
        if chosen >= _LITERAL and (not info.block or flow or simple):
            chosen = _DOUBLE
        self.anchor_and_tag(node, tag)
        self.increase_indent(True, state)
        if chosen == _PLAIN:
            if value:
                if not self.whitespace:
                    self.put(" ")
                self.put(value)
                self.whitespace = False
            self.indention = False
            if root:
                self.open_ended = True
        elif chosen == _DOUBLE:
            self.indicator('"', True, False, False)
            self.put(escape_double(value))
            self.indicator('"', False, False, False)
            self.whitespace = False
            self.indention = False
        elif chosen == _SINGLE:
            self.single_quoted(value)
        else:
            self.block_scalar(value, chosen == _LITERAL)
        self.indent = self.indents.pop()

    def single_quoted(self, value: str) -> None:
        self.indicator("'", True, False, False)
        if "\n" not in value:
            self.put(value.replace("'", "''"))
        else:
            breaks = False
            for ch in value:
                if ch == "\n":
                    if not breaks:
                        self.put_break()
                    self.put_break()
                    breaks = True
                else:
                    if breaks:
                        self.write_indent()
                    self.put("''" if ch == "'" else ch)
                    self.indention = False
                    breaks = False
        self.indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def block_scalar(self, value: str, literal: bool) -> None:
        self.indicator("|" if literal else ">", True, False, False)
        if value[:1] in (" ", "\n"):
            self.indicator("2", False, False, False)
        self.open_ended = False
        if not value or value[-1] != "\n":
            self.indicator("-", False, False, False)
        elif len(value) == 1 or value[-2] == "\n":
            self.indicator("+", False, False, False)
            self.open_ended = True
        self.process_line(True)
        self.whitespace = True
        if literal:
            for i, part in enumerate(value.split("\n")):
                if i:
                    self.put_break()
                if part:
                    self.write_indent()
                    self.put(part)
                    self.indention = False
            return
        breaks = True
        leading_spaces = True
        n = len(value)
        for ch in value:
            if ch == "\n":
                if not breaks and not leading_spaces:
                    # yaml.v3 scans from the start of the value here, not from i; kpt has the same quirk.
                    k = 0
                    while k < n and value[k] == "\n":
                        k += 1
                    if k < n and value[k] not in " \t":
                        self.put_break()
                self.put_break()
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                    leading_spaces = ch in " \t"
                self.put(ch)
                self.indention = False
                breaks = False


