"""The low-level half of the emitter: yaml.v3's output state and comment writing.

It keeps exactly the state yaml.v3's emitter keeps (column, whitespace, indention,
foot_indent, the pending head/line/foot/tail comments) because the blank lines
and comment placement kpt produces fall out of those flags.
"""

from __future__ import annotations

SEQ_ITEM = 1
OTHER = 0


class Writer:
    __slots__ = (
        "buf",
        "column",
        "compact",
        "flow_level",
        "foot",
        "foot_indent",
        "head",
        "indent",
        "indention",
        "indents",
        "key_line",
        "line",
        "open_ended",
        "tail",
        "whitespace",
    )

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.open_ended = False
        self.foot_indent = -1
        self.indent = -1
        self.indents: list[int] = []
        self.flow_level = 0
        self.head = self.line = self.foot = self.tail = self.key_line = ""
        self.compact = True

    # ---- low-level output ------------------------------------------------
    def put(self, text: str) -> None:
        self.buf.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.buf.append("\n")
        self.column = 0
        self.indention = True

    def write_indent(self) -> None:
        indent = self.indent if self.indent > 0 else 0
        if not self.indention or self.column > indent or (self.column == indent and not self.whitespace):
            self.put_break()
        if self.foot_indent == indent:
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True
        self.foot_indent = -1

    def indicator(self, text: str, need_ws: bool, is_ws: bool, is_indention: bool) -> None:
        if need_ws and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention
        self.open_ended = False

    def write_comment(self, comment: str) -> None:
        breaks = False
        for i, part in enumerate(comment.split("\n")):
            if i:
                self.put_break()
                breaks = True
            if part:
                if breaks:
                    self.write_indent()
                if part[0] != "#":
                    self.put("# ")
                self.put(part)
                self.indention = False
                breaks = False
        if not breaks:
            self.put_break()
        self.whitespace = True

    # ---- comment processing (yaml.v3's process_*_comment) ---------------
    def process_head(self) -> None:
        if self.tail:
            self.write_indent()
            self.write_comment(self.tail)
            self.tail = ""
            self.foot_indent = self.indent if self.indent > 0 else 0
        if not self.head:
            return
        self.write_indent()
        self.write_comment(self.head)
        self.head = ""

    def process_line(self, linebreak: bool = False) -> None:
        if not self.line:
            if linebreak:
                self.put_break()
            return
        if not self.whitespace:
            self.put(" ")
        self.write_comment(self.line)
        self.line = ""

    def process_foot(self) -> None:
        if not self.foot:
            return
        self.write_indent()
        self.write_comment(self.foot)
        self.foot = ""
        self.foot_indent = self.indent if self.indent > 0 else 0

    def increase_indent(self, flow: bool, state: int, compact_seq: bool = False) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = 2 if flow else 0
        else:
            if state == SEQ_ITEM:
                self.indent += 2
            else:
                self.indent = 2 * ((self.indent + 2) // 2)
            if compact_seq:
                self.indent -= 2

    def analyze(self, head: str, line: str, foot: str, tail: str) -> None:
        # yaml.v3 only overwrites a pending comment when the event carries one.
        if head:
            self.head = head
        if line:
            self.line = line
        if foot:
            self.foot = foot
        if tail:
            self.tail = tail
