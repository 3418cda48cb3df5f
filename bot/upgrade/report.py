"""The conflict report as text: a table for people, JSON or YAML for scripts."""

from __future__ import annotations

import json
from typing import Any

from bot.upgrade.conflicts import Conflict, ConflictKind

_EXPLAIN = {
    ConflictKind.OVERWRITTEN: "upstream's new value replaced the downstream's own",
    ConflictKind.RESTORED: "the downstream deleted it; upstream changed it, so it came back",
    ConflictKind.KEPT: "upstream deleted the resource; kept because the downstream changed it",
    ConflictKind.ADDED_BOTH: "both sides added the resource; merged, upstream's values win",
}


def as_data(conflicts: list[Conflict]) -> dict[str, Any]:
    return {"conflicts": [c.to_dict() for c in conflicts]}


def as_json(conflicts: list[Conflict]) -> str:
    return json.dumps(as_data(conflicts), indent=2) + "\n"


def as_yaml(conflicts: list[Conflict]) -> str:
    from bot.render.yaml import emit_node, python_to_node

    return emit_node(python_to_node(as_data(conflicts)))


def _value(value: Any) -> str:
    if value is None:
        return "-"
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return text if len(text) <= 40 else text[:37] + "..."


def as_table(conflicts: list[Conflict]) -> str:
    if not conflicts:
        return ""
    header = ("KIND", "FILE", "RESOURCE", "FIELD", "DOWNSTREAM", "OLD UPSTREAM", "NEW UPSTREAM")
    rows = [(c.kind.value, f"{c.file}:{c.line}" if c.line else c.file, c.resource, c.path or "-",
             _value(c.downstream), _value(c.old_upstream), _value(c.new_upstream)) for c in conflicts]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in [header, *rows]]
    kinds = sorted({c.kind for c in conflicts}, key=lambda k: list(ConflictKind).index(k))
    notes = [f"  {kind.value}: {_EXPLAIN[kind]}" for kind in kinds]
    return "\n".join([f"Conflict report ({len(conflicts)}):", *lines, *notes]) + "\n"


def render(conflicts: list[Conflict], output: str) -> str:
    if output == "json":
        return as_json(conflicts)
    if output == "yaml":
        return as_yaml(conflicts)
    return as_table(conflicts)
