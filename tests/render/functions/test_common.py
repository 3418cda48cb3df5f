"""Shared function helpers: the pieces of Go behaviour several builtins reproduce."""

from __future__ import annotations

import pytest

from bot.render.functions import _common as c


@pytest.mark.parametrize(("value", "non_string"), [
    ("yes", True), ("y", True), ("OFF", True), ("true", True), ("~", True),
    ("1", True), ("0x1F", True), ("1e3", True), ("1_000", True), (".5", True), ("-.inf", True),
    ("a: b", True), ("[a]", True), ("#comment", True),
    ("2001-12-14", False),  # yaml.v2 keeps timestamps as strings for interface{}
    ("1:30", False),  # no sexagesimal numbers in yaml.v2
    ("'quoted'", False), ("v1", False), ("example.com", False), ("", False), ("a\nb", False),
])
def test_yaml11_non_string_follows_yaml_v2(value: str, non_string: bool) -> None:
    assert c.is_yaml11_non_string(value) is non_string


def test_go_json_escapes_html_like_encoding_json() -> None:
    assert c.go_json({"b": "<a&b>", "a": "é"}) == '{"a":"é","b":"\\u003ca\\u0026b\\u003e"}'


@pytest.mark.parametrize(("value", "parsed"), [
    ("|Service|shop|web", ("", "Service", "shop", "web")),
    ("apps|Deployment|~C|app", ("apps", "Deployment", "~C", "app")),
    ("not-an-id", None),
])
def test_upstream_identifier(value: str, parsed: tuple[str, str, str, str] | None) -> None:
    assert c.parse_upstream_identifier(value) == parsed
