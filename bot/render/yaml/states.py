"""yaml.v3's parser states for collections, with the comment handling its decoder adds.

Split from ``parser.py``: token access and comment unfolding live here with the
block / flow collection states; ``parser.py`` holds documents, nodes and the API.
"""

from __future__ import annotations

from bot.render.yaml.comments import replay_comments
from bot.render.yaml.node import MAP, NULL, Kind, Node, Style
from bot.render.yaml.tokens import (
    BLOCK_END,
    BMS,
    BSS,
    ENTRY,
    FLOW_ENTRY,
    FME,
    FSE,
    KEY,
    VALUE,
    Token,
    scan_tokens,
)


class Fail(Exception):
    """A yaml.v3 parser error; line is the context mark's 0-based line when it has one."""

    def __init__(self, problem: str, context_line: int, problem_line: int) -> None:
        super().__init__(problem)
        self.problem = problem
        line = context_line if context_line else problem_line
        self.message = f"yaml: line {line}: {problem}" if line else f"yaml: {problem}"


class States:
    def __init__(self, text: str) -> None:
        self.tokens = scan_tokens(text)
        self.comments = replay_comments(text, self.tokens)
        self.ncomments = len(self.comments)
        self.ci = 0
        self.ti = 1  # after STREAM-START
        self.head = self.line = self.foot = self.stem = ""
        self.anchors: dict[str, Node] = {}

    # ---- token access -----------------------------------------------------
    def peek(self) -> Token:
        tok = self.tokens[self.ti]
        if self.ci < self.ncomments:
            self._unfold(tok)
        return tok

    def _unfold(self, tok: Token) -> None:
        comments = self.comments
        while self.ci < self.ncomments and tok.start >= comments[self.ci].token_mark:
            comment = comments[self.ci]
            if comment.head:
                if tok.kind == BLOCK_END:
                    break  # no heads on ends: keep it for the next token
                self.head = f"{self.head}\n{comment.head}" if self.head else comment.head
            if comment.foot:
                self.foot = f"{self.foot}\n{comment.foot}" if self.foot else comment.foot
            if comment.line:
                self.line = f"{self.line}\n{comment.line}" if self.line else comment.line
            self.ci += 1

    def take_comments(self, node: Node) -> None:
        node.head_comment = self.head
        node.line_comment = self.line
        node.foot_comment = self.foot
        self.head = self.line = self.foot = self.stem = ""

    def _end_comments(self) -> tuple[str, str, str]:
        result = (self.head, self.line, self.foot)
        self.head = self.line = self.foot = self.stem = ""
        return result

    # ---- documents --------------------------------------------------------
    def node(self, block: bool, indentless: bool) -> Node:
        raise NotImplementedError

    def _empty(self, tok: Token) -> Node:
        return Node(Kind.SCALAR, tag=NULL, line=tok.line + 1, column=tok.col + 1)

    def block_sequence(self, seq: Node) -> None:
        context_line = self.peek().line
        self.ti += 1
        content = seq.content
        while True:
            tok = self.peek()
            if tok.kind == ENTRY:
                prior = len(self.head)
                self.ti += 1
                self._split_stem(prior)
                tok = self.peek()
                if tok.kind != ENTRY and tok.kind != BLOCK_END:
                    content.append(self.node(True, False))
                else:
                    content.append(self._empty(tok))
            elif tok.kind == BLOCK_END:
                self.ti += 1
                return
            else:
                raise Fail("did not find expected '-' indicator", context_line, tok.line)

    def indentless_sequence(self, seq: Node) -> None:
        content = seq.content
        while True:
            tok = self.peek()
            if tok.kind != ENTRY:
                return
            prior = len(self.head)
            self.ti += 1
            self._split_stem(prior)
            tok = self.peek()
            if tok.kind not in (ENTRY, KEY, VALUE, BLOCK_END):
                content.append(self.node(True, False))
            else:
                content.append(self._empty(tok))

    def _split_stem(self, stem_len: int) -> None:
        if stem_len == 0:
            return
        tok = self.peek()
        if tok.kind != BSS and tok.kind != BMS:
            return
        head = self.head
        self.stem = head[:stem_len]
        self.head = "" if len(head) == stem_len else head[stem_len + 1 :]

    def block_mapping(self, mapping: Node) -> None:
        context_line = self.peek().line
        self.ti += 1
        content = mapping.content
        tokens = self.tokens
        while True:
            tok = tokens[self.ti]
            if self.ci < self.ncomments:
                self._unfold(tok)
            if tok.kind == KEY:
                self.ti += 1
                key = self._block_entry()
                content.append(key)
                if key.foot_comment and len(content) > 2:
                    # A foot comment found before a key belongs to the previous entry.
                    content[-3].foot_comment = key.foot_comment
                    key.foot_comment = ""
                tok = self.peek()
                if tok.kind == VALUE:
                    self.ti += 1
                    value = self._block_entry()
                else:
                    value = self._empty(tok)
                content.append(value)
                if not key.foot_comment and value.foot_comment:
                    key.foot_comment = value.foot_comment
                    value.foot_comment = ""
            elif tok.kind == BLOCK_END:
                _, line, foot = self._end_comments()
                self.ti += 1
                mapping.line_comment = line
                if foot and len(content) > 1:
                    content[-2].foot_comment = foot
                else:
                    mapping.foot_comment = foot
                return
            else:
                raise Fail("did not find expected key", context_line, tok.line)

    def _block_entry(self) -> Node:
        """A block mapping's key or value after its indicator: the node there, or an empty one."""
        tok = self.peek()
        if tok.kind not in (KEY, VALUE, BLOCK_END):
            return self.node(True, True)
        return self._empty(tok)

    # ---- flow collections -------------------------------------------------
    def flow_sequence(self, seq: Node) -> None:
        context_line = self.peek().line
        self.ti += 1
        first = True
        while (tok := self._flow_entry(FSE, "]", first, context_line)) is not None:
            first = False
            if tok.kind == KEY:
                seq.content.append(self._flow_pair(tok))
            else:
                seq.content.append(self.node(False, False))
        self._close_flow(seq)

    def _flow_entry(self, end: int, closer: str, first: bool, context_line: int) -> Token | None:
        """The first token of a flow collection's next entry, past the ',' before it; None at the
        collection's end (after a trailing ',' too)."""
        tok = self.peek()
        if tok.kind == end:
            return None
        if not first:
            if tok.kind != FLOW_ENTRY:
                raise Fail(f"did not find expected ',' or '{closer}'", context_line, tok.line)
            self.ti += 1
            tok = self.peek()
        return None if tok.kind == end else tok

    def _close_flow(self, collection: Node) -> None:
        _, collection.line_comment, collection.foot_comment = self._end_comments()
        self.ti += 1

    def _flow_pair(self, key_tok: Token) -> Node:
        pair = Node(Kind.MAPPING, tag=MAP, style=Style.FLOW, line=key_tok.line + 1, column=key_tok.col + 1)
        self.ti += 1
        tok = self.peek()
        if tok.kind not in (VALUE, FLOW_ENTRY, FSE):
            key = self.node(False, False)
        else:
            key = self._empty(tok)
            self.ti += 1
        tok = self.peek()
        if tok.kind == VALUE:
            self.ti += 1
            tok = self.peek()
            value = self.node(False, False) if tok.kind not in (FLOW_ENTRY, FSE) else self._empty(tok)
        else:
            value = self._empty(tok)
        pair.content = [key, value]
        return pair

    def flow_mapping(self, mapping: Node) -> None:
        context_line = self.peek().line
        self.ti += 1
        first = True
        content = mapping.content
        while (tok := self._flow_entry(FME, "}", first, context_line)) is not None:
            first = False
            if tok.kind != KEY:  # a lone key: its value is empty
                content.append(self.node(False, False))
                content.append(self._empty(self.peek()))
                continue
            self.ti += 1
            tok = self.peek()
            if tok.kind not in (VALUE, FLOW_ENTRY, FME):
                content.append(self.node(False, False))
            else:
                content.append(self._empty(tok))
            tok = self.peek()
            if tok.kind == VALUE:
                self.ti += 1
                tok = self.peek()
                if tok.kind not in (FLOW_ENTRY, FME):
                    content.append(self.node(False, False))
                    continue
            content.append(self._empty(tok))
        self._close_flow(mapping)


