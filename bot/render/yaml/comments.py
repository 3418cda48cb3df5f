"""yaml.v3's comment scanner, replayed over libyaml's token stream.

For each token the Go scanner fetches, it first skips whitespace and comments
(recording head/foot comments), unrolls the indent stack (placing BLOCK-END
tokens before foot comments that belong to a parent block) and, after the token,
looks for a line comment. We walk the tokens in the order the scanner produces
them, keep the scanner state it consults (position, line breaks crossed, indent
stack, flow level, last appended token) and run the comment rules only where a
gap between tokens holds a ``#``.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from bot.render.yaml.tokens import (
    BLOCK_END,
    BMS,
    BSS,
    DIRECTIVE,
    DOC_END,
    DOC_START,
    ENTRY,
    FLOW_ENTRY,
    FME,
    FMS,
    FSE,
    FSS,
    KEY,
    SCALAR,
    STREAM_END,
    STREAM_START,
    VALUE,
    Comment,
    Token,
)

_RESETS = (DOC_START, DOC_END, STREAM_END, DIRECTIVE)
_WHITESPACE = re.compile(r"[ \t\n]*")


class _Scanner:
    def __init__(self, src: str) -> None:
        self.src = src
        self.n = len(src)
        self.pos = 0
        self.newlines = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", src)]
        self.indent = -1
        self.indents: list[int] = []
        self.flow = 0
        self.appended: list[tuple[int, int]] = [(STREAM_START, 0)]
        self.comments: list[Comment] = []

    # line / column are only needed around comments, so they are derived from pos on demand
    @property
    def line(self) -> int:
        return bisect_right(self.line_starts, self.pos) - 1

    @property
    def col(self) -> int:
        return self.pos - self.line_starts[bisect_right(self.line_starts, self.pos) - 1]

    def ch(self, i: int) -> str:
        return self.src[i] if i < self.n else "\0"

    # ---- whitespace and comments before a token ------------------------------
    def scan_to_next_token(self, target: int) -> tuple[int, int, int]:
        src = self.src
        pos = self.pos
        if src.find("#", pos, target) == -1:
            self.newlines += src.count("\n", pos, target)
            self.pos = target
            if self.comments:
                self._sequence_line_to_head()
            return (pos, 0, 0)
        scan_mark = (pos, self.line, self.col)
        while True:
            while self.ch(self.pos) in " \t":
                self.pos += 1
            self._sequence_line_to_head()
            if self.ch(self.pos) == "#":
                self.scan_comments(scan_mark)
            if self.ch(self.pos) == "\n":
                self.pos += 1
                self.newlines += 1
            else:
                break
        return scan_mark

    def _move_to(self, target: int) -> None:
        self.pos = target

    def _sequence_line_to_head(self) -> None:
        # A line comment right after "- " of a new sequence is a head comment instead.
        appended = self.appended
        if not self.comments or len(appended) < 2:
            return
        if appended[-2][0] == BSS and appended[-1][0] == ENTRY:
            comment = self.comments[-1]
            # Go's parser has already consumed (and zeroed) comments of tokens a few
            # places back; only a comment of the last few tokens is still in the queue.
            recent = appended[-2][1]
            if comment.line and comment.token_mark >= recent and self.ch(self.pos) != "\n":
                comment.head = comment.line
                comment.line = ""
                if comment.start_line == self.line - 1:
                    comment.token_mark = self.pos

    def scan_comments(self, scan_mark: tuple[int, int, int]) -> None:
        kind, token_idx = self.appended[-1]
        if kind == FLOW_ENTRY and len(self.appended) > 1:
            kind, token_idx = self.appended[-2]
        token_mark = token_idx
        scan_idx = scan_mark[0]
        sm_idx = sm_line = sm_col = 0
        next_indent = max(self.indent, 0)
        recent_empty = False
        first_empty = self.newlines <= 1
        line = self.line
        column = self.col
        text = ""
        foot_line = -1
        if scan_mark[1] > 0:
            foot_line = self.line - self.newlines + 1
            if self.newlines == 0 and self.col > 1:
                foot_line += 1
        src = self.src
        peek = 0
        while peek < 512:
            c = self.ch(self.pos + peek)
            column += 1
            if c == " " or c == "\t":
                peek += 1
                continue
            close_flow = self.flow > 0 and c in "]}"
            if close_flow or c == "\n" or c == "\0":
                if close_flow or not recent_empty:
                    if close_flow or (
                        first_empty
                        and ((sm_line == foot_line and kind != VALUE) or sm_col - 1 < next_indent)
                    ):
                        if text:
                            if sm_col - 1 < next_indent:
                                token_mark = sm_idx
                            self._add(scan_idx, token_mark, (sm_idx, sm_line, sm_col), self.pos + peek, foot=text)
                            scan_idx = self.pos + peek
                            token_mark = scan_idx
                            text = ""
                    elif text and c != "\0":
                        text += "\n"
                if c != "\n":
                    break
                first_empty = False
                recent_empty = True
                column = 0
                line += 1
                peek += 1
                continue
            if text and (close_flow or (column - 1 < next_indent and column != sm_col)):
                self._add(scan_idx, token_mark, (sm_idx, sm_line, sm_col), self.pos + peek, foot=text)
                scan_idx = self.pos + peek
                token_mark = scan_idx
                text = ""
            if c != "#":
                break
            if not text:
                sm_idx, sm_line, sm_col = self.pos + peek, line, column
            else:
                text += "\n"
            recent_empty = False
            seen = self.pos + peek
            end = src.find("\n", seen)
            if end == -1:
                end = self.n
            text += src[seen:end]
            self._move_to(end)
            self.newlines = 0
            column = 0
            line = self.line
            next_indent = max(self.indent, 0)
            peek = 1  # Go's loop increment skips the line break under the cursor
        if text:
            self._add(scan_idx, sm_idx, (sm_idx, sm_line, sm_col), self.pos + peek - 1, head=text)

    def _add(
        self, scan: int, token_mark: int, start: tuple[int, int, int], end: int, head: str = "", foot: str = ""
    ) -> None:
        comment = Comment(scan, token_mark, start, end)
        comment.head = head
        comment.foot = foot
        self.comments.append(comment)

    # ---- indentation -----------------------------------------------------------
    def unroll(self, column: int, scan_idx: int, ends: list[Token]) -> None:
        block_idx = scan_idx - 1
        while self.indent > column and ends:
            stop = block_idx
            for comment in reversed(self.comments):
                if comment.end < stop:
                    break
                if comment.start_col == self.indent + 1:
                    block_idx = comment.start_idx
                stop = comment.scan
            end_token = ends.pop(0)
            end_token.start = block_idx
            self.appended.append((BLOCK_END, block_idx))
            self.indent = self.indents.pop() if self.indents else -1

    def push_indent(self, column: int) -> None:
        self.indents.append(self.indent)
        self.indent = column

    # ---- after a token ---------------------------------------------------------
    def _block_header_comment(self, tok: Token) -> None:
        # "key: | # note" -- yaml.v3 scans this as the block scalar's line comment.
        src = self.src
        i = tok.start + 1
        while i < self.n and src[i] in "+-0123456789":
            i += 1
        while i < self.n and src[i] in " \t":
            i += 1
        if i < self.n and src[i] == "#":
            end = src.find("\n", i)
            end = self.n if end == -1 else end
            self.pos = i
            comment = Comment(0, tok.start, (i, self.line, self.col), 0)
            comment.line = src[i:end]
            self.comments.append(comment)

    def line_comment(self, token_mark: int) -> None:
        if self.newlines > 0:
            return
        pos = self.pos
        src = self.src
        while pos < self.n and src[pos] in " \t":
            pos += 1
        if pos >= self.n or src[pos] != "#":
            return
        end = src.find("\n", pos)
        if end == -1:
            end = self.n
        self._move_to(pos)
        comment = Comment(0, token_mark, (pos, self.line, self.col), 0)
        comment.line = src[pos:end]
        self.comments.append(comment)
        self._move_to(end)


def replay_comments(src: str, tokens: list[Token]) -> list[Comment]:
    """yaml.v3's comments for ``src``; BLOCK-END tokens get yaml.v3's marks in place.

    Only gaps holding a ``#`` run the comment rules; elsewhere the loop keeps just
    the indent stack, flow level and last tokens (the state those rules read),
    and derives the rest (line breaks crossed, the plain-scalar whitespace the Go
    scanner swallows) when a comment is reached.
    """
    next_hash = src.find("#")
    if next_hash == -1:
        return []
    scanner = _Scanner(src)
    appended = scanner.appended
    find = src.find
    pending_bms: list[Token] = []
    ends: list[Token] = []
    pre: list[Token] = []
    after = 0  # where the Go scanner stands after the previous token
    prev_plain = False
    for tok in tokens:
        kind = tok.kind
        if kind == BLOCK_END:
            ends.append(tok)
            continue
        if kind == BMS or kind == BSS or (kind == KEY and tok.start == tok.end):
            pre.append(tok)
            continue
        if kind == STREAM_START:
            continue
        start = tok.start
        if next_hash != -1 and next_hash < start:
            if prev_plain:
                after = _WHITESPACE.match(src, after).end()  # type: ignore[union-attr]
            scanner.pos = after
            scanner.newlines = _breaks_before(src, after)
            scan_idx = scanner.scan_to_next_token(start)[0]
            if ends:
                if scanner.flow == 0:
                    scanner.unroll(tok.col, scan_idx, ends)
                if kind in _RESETS:
                    scanner.unroll(-1, scanner.pos, ends)
            next_hash = find("#", start)
        elif ends:
            # No comment in this gap: yaml.v3 puts BLOCK-END just before where the
            # scan started, i.e. before any line comment of the coming token.
            scan_idx = _WHITESPACE.match(src, after).end() if prev_plain else after  # type: ignore[union-attr]
            for end_token in ends:
                scanner.indent = scanner.indents.pop() if scanner.indents else -1
                end_token.start = scan_idx - 1
                appended.append((BLOCK_END, scan_idx - 1))
            ends.clear()
        for leftover in ends:
            leftover.start = start
            appended.append((BLOCK_END, start))
        ends.clear()
        comment_mark = start
        if (kind == VALUE and scanner.flow == 0) or (kind == FLOW_ENTRY and scanner.flow > 0):
            comment_mark = appended[-1][1]
        if pre:
            _produce_inserted(scanner, pre, pending_bms)
            pre.clear()
        if kind == VALUE and pending_bms and scanner.flow == 0:
            scanner.push_indent(pending_bms.pop().col)
        appended.append((kind, start))
        if kind == STREAM_END:
            break
        if kind == FSS or kind == FMS:
            scanner.flow += 1
        elif kind == FSE or kind == FME:
            scanner.flow -= 1
        after = tok.end
        prev_plain = kind == SCALAR and bool(tok.plain)
        if next_hash == -1:
            continue
        if kind == SCALAR and tok.style in ("|", ">"):
            if next_hash < tok.end:
                scanner._block_header_comment(tok)
                next_hash = find("#", tok.end)
            continue
        if next_hash < tok.end:
            next_hash = find("#", tok.end)  # a '#' inside a scalar or flow token
            if next_hash == -1:
                continue
        if kind != ENTRY and kind not in _RESETS and find("\n", tok.end, next_hash) == -1:
            scanner.pos = tok.end
            scanner.newlines = 0
            scanner.line_comment(comment_mark)
            after = scanner.pos
            prev_plain = False
            next_hash = find("#", after)
    return scanner.comments


def _breaks_before(src: str, pos: int) -> int:
    """Line breaks since the last non-blank character: yaml.v3's ``parser.newlines``."""
    breaks = 0
    while pos > 0 and src[pos - 1] in " \t\n":
        pos -= 1
        if src[pos] == "\n":
            breaks += 1
    return breaks


def _produce_inserted(scanner: _Scanner, pre: list[Token], pending_bms: list[Token]) -> None:
    # BSS / BMS tokens libyaml placed before this token; a BMS before a simple key
    # is only produced (indent pushed) when the key's ':' is fetched.
    for index, tok in enumerate(pre):
        if tok.kind == BSS:
            scanner.push_indent(tok.col)
            scanner.appended.append((BSS, tok.start))
        elif tok.kind == BMS:
            following = pre[index + 1] if index + 1 < len(pre) else None
            if following is not None and following.kind == KEY:
                pending_bms.append(tok)
            else:
                scanner.push_indent(tok.col)
                scanner.appended.append((BMS, tok.start))
