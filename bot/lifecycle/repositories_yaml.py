"""Edits of ``repositories.yaml`` that keep what a person wrote: comments, key order, blank lines, quoting.

`repo register` appends one entry and `repo unregister` removes one; every other line of the file stays
byte for byte. ruamel.yaml's round-trip loader says where each entry starts (PyYAML, which the registry
reads with, keeps no positions and a rewrite through it drops every comment); the edit itself is made on
the lines, because a round-trip dump re-indents nested blocks to one global style. When the list is not a
block sequence to edit in place (no file yet, ``repositories:`` empty, a flow ``[...]``), the document is
edited as a tree and dumped round-trip, which still keeps the comments around it.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from bot.errors import InvalidInput, NotFound

KEY = "repositories"


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode
    yaml.allow_duplicate_keys = True  # PyYAML (the reader) accepts them; refusing here would be a surprise
    yaml.width = 4096  # never fold a long URL onto a second line
    return yaml


def _parse(path: Path, text: str) -> CommentedMap:
    try:
        document = _yaml().load(text)
    except YAMLError as err:
        raise InvalidInput(f"{path}: not valid YAML: {err}") from None
    if document is None:
        document = CommentedMap()
    if not isinstance(document, CommentedMap):
        raise InvalidInput(f"{path}: expected a mapping with a {KEY!r} list")
    return document


def _block_entries(document: CommentedMap) -> CommentedSeq | None:
    """The non-empty block sequence of entries, or None when there is nothing to edit line by line."""
    entries = document.get(KEY)
    if not isinstance(entries, CommentedSeq) or not entries or entries.fa.flow_style():
        return None
    return entries


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _dash_column(lines: list[str], entries: CommentedSeq, index: int) -> int | None:
    """Column of the ``-`` that opens entry ``index`` (None when the dash is not on the entry's line)."""
    line, column = entries.lc.item(index)
    before = lines[line][:column].rstrip()
    return len(before) - 1 if before.endswith("-") else None


def _last_line(lines: list[str], start: int, dash: int) -> int:
    """The last line of the entry starting at ``start``: lines indented past its dash (blank lines skipped)."""
    last = start
    for number in range(start + 1, len(lines)):
        if not lines[number].strip():
            continue
        if _indent(lines[number]) <= dash:
            break
        last = number
    return last


def _lead_start(lines: list[str], start: int, dash: int) -> int:
    """First of the comment lines right above an entry, at most as indented as its dash: they describe it."""
    while start > 0 and lines[start - 1].lstrip().startswith("#") and _indent(lines[start - 1]) <= dash:
        start -= 1
    return start


def _render_entry(entry: dict[str, Any], dash: int) -> list[str]:
    out = io.StringIO()
    _yaml().dump([entry], out)
    return [" " * dash + line for line in out.getvalue().splitlines(keepends=True)]


def _names(document: CommentedMap) -> list[str]:
    return [str(entry.get("name")) if isinstance(entry, dict) else "" for entry in document.get(KEY) or []]


def _lists(path: Path, text: str, wanted: list[str]) -> bool:
    try:
        return _names(_parse(path, text)) == wanted
    except InvalidInput:
        return False


def _dump(document: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def _appended(document: CommentedMap, text: str, entry: dict[str, Any], *, tree: bool) -> str:
    entries = None if tree else _block_entries(document)
    lines = text.splitlines(keepends=True)
    dash = None if entries is None else _dash_column(lines, entries, len(entries) - 1)
    if entries is None or dash is None:
        if not isinstance(document.get(KEY), CommentedSeq):
            document[KEY] = CommentedSeq()
        document[KEY].append(entry)
        document[KEY].fa.set_block_style()
        return _dump(document)
    end = _last_line(lines, entries.lc.item(len(entries) - 1)[0], dash)
    if not lines[end].endswith("\n"):
        lines[end] += "\n"
    return "".join(lines[: end + 1] + _render_entry(entry, dash) + lines[end + 1 :])


def _removed(document: CommentedMap, text: str, name: str, *, tree: bool) -> str:
    entries = document.get(KEY) or []
    index = next((i for i, entry in enumerate(entries) if str(entry.get("name")) == name), None)
    if index is None:
        raise NotFound(f"repository {name!r} is not registered")
    block = None if tree else _block_entries(document)
    lines = text.splitlines(keepends=True)
    dash = None if block is None else _dash_column(lines, block, index)
    if block is None or dash is None:
        del entries[index]
        return _dump(document)
    first = _lead_start(lines, block.lc.item(index)[0], dash)
    if index + 1 < len(block):
        # Blank lines after an entry go with it; the comments above the next one stay with that one.
        following = _dash_column(lines, block, index + 1)
        stop = _lead_start(lines, block.lc.item(index + 1)[0], dash if following is None else following)
    else:
        stop = _last_line(lines, block.lc.item(index)[0], dash) + 1
    return "".join(lines[:first] + lines[stop:])


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written atomically: a concurrent reader sees the old file or the new one, never half of one.
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".repositories.")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.replace(temp_name, path)


def _edit(path: Path, change: Callable[..., str], expected: Callable[[list[str]], list[str]]) -> None:
    text = path.read_text() if path.exists() else ""
    wanted = expected(_names(_parse(path, text)))
    edited = change(_parse(path, text), text, tree=False)
    if not _lists(path, edited, wanted):
        # The line edit met a layout it does not understand: edit the tree instead (comments still kept).
        edited = change(_parse(path, text), text, tree=True)
    _write(path, edited)


def append(path: Path, entry: dict[str, Any]) -> None:
    """Add ``entry`` after the last repository, leaving every other line as it was."""
    _edit(path, lambda document, text, tree: _appended(document, text, entry, tree=tree),
          lambda names: [*names, str(entry["name"])])


def remove(path: Path, name: str) -> None:
    """Remove the repository ``name`` with the comment lines right above it."""
    _edit(path, lambda document, text, tree: _removed(document, text, name, tree=tree),
          lambda names: [known for known in names if known != name])
