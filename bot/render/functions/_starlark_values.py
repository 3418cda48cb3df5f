"""Data crossing the starlark boundary, converted the way the catalog's starlark image does it.

Going in, kyaml decodes each item into Go maps (``rn.Map()``): aliases and merge keys resolved,
timestamps kept as strings, comments and styles gone. Coming out, qri-io/starlib turns starlark
values back into Go values and yaml.v3 ``Marshal`` writes them: map keys in yaml.v3's sort order,
strings quoted only when they would read back as something else, floats in Go's ``%g`` form,
empty collections in flow style. kpt then restores the original key order and comments of the
objects it still recognises (by their id annotation); new objects keep the Marshal order.
"""

from __future__ import annotations

import math
import re
from typing import Any

from bot.render.yaml.convert import jsonable, node_to_python, python_to_node, resolve_scalar_tag
from bot.render.yaml.node import MAP, SEQ, STR, Kind, Node, Style

# yaml.v3 still quotes YAML 1.1 booleans and base-60 floats when it marshals a Go string.
_OLD_BOOLS = frozenset("y Y yes Yes YES on On ON n N no No NO off Off OFF".split())
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


def item_to_data(item: Node) -> Any:
    return jsonable(node_to_python(item), _bytes_as_text)


def _bytes_as_text(data: Any) -> Any:
    if isinstance(data, bytes):
        return data.decode("utf-8", errors="replace")
    return data


def data_to_node(data: Any) -> Node:
    """A node tree equal to what yaml.v3 Marshal then Parse gives for ``data``."""
    if data is None or isinstance(data, int):  # bools too: Marshal spells nil, bools and ints plainly
        return python_to_node(data)
    if isinstance(data, float):
        text = go_format_float(data)
        return Node.scalar(text, resolve_scalar_tag(text))
    if isinstance(data, str):
        return string_node(data)
    if isinstance(data, dict):
        mapping = Node(Kind.MAPPING, tag=MAP, style=Style.NONE if data else Style.FLOW)
        for key in sorted(data, key=_KeyOrder):
            mapping.content.append(string_node(str(key)))
            mapping.content.append(data_to_node(data[key]))
        return mapping
    if isinstance(data, (list, tuple)):
        sequence = Node(Kind.SEQUENCE, tag=SEQ, style=Style.NONE if data else Style.FLOW)
        sequence.content = [data_to_node(value) for value in data]
        return sequence
    raise TypeError(f"unrecognized starlark type {type(data).__name__}")


def string_node(value: str) -> Node:
    if "\n" not in value and needs_quotes(value):
        return Node.scalar(value, STR, Style.DOUBLE_QUOTED)
    return Node.scalar(value, STR)


def needs_quotes(value: str) -> bool:
    """yaml.v3's stringv: plain only if it resolves to !!str and is no 1.1 bool or base-60 float."""
    return resolve_scalar_tag(value) != STR or value in _OLD_BOOLS or bool(_BASE60_FLOAT.match(value))


def go_format_float(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'g', -1, 64), with yaml.v3's spellings of inf and nan."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    # repr gives the shortest digits that round-trip, as Go's shortest formatting does.
    digits, exp = _shortest_digits(value)
    sign = "-" if value < 0 else ""
    if exp < -4 or exp >= 6:
        head, tail = digits[0], digits[1:]
        frac = f".{tail}" if tail else ""
        return f"{sign}{head}{frac}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp >= 0:
        whole = digits[: exp + 1].ljust(exp + 1, "0")
        frac = digits[exp + 1:]
        return f"{sign}{whole}.{frac}" if frac else f"{sign}{whole}"
    return f"{sign}0.{'0' * (-exp - 1)}{digits}"


def _shortest_digits(value: float) -> tuple[str, int]:
    """Significant digits (no leading/trailing zeros) and the decimal exponent of the first one."""
    text = repr(abs(value))
    if "e" in text:
        mantissa, exp_text = text.split("e")
        exp = int(exp_text)
    else:
        mantissa, exp = text, 0
    whole, _, frac = mantissa.partition(".")
    all_digits = (whole + frac).lstrip("0")
    leading_zeros = len(whole + frac) - len(all_digits)
    exp += len(whole) - 1 - leading_zeros
    return all_digits.rstrip("0") or "0", exp


class _KeyOrder:
    """yaml.v3's keyList.Less for string keys: letters before digits, digit runs compared as numbers."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = str(key)

    def __lt__(self, other: _KeyOrder) -> bool:
        return key_less(self.key, other.key)


def key_less(a: str, b: str) -> bool:
    digits = False
    n = min(len(a), len(b))
    for i in range(n):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = ca.isdigit()
            continue
        la, lb = ca.isalpha(), cb.isalpha()
        if la and lb:
            return ca < cb
        if la or lb:
            return la if digits else lb
        # Go seeds both numbers with 1 when a zero follows a non-zero digit, so leading zeros count.
        seed = "1" if (ca == "0" or cb == "0") and _nonzero_digit_before(a, i) else ""
        an, ai = _number_at(a, i, seed)
        bn, bi = _number_at(b, i, seed)
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _number_at(text: str, start: int, seed: str) -> tuple[int, int]:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    digits = seed + text[start:end]
    return (int(digits) if digits else 0), end


def _nonzero_digit_before(text: str, index: int) -> bool:
    j = index - 1
    while j >= 0 and text[j].isdigit():
        if text[j] != "0":
            return True
        j -= 1
    return False
