"""Error messages of starlark-rust (starlark-pyo3) rewritten as go.starlark.net writes them.

The catalog image runs go.starlark.net, and its messages end up verbatim in the step's results:
syntax and name-resolution errors as ``<program>:<line>:<col>: <msg>``, runtime errors as the bare
message (``fail: ...``). The common shapes are mapped one by one; anything else keeps the
starlark-rust wording (still located, still one line).
"""

from __future__ import annotations

import re

_LOCATION = re.compile(r"^\s*-->\s*(?P<file>.*):(?P<line>\d+):(?P<col>\d+)")
_UNEXPECTED = re.compile(r"^Parse error: unexpected (?P<got>.+?) here, expected one of (?P<want>.*)$")
_EXPECTED_EXPR = ('"IDENTIFIER"', '"INTEGER"', '"STRING"')

_RUNTIME_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Key `(?P<k>.*)` was not found$"), "key {k} not in dict"),
    (re.compile(r"^Object of type `struct` has no attribute `(?P<a>\w+)`$"), "struct has no .{a} attribute"),
    (re.compile(r"^Object of type `(?P<t>\w+)` has no attribute `(?P<a>\w+)`(?:, did you mean `\w+`\?)?$"), "{t} has no .{a} field or method"),
    (re.compile(r"^Operation `(?P<op>[^`]+)` not supported for types `(?P<a>\w+)` and `(?P<b>\w+)`$"),
     "unknown binary op: {a} {op} {b}"),
    (re.compile(r"^Starlark call stack overflow$"), "Starlark call stack overflow"),
)
_PYTHON_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w.]*(?:Error|Exception)): (?P<msg>.*)$")


def go_message(rust_error: str, program: str, source: str, inserted_lines: tuple[int, ...] = ()) -> str:
    """The message go.starlark.net gives for the failure starlark-rust describes in ``rust_error``.

    ``inserted_lines`` are the (1-based) lines our rewriting added to ``source``; positions after
    them are shifted back so they point into the program the user wrote.
    """
    message, location = _split(rust_error)
    if location is not None and inserted_lines:
        line, col = location
        location = (line - sum(1 for inserted in inserted_lines if inserted < line), col)
    if message.startswith("Parse error:"):
        return f"{_position(location, program)}: {_parse_message(message, location, source)}"
    undefined = re.match(r"^Variable `(?P<name>\w+)` not found", message)
    if undefined is not None:
        return f"{_position(location, program)}: undefined: {undefined.group('name')}"
    missing = re.match(r"^Module has no symbol `(?P<name>\w+)`", message)
    if missing is not None:
        return f"load: name {missing.group('name')} not found in module {_loaded_module(location, source)}"
    python = _PYTHON_EXCEPTION.match(message)
    if python is not None:
        return python.group("msg")
    for pattern, template in _RUNTIME_REWRITES:
        matched = pattern.match(message)
        if matched is not None:
            return template.format(**matched.groupdict())
    return message


def _loaded_module(location: tuple[int, int] | None, source: str) -> str:
    lines = source.split("\n")
    if location is not None and 0 < location[0] <= len(lines):
        named = re.search(r"""load\(\s*["']([^"']+)["']""", lines[location[0] - 1])
        if named is not None:
            return named.group(1)
    return "?"


def _split(rust_error: str) -> tuple[str, tuple[int, int] | None]:
    lines = rust_error.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("error: "):
            message = line[len("error: "):]
            for follow in lines[i + 1: i + 3]:
                located = _LOCATION.match(follow)
                if located is not None:
                    return message, (int(located.group("line")), int(located.group("col")))
            return message, None
    return (lines[0] if lines else rust_error), None


def _position(location: tuple[int, int] | None, program: str) -> str:
    if location is None:
        return program
    return f"{program}:{location[0]}:{location[1]}"


def _parse_message(message: str, location: tuple[int, int] | None, source: str) -> str:
    unexpected = _UNEXPECTED.match(message)
    if unexpected is None:
        return message.removeprefix("Parse error: ")
    got = _go_token(unexpected.group("got"), location, source)
    want = unexpected.group("want")
    if all(token in want for token in _EXPECTED_EXPR):
        return f"got {got}, want primary expression"
    wanted = re.findall(r'"([^"]+)"', want)
    if len(wanted) == 1:
        return f"got {got}, want {_quote_token(wanted[0])}"
    return message.removeprefix("Parse error: ")


def _go_token(rust_token: str, location: tuple[int, int] | None, source: str) -> str:
    """go.starlark.net's %#v of the offending token."""
    if rust_token == "new line":
        return "newline"
    if rust_token in ("end of file", "EOF"):
        return "end of file"
    text = rust_token.strip("`'\"")
    if location is not None:
        lines = source.split("\n")
        line_no, col = location
        if 0 < line_no <= len(lines):
            rest = lines[line_no - 1][col - 1:]
            if not rest:
                return "newline"
            text = rest.split()[0] if rest.split() else text
    if text[:1].isdigit():
        return "float literal" if "." in text else "int literal"
    if text[:1] in "\"'":
        return "string literal"
    if text[:1].isalpha() or text[:1] == "_":
        keyword = re.match(r"[A-Za-z_]\w*", text)
        word = keyword.group(0) if keyword else text
        return word if word in _KEYWORDS else "identifier"
    return _quote_token(text[:1])


def _quote_token(token: str) -> str:
    if token.isalpha() and token not in _KEYWORDS:
        return token
    if token in _KEYWORDS:
        return token
    return f"'{token}'"


_KEYWORDS = frozenset(
    "and break continue def elif else for if in lambda load not or pass return while".split()
)
