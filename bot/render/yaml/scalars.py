"""Scalar analysis shared by the emitter: which styles yaml.v3 allows for a value.

yaml.v3 (like libyaml) inspects every scalar before writing it and downgrades the
requested style when the value cannot be written that way (plain -> single ->
double; literal/folded -> double). The flags here follow that analysis so new
values get the same quoting kpt gives them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

_BREAKS = "\n\r\x85\u2028\u2029"


class ScalarInfo(NamedTuple):
    multiline: bool
    flow_plain: bool
    block_plain: bool
    single: bool
    block: bool


def is_printable(ch: str) -> bool:
    """yaml.v3's byte test: 4-byte UTF-8 characters (emoji) count as not printable."""
    c = ord(ch)
    if c == 0x0A or 0x20 <= c <= 0x7E:
        return True
    if 0xA0 <= c <= 0xD7FF:
        return True
    return 0xE000 <= c <= 0xFFFD and c != 0xFEFF


@lru_cache(maxsize=65536)
def analyze_scalar(value: str) -> ScalarInfo:
    if not value:
        return ScalarInfo(False, False, True, True, False)
    if value.isalnum() and value.isascii():
        # The common case (names, numbers) needs no character walk.
        return ScalarInfo(False, True, True, True, True)
    block_ind = flow_ind = False
    if value.startswith(("---", "...")):
        block_ind = flow_ind = True
    line_breaks = special = tabs = False
    # A space or a break at either end rules out plain styles (and a trailing space, block ones).
    edge_space = value[0] == " " or value[-1] == " "
    edge_break = value[0] in _BREAKS or value[-1] in _BREAKS
    break_space = space_break = False
    prev_space = prev_break = False
    preceded_ws = True
    n = len(value)
    for i, ch in enumerate(value):
        followed_ws = i + 1 >= n or value[i + 1] in " \t"
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                flow_ind = block_ind = True
            elif ch in "?:":
                flow_ind = True
                if followed_ws:
                    block_ind = True
            elif ch == "-" and followed_ws:
                flow_ind = block_ind = True
        else:
            if ch in ",?[]{}":
                flow_ind = True
            elif ch == ":":
                flow_ind = True
                if followed_ws:
                    block_ind = True
            elif ch == "#" and preceded_ws:
                flow_ind = block_ind = True
        if ch == "\t":
            tabs = True
        elif not is_printable(ch):
            special = True
        if ch == " ":
            break_space = break_space or prev_break
            prev_space, prev_break = True, False
        elif ch in _BREAKS:
            line_breaks = True
            space_break = space_break or prev_space
            prev_space, prev_break = False, True
        else:
            prev_space = prev_break = False
        preceded_ws = ch in " \t" or ch in _BREAKS
    flow_plain = block_plain = single = block = True
    if edge_space or edge_break:
        flow_plain = block_plain = False
    if value[-1] == " ":
        block = False
    if break_space:
        flow_plain = block_plain = single = False
    if space_break or tabs or special:
        flow_plain = block_plain = single = False
    if space_break or special:
        block = False
    if line_breaks:
        flow_plain = block_plain = False
    if flow_ind:
        flow_plain = False
    if block_ind:
        block_plain = False
    return ScalarInfo(line_breaks, flow_plain, block_plain, single, block)


_ESCAPES = {
    0x00: "0",
    0x07: "a",
    0x08: "b",
    0x09: "t",
    0x0A: "n",
    0x0B: "v",
    0x0C: "f",
    0x0D: "r",
    0x1B: "e",
    0x22: '"',
    0x5C: "\\",
    0x85: "N",
    0xA0: "_",
    0x2028: "L",
    0x2029: "P",
}


def escape_double(value: str) -> str:
    """The body of a double-quoted scalar as yaml.v3 writes it (no wrapping)."""
    # yaml.v3's is_bom() tests the start of the value, not the current character, so a value that
    # starts with a byte order mark has every character escaped ("\uFEFF\x61..."); kpt writes that too.
    escape_all = value.startswith("\ufeff")
    out: list[str] = []
    for ch in value:
        c = ord(ch)
        if escape_all or ch in '"\\' or ch in _BREAKS or c == 0xFEFF or not is_printable(ch):
            esc = _ESCAPES.get(c)
            if esc is None:
                if c <= 0xFF:
                    esc = f"x{c:02X}"
                elif c <= 0xFFFF:
                    esc = f"u{c:04X}"
                else:
                    esc = f"U{c:08X}"
            out.append("\\" + esc)
        else:
            out.append(ch)
    return "".join(out)
