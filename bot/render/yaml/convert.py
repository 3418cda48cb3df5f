"""Tag resolution and Node <-> Python data, following yaml.v3's rules.

yaml.v3 resolves plain scalars with YAML 1.2 core rules plus a few 1.1 leftovers
(``0777`` octals, timestamps); ``yes``/``on`` stay strings. The emitter relies on
``resolve_scalar_tag`` to decide when a new string must be quoted.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from bot.render.yaml.errors import YAMLError
from bot.render.yaml.node import BOOL, FLOAT, INT, MAP, NULL, SEQ, STR, TIMESTAMP, Kind, Node

MERGE = "!!merge"

_MAP_TAGS: dict[str, str] = {}
for _word in ("true", "True", "TRUE", "false", "False", "FALSE"):
    _MAP_TAGS[_word] = BOOL
for _word in ("", "~", "null", "Null", "NULL"):
    _MAP_TAGS[_word] = NULL
for _word in (".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"):
    _MAP_TAGS[_word] = FLOAT

_YAML_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
# Go's strconv.ParseInt with base 0, after yaml.v3 strips underscores.
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?"
    r"([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?$"
)
_GO_FLOAT_DOT = re.compile(r"^\.[0-9]+([eE][-+]?[0-9]+)?$")
_RESOLVE_HINT = {c: "D" for c in "0123456789"} | {"+": "S", "-": "S", ".": "."}
_RESOLVE_HINT |= {c: "M" for c in "yYnNtTfFoO~"}
_INT_MAX = 2**64


@lru_cache(maxsize=65536)
def resolve_scalar_tag(value: str) -> str:
    """The tag yaml.v3 gives a plain scalar with this text."""
    if not value:
        return NULL
    hint = _RESOLVE_HINT.get(value[0])
    if hint is None:
        # yaml.v3 only consults its table when the first character hints at one ("<<" stays !!str).
        return STR
    tag = _MAP_TAGS.get(value)
    if tag is not None:
        return tag
    if hint == "M":
        return STR
    if hint == ".":
        return FLOAT if _GO_FLOAT_DOT.match(value) else STR
    if hint == "D" and _TIMESTAMP.match(value):
        return TIMESTAMP
    plain = value.replace("_", "")
    if _GO_INT.match(plain) and _int_in_range(plain):
        return INT
    if _YAML_FLOAT.match(plain):
        return FLOAT
    return STR


def _int_in_range(plain: str) -> bool:
    try:
        number = int(plain, 0) if not _is_legacy_octal(plain) else int(plain.lstrip("+-") or "0", 8)
    except ValueError:
        return False
    return abs(number) < _INT_MAX


def _is_legacy_octal(plain: str) -> bool:
    digits = plain.lstrip("+-")
    return len(digits) > 1 and digits[0] == "0" and digits[1].isdigit()


def scalar_to_python(node: Node) -> Any:
    tag = node.tag or (resolve_scalar_tag(node.value) if node.style == 0 else STR)
    value = node.value
    if tag == STR:
        return value
    if tag == NULL:
        return None
    if tag == BOOL:
        return value.lower() == "true"
    if tag == INT:
        plain = value.replace("_", "")
        sign = -1 if plain.startswith("-") else 1
        digits = plain.lstrip("+-")
        if _is_legacy_octal(plain):
            return sign * int(digits, 8)
        try:
            return sign * int(digits, 0)
        except ValueError:
            return value
    if tag == FLOAT:
        lowered = value.lower()
        if lowered.endswith(".nan"):
            return math.nan
        if lowered.endswith(".inf"):
            return -math.inf if lowered.startswith("-") else math.inf
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    if tag == "!!binary":
        try:
            return base64.b64decode(value)
        except ValueError:
            return value
    return value


class _Budget:
    """Counts nodes visited so an alias bomb fails fast instead of eating memory."""

    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise YAMLError("yaml: document contains excessive aliasing")


def node_to_python(node: Node, *, max_nodes: int = 5_000_000) -> Any:
    """Plain Python data for a node tree; aliases expanded within a node budget."""
    return _to_py(node, _Budget(max_nodes), 0)


def _to_py(node: Node, budget: _Budget, depth: int) -> Any:
    budget.spend()
    if depth > 10_000:
        raise YAMLError("yaml: exceeded max depth")
    kind = node.kind
    if kind is Kind.SCALAR:
        return scalar_to_python(node)
    if kind is Kind.MAPPING:
        result: dict[Any, Any] = {}
        for key, value in node.pairs():
            if key.kind is Kind.SCALAR and key.value == "<<" and key.tag in ("", MERGE) and key.style == 0:
                _merge_into(result, value, budget, depth)
                continue
            k = _to_py(key, budget, depth + 1)
            if isinstance(k, (dict, list)):
                k = repr(k)
            result[k] = _to_py(value, budget, depth + 1)
        return result
    if kind is Kind.SEQUENCE:
        return [_to_py(child, budget, depth + 1) for child in node.content]
    if kind is Kind.DOCUMENT:
        return _to_py(node.content[0], budget, depth + 1) if node.content else None
    if node.alias is None:
        raise YAMLError(f'yaml: unknown anchor "{node.value}" referenced')
    return _to_py(node.alias, budget, depth + 1)


def _merge_into(result: dict[Any, Any], value: Node, budget: _Budget, depth: int) -> None:
    sources = value.content if value.kind is Kind.SEQUENCE else [value]
    for source in sources:
        data = _to_py(source, budget, depth + 1)
        if not isinstance(data, dict):
            raise YAMLError("yaml: map merge requires map or sequence of maps as the value")
        for k, v in data.items():
            result.setdefault(k, v)


def jsonable(data: Any, leaf: Callable[[Any], Any]) -> Any:
    """Plain data shaped for a JSON encoder: every mapping key a string, every other value through
    ``leaf`` (what a float or bytes become is the caller's encoder's business)."""
    if isinstance(data, dict):
        return {str(key): jsonable(value, leaf) for key, value in data.items()}
    if isinstance(data, list):
        return [jsonable(value, leaf) for value in data]
    return leaf(data)


def python_to_node(data: Any) -> Node:
    """New nodes for plain data: tags set, styles left NONE so the emitter decides."""
    if isinstance(data, Node):
        return data
    if data is None:
        return Node.scalar("null", NULL)
    if isinstance(data, bool):
        return Node.scalar("true" if data else "false", BOOL)
    if isinstance(data, int):
        return Node.scalar(str(data), INT)
    if isinstance(data, float):
        return Node.scalar(_format_float(data), FLOAT)
    if isinstance(data, str):
        return Node.scalar(data, STR)
    if isinstance(data, bytes):
        return Node.scalar(base64.b64encode(data).decode("ascii"), "!!binary")
    if isinstance(data, dict):
        mapping = Node(Kind.MAPPING, tag=MAP)
        for key, value in data.items():
            mapping.content.append(python_to_node(key))
            mapping.content.append(python_to_node(value))
        return mapping
    if isinstance(data, (list, tuple)):
        seq = Node(Kind.SEQUENCE, tag=SEQ)
        seq.content = [python_to_node(item) for item in data]
        return seq
    raise TypeError(f"cannot convert {type(data).__name__} to a YAML node")


def _format_float(value: float) -> str:
    # Go's strconv.FormatFloat(v, 'g', -1, 64) as yaml.v3 uses for floats.
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text:
        mantissa, exp = text.split("e")
        sign = exp[0] if exp[0] in "+-" else "+"
        digits = exp.lstrip("+-").rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    if text.endswith(".0"):
        text = text[:-2]
    return text
