"""The go.starlark.net of 2021 that starlark v0.4.x images run: no dict union, no str.remove{pre,suf}fix.

go.starlark.net added ``dict | dict`` / ``dict |= dict`` and ``str.removeprefix`` /
``str.removesuffix`` in 2022; starlark v0.5.0 (2023) has them, v0.4.3 (2022-05) does not and fails
with ``unknown binary op: dict | dict`` / ``string has no .removeprefix field or method``.
starlark-rust has all four, so for the old dialect the program is rewritten: each ``|`` becomes
``__porchbot_bitor(a, b)`` and each ``.removeprefix`` / ``.removesuffix`` becomes
``__porchbot_attr(x, "removeprefix")``; the helpers fail as the old interpreter does and otherwise
do what the operator or attribute does (sets, which are emulated as dicts, keep their ``|``).

The rewrite works on Python's syntax tree of the program (starlark is, for this purpose, a subset
of Python's grammar) and keeps every line where it was, so error positions stay right. A program
Python cannot parse is left as it is.
"""

from __future__ import annotations

import ast

LEGACY_PRELUDE = '''
def __porchbot_kind(v):
    if __porchbot_is_set(v):
        return "set"
    return type(v)

def __porchbot_bitor(a, b):
    if type(a) == "dict" and type(b) == "dict":
        # Our sets are dicts, and an empty set reads as an empty dict: only set | set may pass.
        sa, sb = __porchbot_is_set(a), __porchbot_is_set(b)
        if not ((sa or len(a) == 0) and (sb or len(b) == 0)):
            __porchbot_error("unknown binary op: " + __porchbot_kind(a) + " | " + __porchbot_kind(b))
    return a | b

def __porchbot_attr(x, name):
    if type(x) == "string":
        __porchbot_error("string has no ." + name + " field or method")
    return getattr(x, name)
'''

_MISSING_METHODS = frozenset({"removeprefix", "removesuffix"})


def rewrite_legacy(source: str) -> str:
    """``source`` with ``|`` and the 2022 string methods routed through the old-dialect helpers."""
    if "|" not in source and not any(m in source for m in _MISSING_METHODS):
        return source
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    data = source.encode()
    starts = _line_starts(data)
    targets = [node for node in ast.walk(tree) if _is_target(node)]
    if not targets:
        return source
    return _Renderer(data, starts, targets).span(0, len(data)).decode()


def _is_target(node: ast.AST) -> bool:
    if isinstance(node, ast.BinOp | ast.AugAssign):
        return isinstance(node.op, ast.BitOr)
    return isinstance(node, ast.Attribute) and node.attr in _MISSING_METHODS


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    for index, byte in enumerate(data):
        if byte == 0x0A:
            starts.append(index + 1)
    return starts


class _Renderer:
    def __init__(self, data: bytes, line_starts: list[int], targets: list[ast.AST]) -> None:
        self.data = data
        self.line_starts = line_starts
        # Outer before inner: by start, then the longer span first.
        self.targets = sorted(((self.bounds(t), t) for t in targets), key=lambda e: (e[0][0], -e[0][1]))

    def bounds(self, node: ast.AST) -> tuple[int, int]:
        # ast offsets are UTF-8 byte columns within a line; every node we meet is an expr or stmt.
        assert isinstance(node, ast.expr | ast.stmt)
        start = self.line_starts[node.lineno - 1] + node.col_offset
        end_line = node.end_lineno if node.end_lineno is not None else node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return start, self.line_starts[end_line - 1] + end_col

    def node_span(self, node: ast.AST) -> bytes:
        return self.span(*self.bounds(node))

    def span(self, start: int, end: int) -> bytes:
        """Source bytes in [start, end) with the outermost targets inside rendered (each renders
        its own operands, so the inner ones are skipped here)."""
        out: list[bytes] = []
        cursor = start
        for (t_start, t_end), node in self.targets:
            if t_start >= cursor and t_end <= end:
                out.append(self.data[cursor:t_start])
                out.append(self.render(node))
                cursor = t_end
        out.append(self.data[cursor:end])
        return b"".join(out)

    def between(self, start: int, end: int, operator: bytes) -> bytes:
        """The text between two operands with the operator made a comma; brackets become spaces
        and newlines stay, so lines keep their numbers."""
        text = self.data[start:end].replace(operator, b",", 1)
        return text.replace(b"(", b" ").replace(b")", b" ")

    def render(self, node: ast.AST) -> bytes:
        if isinstance(node, ast.BinOp):
            left, right = self.bounds(node.left), self.bounds(node.right)
            return (b"__porchbot_bitor(" + self.node_span(node.left) + self.between(left[1], right[0], b"|")
                    + self.node_span(node.right) + b")")
        if isinstance(node, ast.AugAssign):
            target, value = self.node_span(node.target), self.node_span(node.value)
            return target + b" = __porchbot_bitor(" + target + b", " + value + b")"
        assert isinstance(node, ast.Attribute)
        return b"__porchbot_attr(" + self.node_span(node.value) + b', "' + node.attr.encode() + b'")'
