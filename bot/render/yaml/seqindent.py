"""kyaml's DeriveSeqIndentStyle: does a document indent its block sequences?"""

from __future__ import annotations

COMPACT = "compact"
WIDE = "wide"


def _key_line_before(lines: list[str], index: int) -> str:
    # Comment lines are skipped and a trailing comment dropped, as kyaml does.
    for i in range(index - 1, -1, -1):
        line = lines[i]
        if line.strip(" ").startswith("#"):
            continue
        return line.split("#", 1)[0]
    return ""


def detect_seq_indent(document_text: str) -> str:
    """"compact" or "wide" from the first "- " line under a lone ``key:`` line.

    Text only, no parse (kyaml's heuristic): the line before the entry, comments
    skipped, must hold exactly one ':' at its end; "- " at the key's column is
    compact, two columns right is wide; anything else looks further; default compact.
    """
    lines = document_text.split("\n")
    for index, line in enumerate(lines):
        prefix, sep, _ = line.partition("- ")
        if not sep or prefix.strip(" ") != "":
            continue
        key_line = _key_line_before(lines, index)
        if key_line == "":
            continue
        key_indent = len(key_line) - len(key_line.lstrip(" "))
        trimmed = key_line.strip(" ")
        if trimmed.count(":") != 1 or not trimmed.endswith(":"):
            continue
        entry_indent = len(prefix)
        if entry_indent == key_indent:
            return COMPACT
        if entry_indent - key_indent == 2:
            return WIDE
    return COMPACT
