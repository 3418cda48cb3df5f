"""Recognising resource files that a render without functions would write back unchanged.

A render whose packages run no function only reads every resource and writes it back in kyaml's
format. A file already in that format comes back byte for byte, so for such a render the file need not
be parsed nor written: ``in_written_form`` checks this on the text, with a strict line grammar that is a
subset of what the writer produces:

* documents separated by ``---`` lines, each a block mapping at column 0, ending in one newline;
* block mappings indented by two, block sequences of mappings or scalars, all compact (``- `` at the
  key's column) or all wide (two columns right: kyaml keeps a document's sequence indent), one
  ``key: value`` per line, no blank lines;
* plain keys of ``[A-Za-z0-9_./-]`` that resolve to strings; plain values of ``[A-Za-z0-9._/:@+=|-]``
  starting with a letter, digit or ``/`` after at most two dashes (no spaces: never folded) that
  resolve to no null; single- or double-quoted values of the same characters (no escapes); no flow
  collections, anchors, tags, block scalars or empty values;
* comments only as a line comment on a top-level key whose value is a block mapping (kpt's
  ``metadata: # kpt-merge: ns/name``);
* apiVersion, kind and metadata.name set (the KRM check a render without functions makes), an
  ``annotations`` that is a mapping, and none of the reader or call annotations the render adds and
  removes itself.

Anything else is read and written as usual. tests/render/test_written_form.py renders packages with and
without this lane (``RenderOptions.skip_written_files``) and requires identical trees and messages.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from bot.render import kpt_keys as keys
from bot.render.yaml.convert import resolve_scalar_tag

_CHARS = r"A-Za-z0-9._/:@+=\-"
_KEY = r"[A-Za-z_][A-Za-z0-9_./\-]{0,255}"
_VALUE = rf"(?:--?)?[A-Za-z0-9/][{_CHARS}|]*|'[{_CHARS}|]*'|\"[{_CHARS}|]*\""
_KEY_LINE = re.compile(rf"( *)(- )?({_KEY}):(?: ({_VALUE}))?")
_SCALAR_ITEM = re.compile(rf"( *)- ({_VALUE})")
_COMMENTED_KEY = re.compile(rf"({_KEY}): # [{_CHARS}|]+(?: [{_CHARS}|]+)*")
_RESERVED = frozenset(keys.READER_ANNOTATIONS + keys.CALL_ANNOTATIONS)
_REQUIRED = (("apiVersion",), ("kind",), ("metadata", "name"))
_ANNOTATIONS = ("metadata", "annotations")


Lines = dict[str, "_Line | None"]


class _Line(NamedTuple):
    indent: int
    dash: bool
    key: str  # "" for a scalar list item
    value: str | None  # None: the key's value is the block on the next lines
    commented: bool


def in_written_form(text: str, lines: Lines | None = None) -> bool:
    """True when a render that runs no function writes this file's text back unchanged.

    ``lines`` caches the reading of each distinct line across the files of one render (they repeat)."""
    pieces = text.split("\n---\n")
    cache: Lines = {} if lines is None else lines
    return all(_document(piece if i == len(pieces) - 1 else piece + "\n", cache) for i, piece in enumerate(pieces))


def _line(line: str) -> _Line | None:
    match = _KEY_LINE.fullmatch(line)
    if match is not None:
        parsed = _Line(len(match.group(1)), match.group(2) is not None, match.group(3), match.group(4), False)
    elif (item := _SCALAR_ITEM.fullmatch(line)) is not None:
        parsed = _Line(len(item.group(1)), True, "", item.group(2), False)
    elif (comment := _COMMENTED_KEY.fullmatch(line)) is not None:
        parsed = _Line(0, False, comment.group(1), None, True)
    else:
        return None
    if parsed.key and (parsed.key in _RESERVED or resolve_scalar_tag(parsed.key) != "!!str"):
        return None
    value = parsed.value
    if value is not None and value[0] not in "'\"" and (value.endswith(":") or resolve_scalar_tag(value) == "!!null"):
        return None
    return parsed


def _document(text: str, cache: Lines) -> bool:
    """One document against the grammar; kept flat and iterative (it runs on every line of a package)."""
    if not text.endswith("\n") or text.endswith("\n\n") or "\r" in text:
        return False
    # frames: (indent, is_sequence, key path, keys seen); a list item's keys sit two columns right of its dash
    frames: list[tuple[int, bool, tuple[str, ...], set[str]]] = [(0, False, (), set())]
    pending: tuple[int, tuple[str, ...], bool] | None = None  # a "key:" waiting for its block
    found: dict[tuple[str, ...], str] = {}
    offset: int | None = None  # the document's sequence indent: 0 compact, 2 wide (one for all its lists)
    for line in text[:-1].split("\n"):
        parsed = cache.get(line, _UNSEEN)
        if parsed is _UNSEEN:
            parsed = cache[line] = _line(line)
        if parsed is None:
            return False
        indent, dash, key, value, commented = parsed
        if pending is not None:
            p_indent, p_path, p_commented = pending
            pending = None
            if dash and indent - p_indent in (0, 2) and not p_commented and p_path != _ANNOTATIONS:
                if offset is None:
                    offset = indent - p_indent
                elif indent - p_indent != offset:
                    return False
                frames.append((indent, True, (*p_path, "-"), set()))
            elif not dash and indent == p_indent + 2:
                frames.append((indent, False, p_path, set()))
            else:
                return False
        if dash:
            while frames and not (frames[-1][1] and frames[-1][0] == indent):
                if frames[-1][0] < indent:
                    return False
                frames.pop()
            if not frames:
                return False
            if not key:
                continue  # a scalar list item
            indent += 2
            frames.append((indent, False, frames[-1][2], set()))
        else:
            while frames and (frames[-1][0] > indent or (frames[-1][1] and frames[-1][0] >= indent)):
                frames.pop()
            if not frames or frames[-1][0] != indent or frames[-1][1] or (commented and len(frames) != 1):
                return False
        seen = frames[-1][3]
        if key in seen:
            return False
        seen.add(key)
        path = (*frames[-1][2], key)
        if value is None:
            pending = (indent, path, commented)
        elif path == _ANNOTATIONS:
            return False
        elif len(path) <= 2:
            found[path] = value.strip("'\"")
    return pending is None and all(found.get(path) for path in _REQUIRED)


_UNSEEN = _Line(-1, False, "", None, False)
