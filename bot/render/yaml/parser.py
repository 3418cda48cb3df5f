"""YAML text -> Node trees the way kyaml reads them (yaml.v3 semantics, comments included).

Tokens come from libyaml (fast, same grammar as yaml.v3); comments come from a
replay of yaml.v3's comment scanner (``comments.py``). The parser below follows
yaml.v3's parser states in the same order, because *when* a token is peeked
decides which event a pending comment lands on, and folds in what yaml.v3's
decoder does to comments while building nodes.
"""

from __future__ import annotations

import re

from bot.render.yaml.convert import resolve_scalar_tag
from bot.render.yaml.errors import YAMLError
from bot.render.yaml.node import MAP, NULL, SEQ, STR, Kind, Node, Style
from bot.render.yaml.states import Fail, States
from bot.render.yaml.tokens import (
    ALIAS,
    ANCHOR,
    BMS,
    BSS,
    DIRECTIVE,
    DOC_END,
    DOC_START,
    ENTRY,
    FMS,
    FSS,
    SCALAR,
    STREAM_END,
    TAG,
    Token,
)

_NONE = Style.NONE
_SCALAR = Kind.SCALAR
_TAGGED = int(Style.TAGGED)
_STYLES = {"'": Style.SINGLE_QUOTED, '"': Style.DOUBLE_QUOTED, "|": Style.LITERAL, ">": Style.FOLDED}
_YAML_PREFIX = "tag:yaml.org,2002:"
_SEPARATOR = re.compile(r"\n---.*\n")


class _Parser(States):
    def document(self) -> Node | None:
        tok = self.peek()
        if tok.kind == STREAM_END:
            return None
        doc = Node(Kind.DOCUMENT, line=tok.line + 1, column=tok.col + 1)
        if tok.kind in (DIRECTIVE, DOC_START):
            while self.peek().kind == DIRECTIVE:
                self.ti += 1
            tok = self.peek()
            if tok.kind != DOC_START:
                raise Fail("did not find expected <document start>", 0, tok.line)
            self.ti += 1
            tok = self.peek()
            if tok.kind in (DIRECTIVE, DOC_START, DOC_END, STREAM_END):
                root = Node(Kind.SCALAR, tag=NULL, line=tok.line + 1, column=tok.col + 1)
            else:
                root = self.node(True, False)
        else:
            doc.head_comment = self._split_document_head()
            root = self.node(True, False)
        doc.content.append(root)
        if self.peek().kind == DOC_END:
            self.ti += 1
        head, _, foot = self._end_comments()
        doc.foot_comment = foot or head
        return doc

    def _split_document_head(self) -> str:
        # The part of the first head comment before its last blank line belongs to the document.
        head = self.head
        for i in range(len(head) - 1, 0, -1):
            if head[i] == "\n":
                if i == len(head) - 1:
                    self.head = head[i + 1 :]
                    return head[:i]
                if head[i - 1] == "\n":
                    self.head = head[i + 1 :]
                    return head[: i - 1]
        return ""

    # ---- nodes ------------------------------------------------------------
    def node(self, block: bool, indentless: bool) -> Node:
        tok = self.peek()
        if tok.kind == SCALAR:
            # the common case, kept short: a scalar without anchor or tag
            node = self._scalar(tok, "", tok.line + 1, tok.col + 1)
            if self.head or self.line or self.foot:
                self.take_comments(node)
            self.stem = ""
            self.ti += 1
            return node
        if tok.kind == ALIAS:
            node = Node(Kind.ALIAS, value=tok.value, line=tok.line + 1, column=tok.col + 1)
            self.take_comments(node)
            self.ti += 1
            target = self.anchors.get(tok.value)
            if target is None:
                raise YAMLError(f"yaml: unknown anchor '{tok.value}' referenced")
            node.alias = target
            return node
        start = tok
        anchor = ""
        tag = ""
        tagged = False
        for _ in range(2):
            if tok.kind == ANCHOR and not anchor:
                anchor = tok.value
            elif tok.kind == TAG and not tagged:
                tagged = True
                tag = self._tag(tok)
            else:
                break
            self.ti += 1
            tok = self.peek()
        line, column = start.line + 1, start.col + 1
        kind = tok.kind
        if indentless and kind == ENTRY:
            seq = Node(Kind.SEQUENCE, tag=SEQ, line=line, column=column)
            self._props(seq, anchor, tag)
            self.indentless_sequence(seq)
            return seq
        if kind == SCALAR:
            node = self._scalar(tok, tag, line, column)
            self.take_comments(node)
            self._props(node, anchor, "")
            self.ti += 1
            return node
        if kind == FSS or kind == FMS:
            coll = Node(Kind.SEQUENCE if kind == FSS else Kind.MAPPING, line=line, column=column)
            coll.tag = SEQ if kind == FSS else MAP
            coll.style = Style.FLOW
            self._props(coll, anchor, tag)
            self.take_comments(coll)
            if kind == FSS:
                self.flow_sequence(coll)
            else:
                self.flow_mapping(coll)
            return coll
        if block and (kind == BSS or kind == BMS):
            coll = Node(Kind.SEQUENCE if kind == BSS else Kind.MAPPING, line=line, column=column)
            coll.tag = SEQ if kind == BSS else MAP
            self._props(coll, anchor, tag)
            if self.stem:
                coll.head_comment = self.stem
                self.stem = ""
            if kind == BSS:
                self.block_sequence(coll)
            else:
                self.block_mapping(coll)
            return coll
        if anchor or tagged:
            node = Node(Kind.SCALAR, tag=NULL, line=line, column=column)
            self._props(node, anchor, tag)
            if tag and tag != "!":
                node.tag = tag
                node.style = Style.TAGGED
            return node
        raise Fail("did not find expected node content", start.line, tok.line)

    def _tag(self, tok: Token) -> str:
        handle: str = tok.value[0] or ""
        suffix: str = tok.value[1] or ""
        if not handle:
            return suffix
        if handle == "!!":
            return "!!" + suffix
        if handle == "!":
            return "!" + suffix
        raise Fail("found undefined tag handle", tok.line, tok.line)

    def _props(self, node: Node, anchor: str, tag: str) -> None:
        if anchor:
            node.anchor = anchor
            self.anchors[anchor] = node
        if tag and tag != "!":
            node.tag = _short_tag(tag)
            node.style |= Style.TAGGED

    def _scalar(self, tok: Token, tag: str, line: int, column: int) -> Node:
        value = tok.value
        if tok.plain and not tag:
            rtag = "!!merge" if value == "<<" else resolve_scalar_tag(value)
            return Node(_SCALAR, rtag, value, _NONE, None, "", "", "", "", None, line, column)
        style = _NONE if tok.plain else _STYLES.get(tok.style or "", _NONE)
        node = Node(_SCALAR, "", value, style, None, "", "", "", "", None, line, column)
        if tag and tag != "!":
            node.tag = _short_tag(tag)
            node.style = Style(int(style) | _TAGGED)
        elif style is not _NONE:
            node.tag = STR
        elif value == "<<":
            node.tag = "!!merge"
        else:
            node.tag = resolve_scalar_tag(value)
        return node


