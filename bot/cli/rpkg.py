"""`porchbot rpkg ...` commands: porchctl's package revision verbs over the lifecycle engine."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from bot.cli.rpkg_transitions import each, forge_backed
from bot.errors import InvalidInput, PorchbotError
from bot.lifecycle import create, drafts
from bot.lifecycle.discovery import LIFECYCLES, PackageRevision
from bot.lifecycle.engine import Engine
from bot.lifecycle.rendering import RenderFailed
from bot.lifecycle.resourcelist import package_resource_list
from bot.lifecycle.resources import as_list, package_revision_objects
from bot.cli.tables import OUTPUT_FORMATS, document, table

app = typer.Typer(no_args_is_help=True)
REPOSITORY = typer.Option(..., "--repository", help="The registered repository to create it in")


def _select(revisions: list[PackageRevision], names: list[str], name: str, revision: str,
            lifecycle: str) -> list[PackageRevision]:
    if lifecycle and lifecycle not in LIFECYCLES:
        raise InvalidInput(f"unknown lifecycle {lifecycle!r}: use one of {', '.join(LIFECYCLES)}")
    selected = [r for r in revisions if (not names or r.name in names) and name in r.package
                and (not revision or r.revision == revision) and (not lifecycle or r.lifecycle == lifecycle)]
    missing = [n for n in names if not any(r.name == n for r in revisions)]
    if missing:
        raise PorchbotError(f"package revision {missing[0]!r} not found")
    return selected


@app.command()
def get(
    names: list[str] = typer.Argument(None, help="Package revision names"),
    name: str = typer.Option("", "--name", help="Only packages whose name contains this"),
    revision: str = typer.Option("", "--revision"),
    lifecycle: str = typer.Option("", "--lifecycle", help="Draft | Proposed | Published | DeletionProposed"),
    repository: str = typer.Option("", "--repository"),
    output: str = typer.Option("", "-o", "--output", help="yaml | json | wide"),
) -> None:
    """List package revisions of the registered repositories."""
    if output not in OUTPUT_FORMATS:
        raise InvalidInput(f"unknown output format {output!r}: use yaml, json or wide")
    engine = Engine()
    failures: list[tuple[str, PorchbotError]] = []
    listed = engine.all_revisions(repository or None, failures)
    if failures and not listed and len(failures) == len(engine.repositories()):
        raise failures[0][1]
    for failed, err in failures:  # one unreachable repository does not hide the others
        sys.stderr.write(f"warning: repository {failed!r} not listed: {err}\n")
    if forge_backed(engine):
        from bot.pr.proposals import with_pull_requests_all

        warnings: list[str] = []
        listed = with_pull_requests_all(engine, listed, warnings)
        for warning in warnings:
            sys.stderr.write(f"warning: {warning}\n")
    selected = _select(listed, names or [], name, revision, lifecycle)
    if output in ("json", "yaml"):
        items = package_revision_objects(engine.cache, selected)
        typer.echo(document(as_list(items), output), nl=False)
        return
    headers = ["NAME", "PACKAGE", "REVISION", "LATEST", "LIFECYCLE", "REPOSITORY"]
    if output == "wide":
        headers.insert(2, "WORKSPACENAME")
    rows = []
    for r in selected:
        row = [r.name, r.package, r.revision, str(r.latest).lower(), r.lifecycle, r.repository]
        if output == "wide":
            row.insert(2, r.workspace)
        rows.append(row)
    typer.echo(table(headers, rows), nl=False)


@app.command()
def init(
    package: str = typer.Argument(...),
    repository: str = REPOSITORY,
    revision: str = typer.Option("v1", "--revision", "--workspace"),
    description: str = typer.Option("sample description", "--description"),
) -> None:
    """Create a new package: Kptfile, README.md and package-context.yaml as `kpt pkg init` writes them."""
    change = _rendered(lambda: create.init(Engine(), package, repository, revision, description))
    typer.echo(f"{change.name} created")


@app.command()
def clone(
    source: str = typer.Argument(..., help="A package revision name, or URL.git/DIR@REF"),
    package: str = typer.Argument(...),
    repository: str = REPOSITORY,
    revision: str = typer.Option("v1", "--revision", "--workspace"),
) -> None:
    """Create a new package by cloning an upstream package revision."""
    change = _rendered(lambda: create.clone(Engine(), source, package, repository, revision))
    typer.echo(f"{change.name} created")


@app.command()
def copy(
    source: str = typer.Argument(..., help="A published package revision name"),
    revision: str = typer.Option("", "--revision", "--workspace", help="Default: the next free vN"),
) -> None:
    """Create a new Draft revision of a package from one of its published revisions."""
    change = _rendered(lambda: create.copy(Engine(), source, revision or None))
    typer.echo(f"{change.name} created")


@app.command()
def pull(name: str = typer.Argument(...), directory: Path = typer.Argument(None)) -> None:
    """Write a revision's package into DIR, or print it as a ResourceList when DIR is omitted."""
    engine = Engine()
    if directory is None:
        cache, revision = engine.find(name)
        typer.echo(package_resource_list(cache.git, revision.commit, revision.package_path), nl=False)
        return
    drafts.pull(engine, name, directory)


@app.command()
def push(name: str = typer.Argument(...), directory: Path = typer.Argument(...)) -> None:
    """Replace a Draft's package with DIR (rendered first; nothing is pushed if rendering fails)."""
    change = _rendered(lambda: drafts.push(Engine(), name, directory))
    typer.echo(f"{change.name} pushed")


def _rendered(operation: Callable[[], drafts.Change]) -> drafts.Change:
    try:
        change = operation()
    except RenderFailed as failure:
        sys.stderr.write(failure.details + "\n")
        raise
    engine = Engine()
    if forge_backed(engine):
        from bot.pr.proposals import after_create

        after_create(engine, change)  # PR mode: the new draft's draft PR
    return change


@app.command()
def propose(names: list[str] = typer.Argument(...)) -> None:
    """Propose Draft revisions for approval."""
    each(names, "propose", "proposed")


@app.command()
def approve(names: list[str] = typer.Argument(...)) -> None:
    """Approve Proposed revisions: merge into the branch and tag <pkgpath>/v<N>."""
    each(names, "approve", "approved")


@app.command()
def reject(names: list[str] = typer.Argument(...)) -> None:
    """Return proposals to Draft (or withdraw a deletion proposal)."""
    each(names, "reject", "rejected")


@app.command("del")
def delete(names: list[str] = typer.Argument(...)) -> None:
    """Delete Draft or Proposed revisions (Published ones need `propose-delete` first)."""
    each(names, "delete", "deleted")


@app.command("propose-delete")
def propose_delete(names: list[str] = typer.Argument(...)) -> None:
    """Propose the deletion of Published revisions."""
    each(names, "propose_delete", "proposed for deletion")
