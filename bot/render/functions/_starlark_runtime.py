"""Running one starlark program in a sandbox, shaped like the catalog image's go.starlark.net run.

The interpreter is starlark-rust (starlark-pyo3). It has no filesystem, network or environment
access of its own; ``load()`` only reaches ``_starlark_libs`` (the catalog's allowed libraries),
``ctx.environment`` is empty rather than the bot's environment, and the library functions that
would touch the network or files fail with a clear message. A deadline stops runaway programs.

Values cross the boundary as JSON text decoded inside starlark, so ints stay ints (the pyo3
bridge alone would turn negative ints into floats). The few dialect gaps are bridged here:
``print`` goes to the captured stderr, ``set()`` is a dict of members (membership, len,
iteration, ``|`` and the set methods work; printed as go.starlark.net prints a set), and
``while`` loops run as bounded ``for`` loops.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import starlark as sl

from bot.render.functions._starlark_dialect import LEGACY_PRELUDE, rewrite_legacy
from bot.render.functions._starlark_errors import go_message
from bot.render.functions._starlark_libs import loader
from bot.render.functions._starlark_openapi import open_api_document

DEFAULT_DEADLINE_SECONDS = 60.0


class StarlarkFailure(Exception):
    """The program failed; ``message`` is what go.starlark.net would report."""

    def __init__(self, message: str, stderr_lines: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.stderr_lines = stderr_lines or []


@dataclass
class Outcome:
    resource_list: dict[str, Any]
    stderr_lines: list[str] = field(default_factory=list)


_PRELUDE = '''
__porchbot_set_member = struct(__porchbot_set_member = True)

def __porchbot_is_set(v):
    if type(v) != "dict" or len(v) == 0:
        return False
    for x in v.values():
        if x != __porchbot_set_member:
            return False
    return True

def __porchbot_repr(v):
    if __porchbot_is_set(v):
        return "set([" + ", ".join([__porchbot_repr(x) for x in v.keys()]) + "])"
    if type(v) == "list":
        return "[" + ", ".join([__porchbot_repr(x) for x in v]) + "]"
    if type(v) == "dict":
        return "{" + ", ".join([__porchbot_repr(k) + ": " + __porchbot_repr(v[k]) for k in v.keys()]) + "}"
    return repr(v)

def __porchbot_str(v):
    if type(v) == "string":
        return v
    return __porchbot_repr(v)

def print(*args, sep = " "):
    __porchbot_emit(sep.join([__porchbot_str(a) for a in args]))

def set(iterable = []):
    return {x: __porchbot_set_member for x in iterable}

def __porchbot_set_add(s, x):
    if type(s) != "dict":
        return s.add(x)
    s[x] = __porchbot_set_member

def __porchbot_set_discard(s, x):
    if type(s) != "dict":
        return s.discard(x)
    s.pop(x, None)

def __porchbot_set_remove(s, x):
    if type(s) != "dict":
        return s.remove(x)
    if x not in s:
        __porchbot_error("remove: missing key")
    s.pop(x)

def __porchbot_set_union(s, *others):
    out = dict(s)
    for other in others:
        for x in other:
            out[x] = __porchbot_set_member
    return out

def __porchbot_set_intersection(s, *others):
    return {x: __porchbot_set_member for x in s if all([x in o for o in others])}

def __porchbot_set_difference(s, *others):
    return {x: __porchbot_set_member for x in s if not any([x in o for o in others])}

def __porchbot_set_symmetric_difference(s, other):
    out = {x: __porchbot_set_member for x in s if x not in other}
    for x in other:
        if x not in s:
            out[x] = __porchbot_set_member
    return out

def __porchbot_set_issubset(s, other):
    return all([x in other for x in s])

def __porchbot_set_issuperset(s, other):
    return all([x in s for x in other])

def __porchbot_forever():
    return range(2147483647)

__porchbot_rl = json.decode(__porchbot_input)
__porchbot_encode = json.encode
ctx = struct(
    resource_list = __porchbot_rl,
    environment = {},
    open_api = json.decode(__porchbot_open_api),
)
'''

_WHILE = re.compile(r"^(?P<indent>[ \t]*)while\b(?P<cond>.*):[ \t]*(?P<comment>#.*)?$")


def _raise(message: str) -> None:
    """An error whose message reaches the result bare, like a go.starlark.net builtin's."""
    raise RuntimeError(message)


