"""What the lifecycle benchmarks share: the project importable, a parser with ``--json``, the printout.

The scripts run as ``python bench/<name>.py``, so this directory is on ``sys.path`` but the project is
not: importing this module puts it there before the scripts import ``bot`` and ``tests``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


def figures_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the script's first docstring paragraph, with ``--json`` already on it."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    return parser


def print_figures(figures: Mapping[str, object], as_json: bool) -> None:
    """One JSON line for BENCHMARKS.md tooling, or ``name: value`` lines for a person."""
    if as_json:
        print(json.dumps(figures))
        return
    for name, value in figures.items():
        print(f"{name}: {value}")
