"""The refs of a bare repository read from its files, without a git process.

Git keeps refs in ``packed-refs`` (``<object> <ref>`` lines, sorted, ``^<peeled>`` lines after annotated tags)
and in loose files under ``refs/``, a loose ref overriding a packed one of the same name (see
gitrepository-layout). Our caches are bare repositories of the files backend that we create; reading them
directly costs milliseconds where ``git for-each-ref`` over 100,000 refs costs a tenth of a second, and a
listing after a push needs to know what moved, not to sort every ref again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RefFiles:
    key: str  # what identifies the refs: packed-refs' identity and every loose ref with its value
    packed_path: Path
    loose: dict[str, str]  # loose ref -> its file's content (an object id, or "ref: ..." for a symbolic ref)

    def packed_text(self) -> str:
        try:
            return self.packed_path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            return ""

    def value(self, name: str, packed: str) -> str | None:
        """The object ``name`` points at (loose first, then packed); None when there is no such ref."""
        return _value(name, packed, self.loose)


def ref_lines(packed: str, loose: dict[str, str]) -> set[str]:
    """Every ref as ``<object> <ref>`` (for-each-ref's ``%(objectname) %(refname)``), in a set. Header and
    peeled lines are in it too: callers look for refs by their names, and those lines name none."""
    lines = set(packed.split("\n"))
    for name, value in loose.items():
        stale = packed_line(packed, name)
        if stale is not None:
            lines.discard(stale)
        if not value.startswith("ref:"):
            lines.add(f"{value} {name}")
    return lines


def changed_lines(old_packed: str, old_loose: dict[str, str], packed: str,
                  loose: dict[str, str]) -> tuple[set[str], set[str]]:
    """The ``<object> <ref>`` lines that appeared and those that went between two states of the ref files.
    When packed-refs is the same text, only the loose refs can differ: no set of 100,000 lines is built."""
    if old_packed != packed:
        old, new = ref_lines(old_packed, old_loose), ref_lines(packed, loose)
        return new - old, old - new
    added, removed = set(), set()
    for name in old_loose.keys() | loose.keys():
        before, after = _value(name, old_packed, old_loose), _value(name, packed, loose)
        if before != after:
            if before is not None:
                removed.add(f"{before} {name}")
            if after is not None:
                added.add(f"{after} {name}")
    return added, removed


def _value(name: str, packed: str, loose: dict[str, str]) -> str | None:
    if name in loose:
        value = loose[name]
        return None if value.startswith("ref:") else value
    line = packed_line(packed, name)
    return line.split(" ", 1)[0] if line is not None else None


def packed_line(text: str, name: str) -> str | None:
    """The line of packed-refs ``text`` about ``name`` (a ref name has no spaces, so ' <name>\\n' is unique)."""
    end = text.find(f" {name}\n")
    if end < 0:
        return None
    start = text.rfind("\n", 0, end) + 1
    return text[start:end + len(name) + 1]


def read_ref_files(git_dir: Path) -> RefFiles:
    parts = []
    packed_path = git_dir / "packed-refs"
    try:
        packed = packed_path.stat()
        parts.append(f"packed {packed.st_ino} {packed.st_size} {packed.st_mtime_ns}")
    except FileNotFoundError:
        parts.append("no packed refs")
    loose: dict[str, str] = {}
    for directory, subdirectories, files in os.walk(git_dir / "refs"):
        subdirectories.sort()
        for file_name in sorted(files):
            if file_name.endswith(".lock"):
                continue  # a ref being written: its new value appears (and changes the key) when it is done
            path = Path(directory) / file_name
            name = path.relative_to(git_dir).as_posix()
            try:
                value = path.read_text().strip()
            except (OSError, UnicodeDecodeError):
                parts.append(f"{name} unreadable")  # mid-write: the key changes once it is written
                continue
            loose[name] = value
            parts.append(f"{name} {value}")
    return RefFiles("\n".join(parts), packed_path, loose)