def rewrite_while(source: str) -> tuple[str, tuple[int, ...]]:
    """``while c:`` becomes a for loop that breaks when ``c`` is false; returns the added lines."""
    if "while" not in source:
        return source, ()
    out: list[str] = []
    inserted: list[int] = []
    lines = source.split("\n")
    for i, line in enumerate(lines):
        matched = _WHILE.match(line)
        if matched is None:
            out.append(line)
            continue
        indent = matched.group("indent")
        body_indent = _next_indent(lines, i + 1) or indent + "  "
        out.append(f"{indent}for __porchbot_w in __porchbot_forever():")
        out.append(f"{body_indent}if not ({matched.group('cond').strip()}): break")
        inserted.append(len(out))
    return "\n".join(out), tuple(inserted)


_SET_METHOD = re.compile(
    r"(?P<receiver>\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[[^\[\]\n]*\])*)"
    r"\.(?P<method>add|discard|remove|union|intersection|difference|symmetric_difference|issubset|issuperset)\("
)


def rewrite_set_methods(source: str) -> str:
    """``s.add(x)`` becomes ``__porchbot_set_add(s, x)``: our sets are dicts, which lack these methods.

    The helpers fall back to the real method for other receivers (``list.remove``), and lines keep
    their numbers.
    """
    methods = ("add", "discard", "remove", "union", "intersection", "difference", "symmetric_difference",
               "issubset", "issuperset")
    if not any(f".{m}(" in source for m in methods):
        return source
    return _SET_METHOD.sub(lambda m: f"__porchbot_set_{m.group('method')}({m.group('receiver')}, ", source)


def _next_indent(lines: list[str], start: int) -> str:
    for line in lines[start:]:
        if line.strip() and not line.strip().startswith("#"):
            return line[: len(line) - len(line.lstrip())]
    return ""


def run_program(name: str, source: str, resource_list: dict[str, Any], *, match_gvk_exact: bool,
                legacy_dialect: bool = False, deadline_seconds: float = DEFAULT_DEADLINE_SECONDS) -> Outcome:
    """Run ``source``; ``legacy_dialect`` is the go.starlark.net of 2021 (starlark v0.4.x images)."""
    outcome = Outcome(resource_list={})
    dialect = sl.Dialect.extended()
    globals_ = sl.Globals.extended_by([sl.LibraryExtension.StructType, sl.LibraryExtension.Json])
    module = sl.Module()
    module["__porchbot_input"] = json.dumps(resource_list, allow_nan=False)
    module["__porchbot_open_api"] = json.dumps(open_api_document() if "open_api" in source else {})
    module.add_callable("__porchbot_emit", outcome.stderr_lines.append)
    module.add_callable("__porchbot_error", _raise)
    sl.eval(module, sl.parse("<porchbot>", _PRELUDE, dialect), globals_)
    program_text = source
    if legacy_dialect:
        sl.eval(module, sl.parse("<porchbot>", LEGACY_PRELUDE, dialect), globals_)
        program_text = rewrite_legacy(source)  # keeps lines; messages still quote ``source``

    rewritten, inserted = rewrite_while(rewrite_set_methods(program_text))
    try:
        program = sl.parse(name, rewritten, dialect)
    except sl.StarlarkError as err:
        raise StarlarkFailure(go_message(str(err), name, source, inserted)) from None
    started = time.monotonic()
    options = sl.EvalOptions(check_cancelled=lambda: time.monotonic() - started > deadline_seconds)
    file_loader = sl.FileLoader(loader(match_gvk_exact, dialect, globals_))
    try:
        sl.eval_with(options, module, program, globals_, file_loader)
    except sl.StarlarkError as err:
        if time.monotonic() - started > deadline_seconds:
            raise StarlarkFailure(f"{name}: program ran longer than {deadline_seconds:g}s",
                                  outcome.stderr_lines) from None
        raise StarlarkFailure(go_message(str(err), name, source, inserted), outcome.stderr_lines) from None
    encoded = sl.eval(module, sl.parse("<porchbot>", "__porchbot_encode(__porchbot_rl)", dialect), globals_)
    outcome.resource_list = json.loads(str(encoded))
    return outcome
