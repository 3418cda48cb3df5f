"""Tag resolution (yaml.v3's rules) and Node <-> Python data."""

from __future__ import annotations

import math

import pytest

from bot.render.yaml import YAMLError, node_to_python, parse_document, python_to_node, resolve_scalar_tag
from bot.render.yaml.node import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP

RESOLVE = [
    ("", NULL), ("~", NULL), ("null", NULL), ("Null", NULL), ("NULL", NULL), ("nULL", STR),
    ("true", BOOL), ("True", BOOL), ("TRUE", BOOL), ("yes", STR), ("on", STR), ("y", STR),
    ("0", INT), ("-12", INT), ("+12", INT), ("0x1F", INT), ("0o17", INT), ("0777", INT), ("0b101", INT),
    ("1_000", INT), ("08", FLOAT), ("1.5", FLOAT), ("1e3", FLOAT), (".5", FLOAT), ("-.inf", FLOAT),
    (".NaN", FLOAT), ("2001-12-14", TIMESTAMP), ("2001-12-14T21:59:43.10-05:00", TIMESTAMP),
    ("1.2.3", STR), ("-", STR), ("<<", STR), ("abc", STR), ("99999999999999999999", FLOAT),
]


@pytest.mark.parametrize(("text", "tag"), RESOLVE, ids=[repr(t) for t, _ in RESOLVE])
def test_resolve_scalar_tag(text: str, tag: str) -> None:
    assert resolve_scalar_tag(text) == tag


def test_node_to_python_types_and_merge_keys() -> None:
    doc = parse_document("base: &b {x: 1}\nd:\n  <<: *b\n  y: 0o17\nf: .inf\nn: ~\ns: '1'\n")
    data = node_to_python(doc)
    assert data["d"] == {"x": 1, "y": 15}
    assert math.isinf(data["f"]) and data["n"] is None and data["s"] == "1"


def test_alias_bomb_raises_instead_of_exhausting_memory() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    doc = parse_document("\n".join(lines) + "\n")
    with pytest.raises(YAMLError, match="excessive aliasing"):
        node_to_python(doc, max_nodes=1_000_000)


def test_python_round_trip() -> None:
    data = {"a": [1, "two", None, True, 2.5], "b": {"c": "true"}}
    assert node_to_python(python_to_node(data)) == data
