"""`porchbot repo ...` commands: register, list (with a live READY check) and unregister repositories."""

from __future__ import annotations

import sys
from urllib.parse import unquote, urlsplit, urlunsplit

import typer

from bot.cli import cobra, printers
from bot.config.settings import Settings, current_settings
from bot.errors import InvalidInput, PorchbotError
from bot.lifecycle import credentials, repositories
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.repositories import Repository
from bot.lifecycle.resources import repository_object

app = typer.Typer(no_args_is_help=True)
KIND = "repository.config.porch.kpt.dev"


@app.command()
def register(
    url: str = typer.Argument(..., help="Repository URL: a local path, file://, http(s)://"),
    name: str = typer.Option("", "--name", help="Defaults to the URL's last segment without .git"),
    branch: str = typer.Option("main", "--branch"),
    directory: str = typer.Option("/", "--directory"),
    deployment: bool = typer.Option(False, "--deployment", help="A deployment repository"),
    forge: str = typer.Option("none", "--forge", help="none | github | gitlab"),
    repo_basic_username: str = typer.Option("", "--repo-basic-username"),
    repo_basic_password: str = typer.Option("", "--repo-basic-password"),
    token_env: str = typer.Option("", "--token-env", help="Environment variable holding an access token"),
    description: str = typer.Option("", "--description", help="A brief description of the repository"),
    label: list[str] = typer.Option([], "--label", help="A label k=v (repeatable); PackageVariantSets select by them"),
) -> None:
    """Register a git repository of packages."""
    if (repo_basic_username or repo_basic_password) and token_env:
        raise InvalidInput("use either --repo-basic-username/--repo-basic-password or --token-env")
    if bool(repo_basic_username) != bool(repo_basic_password):
        raise InvalidInput("--repo-basic-username and --repo-basic-password go together")
    settings = current_settings()
    url, embedded = _split_userinfo(url)
    if embedded is not None:  # a password in the URL goes to the credentials file, not the registry
        if repo_basic_username or token_env:
            raise InvalidInput("give credentials either in the URL or as options, not both")
        repo_basic_username, repo_basic_password = embedded
    auth = "basic" if repo_basic_username else "token" if token_env else ""
    repository = Repository(
        name=name or repositories.default_name(url), url=url, branch=branch, directory=directory,
        deployment=deployment, forge=forge, auth=auth, token_env=token_env, description=description,
        labels=_labels(label),
    )
    registered = repositories.register(settings, repository)
    if auth == "basic":
        credentials.store_basic(settings, registered.name, repo_basic_username, repo_basic_password)
    # porchctl prints nothing on success.


def _labels(given: list[str]) -> dict[str, str]:
    labels = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--label {item!r}: expected key=value")
        labels[key.strip()] = value.strip()
    return labels


def _split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    parts = urlsplit(url)
    if "://" not in url or parts.password is None:
        return url, None
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc)), (unquote(parts.username or ""), unquote(parts.password))


def _readiness(settings: Settings, repository: Repository) -> tuple[bool, str]:
    try:
        RepositoryCache(settings, repository).ls_remote()
    except PorchbotError as err:
        return False, str(err)
    return True, ""


@app.command()
def get(
    name: str = typer.Argument("", help="Only this repository"),
    output: str = typer.Option("", "-o", "--output",
                               help="wide | json | yaml | name | custom-columns=... | jsonpath=..."),
    no_headers: bool = typer.Option(False, "--no-headers", help="Print tables without their header"),
) -> None:
    """List registered repositories; READY comes from a live ls-remote."""
    printers.check_output(output)
    settings = current_settings()
    registered = repositories.load(settings)
    if name:
        registered = {name: repositories.get(settings, name)}
    states = {repo.name: _readiness(settings, repo) for repo in registered.values()}
    objects = [repository_object(repo, *states[repo.name], cobra.namespace()) for repo in registered.values()]

    def rows(wide: bool) -> printers.Rows:
        headers = ["NAME", "TYPE", "CONTENT", "DEPLOYMENT", "READY", "ADDRESS"]
        if wide:
            headers += ["BRANCH", "DIRECTORY", "FORGE", "MESSAGE"]
        lines = []
        for repo in registered.values():
            ready, reason = states[repo.name]
            # porchctl v4 prints a false DEPLOYMENT as nothing (the field is omitted when false); the kpt
            # book's CLI printed "false".
            shown = "true" if repo.deployment else "false" if cobra.era() == "kpt-alpha" else ""
            row = [repo.name, "git", "Package", shown, str(ready), repo.url]
            if wide:
                row += [repo.branch, repo.display_directory, repo.forge, reason]
            lines.append(row)
        return headers, lines

    sys.stdout.write(printers.render(objects, output, no_headers, KIND, rows))
    if output in ("", "wide"):
        for repo_name, (ready, reason) in states.items():
            if not ready:
                sys.stderr.write(f"{repo_name}: not ready: {reason}\n")


@app.command()
def unregister(name: str = typer.Argument(...)) -> None:
    """Forget a repository (and its stored credentials); the remote is not touched."""
    settings = current_settings()
    repositories.unregister(settings, name)
    credentials.forget(settings, name)  # porchctl prints nothing on success
