"""What moved on the remote since the cache last saw it, from one ref listing.

``git fetch --prune`` of 100,000 refs spends a second matching every advertised ref against every local
one even when nothing moved. ``git ls-remote`` costs the advertisement alone; compared with the cache's ref
files (as sets of ``<object> <ref>`` lines: two set differences, no per-ref Python) it says which refs to
fetch and which to delete, and a fetch naming just those (protocol v2 sends their names, so the server
lists only them) brings the cache up to date.
"""

from __future__ import annotations

from pathlib import Path

from bot.lifecycle.ref_files import read_ref_files, ref_lines

_MIRRORED = ("refs/heads/", "refs/tags/")


def differences(ls_remote_output: str, git_dir: Path) -> tuple[list[str], list[str]]:
    """(refs the remote has that the cache lacks or holds at another object, refs only the cache has),
    from ``git ls-remote`` output (``<object>\\t<ref>`` lines) and the cache's ref files."""
    remote = set(ls_remote_output.replace("\t", " ").split("\n"))
    files = read_ref_files(git_dir)
    cached = ref_lines(files.packed_text(), files.loose)
    moved = sorted({name for name in _names(remote - cached) if not name.endswith("^{}")})
    gone = sorted(set(_names(cached - remote)).difference(moved))  # not moved: only the cache has it
    return moved, gone


def _names(lines: set[str]) -> list[str]:
    return [name for line in lines if (name := line.partition(" ")[2]).startswith(_MIRRORED)]
