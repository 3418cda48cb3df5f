"""`porchbot rpkg ...` commands: porchctl's package revision verbs over the lifecycle engine.

``get`` is here; the verbs that create and edit drafts are in bot/cli/rpkg_edit.py and the lifecycle
transitions in bot/cli/rpkg_transitions.py (shared with the argv fast path).
"""

from __future__ import annotations

import sys

import typer

from bot.cli import cobra, printers
from bot.cli.rpkg_transitions import each, forge_backed, not_found
from bot.errors import InvalidInput
from bot.lifecycle.discovery import DRAFT, LIFECYCLES, PROPOSED, PackageRevision
from bot.lifecycle.engine import Engine
from bot.lifecycle.resources import package_revision_objects

app = typer.Typer(no_args_is_help=True)
KIND = "packagerevision.porch.kpt.dev"


def shown_revision(revision: PackageRevision, era: str = "") -> str:
    """REVISION as the table shows it: none for drafts and proposals (Porch v4); the kpt book's CLI showed
    the workspace there, because in its era the workspace was the revision to be (``--revision v1``);
    Porch v4.1 shows integers (0 for drafts and proposals, -1 for the branch)."""
    era = era or cobra.era()  # callers over many rows pass it: settings are re-read on every era() call
    unpublished = revision.lifecycle in (DRAFT, PROPOSED)
    if era == "kpt-alpha" and unpublished:
        return revision.workspace
    if era == "v4.1":
        number = revision.published_number
        return "-1" if revision.is_branch_entry else "0" if unpublished else str(number) if number else "0"
    return revision.revision


def _order(revision: PackageRevision, era: str) -> tuple[str, str, int, int, str]:
    """Porch's listing order: by package, then revision (none first, the branch, then v1, v2, ... v10;
    by number where revisions are integers)."""
    shown = shown_revision(revision, era)
    if era == "v4.1":
        return (revision.repository, revision.package_path, 0, int(shown), revision.workspace)
    number = None if revision.is_branch_entry else (int(shown[1:]) if shown[1:].isdigit() and shown[:1] == "v"
                                                   else None)
    rank = 0 if not shown else 1 if number is None else 2
    return (revision.repository, revision.package_path, rank, number or 0, shown + "\0" + revision.workspace)


def _select(revisions: list[PackageRevision], names: list[str], name: str, revision: str,
            lifecycle: str) -> list[PackageRevision]:
    if lifecycle and lifecycle not in LIFECYCLES:
        raise InvalidInput(f"unknown lifecycle {lifecycle!r}: use one of {', '.join(LIFECYCLES)}")
    era = cobra.era()
    selected = [r for r in revisions if (not names or r.name in names) and name in r.package
                and (not revision or revision in (r.revision, shown_revision(r, era)))
                and (not lifecycle or r.lifecycle == lifecycle)]
    missing = [n for n in names if not any(r.name == n for r in revisions)]
    if missing:
        raise not_found(missing[0], "get")
    return sorted(selected, key=lambda r: _order(r, era))


def _rows(revisions: list[PackageRevision], wide: bool) -> printers.Rows:
    era = cobra.era()
    if era == "kpt-alpha" and not wide:
        headers = ["NAME", "PACKAGE", "REVISION", "LATEST", "LIFECYCLE", "REPOSITORY"]
        return headers, [[r.name, r.package, shown_revision(r, era), str(r.latest).lower(), r.lifecycle,
                          r.repository] for r in revisions]
    headers = ["NAME", "PACKAGE", "WORKSPACENAME", "REVISION", "LATEST", "LIFECYCLE", "REPOSITORY"]
    return headers, [[r.name, r.package, r.workspace, shown_revision(r, era), str(r.latest).lower(), r.lifecycle,
                      r.repository] for r in revisions]


@app.command()
def get(
    names: list[str] = typer.Argument(None, help="Package revision names"),
    name: str = typer.Option("", "--name", help="Only packages whose name contains this"),
    revision: str = typer.Option("", "--revision"),
    lifecycle: str = typer.Option("", "--lifecycle", help="Draft | Proposed | Published | DeletionProposed"),
    repository: str = typer.Option("", "--repository"),
    output: str = typer.Option("", "-o", "--output",
                               help="wide | json | yaml | name | custom-columns=... | jsonpath=..."),
    no_headers: bool = typer.Option(False, "--no-headers", help="Print tables without their header"),
    show_kptfile: bool = typer.Option(False, "--show-kptfile", help="Print the revision's root Kptfile"),
) -> None:
    """List package revisions of the registered repositories."""
    printers.check_output(output)
    if show_kptfile and (len(names or []) != 1 or name or revision):
        raise InvalidInput("--show-kptfile requires exactly one package revision name and cannot be combined "
                           "with --name or --revision")
    engine = Engine()
    failures: list[tuple[str, Exception]] = []
    listed = engine.all_revisions(repository or None, failures)  # type: ignore[arg-type]
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
    if show_kptfile:
        chosen = selected[0]
        text = engine.cache(chosen.repository).git.show_file(chosen.commit, f"{chosen.package_path}/Kptfile")
        sys.stdout.write(text or "")
        return
    needs_objects = output not in ("", "wide")
    objects = package_revision_objects(engine.cache, selected, cobra.namespace()) if needs_objects else []
    if needs_objects and cobra.era() == "v4.1":  # Porch v4.1's spec.revision: an integer, always present
        for item, listed_revision in zip(objects, selected, strict=True):
            item["spec"]["revision"] = int(shown_revision(listed_revision, "v4.1"))
    sys.stdout.write(printers.render(objects, output, no_headers, KIND, lambda wide: _rows(selected, wide)))


@app.command()
def propose(names: list[str] = typer.Argument(...)) -> None:
    """Propose Draft revisions for approval."""
    each(names, "propose")


@app.command()
def approve(names: list[str] = typer.Argument(...)) -> None:
    """Approve Proposed revisions: merge into the branch and tag <pkgpath>/v<N>."""
    each(names, "approve")


@app.command()
def reject(names: list[str] = typer.Argument(...)) -> None:
    """Return proposals to Draft (or withdraw a deletion proposal)."""
    each(names, "reject")


@app.command("del")
def delete(names: list[str] = typer.Argument(...)) -> None:
    """Delete Draft or Proposed revisions (Published ones need `propose-delete` first). Alias: delete."""
    each(names, "del")


@app.command("propose-delete")
def propose_delete(names: list[str] = typer.Argument(...)) -> None:
    """Propose the deletion of Published revisions."""
    each(names, "propose-delete")


from bot.cli import rpkg_edit  # noqa: E402  (registers init, clone, copy, pull, push on ``app``)

rpkg_edit.register(app)

from bot.cli import rpkg_upgrade  # noqa: E402  (registers upgrade and update on ``app``)

rpkg_upgrade.register(app)
