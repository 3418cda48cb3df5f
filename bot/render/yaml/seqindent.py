"""kyaml's DeriveSeqIndentStyle: does a document indent its block sequences?"""

from __future__ import annotations

import re

_FIRST_ENTRY = re.compile(r"^( *)- ", re.MULTILINE)


def detect_seq_indent(document_text: str) -> str:
    """"wide" when the first "- " line sits 2 columns right of the key above it, else "compact"."""
    lines = document_text.split("\n")
    for index, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if not (stripped.startswith("- ") or stripped == "-") or index == 0:
            continue
        above = lines[index - 1]
        above_stripped = above.lstrip(" ")
        if not above_stripped.rstrip().endswith(":") or above_stripped.startswith("#"):
            continue
        key_indent = len(above) - len(above_stripped)
        if above_stripped.startswith("- "):
            key_indent += 2
        entry_indent = len(line) - len(stripped)
        if entry_indent == key_indent + 2:
            return "wide"
        if entry_indent == key_indent:
            return "compact"
    return "compact"
