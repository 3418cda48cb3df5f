"""Skipping the YAML parser for resources nobody changed, without changing a byte of the result.

Parsing is most of an update's cost, and in a typical upgrade most resources are untouched on both
sides: upstream's old and new text are equal, and the downstream text is upstream's plus the merge
comment and identifier annotation kpt added at clone time. For such a resource kpt's merge gives the
downstream resource back, and writing it back gives the same text, provided the text is one kyaml
writes unchanged and the merge has none of its side effects on it. ``stable`` checks this with a
strict line grammar, a subset of what kyaml writes:

* block mappings indented by two, compact block sequences of mappings, one ``key: value`` per line;
* plain scalars made of ``[A-Za-z0-9._/:@+=-]`` (no spaces, so never folded; no quotes, comments,
  flow collections, anchors, tags, empty values or nulls, which the merge would rewrite or drop);
* no string that YAML 1.1 reads as a bool or number (kyaml double-quotes those when it sets them);
* every list the Kubernetes schema merges by key has every key on every element, no key twice;
* exactly kpt's ``# kpt-merge:`` comment on ``metadata:`` and the identifier annotation it implies.

Anything else takes the ordinary path (parse, merge, write). tests/upgrade/test_fastlane.py runs the
conformance cases with and without this lane and requires identical trees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import NamedTuple

from bot.render.yaml.convert import resolve_scalar_tag
from bot.upgrade import schema as schemas
from bot.upgrade.identity import MERGE_PREFIX, UPSTREAM_IDENTIFIER, Identity, group_of
from bot.upgrade.values import yaml11_non_string

# On unless a caller runs the merge inside ``ordinary_path()`` (the tests that compare both paths); a context
# variable, so one thread's comparison never changes another's merge.
_LANE: ContextVar[bool] = ContextVar("fastlane", default=True)


def enabled() -> bool:
    return _LANE.get()


@contextmanager
def ordinary_path() -> Iterator[None]:
    """Every document through the YAML parser, none through this lane or fastparse, while inside."""
    token = _LANE.set(False)
    try:
        yield
    finally:
        _LANE.reset(token)

# a key never starts like a document marker ("---x:"); a value never ends in ':' (a mapping indicator)
_LINE = re.compile(r"^( *)(- )?([A-Za-z0-9_][A-Za-z0-9_./-]*):(?: ([A-Za-z0-9._/:@+=-]*[A-Za-z0-9._/@+=-]))?$")
_VALUE_FIRST = re.compile(r"^[A-Za-z0-9]")
_META = re.compile(r"^metadata:(?: # kpt-merge: ([^\s/]*)/(\S*))?$")
_IDENT_LINE = re.compile(r"^    " + re.escape(UPSTREAM_IDENTIFIER) + r": '([^'\s]*)'$")
_SAFE = r"([A-Za-z0-9][A-Za-z0-9._/:@+=-]*)"
_TOP = re.compile(r"^(apiVersion|kind): " + _SAFE + "$", re.M)
_META_FIELD = re.compile(r"^  (name|namespace): " + _SAFE + "$")

Tree = dict[str, object]  # values: str | Tree | list[Tree]


_TOP_ANY = re.compile(r"^(?:apiVersion|kind):", re.M)
_META_START = re.compile(r"^metadata:", re.M)


def quick_identity(text: str, path: str) -> Identity | None:
    """The identity of a document read from its text, None when the text is not plain enough to."""
    if text.count("#") != text.count("metadata: # kpt-merge: "):
        return None  # a comment line could hide where a block ends; let the parser read it
    top = {m.group(1): m.group(2) for m in _TOP.finditer(text)}
    if len(_TOP_ANY.findall(text)) != len(top):
        return None
    comment: tuple[str, str] | None = None
    meta: dict[str, str] = {}
    start = _META_START.search(text)
    if start is not None:
        if len(_META_START.findall(text)) != 1:
            return None
        lines = text[start.start():].split("\n")
        match = _META.match(lines[0])
        if match is None:
            return None
        comment = (match.group(1), match.group(2)) if match.group(1) is not None else None
        for line in lines[1:]:
            if line and not line.startswith(" "):
                break
            if line.startswith(("  name:", "  namespace:")):
                field_match = _META_FIELD.match(line)
                if field_match is None:
                    return None
                meta[field_match.group(1)] = field_match.group(2)
    namespace, name = comment or (meta.get("namespace", ""), meta.get("name", ""))
    return Identity(group_of(top.get("apiVersion", "")), top.get("kind", ""), namespace, name, path)


def strip_additions(text: str) -> str:
    """The document without the merge comment and identifier annotation ``kpt pkg get`` added."""
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("metadata: # kpt-merge: "):
            out.append("metadata:")
        elif _IDENT_LINE.match(line):
            if out and out[-1] == "  annotations:" and not (i + 1 < len(lines) and lines[i + 1].startswith("    ")):
                out.pop()
        else:
            out.append(line)
    return "\n".join(out)


def _parse(text: str) -> Tree | None:
    """The restricted grammar as a tree, None when a line is outside it."""
    if not text.endswith("\n") or text.endswith("\n\n"):
        return None
    root: Tree = {}
    # stack of (indent of the keys, mapping); a list item's keys sit two columns right of its dash
    stack: list[tuple[int, Tree]] = [(0, root)]
    pending: tuple[int, Tree, str] | None = None  # a "key:" waiting for its block
    for line in text[:-1].split("\n"):
        parts = line_parts(line)
        if parts is None:
            return None
        indent, dash, key, value, quoted = parts
        if pending is not None:
            p_indent, p_map, p_key = pending
            pending = None
            if dash and indent == p_indent:
                items: list[Tree] = []
                p_map[p_key] = items
                stack.append((p_indent, {"": items}))  # marker frame for the sequence
            elif not dash and indent == p_indent + 2:
                child: Tree = {}
                p_map[p_key] = child
                stack.append((indent, child))
            else:
                return None
        if dash:
            while stack and not ("" in stack[-1][1] and stack[-1][0] == indent):
                if stack[-1][0] < indent:
                    return None
                stack.pop()
            if not stack:
                return None
            item: Tree = {}
            seq = stack[-1][1][""]
            assert isinstance(seq, list)
            seq.append(item)
            indent += 2
            stack.append((indent, item))
        else:
            while stack and (stack[-1][0] > indent or "" in stack[-1][1]):
                stack.pop()
            if not stack or stack[-1][0] != indent:
                return None
        mapping = stack[-1][1]
        if key in mapping:
            return None
        if value is None:
            pending = (indent, mapping, key)
            mapping[key] = None
        elif quoted is not None:
            mapping[key] = "'" + quoted + "'"
        else:
            mapping[key] = value
    return None if pending is not None else root


class _Parts(NamedTuple):
    indent: int
    dash: str | None
    key: str
    value: str | None
    quoted: str | None  # the identifier annotation's value, written single-quoted


# Lines repeat across the resources of a package: each distinct line is matched once.
_LINES: dict[str, _Parts | None] = {}
_CACHE_LIMIT = 200_000
_UNSEEN = _Parts(-1, None, "", None, None)


def line_parts(line: str) -> _Parts | None:
    """The parts of a line of the grammar, None for any other line (each distinct line read once)."""
    parts = _LINES.get(line, _UNSEEN)
    if parts is _UNSEEN:
        if len(_LINES) >= _CACHE_LIMIT:
            _LINES.clear()  # a long-running worker merges many packages: bound the memory
        parts = _LINES[line] = _line(line)
    return parts


def _line(line: str) -> _Parts | None:
    """The parts of a line of the grammar, None for any other line."""
    if not line.isprintable():
        return None  # control characters in a comment or the identifier: the parser's call
    match = _LINE.match(line)
    quoted = None
    if match is None:
        if line.startswith("metadata: # kpt-merge: "):
            match = _LINE.match("metadata:")
        elif (ident := _IDENT_LINE.match(line)) is not None:
            match, quoted = _LINE.match(f"    {UPSTREAM_IDENTIFIER}: x"), ident.group(1)
        if match is None:
            return None
    value = match.group(4)
    if quoted is None and value is not None:
        tag = resolve_scalar_tag(value)
        if not _VALUE_FIRST.match(value) or tag == "!!null" or (tag == "!!str" and yaml11_non_string(value)):
            return None
    return _Parts(len(match.group(1)), match.group(2), match.group(3), value, quoted)


def _lists_ok(node: object, schema: schemas.Schema | None) -> bool:
    if isinstance(node, dict):
        if schema is None and isinstance(node.get("kind"), str) and isinstance(node.get("apiVersion"), str):
            schema = schemas.for_resource(node["apiVersion"], node["kind"])
        for key, value in node.items():
            if isinstance(value, str):
                continue
            if not _lists_ok(value, schemas.field(schema, key) if schema is not None else None):
                return False
        return True
    if isinstance(node, list):
        if schema is not None and schemas.is_associative(schema):
            _, keys = schemas.strategy_and_keys(schema)
            if not keys:
                return False
            keys = [k for k in keys if any(isinstance(e, dict) and k in e for e in node)]  # kyaml's validateKeys
            if not keys:
                return False
            seen: set[tuple[object, ...]] = set()
            for element in node:
                values = tuple(element.get(k) for k in keys)
                if any(not isinstance(v, str) for v in values) or values in seen:
                    return False
                seen.add(values)
        element_schema = schemas.elements(schema) if schema is not None else None
        return all(_lists_ok(element, element_schema) for element in node)
    return True


_STABLE: dict[str, bool] = {}


def stable(text: str) -> bool:
    """True when merging the document with two identical upstream copies and writing it changes nothing."""
    known = _STABLE.get(text)
    if known is None:
        if len(_STABLE) >= _CACHE_LIMIT // 10:  # whole documents: a tenth as many as lines
            _STABLE.clear()
        known = _STABLE[text] = _stable(text)
    return known


def _stable(text: str) -> bool:
    tree = _parse(text)
    if tree is None:
        return False
    metadata = tree.get("metadata")
    first = text.split("\n", 1)[0]
    if isinstance(metadata, dict) and (metadata.get("name") or metadata.get("namespace") or metadata.get("labels")):
        match = _META.match(next(line for line in text.split("\n") if line.startswith("metadata:")))
        annotations = metadata.get("annotations")
        if match is None or match.group(1) is None or not isinstance(annotations, dict):
            return False
        namespace = match.group(1) or "default"
        if metadata.get("namespace") == "~X" and match.group(1):
            namespace = "~C"
        expected = f"{group_of(str(tree.get('apiVersion') or ''))}|{tree.get('kind') or ''}|{namespace}|{match.group(2)}"
        if annotations.get(UPSTREAM_IDENTIFIER) != f"'{expected}'":
            return False
    elif MERGE_PREFIX in text or not first:
        return False
    return _lists_ok(tree, None)
