"""Parser: where yaml.v3 puts comments, styles and tags; document splitting; errors."""

from __future__ import annotations

import pytest

from bot.render.yaml import YAMLError, parse_document, parse_documents, split_documents
from bot.render.yaml.node import BOOL, FLOAT, INT, NULL, STR, TIMESTAMP, Kind, Node, Style


def _root(text: str) -> Node:
    return parse_document(text).content[0]


def test_head_line_and_foot_comments_land_on_keys() -> None:
    root = _root("# head a\na: 1 # line a\n# foot a\n\nb: 2\n")
    key_a, value_a = root.content[0], root.content[1]
    assert key_a.head_comment == "# head a"
    assert value_a.line_comment == "# line a"
    assert key_a.foot_comment == "# foot a"


def test_line_comment_on_key_of_nested_block() -> None:
    root = _root("meta: # about meta\n  name: x\n")
    assert root.content[0].line_comment == "# about meta"


def test_document_head_comment_is_split_at_blank_line() -> None:
    doc = parse_document("# licence\n\n# about a\na: 1\n")
    assert doc.head_comment == "# licence"
    assert doc.content[0].content[0].head_comment == "# about a"


def test_comment_after_nested_block() -> None:
    # yaml.v3: the indented comment is the foot of b, the dedented one heads c.
    root = _root("a:\n  b: 1\n  # foot of b\n# about c\nc: 2\n")
    inner = root.content[1]
    assert inner.content[0].foot_comment == "# foot of b"
    assert root.content[2].head_comment == "# about c"


def test_scalar_styles_and_tags() -> None:
    root = _root("a: 'x'\nb: \"y\"\nc: |\n  z\nd: >-\n  w\ne: 1\nf: 1.5\ng: true\nh: ~\ni: 2001-12-14\nj: !!str 5\n")
    values = {k.value: v for k, v in root.pairs()}
    assert values["a"].style == Style.SINGLE_QUOTED and values["a"].tag == STR
    assert values["b"].style == Style.DOUBLE_QUOTED
    assert values["c"].style == Style.LITERAL and values["c"].value == "z\n"
    assert values["d"].style == Style.FOLDED and values["d"].value == "w"
    assert [values[k].tag for k in "efghi"] == [INT, FLOAT, BOOL, NULL, TIMESTAMP]
    assert values["j"].tag == STR and values["j"].style & Style.TAGGED


def test_flow_collections_anchors_and_aliases() -> None:
    root = _root("a: &x [1, 2]\nb: *x\nc: {k: v}\n")
    values = {k.value: v for k, v in root.pairs()}
    assert values["a"].style & Style.FLOW and values["a"].anchor == "x"
    assert values["b"].kind is Kind.ALIAS and values["b"].alias is values["a"]
    assert values["c"].kind is Kind.MAPPING and values["c"].style & Style.FLOW


def test_split_documents_follows_kyaml() -> None:
    pieces = split_documents("a: 1\r\n--- # comment\r\nb: 2\r\n---\nc: |\n  x\n")
    assert pieces == ["a: 1\n", "b: 2\n", "c: |\n  x\n"]
    with pytest.raises(YAMLError, match="invalid Document separator"):
        split_documents("a: 1\n--- b\nc: 2\n")


def test_parse_documents_drops_empty_and_comment_only_documents() -> None:
    docs = parse_documents("---\na: 1\n---\n# only a comment\n---\n---\nb: 2\n...\n")
    assert [d.content[0].content[0].value for d in docs] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\n b: 2\n", "yaml: line 2: mapping values are not allowed in this context"),
        ("a:\n  b: 1\n c: 2\n", "yaml: line 2: did not find expected key"),
        # yaml.v3 reports the 0-based line of the context mark when it has one
        ("k: v\nl: w\na: [1, 2\n", "yaml: line 2: did not find expected ',' or ']'"),
        ("a: *nope\n", "yaml: unknown anchor 'nope' referenced"),
    ],
    ids=["bad-indent-value", "bad-dedent", "unclosed-flow", "unknown-anchor"],
)
def test_errors_read_like_yaml_v3(text: str, message: str) -> None:
    with pytest.raises(YAMLError) as info:
        parse_document(text)
    assert str(info.value) == message
