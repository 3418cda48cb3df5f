"""Plain-text output for the CLI: kubectl-style tables and JSON/YAML documents."""

from __future__ import annotations

import json
from typing import Any

import yaml

OUTPUT_FORMATS = ("", "wide", "json", "yaml")


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns padded to their widest cell plus three spaces, as kubectl and porchctl print them (kubectl's
    tabwriter: padding 3, minimum cell width 6)."""
    widths = [max(len(header), 3) for header in headers]
    for row in rows:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = []
    for row in [headers, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("   ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def document(data: Any, output: str) -> str:
    if output == "json":
        return json.dumps(data, indent=4) + "\n"
    # libyaml's dumper when present: the pure-Python one takes seconds for a 10,000-item List.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, sort_keys=False, default_flow_style=False))
