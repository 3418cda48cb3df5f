"""Go's text formats that builtin functions print, and kyaml's YAML 1.1 string check.

Kept apart from ``_common`` (which re-exports these names) because none of it touches items:
%q and %v of string slices, encoding/json's map output and type names, and which values
yaml.v2 would not read back as strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import yaml as pyyaml

from bot.render.yaml.node import Kind, Node

# ---- Go formatting ---------------------------------------------------------------------------


def go_quote(value: str) -> str:
    """Go's %q for the strings these functions print."""
    return json.dumps(value, ensure_ascii=False)


_GO_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                    "\u2029": "\\u2029"}


def go_json(value: dict[str, str]) -> str:
    """encoding/json's Marshal of a map[string]string: sorted keys, no spaces, HTML-safe escapes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escape in _GO_JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def go_list(values: Iterable[str]) -> str:
    """Go's %v of a []string: ``[a b c]``."""
    return "[" + " ".join(values) + "]"


def go_json_type(node: Node) -> str:
    """The JSON type name encoding/json puts in an UnmarshalTypeError for a YAML node."""
    if node.kind is Kind.SEQUENCE:
        return "array"
    if node.kind is Kind.MAPPING:
        return "object"
    return {"!!int": "number", "!!float": "number", "!!bool": "bool", "!!null": "null"}.get(node.tag, "string")


# ---- YAML 1.1 ------------------------------------------------------------------------------

_NON_STRING_CACHE: dict[str, bool] = {}
_V2_KEYWORDS = frozenset(
    "y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF "
    "~ null Null NULL .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF <<".split())
_GO_INT = re.compile(r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$")
_V2_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def _v2_plain_is_non_string(text: str) -> bool:
    """yaml.v2's resolve() for a plain scalar decoded into interface{} (timestamps stay strings)."""
    if text in _V2_KEYWORDS or text == "":
        return True
    first = text[0]
    if first.isdigit() or first in "+-":
        plain = text.replace("_", "")
        if _GO_INT.match(plain) or _V2_FLOAT.match(plain):
            return True
        return plain.startswith(("0b", "-0b")) and bool(re.fullmatch(r"-?0b[01]+", plain))
    if first == ".":
        return bool(re.fullmatch(r"\.[0-9]+([eE][-+]?[0-9]+)?", text))
    return False


def is_yaml11_non_string(value: str) -> bool:
    """kyaml's IsValueNonString: would yaml.v2 (YAML 1.1) read ``value`` as something but a string?

    kyaml double-quotes such values when it writes them as strings, so that old parsers keep
    them strings. PyYAML only tells us the structure (a map, a list, nothing, a quoted scalar);
    the plain-scalar rules are yaml.v2's own, which differ from PyYAML's in places.
    """
    if value == "" or "\n" in value:
        return False
    cached = _NON_STRING_CACHE.get(value)
    if cached is not None:
        return cached
    try:
        node = pyyaml.compose(value)
    except pyyaml.YAMLError:
        verdict = False
    else:
        if node is None or not isinstance(node, pyyaml.ScalarNode):
            verdict = True  # a comment, a map, a list
        elif node.style:
            verdict = False  # quoted: a string
        else:
            verdict = _v2_plain_is_non_string(node.value)
    _NON_STRING_CACHE[value] = verdict
    return verdict
