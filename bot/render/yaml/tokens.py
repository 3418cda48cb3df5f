"""libyaml tokens plus yaml.v3's comment scanning, replayed in Python.

libyaml (PyYAML's C scanner) and yaml.v3's scanner produce the same tokens, but
yaml.v3 also records comments while it skips whitespace, deciding head / line /
foot from scanner state at that moment (the last token, the indent stack, how
many line breaks it just crossed). We replay that state over libyaml's tokens and
run yaml.v3's comment rules only in the gaps that hold a ``#``. yaml.v3 also
moves BLOCK-END tokens before foot comments of the parent block; that changes
which event a comment unfolds into, so BLOCK-END marks are recomputed too.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.render.yaml.errors import YAMLError
from bot.render.yaml.libyaml import CParser  # checked on import: a clear error without libyaml

# token kinds
(
    STREAM_START,
    STREAM_END,
    DIRECTIVE,
    DOC_START,
    DOC_END,
    BSS,
    BMS,
    BLOCK_END,
    FSS,
    FMS,
    FSE,
    FME,
    KEY,
    VALUE,
    ENTRY,
    FLOW_ENTRY,
    ALIAS,
    ANCHOR,
    TAG,
    SCALAR,
) = range(20)

_KINDS: dict[type, int] = {
    yaml.StreamStartToken: STREAM_START,
    yaml.StreamEndToken: STREAM_END,
    yaml.DirectiveToken: DIRECTIVE,
    yaml.DocumentStartToken: DOC_START,
    yaml.DocumentEndToken: DOC_END,
    yaml.BlockSequenceStartToken: BSS,
    yaml.BlockMappingStartToken: BMS,
    yaml.BlockEndToken: BLOCK_END,
    yaml.FlowSequenceStartToken: FSS,
    yaml.FlowMappingStartToken: FMS,
    yaml.FlowSequenceEndToken: FSE,
    yaml.FlowMappingEndToken: FME,
    yaml.KeyToken: KEY,
    yaml.ValueToken: VALUE,
    yaml.BlockEntryToken: ENTRY,
    yaml.FlowEntryToken: FLOW_ENTRY,
    yaml.AliasToken: ALIAS,
    yaml.AnchorToken: ANCHOR,
    yaml.TagToken: TAG,
    yaml.ScalarToken: SCALAR,
}


class Token:
    __slots__ = ("col", "end", "kind", "line", "plain", "start", "style", "value")

    def __init__(self, kind: int, start: int, line: int, col: int, end: int, value: Any, plain: bool, style: Any):
        self.kind = kind
        self.start = start
        self.line = line
        self.col = col
        self.end = end
        self.value = value
        self.plain = plain
        self.style = style


class Comment:
    __slots__ = ("end", "foot", "head", "line", "scan", "start_col", "start_idx", "start_line", "token_mark")

    def __init__(self, scan: int, token_mark: int, start: tuple[int, int, int], end: int) -> None:
        self.scan = scan
        self.token_mark = token_mark
        self.start_idx, self.start_line, self.start_col = start
        self.end = end
        self.head = self.line = self.foot = ""


def yaml_error(exc: yaml.MarkedYAMLError) -> YAMLError:
    """yaml.v3's wording for a scanner error: the context line if it is not the first, +1."""
    line = 0
    for mark in (exc.context_mark, exc.problem_mark):
        if mark is not None and mark.line != 0:
            line = mark.line + 1
            break
    problem = exc.problem or "unknown problem parsing YAML content"
    where = f"line {line}: " if line else ""
    return YAMLError(f"yaml: {where}{problem}")


def scan_tokens(text: str) -> list[Token]:
    """libyaml's tokens for ``text``, with yaml.v3's double-quoted escapes where the two differ."""
    source = text
    placeholder: tuple[str, str] | None = None
    for _ in range(_MAX_QUOTE_SWAPS):
        try:
            out = _scan(source)
            break
        except yaml.MarkedYAMLError as exc:
            if placeholder is None:
                placeholder = _quote_placeholder(text)
            swapped = _swap_quote_escape(source, exc, placeholder)
            if swapped is None:
                raise yaml_error(exc) from None
            source = swapped
    else:
        raise YAMLError("yaml: too many \\' escapes in double-quoted scalars")
    if placeholder is not None:
        _restore_quotes(out, placeholder[1])
    if "\\/" in text:
        _refuse_slash_escape(text, out)
    return out


def _scan(text: str) -> list[Token]:
    scanner = CParser(text)
    out: list[Token] = []
    append = out.append
    kinds = _KINDS
    get_token = scanner.get_token
    try:
        while True:
            tok: Any = get_token()
            if tok is None:
                break
            kind = kinds[type(tok)]
            sm = tok.start_mark
            if kind == SCALAR:
                append(Token(kind, sm.index, sm.line, sm.column, tok.end_mark.index, tok.value, tok.plain, tok.style))
            else:
                append(Token(kind, sm.index, sm.line, sm.column, tok.end_mark.index, getattr(tok, "value", None), False, None))
            if kind == STREAM_END:
                break
    finally:
        scanner.dispose()
    return out


# yaml.v3 and libyaml disagree on two double-quoted escapes: yaml.v3 reads \' as a quote and
# refuses \/, libyaml the other way round. libyaml stops at each \' it meets; we swap that one
# for a two-character escape of a character the file cannot otherwise produce (same length, so
# every mark and the comment replay stay put), scan again, and turn the character back into '.
_MAX_QUOTE_SWAPS = 256
_PLACEHOLDERS = (
    ("\\L", "\u2028"),
    ("\\P", "\u2029"),
    ("\\N", "\x85"),
    ("\\e", "\x1b"),
    ("\\a", "\x07"),
    ("\\v", "\x0b"),
)


def _quote_placeholder(text: str) -> tuple[str, str] | None:
    for escape, char in _PLACEHOLDERS:
        if escape in text or char in text:
            continue
        hex_escape = re.compile(rf"\\[xuU]0*{ord(char):x}", re.IGNORECASE)
        if not hex_escape.search(text):
            return escape, char
    return None


def _swap_quote_escape(
    source: str, exc: yaml.MarkedYAMLError, placeholder: tuple[str, str] | None
) -> str | None:
    mark = exc.problem_mark
    if placeholder is None or mark is None or exc.problem != "found unknown escape character":
        return None
    at = mark.index
    if source[at : at + 2] != "\\'":
        return None
    return source[:at] + placeholder[0] + source[at + 2 :]


def _restore_quotes(tokens: list[Token], char: str) -> None:
    for tok in tokens:
        if tok.kind == SCALAR and tok.style == '"' and char in tok.value:
            tok.value = tok.value.replace(char, "'")


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _refuse_slash_escape(text: str, tokens: list[Token]) -> None:
    """yaml.v3 has no ``\\/`` escape (libyaml has): kpt refuses such a double-quoted scalar, so do we."""
    for tok in tokens:
        if tok.kind != SCALAR or tok.style != '"':
            continue
        for match in _ESCAPE.finditer(text, tok.start, tok.end):
            if match.group(1) == "/":
                # yaml.v3 reports the scalar's start line (its context mark) when it is not the first.
                line = tok.line or text.count("\n", 0, match.start())
                where = f"line {line + 1}: " if line else ""
                raise YAMLError(f"yaml: {where}found unknown escape character")
