"""What a worker process keeps between jobs: the lifecycle engine, the bot's config, forges, git locks."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.config import policy
from bot.forges import factory as forge_factory
from bot.forges.base import Forge
from bot.forges.models import RepoRef
from bot.handlers.sandboxed_render import Renderer, render_in_sandbox
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.credentials import Credential
from bot.lifecycle.engine import Engine
from bot.lifecycle.repositories import Repository

ForgeBuilder = Callable[[Repository], Forge]


@dataclass
class BotContext:
    engine: Engine = field(default_factory=Engine)
    bot_login: str = "porchbot"
    build_forge: ForgeBuilder = forge_factory.bot_forge
    git_credential: Callable[[Repository], Credential | None] = forge_factory.bot_git_credential
    renderer: Renderer = render_in_sandbox
    push_retry_seconds: float = 0.5  # first wait before a transiently refused render push is tried again
    _config: policy.BotConfig | None = None
    _forges: dict[str, Forge] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _guard: threading.Lock = field(default_factory=threading.Lock)

    @property
    def config(self) -> policy.BotConfig:
        if self._config is None:
            self._config = policy.load_config(self.engine.settings.config_dir)
        return self._config

    def repository_for(self, repo: RepoRef) -> Repository | None:
        """The registered repository a webhook is about (read fresh: `repo register` may have run since)."""
        return forge_factory.find_registered(self.engine.repositories(), repo.forge, repo.full_name)

    def forge(self, repository: Repository) -> Forge:
        with self._guard:
            if repository.name not in self._forges:
                self._forges[repository.name] = self.build_forge(repository)
            return self._forges[repository.name]

    @contextmanager
    def git(self, repository: Repository) -> Iterator[RepositoryCache]:
        """The repository's cache, fetched fresh, held by one job at a time (git's ref locks dislike
        two fetches into one bare repository)."""
        with self._guard:
            lock = self._locks.setdefault(repository.name, threading.Lock())
        # The thread lock orders this process's jobs; the cache's file lock orders everything else that
        # fetches into it (worker processes sharing one state directory, the dashboard's refresher).
        cache = self.engine.cache(repository.name)
        with lock, cache.exclusive():
            cache.credential_source = self.git_credential
            cache.fetched = False
            cache.fetch()
            yield cache

    def is_bot(self, login: str) -> bool:
        lowered = login.lower()
        return lowered in (self.bot_login.lower(), f"{self.bot_login.lower()}[bot]")
