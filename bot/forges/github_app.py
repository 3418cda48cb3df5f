"""GitHub App installation tokens, shared by the bot's API calls and its git over HTTPS.

A JWT signed with the app's private key finds the installation on a repository and buys an installation
token (GitHub: valid one hour). The token is renewed `refresh_margin` seconds before it expires, so a git
push that starts with it never outlives it. One `InstallationTokens` serves every repository of one app;
tokens are cached per installation, installations per repository.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import github
import requests
from github import Auth, GithubIntegration

from .base import RetryPolicy
from .failures import Failure, call_with_retry, classify_status, network_failure

T = TypeVar("T")
REFRESH_MARGIN = 300.0  # seconds before expiry; GitHub's tokens last 3600


@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: float  # epoch seconds


class InstallationTokens:
    """One GitHub App's installation tokens (thread-safe; the clock is injectable for tests)."""

    def __init__(self, app_id: int | str, private_key: str, *, base_url: str, retry: RetryPolicy | None = None,
                 refresh_margin: float = REFRESH_MARGIN, clock: Callable[[], float] = time.time) -> None:
        self.app_id = app_id
        self._integration = GithubIntegration(auth=Auth.AppAuth(app_id, private_key), base_url=base_url,
                                              retry=None)
        self._retry = retry or RetryPolicy()
        self._margin = refresh_margin
        self._clock = clock
        self._installations: dict[str, int] = {}
        self._tokens: dict[int, _Token] = {}
        self._lock = threading.Lock()

    def remember(self, repo_name: str, installation_id: int) -> None:
        """An installation known in advance (no lookup for `repo_name`)."""
        with self._lock:
            self._installations[repo_name.lower()] = installation_id

    def installation_id(self, repo_name: str) -> int:
        key = repo_name.lower()
        with self._lock:
            known = self._installations.get(key)
        if known is not None:
            return known
        owner, name = repo_name.split("/", 1)
        found = int(self._call(f"find the app installation for {repo_name}",
                               lambda: self._integration.get_repo_installation(owner, name).id))
        with self._lock:
            self._installations[key] = found
        return found

    def token(self, repo_name: str) -> str:
        """A token for the installation on `repo_name`, valid for at least the refresh margin."""
        installation = self.installation_id(repo_name)
        with self._lock:
            cached = self._tokens.get(installation)
            if cached is not None and cached.expires_at - self._margin > self._clock():
                return cached.value
        bought = self._call(f"get an installation token for {repo_name}",
                            lambda: self._integration.get_access_token(installation))
        token = _Token(bought.token, bought.expires_at.timestamp())
        with self._lock:
            self._tokens[installation] = token
        return token.value

    def _call(self, operation: str, fn: Callable[[], T]) -> T:
        return call_with_retry(fn, _classifier(operation), self._retry)


class InstallationTokenAuth(Auth.Auth):
    """PyGithub auth that asks `InstallationTokens` for the current token on every request."""

    def __init__(self, tokens: InstallationTokens, repo_name: str) -> None:
        self._tokens = tokens
        self._repo_name = repo_name

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._tokens.token(self._repo_name)

    @property
    def _masked_token(self) -> str:
        return "token (installation token removed)"


def _classifier(operation: str) -> Callable[[Exception], Failure | None]:
    def classify(exc: Exception) -> Failure | None:
        if isinstance(exc, github.GithubException):
            data = exc.data if isinstance(exc.data, dict) else {}
            message = str(data.get("message") or exc.status)
            return classify_status("GitHub App", operation, exc.status, message, exc.headers or {})
        if isinstance(exc, requests.exceptions.RequestException):
            return network_failure("GitHub App", operation, exc)
        return None

    return classify
