"""``porchbot downstreams ...``: the downstream index propagation reads (upstream package → the packages
that follow it and the revision each is locked to). ``reindex`` rebuilds it from scratch; ``get`` lists it."""

from __future__ import annotations

import sys
from typing import Any

import typer

from bot.cli.tables import document, table
from bot.errors import InvalidInput, PorchbotError

app = typer.Typer(no_args_is_help=True)
OUTPUTS = ("", "json", "yaml")


@app.command()
def reindex() -> None:
    """Rebuild the downstream index from every registered repository's branch."""
    from bot.lifecycle.downstream_index import DownstreamIndex
    from bot.lifecycle.engine import Engine

    failures: list[tuple[str, PorchbotError]] = []
    engine = Engine()
    found = DownstreamIndex(engine).rebuild(failures)
    for name, err in failures:  # one unreachable repository does not stop the others being indexed
        sys.stderr.write(f"warning: repository {name!r} not indexed: {err}\n")
    if failures and len(failures) == len(engine.repositories()):
        raise failures[0][1]
    plural = "" if found == 1 else "s"
    sys.stdout.write(f"{found} downstream package{plural} indexed in {len(engine.repositories()) - len(failures)} "
                     f"repositories\n")


@app.command()
def get(
    output: str = typer.Option("", "-o", "--output", help="json | yaml (default: a table)"),
    refresh: bool = typer.Option(False, "--refresh", help="Bring the index to the branches' tips first"),
) -> None:
    """List upstream package → downstream package → the revision it is locked to."""
    if output not in OUTPUTS:
        raise InvalidInput(f"unknown output format {output!r}: use json or yaml (or nothing for a table)")
    from bot.lifecycle.downstream_index import DownstreamIndex
    from bot.lifecycle.engine import Engine
    from bot.lifecycle.upstreams import normalise_url

    engine = Engine()
    index = DownstreamIndex(engine)
    if refresh:
        for name in sorted(engine.repositories()):
            try:
                index.refresh(name)
            except PorchbotError as err:
                sys.stderr.write(f"warning: repository {name!r} not refreshed: {err}\n")
    names = {normalise_url(r.url): r.name for r in engine.repositories().values()}
    items = [_item(entry.upstream_url, names.get(entry.upstream_url), entry.upstream_package, entry.repository,
                   entry.package_path, entry.locked_ref, entry.locked_number) for entry in index.entries()]
    if output:
        sys.stdout.write(document({"items": items}, output))
        return
    if not items:
        sys.stdout.write("no downstream packages indexed (porchbot downstreams reindex builds the index)\n")
        return
    rows = [[f"{item['upstream']['repository'] or item['upstream']['repo']}:{item['upstream']['package']}",
             f"{item['downstream']['repository']}:{item['downstream']['package']}", item["lockedRef"] or "<none>"]
            for item in items]
    sys.stdout.write(table(["UPSTREAM", "DOWNSTREAM", "LOCKED"], rows))


def _item(upstream_url: str, upstream_name: str | None, upstream_package: str, repository: str, package: str,
          locked_ref: str, locked_number: int | None) -> dict[str, Any]:
    return {"upstream": {"repo": upstream_url, "repository": upstream_name, "package": upstream_package},
            "downstream": {"repository": repository, "package": package},
            "lockedRef": locked_ref, "lockedRevision": locked_number}
