"""kyaml's sequence-indent heuristic."""

from __future__ import annotations

import pytest

from bot.render.yaml import detect_seq_indent

CASES = [
    ("a:\n- x\n", "compact"),
    ("a:\n  - x\n", "wide"),
    ("a: # note: here\n  - x\n", "wide"),
    ("a:\n  # comment line\n  - x\n", "wide"),
    ("a: |\n  - not a seq\nb:\n  - x\n", "wide"),
    ("s: \"x: y\"\nk:\n    - x\n", "compact"),
    ("no sequences: here\n", "compact"),
    ("- top\n- level\n", "compact"),
]


@pytest.mark.parametrize(("text", "style"), CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_detect_seq_indent(text: str, style: str) -> None:
    assert detect_seq_indent(text) == style
