"""``porchbot pkg update`` without typer: well-formed argv runs directly, anything else goes to typer.

Importing typer costs a good part of a whole update of a small package (bot/cli/main.py explains the
same fast path for ``fn`` and ``rpkg``). The flags here mirror bot/cli/pkg.py's typer command; ``--help``,
an unknown flag, a missing value or a stray argument return None so typer prints its own output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.errors import InvalidInput

_VALUED = {"--strategy": "strategy", "--output": "output", "-o": "output"}


def parse(argv: list[str]) -> dict[str, str] | None:
    if len(argv) < 2 or argv[:2] != ["pkg", "update"]:
        return None
    values = {"target": ".", "strategy": "", "output": ""}
    seen_target = False
    rest = argv[2:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, inline = arg.partition("=")
        if arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            values["output"] = arg[2:]
        elif name in _VALUED and eq and name.startswith("--"):
            values[_VALUED[name]] = inline
        elif arg in _VALUED:
            if i + 1 >= len(rest):
                return None
            values[_VALUED[arg]] = rest[i + 1]
            i += 1
        elif arg.startswith("-") and arg != "-":
            return None
        elif seen_target:
            return None
        else:
            values["target"], seen_target = arg, True
        i += 1
    return values


def run(argv: list[str]) -> int | None:
    values = parse(argv)
    if values is None:
        return None
    return update(values["target"], values["strategy"], values["output"])


def update(target: str, strategy: str, output: str) -> int:
    """The command body shared with the typer command; kpt's messages on stderr, the report as chosen."""
    from bot.upgrade.command import parse_target, run_update
    from bot.upgrade.report import render

    if output not in ("", "json", "yaml"):
        raise InvalidInput(f"unknown output format {output!r}: use json or yaml")
    result = run_update(parse_target(target, strategy or None, Path.cwd()))
    for line in result.messages:
        sys.stderr.write(line + "\n")
    if output:
        sys.stdout.write(render(result.conflicts, output))
    elif result.conflicts:
        sys.stderr.write("\n" + render(result.conflicts, "table"))
    return 0
