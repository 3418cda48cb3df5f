"""Emitter: yaml.v3's choices for new nodes (quoting, block scalars, sequence indent, JSON)."""

from __future__ import annotations

import json

import pytest

from bot.render.yaml import Node, emit_documents, emit_json, emit_node, parse_document, python_to_node
from bot.render.yaml.node import INT, STR

NEW_STRINGS = [
    ("plain", "plain"),
    ("true", '"true"'),
    ("False", '"False"'),
    ("3", '"3"'),
    ("0x1F", '"0x1F"'),
    ("1e3", '"1e3"'),
    ("08", '"08"'),
    ("", '""'),
    ("null", '"null"'),
    ("~", '"~"'),
    ("2001-12-14", '"2001-12-14"'),
    ("yes", "yes"),
    ("on", "on"),
    ("a: b", "'a: b'"),
    ("- x", "'- x'"),
    ("#x", "'#x'"),
    ("x #y", "'x #y'"),
    (" lead", "' lead'"),
    ("trail ", "'trail '"),
    ("it's: x", "'it''s: x'"),
    ("*ref", "'*ref'"),
    ("a\tb", '"a\\tb"'),
    ("smile 😀", '"smile \\U0001F600"'),
    ("héllo", "héllo"),
    ("<<", "<<"),
]


@pytest.mark.parametrize(("value", "written"), NEW_STRINGS, ids=[repr(v) for v, _ in NEW_STRINGS])
def test_new_string_scalar_style(value: str, written: str) -> None:
    mapping = Node.mapping()
    mapping.set("k", Node.scalar(value, STR))
    assert emit_node(mapping) == f"k: {written}\n"


BLOCKS = [
    ("line1\nline2", "k: |-\n  line1\n  line2\n"),
    ("line1\n", "k: |\n  line1\n"),
    ("keep\n\n", "k: |+\n  keep\n\n"),
    (" lead\nx", "k: |2-\n   lead\n  x\n"),
    ("trailing space \nx", 'k: "trailing space \\nx"\n'),
]


@pytest.mark.parametrize(("value", "written"), BLOCKS, ids=[repr(v) for v, _ in BLOCKS])
def test_multiline_strings_use_literal_blocks(value: str, written: str) -> None:
    mapping = Node.mapping()
    mapping.set("k", Node.scalar(value, STR))
    assert emit_node(mapping) == written


def test_string_key_that_looks_like_bool_is_quoted() -> None:
    mapping = Node.mapping()
    mapping.content += [Node.scalar("true", STR), Node.scalar("v", STR)]
    assert emit_node(mapping) == '"true": v\n'


def test_typed_scalars_plain_or_tagged() -> None:
    mapping = Node.mapping()
    mapping.set("n", Node.scalar("5", INT))
    mapping.set("bad", Node.scalar("abc", INT))
    assert emit_node(mapping) == "n: 5\nbad: !!int abc\n"


def test_python_data_compact_and_wide() -> None:
    node = python_to_node({"a": [1, "b", None, True, {"c": 1.5}], "e": {}, "f": []})
    assert emit_node(node) == "a:\n- 1\n- b\n- null\n- true\n- c: 1.5\ne: {}\nf: []\n"
    assert emit_node(node, wide=True) == "a:\n  - 1\n  - b\n  - null\n  - true\n  - c: 1.5\ne: {}\nf: []\n"


def test_documents_are_joined_with_separator() -> None:
    first = parse_document("a: 1 # one\n")
    second = parse_document("b:\n  - x\n")
    assert emit_documents([(first, False), (second, True)]) == "a: 1 # one\n---\nb:\n  - x\n"


def test_long_lines_are_not_wrapped() -> None:
    value = " ".join(["word"] * 60)
    mapping = python_to_node({"k": value})
    assert emit_node(mapping) == f"k: {value}\n"


def test_emit_json_like_go_encoder() -> None:
    doc = parse_document('kind: A\napiVersion: v1\nmetadata: {name: "<x&y>"}\nn: 1.5\ni: 3\nl: [1, two, null, true]\n')
    text = emit_json(doc)
    assert text.endswith("}\n")
    assert text.startswith('{\n  "apiVersion": "v1",\n  "i": 3,\n  "kind": "A",\n')
    assert '"name": "\\u003cx\\u0026y\\u003e"' in text
    assert json.loads(text)["l"] == [1, "two", None, True]
