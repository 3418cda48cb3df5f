"""Escapes where libyaml (our tokeniser) and yaml.v3 (kpt's) disagree; messages recorded from kpt 1.0.0-beta.56."""

from __future__ import annotations

import pytest

from bot.render.yaml import YAMLError
from bot.render.yaml.files import reformat

HEAD = "apiVersion: v1\nkind: X\nmetadata:\n  name: e\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + 'v: "a\\/b"\n', "yaml: line 5: found unknown escape character"),
        (HEAD + 'v: "first\n  a\\/b"\n', "yaml: line 5: found unknown escape character"),
        ('{apiVersion: v1, kind: X, metadata: {name: "a\\/b"}}\n', "yaml: found unknown escape character"),
        (
            '{apiVersion: v1, kind: X, metadata: {name: "a\n  \\/b"}}\n',
            "yaml: line 2: found unknown escape character",
        ),
    ],
)
def test_slash_escape_is_refused_as_kpt_refuses_it(text: str, message: str) -> None:
    with pytest.raises(YAMLError) as err:
        reformat(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    "value",
    ['"a\\\\/b"', "'a\\/b'", "a\\/b", "|\n  a\\/b\n"],
    ids=["escaped-backslash", "single-quoted", "plain", "literal"],
)
def test_backslash_slash_outside_a_double_quoted_escape_is_kept(value: str) -> None:
    text = HEAD + "v: " + value + ("" if value.endswith("\n") else "\n")
    assert reformat(text) == text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('a: "it\\\'s" # c\nb: "\\\'\\\'"\n', 'a: "it\'s" # c\nb: "\'\'"\n'),
        # the placeholder character must not be one the file already produces
        ('a: "\\u2028 \\x85 \\L \\\'"\n', 'a: "\\L \\N \\L \'"\n'),
        ('a: "multi\n  line \\\'\n\n  end"\n', 'a: "multi line \'\\nend"\n'),
    ],
    ids=["two-scalars", "placeholder-avoided", "multi-line"],
)
def test_quote_escape_is_read_as_yaml_v3_reads_it(body: str, expected: str) -> None:
    # Outputs recorded from kpt 1.0.0-beta.56; libyaml alone refuses \' ("found unknown escape character").
    assert reformat(HEAD + body) == HEAD + expected
