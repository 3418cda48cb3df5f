"""`porchbot variants get`: what the PackageVariants and PackageVariantSets declared in the registered
repositories made (the downstream index is `porchbot downstreams`'s)."""

from __future__ import annotations

import json
import sys

import typer

from bot.errors import InvalidInput

app = typer.Typer(no_args_is_help=True)
HEADERS = ("NAME", "DOWNSTREAM", "REVISION", "LIFECYCLE", "TRACKS", "BEHIND", "PR")


def _table(rows: list[dict[str, object]]) -> str:
    lines = [list(HEADERS)]
    for row in rows:
        if row["error"] and not row["lifecycle"]:
            lines.append([str(row["name"] or "-"), str(row["downstream"] or "-"), "-", "-", "-", "-",
                          f"error: {row['error']}"])
            continue
        lines.append([str(row["name"]), str(row["downstream"]), str(row["revision"] or "-"),
                      str(row["lifecycle"] or "-"), str(row["tracks"] or "-"), str(row["behind"]).lower(),
                      str(row["pull"] or "-")])
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADERS) - 1)]
    return "".join("   ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)).rstrip()
                   + "   " + line[-1] + "\n" for line in lines)


@app.command()
def get(
    output: str = typer.Option("", "-o", "--output", help="yaml | json (default: a table)"),
) -> None:
    """List each variant: its downstream revision and lifecycle, PR, the upstream revision it tracks and
    whether it is behind; variant files with problems say why."""
    if output not in ("", "yaml", "json"):
        raise InvalidInput(f"unknown output format {output!r}: use yaml or json")
    from bot.lifecycle.engine import Engine
    from bot.pr.variants_status import rows_with_pulls

    rows = [row.to_dict() for row in rows_with_pulls(Engine())]
    listing = {"apiVersion": "v1", "kind": "List", "items": rows}
    if output == "json":
        sys.stdout.write(json.dumps(listing, indent=2) + "\n")
    elif output == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(listing, sort_keys=False))
    else:
        sys.stdout.write(_table(rows))

