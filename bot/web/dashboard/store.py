"""The dashboard's memory: one ``RepoView`` per registered repository, kept fresh by a refresher thread.

Pages only read ``views()``; git is read when a fetch moved a ref (a refresh at start, after each push the
workers of this process handle, and every ``PORCHBOT_DASHBOARD_REFRESH_SECONDS``). ``version`` grows with
every change, so a live page asks "anything newer than N?" and gets an empty answer most of the time.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from bot.config.settings import Settings
from bot.errors import PorchbotError
from bot.forges.models import PushEvent
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import GitError
from bot.lifecycle.repositories import Repository
from bot.lifecycle.upstreams import normalise_url
from bot.web.dashboard.gitread import package_files
from bot.web.dashboard.snapshot import RepoView, build_view, failed_view, forge_overlay, ref_key

log = logging.getLogger("porchbot.dashboard")
# Caches are not safe to fetch from two threads at once: the read API's ?refresh=true takes this lock too.
CACHE_LOCK = threading.Lock()
FILE_CACHE_ENTRIES = 256  # package trees by (repository, commit, path): immutable, so only the size bounds it


class DashboardStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.engine = Engine(settings)
        self.version = 0
        self._views: dict[str, RepoView] = {}
        self._git_lock = CACHE_LOCK
        self._files_lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._caches: dict[str, RepositoryCache] = {}
        self._derived: dict[str, tuple[int, Any]] = {}
        self._files: OrderedDict[tuple[str, str, str], dict[str, str | None]] = OrderedDict()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending: set[str] = set()
        self._thread: threading.Thread | None = None

    # --- reading (pages) -----------------------------------------------------------------------
    def views(self) -> dict[str, RepoView]:
        if self.version == 0 and self._thread is None:
            self.refresh()  # no refresher runs (an app used without its lifespan): fill once, on demand
        return self._views

    def remember(self, key: str, build: Callable[[dict[str, RepoView]], Any]) -> Any:
        """What a page derives from every view (overview, fleet), built once per store version."""
        # The version first: a refresh swaps the views before it bumps it, so a result is never filed
        # under a version newer than the views it was built from.
        version = self.version
        views = self.views()
        cached = self._derived.get(key)
        if cached is None or cached[0] != version:
            cached = (version, build(views))
            self._derived[key] = cached
        return cached[1]

    def files(self, repository: str, commit: str, package_path: str) -> dict[str, str | None]:
        """The package's files at ``commit``. Read without the cache lock: objects never change, and git
        reads them safely while a fetch adds others."""
        key = (repository, commit, package_path)
        with self._files_lock:
            if key in self._files:
                self._files.move_to_end(key)
                return self._files[key]
        found = package_files(self._cache(repository).git, commit, package_path)
        with self._files_lock:
            self._files[key] = found
            while len(self._files) > FILE_CACHE_ENTRIES:
                self._files.popitem(last=False)
        return found

    def _cache(self, name: str, repository: Repository | None = None) -> RepositoryCache:
        """The repository's cache; a new one when it was registered again with other settings."""
        repository = repository or self.engine.repository(name)
        cache = self._caches.get(name)
        if cache is None or cache.repository != repository:
            cache = self._caches[name] = RepositoryCache(self.settings, repository)
        return cache

    # --- refreshing ----------------------------------------------------------------------------
    def refresh(self, only: set[str] | None = None) -> None:
        """Fetch the registered repositories (or ``only`` these) and rebuild the views whose refs moved."""
        try:
            registered = self.engine.repositories()
        except PorchbotError as err:
            log.warning("dashboard: repositories not read", extra={"reason": str(err)[:200]})
            return
        views = dict(self._views)
        changed = any(name not in registered for name in views)
        views = {name: view for name, view in views.items() if name in registered}
        for name, repository in registered.items():
            if only is not None and name not in only:
                continue
            previous = views.get(name)
            if previous is not None and previous.repository != repository:
                previous = None  # re-registered differently: start again
            view = self._refresh_one(self._cache(name, repository), previous, registered)
            if view is not previous:
                views[name] = view
                changed = True
        if changed or self.version == 0:  # the first refresh counts even when it found nothing
            self._views = views  # one assignment: a page sees the old dictionary or the new one
            self.version += 1

    def _refresh_one(self, cache: RepositoryCache, previous: RepoView | None,
                     registered: dict[str, Repository]) -> RepoView:
        # The cache's own lock too: the bot's jobs fetch and clone into the same directories (a fetch or a
        # first clone racing one of theirs fails with "unable to update local ref" or a half-renamed clone).
        with self._git_lock, cache.exclusive():
            try:
                cache.fetched = False  # the cache object is kept: fetch again every time
                cache.fetch()
                key = ref_key(cache)
                if previous is not None and previous.ready and previous.key == key:
                    return previous
                return build_view(cache, key, previous, forge_overlay(cache.repository), registered)
            except (PorchbotError, GitError, OSError) as err:
                reason = str(err) or type(err).__name__
                if previous is not None and not previous.ready and previous.reason == reason:
                    return previous
                log.warning("dashboard: fetch failed", extra={"reason": f"{cache.repository.name}: {reason}"[:300]})
                return failed_view(cache.repository, reason, previous)

    def request_refresh(self, repository: str | None = None) -> None:
        """Ask the refresher thread for a refresh soon (all repositories when ``repository`` is None)."""
        with self._pending_lock:
            self._pending.add(repository or "*")
        self._wake.set()

    def on_push(self, event: PushEvent) -> None:
        """dispatch.PUSH_LISTENERS hook: refresh the pushed repository (found by its clone URL), or every
        repository when none is registered under that URL (a mirror, another spelling of it)."""
        wanted = normalise_url(event.repo.clone_url) if event.repo.clone_url else ""
        try:
            names = [name for name, repository in self.engine.repositories().items()
                     if wanted and normalise_url(repository.url) == wanted]
        except PorchbotError:
            names = []
        targets: list[str | None] = list(names) or [None]
        for name in targets:
            self.request_refresh(name)

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="dashboard-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def _run(self) -> None:
        interval = max(0.2, float(self.settings.dashboard_refresh_seconds))
        while not self._stop.is_set():
            try:
                with self._pending_lock:
                    pending, self._pending = self._pending, set()
                self.refresh(None if not pending or "*" in pending else pending)
            except Exception:  # a bug must not end the refresher: the next round tries again
                log.exception("dashboard: refresh crashed")
            self._wake.wait(timeout=interval)
            self._wake.clear()
