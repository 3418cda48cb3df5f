"""``porchbot pkg update``'s typer-free argv parsing: the flags typer declares, nothing more."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.pkg_argv import parse


@pytest.mark.parametrize(("argv", "expected"), [
    (["pkg", "update"], {"target": ".", "strategy": "", "output": ""}),
    (["pkg", "update", "p@v2", "--strategy", "fast-forward"], {"target": "p@v2", "strategy": "fast-forward", "output": ""}),
    (["pkg", "update", "--strategy=copy-merge", "p", "-o", "json"], {"target": "p", "strategy": "copy-merge", "output": "json"}),
    (["pkg", "update", "-oyaml", "p"], {"target": "p", "strategy": "", "output": "yaml"}),
    (["pkg", "update", "--output=json"], {"target": ".", "strategy": "", "output": "json"}),
])
def test_well_formed_argv_runs_without_typer(argv: list[str], expected: dict[str, str]) -> None:
    assert parse(argv) == expected


@pytest.mark.parametrize("argv", [["pkg"], ["pkg", "get"], ["pkg", "update", "--help"], ["pkg", "update", "a", "b"],
                                  ["pkg", "update", "--strategy"], ["pkg", "update", "--force"]])
def test_anything_else_goes_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


def test_typer_still_answers_help_and_usage_errors() -> None:
    porchbot = str(Path(sys.executable).parent / "porchbot")
    help_text = subprocess.run([porchbot, "pkg", "update", "--help"], capture_output=True, text=True, check=False)
    assert help_text.returncode == 0 and "--strategy" in help_text.stdout
    stray = subprocess.run([porchbot, "pkg", "update", "a", "b"], capture_output=True, text=True, check=False)
    assert stray.returncode == 2 and "Traceback" not in stray.stderr
