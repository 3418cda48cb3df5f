"""Repository credentials: a 0600 file under the config directory, or an environment variable reference.

Secrets reach git only through the environment of its process (read back by an askpass helper), never
on a command line and never in the repositories file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config.settings import Settings, environment_value
from bot.errors import InvalidInput
from bot.lifecycle.repositories import Repository

ASKPASS_SCRIPT = """#!/bin/sh
# Porchbot's git askpass helper: answers from the environment its caller set for this one git process.
case "$1" in
  Username*) printf '%s\\n' "$PORCHBOT_GIT_USERNAME" ;;
  *) printf '%s\\n' "$PORCHBOT_GIT_PASSWORD" ;;
esac
"""

TOKEN_USERNAMES = {"github": "x-access-token", "gitlab": "oauth2"}


@dataclass(frozen=True)
class Credential:
    username: str
    password: str


def _read_all(settings: Settings) -> dict[str, dict[str, str]]:
    path = settings.credentials_file
    if not path.exists():
        return {}
    document = yaml.safe_load(path.read_text()) or {}
    return {str(name): dict(entry) for name, entry in (document.get("credentials") or {}).items()}


def store_basic(settings: Settings, repository: str, username: str, password: str) -> None:
    entries = _read_all(settings)
    entries[repository] = {"username": username, "password": password}
    _write_all(settings, entries)


def forget(settings: Settings, repository: str) -> None:
    entries = _read_all(settings)
    if entries.pop(repository, None) is not None:
        _write_all(settings, entries)


def _write_all(settings: Settings, entries: dict[str, dict[str, str]]) -> None:
    path = settings.credentials_file
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".credentials.")
    os.chmod(temp_name, stat.S_IRUSR | stat.S_IWUSR)  # 0600 before a secret is written
    with os.fdopen(handle, "w") as out:
        yaml.safe_dump({"credentials": entries}, out, sort_keys=True)
    os.replace(temp_name, path)


def credential_for(settings: Settings, repository: Repository) -> Credential | None:
    if repository.auth == "basic":
        entry = _read_all(settings).get(repository.name)
        if entry is None:
            raise InvalidInput(f"repository {repository.name!r}: no stored credentials; register it again")
        return Credential(entry.get("username", ""), entry.get("password", ""))
    if repository.auth == "token":
        token = environment_value(repository.token_env)
        if not token:
            raise InvalidInput(
                f"repository {repository.name!r}: environment variable {repository.token_env} is not set"
            )
        username = repository.username or TOKEN_USERNAMES.get(repository.forge, "token")
        return Credential(username, token)
    return None


def askpass_helper(settings: Settings) -> Path:
    helper = settings.state_dir / "git-askpass.sh"
    if not helper.exists() or helper.read_text() != ASKPASS_SCRIPT:
        helper.parent.mkdir(parents=True, exist_ok=True)
        helper.write_text(ASKPASS_SCRIPT)
        helper.chmod(0o700)
    return helper


def git_environment(settings: Settings, credential: Credential | None) -> dict[str, str]:
    """Extra environment for a git process talking to the remote."""
    env = {"GIT_TERMINAL_PROMPT": "0"}
    if credential is not None:
        env.update(
            GIT_ASKPASS=str(askpass_helper(settings)),
            PORCHBOT_GIT_USERNAME=credential.username,
            PORCHBOT_GIT_PASSWORD=credential.password,
        )
    return env
