"""The repository registry: ``repositories.yaml`` under the config directory (never any secret in it).

Read with PyYAML (fast, and the file is plain data); written by ``repositories_yaml`` with ruamel.yaml's
round-trip, so `repo register`/`unregister` keep a person's comments and order in the file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config.settings import Settings
from bot.errors import Conflict, InvalidInput, NotFound
from bot.lifecycle.naming import normalize_directory, validate_repository_name

FORGES = ("none", "github", "gitlab")


@dataclass(frozen=True)
class Repository:
    name: str
    url: str
    branch: str = "main"
    directory: str = ""  # git-root-relative prefix without slashes; '' is the root
    deployment: bool = False
    forge: str = "none"
    # How to authenticate: "" (none), "basic" (username + password in the credentials file) or
    # "token" (token_env names the environment variable holding it).
    auth: str = ""
    username: str = ""
    token_env: str = ""
    policies: dict[str, Any] = field(default_factory=dict)
    description: str = ""  # porchctl's `repo register --description`
    labels: dict[str, str] = field(default_factory=dict)  # `repo register --label k=v`; variant sets select by them

    @property
    def forge_backed(self) -> bool:
        """Whether drafts here live in pull requests (PR mode) rather than git-only branches."""
        return self.forge in ("github", "gitlab")

    @property
    def display_directory(self) -> str:
        return "/" + self.directory


def default_name(url: str) -> str:
    """The URL's last path segment without ``.git`` (porchctl's default)."""
    last = url.rstrip("/").rsplit("/", 1)[-1]
    if last.endswith(".git"):
        last = last[: -len(".git")]
    return last.lower()


def load(settings: Settings) -> dict[str, Repository]:
    path = settings.repositories_file
    if not path.exists():
        return {}
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise InvalidInput(f"{path}: not valid YAML: {err}") from None
    entries = document.get("repositories") or []
    repositories: dict[str, Repository] = {}
    for entry in entries:
        if not isinstance(entry, dict) or "name" not in entry or "url" not in entry:
            raise InvalidInput(f"{path}: every repository needs a name and a url")
        known = {key: entry[key] for key in Repository.__dataclass_fields__ if key in entry}
        repositories[str(entry["name"])] = Repository(**known)
    # By name, whatever order a person keeps the file in (porchctl lists repositories sorted too).
    return dict(sorted(repositories.items()))


def _entry(repository: Repository) -> dict[str, Any]:
    """What the file holds for a repository: its fields in declaration order, empty ones left out."""
    entry = {key: value for key, value in asdict(repository).items() if value not in ("", {}, None)}
    entry["deployment"] = repository.deployment
    return entry


def get(settings: Settings, name: str) -> Repository:
    repositories = load(settings)
    if name not in repositories:
        raise NotFound(f"repository {name!r} is not registered (see `porchbot repo get`)")
    return repositories[name]


def register(settings: Settings, repository: Repository) -> Repository:
    validate_repository_name(repository.name)
    if repository.forge not in FORGES:
        raise InvalidInput(f"unknown forge {repository.forge!r}: use one of {', '.join(FORGES)}")
    if not repository.url:
        raise InvalidInput("a repository URL is required")
    normalized = Repository(**{**asdict(repository), "directory": normalize_directory(repository.directory)})
    repositories = load(settings)
    if normalized.name in repositories:
        raise Conflict(f"repository {normalized.name!r} is already registered")
    # Imported here: ruamel.yaml costs every command ~25 ms to import, and only (un)register writes.
    from bot.lifecycle import repositories_yaml

    repositories_yaml.append(settings.repositories_file, _entry(normalized))
    return normalized


def unregister(settings: Settings, name: str) -> Repository:
    repositories = load(settings)
    if name not in repositories:
        raise NotFound(f"repository {name!r} is not registered")
    from bot.lifecycle import repositories_yaml

    repositories_yaml.remove(settings.repositories_file, name)
    return repositories[name]


def resolve_local_url(url: str) -> str:
    """Local paths become absolute so that git finds them whatever the working directory."""
    if "://" in url or url.startswith("git@"):
        return url
    return str(Path(url).expanduser().resolve())
