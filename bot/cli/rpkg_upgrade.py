"""`porchbot rpkg upgrade|update`: porchctl's upgrade verbs, with the conflict report kpt never gives.

``upgrade NAME`` makes a new Draft of a Published downstream from a newer upstream revision; ``update NAME
--revision vN`` (the older verb) moves an existing Draft. Both print porchctl's one line on stdout; the
conflict report goes to stderr as a table, or to stdout as a document with ``-o json|yaml``.
``--discover=upstream|downstream`` lists the upgrades available instead.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import typer

from bot.cli.tables import OUTPUT_FORMATS, document, table
from bot.errors import InvalidInput
from bot.lifecycle.engine import Engine
from bot.upgrade import RESOURCE_MERGE

if TYPE_CHECKING:
    from bot.lifecycle.upgrade import UpgradeOutcome

# The merge engine is imported by the two commands that use it: every other ``rpkg`` command loads this
# module to register them, and should not pay for it.

DISCOVER = ("upstream", "downstream")


def _revision_number(revision: str) -> int | None:
    if not revision:
        return None
    digits = revision[1:] if revision[:1] == "v" else revision
    if not digits.isdigit():
        raise InvalidInput(f"--revision {revision!r}: expected a published revision such as v2 (or 2)")
    return int(digits)


def _value(value: Any) -> str:
    return "<absent>" if value is None else str(value)


def report(outcome: UpgradeOutcome, output: str) -> None:
    if output in ("json", "yaml"):
        data = {"name": outcome.change.name, "package": outcome.package_path,
                "oldUpstream": outcome.old_upstream, "newUpstream": outcome.new_upstream,
                "strategy": outcome.strategy, "conflicts": [c.to_dict() for c in outcome.conflicts]}
        sys.stdout.write(document(data, output))
        return
    if not outcome.conflicts:
        return
    rows = [[c.kind.value, f"{c.file}:{c.line}" if c.line else c.file, c.resource, c.path or "-",
             _value(c.downstream), _value(c.old_upstream), _value(c.new_upstream)] for c in outcome.conflicts]
    sys.stderr.write(f"{len(rows)} customisation(s) upstream overrode or kept "
                     f"({outcome.old_upstream} -> {outcome.new_upstream}):\n")
    sys.stderr.write(table(["CONFLICT", "FILE", "RESOURCE", "FIELD", "DOWNSTREAM", "OLD UPSTREAM", "NEW UPSTREAM"],
                           rows))


def _after(engine: Engine, outcome: UpgradeOutcome, verb: str, output: str) -> None:
    if engine.repository(outcome.change.name.rsplit("-", 1)[0]).forge_backed and outcome.change.updates:
        from bot.pr.upgrade_pulls import open_upgrade_pull

        open_upgrade_pull(engine, outcome)
    if output not in ("json", "yaml"):
        typer.echo(f"{outcome.change.name} {verb}")
    report(outcome, output)


def _discover(engine: Engine, which: str, names: list[str]) -> None:
    from bot.lifecycle import upgrade_discovery

    if which == "upstream":
        rows = [[row.name, row.upstream_repository, ", ".join(row.updates) or "No update available"]
                for row in upgrade_discovery.discover_upstream(engine, names)]
        sys.stdout.write(table(["PACKAGE REVISION", "UPSTREAM REPOSITORY", "UPSTREAM UPDATES"], rows))
        return
    found = upgrade_discovery.discover_downstream(engine, names)
    if not found:
        typer.echo("All downstream packages are up to date.")
        return
    sys.stdout.write(table(["PACKAGE REVISION", "DOWNSTREAM PACKAGE", "DOWNSTREAM UPDATE"],
                           [[row.upstream_name, row.downstream_name, f"{row.old}->{row.new}"] for row in found]))


def _check(discover: str, output: str) -> None:
    if discover and discover not in DISCOVER:
        raise InvalidInput(f"argument for 'discover' must be one of 'upstream' or 'downstream': {discover!r}")
    if output and output not in OUTPUT_FORMATS:
        raise InvalidInput(f"unknown output format {output!r}: use json or yaml")


def _one_revision(verb: str, names: list[str] | None, discover: str, output: str) -> tuple[Engine, str | None]:
    """The engine and the one name the verb acts on; None when ``--discover`` listed instead."""
    _check(discover, output)
    engine = Engine()
    if discover:
        _discover(engine, discover, names or [])
        return engine, None
    if not names or len(names) != 1:
        raise InvalidInput(f"{verb} takes exactly one package revision name")
    return engine, names[0]


STRATEGY_HELP = "resource-merge, fast-forward, force-delete-replace or copy-merge"
DISCOVER_HELP = "List the upgrades available: upstream or downstream"
OUTPUT_HELP = "json or yaml: the conflict report on stdout"


def register(app: typer.Typer) -> None:
    @app.command()
    def upgrade(
        names: list[str] = typer.Argument(None),
        revision: str = typer.Option("", "--revision", help="The upstream revision to upgrade to (default: latest)"),
        workspace: str = typer.Option("", "--workspace", help="The workspace of the new Draft"),
        strategy: str = typer.Option(RESOURCE_MERGE, "--strategy", help=STRATEGY_HELP),
        discover: str = typer.Option("", "--discover", help=DISCOVER_HELP),
        output: str = typer.Option("", "--output", "-o", help=OUTPUT_HELP),
    ) -> None:
        """Create a new Draft of a Published downstream, upgraded to a newer upstream revision."""
        engine, name = _one_revision("upgrade", names, discover, output)
        if name is not None:
            from bot.lifecycle.upgrade import upgrade_revision

            outcome = upgrade_revision(engine, name, _revision_number(revision), workspace or None, strategy)
            _after(engine, outcome, "upgraded", output)

    @app.command()
    def update(
        names: list[str] = typer.Argument(None),
        revision: str = typer.Option("", "--revision", help="The upstream revision to move the Draft to"),
        strategy: str = typer.Option(RESOURCE_MERGE, "--strategy", help=STRATEGY_HELP),
        discover: str = typer.Option("", "--discover", help=DISCOVER_HELP),
        output: str = typer.Option("", "--output", "-o", help=OUTPUT_HELP),
    ) -> None:
        """Move a Draft to another upstream revision (porchctl's older verb)."""
        engine, name = _one_revision("update", names, discover, output)
        if name is None:
            return
        if not revision:
            raise InvalidInput("--revision is required (the upstream revision to update to, e.g. v2)")
        from bot.lifecycle.upgrade import update_draft

        _after(engine, update_draft(engine, name, _revision_number(revision), strategy), "updated", output)
