"""kubectl's JSONPath templates (``-o jsonpath=...``) over plain JSON-like data.

The subset scripts use: ``{.a.b}``, ``{.items[0]}``, ``{.items[*].metadata.name}``, ``{['key.with.dots']}``,
``{range .items[*]}...{end}``, string literals ``{"\\n"}``, filters ``[?(@.x=="y")]`` (``==``, ``!=``), and
text outside braces. Results print as kubectl prints them: several values joined by a space, strings
bare, maps and lists as JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.errors import InvalidInput

_MISSING = object()
_STEP = re.compile(r"""\.(?P<field>[A-Za-z0-9_\-/$]+)|\[(?P<index>-?\d+|\*)\]|\['(?P<quoted>[^']*)'\]"""
                   r"""|\[\?\(@(?P<fpath>[.\w\-/\[\]']*)\s*(?P<op>==|!=)\s*(?P<value>"[^"]*"|'[^']*'|[^)]*)\)\]""")


def _tokens(template: str) -> list[tuple[str, str]]:
    """('text', literal) and ('expr', inside-braces) pieces."""
    pieces: list[tuple[str, str]] = []
    position = 0
    while position < len(template):
        start = template.find("{", position)
        if start < 0:
            pieces.append(("text", template[position:]))
            break
        if start > position:
            pieces.append(("text", template[position:start]))
        depth, end = 0, start
        quote = ""
        while end < len(template):
            char = template[end]
            if quote:
                if char == "\\":
                    end += 1
                elif char == quote:
                    quote = ""
            elif char in "\"'":
                quote = char
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    break
            end += 1
        if end >= len(template):
            raise InvalidInput(f"error parsing jsonpath {template}: unclosed action")
        pieces.append(("expr", template[start + 1:end].strip()))
        position = end + 1
    return pieces


def walk(values: list[Any], path: str) -> list[Any]:
    position = 0
    path = path.strip()
    if path.startswith("$"):
        path = path[1:]
    if path in ("", "."):
        return values
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise InvalidInput(f"error parsing jsonpath: unrecognized path {path[position:]!r}")
        position = match.end()
        next_values: list[Any] = []
        for value in values:
            if match.group("field") is not None or match.group("quoted") is not None:
                key = match.group("field") if match.group("field") is not None else match.group("quoted")
                if isinstance(value, dict) and key in value:
                    next_values.append(value[key])
            elif match.group("index") is not None:
                if isinstance(value, list):
                    if match.group("index") == "*":
                        next_values.extend(value)
                    elif -len(value) <= int(match.group("index")) < len(value):
                        next_values.append(value[int(match.group("index"))])
                elif isinstance(value, dict) and match.group("index") == "*":
                    next_values.extend(value.values())
            else:
                wanted = match.group("value").strip()
                wanted_value: Any = wanted[1:-1] if wanted[:1] in "\"'" and len(wanted) > 1 else wanted
                candidates = value if isinstance(value, list) else [value]
                for candidate in candidates:
                    found = walk([candidate], match.group("fpath") or "")
                    equal = bool(found) and text(found[0]) == str(wanted_value)
                    if equal == (match.group("op") == "=="):
                        next_values.append(candidate)
        values = next_values
    return values


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _literal(expr: str) -> str | None:
    if len(expr) >= 2 and expr[0] == expr[-1] and expr[0] in "\"'":
        body = expr[1:-1]
        escapes = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
        return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)
    return None


def render(template: str, data: Any) -> str:
    """``template`` applied to ``data`` as kubectl applies it."""
    if template.startswith("jsonpath="):
        template = template[len("jsonpath="):]
    pieces = _tokens(template)
    out, _ = _render(pieces, 0, data)
    return out


def _render(pieces: list[tuple[str, str]], start: int, data: Any) -> tuple[str, int]:
    out: list[str] = []
    index = start
    while index < len(pieces):
        kind, content = pieces[index]
        if kind == "text":
            out.append(content)
        elif content == "end":
            return "".join(out), index
        elif content.startswith("range "):
            items = walk([data], content[len("range "):])
            end = index
            for item in items:
                piece, end = _render(pieces, index + 1, item)
                out.append(piece)
            if not items:
                _, end = _render(pieces, index + 1, {})
            index = end
        else:
            literal = _literal(content)
            if literal is not None:
                out.append(literal)
            else:
                out.append(" ".join(text(value) for value in walk([data], content)))
        index += 1
    return "".join(out), index
