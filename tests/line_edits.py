"""Random line edits of YAML text for property tests of the line grammars (bot/render/written_form.py,
bot/upgrade/fastlane.py and fastparse.py): the ends of a line, where YAML's indicators bite, are picked a
third of the time each."""

from __future__ import annotations

from hypothesis import strategies as st

# (operation, position, piece): insert the piece, drop a character, repeat a line, indent, dedent, delete a line
EDITS = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10_000), st.sampled_from(
    [" ", "-", ":", "#", "'", '"', "|", "&", "!", "{", "[", ",", "~", "\t", "\x01", "null", "yes", "0x", "- ", ": ",
     "  ", "---"])),
    min_size=1, max_size=3)


def edit_lines(text: str, edits: list[tuple[int, int, str]]) -> str:
    lines = text.split("\n")
    for operation, position, piece in edits:
        index = position % len(lines)
        line = lines[index]
        column = (0, len(line), position % (len(line) + 1))[position % 3]
        if operation == 0:
            lines[index] = line[:column] + piece + line[column:]
        elif operation == 1:
            lines[index] = line[:column] + line[column + 1:]
        elif operation == 2:
            lines.insert(index, lines[(position // 7) % len(lines)])
        elif operation == 3:
            lines[index] = "  " + line
        elif operation == 4:
            lines[index] = line.removeprefix("  ")
        elif len(lines) > 1:
            del lines[index]
    return "\n".join(lines)
