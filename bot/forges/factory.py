"""Build a `Forge` for a registered repository: which API, which project, which token.

The API address comes from the repository's clone URL (github.com → api.github.com, any other GitHub host
→ ``<host>/api/v3`` as GitHub Enterprise serves it; GitLab → the host itself), unless the repository's
policies name an ``api_url``. The bot acts with its own token; the CLI (``rpkg propose|approve|reject``)
with the user's, named by the repository's ``token_env``. The bot's identity on GitHub is either a token
(``PORCHBOT_GITHUB_TOKEN``) or, without one, a GitHub App (``PORCHBOT_GITHUB_APP_ID`` +
``PORCHBOT_GITHUB_APP_PRIVATE_KEY_FILE``) whose installation tokens also authenticate the bot's git.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot.config.settings import current_settings, environment_value
from bot.errors import InvalidInput
from bot.forges.base import Forge
from bot.lifecycle.credentials import TOKEN_USERNAMES, Credential
from bot.lifecycle.repositories import Repository

if TYPE_CHECKING:  # PyGithub is imported only when GitHub is used: `rpkg` on git-only starts faster
    from bot.forges.github_app import InstallationTokens

GITHUB_TOKEN_ENV = "PORCHBOT_GITHUB_TOKEN"
GITLAB_TOKEN_ENV = "PORCHBOT_GITLAB_TOKEN"
GITHUB_APP_ID_ENV = "PORCHBOT_GITHUB_APP_ID"
GITHUB_APP_KEY_ENV = "PORCHBOT_GITHUB_APP_PRIVATE_KEY_FILE"

# One token cache per (API, app) for the whole process: the forge and git share each installation token.
_app_tokens: dict[tuple[str, str], InstallationTokens] = {}
_app_lock = threading.Lock()


def repo_full_name(url: str) -> str:
    """``owner/name`` (GitHub) or the project path (GitLab) of a clone URL, without ``.git``."""
    if "://" not in url and url.startswith("git@") and ":" in url:
        path = url.split(":", 1)[1]
    else:
        path = urlsplit(url).path
    path = path.strip("/")
    return path[: -len(".git")] if path.endswith(".git") else path


def api_url(repository: Repository) -> str:
    configured = repository.policies.get("api_url") if isinstance(repository.policies, dict) else None
    if configured:
        return str(configured).rstrip("/")
    parts = urlsplit(repository.url)
    if not parts.hostname:
        raise InvalidInput(f"repository {repository.name!r}: cannot tell the forge API from {repository.url!r}")
    scheme = parts.scheme if parts.scheme in ("http", "https") else "https"
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    if repository.forge == "github":
        return "https://api.github.com" if host == "github.com" else f"{scheme}://{host}/api/v3"
    return f"{scheme}://{host}"


def token_for(repository: Repository, fallback_env: str | None = None) -> str:
    names = [name for name in (repository.token_env, fallback_env) if name]
    for name in names:
        token = environment_value(name)
        if token:
            return token
    wanted = " or ".join(names) or "--token-env"
    raise InvalidInput(f"repository {repository.name!r} is on {repository.forge} but no token is set ({wanted})")


def forge_for(repository: Repository, token: str | None = None) -> Forge:
    """A Forge bound to ``repository``; the token defaults to the repository's ``token_env``."""
    if not repository.forge_backed:
        raise InvalidInput(f"repository {repository.name!r} is not forge-backed (forge: {repository.forge})")
    default_env = GITHUB_TOKEN_ENV if repository.forge == "github" else GITLAB_TOKEN_ENV
    secret = token or token_for(repository, default_env)
    full_name = repo_full_name(repository.url)
    if repository.forge == "github":
        from bot.forges.github import GitHubForge

        return GitHubForge.with_token(full_name, secret, base_url=api_url(repository))
    from bot.forges.gitlab import GitLabForge

    return GitLabForge(full_name, secret, url=api_url(repository))


def app_tokens(repository: Repository) -> InstallationTokens | None:
    """The bot's GitHub App tokens for ``repository``: only on GitHub, with an app configured and no
    PORCHBOT_GITHUB_TOKEN (a token, when set, wins)."""
    settings = current_settings()
    app_id = settings.github_app_id.strip()
    key_file = settings.github_app_private_key_file
    if repository.forge != "github" or not app_id or settings.github_token:
        return None
    if not key_file:
        raise InvalidInput(f"{GITHUB_APP_ID_ENV} is set but {GITHUB_APP_KEY_ENV} is not: the app needs its key")
    base_url = api_url(repository)
    with _app_lock:
        tokens = _app_tokens.get((base_url, app_id))
        if tokens is None:
            try:
                private_key = Path(key_file).read_text()
            except OSError as err:
                raise InvalidInput(f"cannot read the GitHub App private key ({GITHUB_APP_KEY_ENV}): "
                                   f"{err.strerror}") from err
            from bot.forges.github_app import InstallationTokens

            tokens = _app_tokens[(base_url, app_id)] = InstallationTokens(app_id, private_key, base_url=base_url)
        return tokens


def bot_forge(repository: Repository) -> Forge:
    """The bot's own identity: PORCHBOT_GITHUB_TOKEN / PORCHBOT_GITLAB_TOKEN first, then the GitHub App,
    then ``token_env``."""
    tokens = app_tokens(repository)
    if tokens is not None:
        from bot.forges.github import GitHubForge

        return GitHubForge.with_installation_tokens(repo_full_name(repository.url), tokens,
                                                    base_url=api_url(repository))
    settings = current_settings()
    token = settings.github_token if repository.forge == "github" else settings.gitlab_token
    return forge_for(repository, token.get_secret_value() if token else None)


def bot_git_credential(repository: Repository) -> Credential | None:
    """The bot's git credential when it acts as a GitHub App: the current installation token (renewed
    before it expires); None means the repository's own credentials."""
    tokens = app_tokens(repository)
    if tokens is None:
        return None
    return Credential(TOKEN_USERNAMES["github"], tokens.token(repo_full_name(repository.url)))


def find_registered(repositories: dict[str, Repository], forge: str, full_name: str) -> Repository | None:
    """The registered repository a webhook's ``forge`` + ``full_name`` names, if any."""
    wanted = full_name.strip("/").lower()
    for repository in repositories.values():
        if repository.forge == forge and repo_full_name(repository.url).lower() == wanted:
            return repository
    return None
