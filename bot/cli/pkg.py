"""``porchbot pkg ...``: local package commands (kpt pkg). The bodies live in bot/upgrade/.

``pkg update`` prints what kpt prints (progress on stderr, nothing on stdout) and then the conflict
report kpt never gives: as a table on stderr when there is something to report, or on stdout as
JSON/YAML with ``-o json|yaml`` (so scripts can read it and kpt-compatible stdout stays empty).
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command()
def update(
    target: str = typer.Argument(".", metavar="DIR[@REF]", help="The package to update, optionally @ a ref"),
    strategy: str = typer.Option("", "--strategy",
                                 help="resource-merge (default) | fast-forward | force-delete-replace | copy-merge"),
    output: str = typer.Option("", "--output", "-o", help="Print the conflict report to stdout: json | yaml"),
) -> None:
    """Update a local package to another upstream revision (kpt pkg update), with a conflict report."""
    from bot.cli.pkg_argv import update as run

    raise typer.Exit(run(target, strategy, output))
