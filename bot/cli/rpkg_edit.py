"""`porchbot rpkg init|clone|copy|pull|push`: porchctl's verbs that create and edit drafts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer

from bot.cli import cobra
from bot.cli.rpkg_transitions import forge_backed, not_found
from bot.errors import InvalidInput, NotFound
from bot.lifecycle import create, drafts, naming
from bot.lifecycle.engine import Engine
from bot.lifecycle.rendering import RenderFailed
from bot.lifecycle.resourcelist import package_resource_list

REPOSITORY = typer.Option(..., "--repository", help="The registered repository to create it in")
WORKSPACE_HELP = "The workspace naming the new revision (--revision: the kpt book's spelling)"
RENDER_FAILED = ("Error occurred rendering package in kpt function pipeline.\nPackage has NOT been pushed to "
                 "remote.\nPlease fix package locally (modify until 'kpt fn render' succeeds) and retry.")


def _refuse_existing(engine: Engine, verb: str, package: str, repository: str) -> None:
    """porchctl refuses init / clone of a package its repository already has, before asking the server."""
    repo = engine.repository(repository)
    package_path = naming.package_path_in(repo.directory, package)
    if any(r.package_path == package_path for r in engine.revisions(repository)):
        raise cobra.Refused(f"error: `{verb}` cannot create a new revision for package \"{package}\" that "
                            f"already exists in repo \"{repository}\"; make subsequent revisions using `copy`")


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


def register(app: typer.Typer) -> None:
    """Add the commands to the ``rpkg`` group."""

    @app.command()
    def init(
        package: str = typer.Argument(...),
        repository: str = REPOSITORY,
        workspace: str = typer.Option("v1", "--workspace", "--revision", help=WORKSPACE_HELP),
        description: str = typer.Option("sample description", "--description"),
        keywords: list[str] = typer.Option([], "--keywords", help="Comma-separated keywords (repeatable)"),
        site: str = typer.Option("", "--site", help="The package's home page"),
    ) -> None:
        """Create a new package: Kptfile, README.md and package-context.yaml as `kpt pkg init` writes them."""
        engine = Engine()
        _refuse_existing(engine, "init", package, repository)
        words = [word.strip() for value in keywords for word in value.split(",") if word.strip()]
        change = _rendered(lambda: create.init(engine, package, repository, workspace, description, words, site))
        typer.echo(f"{change.name} created")

    @app.command()
    def clone(
        source: str = typer.Argument(..., help="A package revision name, a git URL, or URL.git/DIR@REF"),
        package: str = typer.Argument(...),
        repository: str = REPOSITORY,
        workspace: str = typer.Option("v1", "--workspace", "--revision", help=WORKSPACE_HELP),
        directory: str = typer.Option("", "--directory", help="The package's directory in a git upstream"),
        ref: str = typer.Option("", "--ref", help="The branch, tag or commit of a git upstream"),
    ) -> None:
        """Create a new package by cloning an upstream package revision."""
        engine = Engine()
        _refuse_existing(engine, "clone", package, repository)
        porch_form = cobra.era() != "kpt-alpha"  # the kpt book's era wrote kpt pkg get's upstream
        change = _rendered(lambda: create.clone(engine, source, package, repository, workspace,
                                                directory=directory, ref=ref, porch_form=porch_form))
        typer.echo(f"{change.name} created")

    @app.command()
    def copy(
        source: str = typer.Argument(..., help="The package revision to start from"),
        workspace: str = typer.Option("", "--workspace", "--revision", help="Default: the next free vN"),
        replay_strategy: bool = typer.Option(False, "--replay-strategy",
                                             help="Copy a revision of any lifecycle (Porch replays its tasks)"),
    ) -> None:
        """Create a new Draft revision of a package from one of its revisions."""
        engine = Engine()
        change = _rendered(lambda: create.copy(engine, source, workspace or None, any_lifecycle=replay_strategy))
        typer.echo(f"{change.name} created")

    @app.command()
    def pull(name: str = typer.Argument(...), directory: Path = typer.Argument(None)) -> None:
        """Write a revision's package into DIR, or print it as a ResourceList when DIR is omitted."""
        engine = Engine()
        try:
            cache, revision = engine.find(name)
        except NotFound:
            raise not_found(name) from None
        if directory is None:
            metadata = drafts.revision_metadata(cache, revision, cobra.namespace())
            typer.echo(package_resource_list(cache.git, revision.commit, revision.package_path, metadata),
                       nl=False)
            return
        drafts.pull(engine, name, directory, cobra.namespace())

    @app.command()
    def push(name: str = typer.Argument(...),
             directory: str = typer.Argument("-", help="The package directory; - or none: a ResourceList on "
                                                       "stdin")) -> None:
        """Replace a Draft's package with DIR (rendered first; nothing is pushed if rendering fails)."""
        engine = Engine()
        if directory == "-":
            source = drafts.PushSource.from_resource_list(sys.stdin.read())
        else:
            source = drafts.PushSource.from_directory(Path(directory))
        try:
            change = drafts.push(engine, name, source)
        except RenderFailed as failure:
            sys.stderr.write((failure.details.strip() or str(failure)) + "\n")
            raise InvalidInput(RENDER_FAILED) from None
        except NotFound:
            raise not_found(name) from None
        if forge_backed(engine):
            from bot.pr.proposals import after_create

            after_create(engine, change)
        typer.echo(f"{change.name} pushed")
