"""A tiny YAML highlighter (server-side, no dependency): comments, keys, strings, numbers and booleans,
document markers and list dashes get a class; everything is HTML-escaped first. Line-based on purpose: a
block scalar's lines are shown plain, which is what a reader of a diff needs."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_KEY = re.compile(r"^(\s*(?:-\s+)*)([^\s#'\"{}\[\],&*!|>%@`][^:#]*?|\"[^\"]*\"|'[^']*')(:)(?=\s|$)")
_SCALAR = re.compile(r"^(\s*)(.*?)(\s*)$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_BOOLS = {"true", "false", "null", "~", "yes", "no", "True", "False", "Null", "NULL", "TRUE", "FALSE"}


def _span(kind: str, text: str) -> str:
    return f'<span class="y-{kind}">{escape(text)}</span>' if text else ""


def _comment_split(text: str) -> tuple[str, str]:
    """(code, comment): a ``#`` starts a comment at the line start or after a blank, outside quotes."""
    quote = ""
    for index, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index], text[index:]
    return text, ""


def _value(text: str) -> str:
    match = _SCALAR.match(text)
    assert match is not None
    lead, body, trail = match.groups()
    if not body:
        return str(escape(text))
    if body[0] in "'\"":
        kind = "str"
    elif _NUMBER.match(body):
        kind = "num"
    elif body in _BOOLS:
        kind = "bool"
    elif body[0] in "&*!|>":
        kind = "meta"
    else:
        kind = "str"
    return str(escape(lead)) + _span(kind, body) + str(escape(trail))


def highlight_line(line: str) -> str:
    if line.startswith(("---", "...")) and line.strip() in ("---", "..."):
        return _span("doc", line)
    code, comment = _comment_split(line)
    match = _KEY.match(code)
    if match:
        lead, key, colon = match.groups()
        rest = code[match.end():]
        out = _dashes(lead) + _span("key", key) + str(escape(colon)) + _value(rest)
    else:
        stripped = code.lstrip(" ")
        indent = code[: len(code) - len(stripped)]
        if stripped.startswith("- ") or stripped == "-":
            out = str(escape(indent)) + _span("dash", "-") + _value(stripped[1:])
        else:
            out = _value(code)
    return out + _span("comment", comment)


def _dashes(lead: str) -> str:
    return "".join(_span("dash", char) if char == "-" else str(escape(char)) for char in lead)


def highlight(text: str, yaml_like: bool) -> list[Markup]:
    """One Markup per line of ``text`` (YAML highlighted when ``yaml_like``, else only escaped)."""
    lines = text.splitlines()
    if not yaml_like:
        return [Markup(escape(line)) for line in lines]
    return [Markup(highlight_line(line)) for line in lines]


def is_yaml(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == "Kptfile" or name.endswith((".yaml", ".yml"))