def _short_tag(tag: str) -> str:
    if tag.startswith(_YAML_PREFIX):
        return "!!" + tag[len(_YAML_PREFIX) :]
    return tag


def _parse_stream(text: str, first_only: bool) -> list[Node]:
    try:
        parser = _Parser(text)
        docs: list[Node] = []
        while True:
            doc = parser.document()
            if doc is None:
                break
            docs.append(doc)
            if first_only:
                break
        return docs
    except Fail as exc:
        raise YAMLError(exc.message) from None
    except RecursionError:
        raise YAMLError("yaml: exceeded max depth") from None


def split_documents(text: str) -> list[str]:
    """kyaml's ByteReader split: CRLF -> LF, then cut at lines starting with ``---``.

    A separator line may carry only a comment after ``---`` (the comment is lost, as
    in kyaml). Every piece but the last gets back the newline the split ate, so
    block scalars keep their value. The caller decodes only the first document of
    each piece, as kyaml does; wrapping a bare top-level sequence is the reader's
    job, not this module's.
    """
    text = text.replace("\r\n", "\n")
    if not text:
        return []
    pieces: list[str] = []
    prev = 0
    for match in _SEPARATOR.finditer(text):
        rest = match.group(0)[4:].strip()
        if rest and not rest.startswith("#"):
            raise YAMLError(f"invalid Document separator: {match.group(0).strip()}")
        pieces.append(text[prev : match.start()] + "\n")
        prev = match.end()
    pieces.append(text[prev:])
    return pieces


def parse_documents(text: str) -> list[Node]:
    """The DOCUMENT nodes kyaml's reader keeps: one per ``---`` piece, empty ones dropped."""
    docs: list[Node] = []
    for piece in split_documents(text):
        parsed = _parse_stream(piece, True)
        if not parsed:
            continue
        doc = parsed[0]
        root = doc.content[0] if doc.content else None
        if root is None or (root.kind is Kind.SCALAR and root.tag == NULL):
            continue
        docs.append(doc)
    return docs


def parse_document(text: str) -> Node:
    """One document (the first of ``text``, yaml.v3-style) as a DOCUMENT node; empty -> null scalar."""
    parsed = _parse_stream(text.replace("\r\n", "\n"), True)
    if not parsed:
        return Node(Kind.DOCUMENT, content=[Node(Kind.SCALAR, tag=NULL)])
    return parsed[0]


def parse_stream(text: str) -> list[Node]:
    """Every document of a YAML stream as yaml.v3's decoder would read them in turn."""
    return _parse_stream(text.replace("\r\n", "\n"), False)
