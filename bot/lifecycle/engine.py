"""The lifecycle engine's front: registered repositories, their caches, and finding package revisions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.config.settings import Settings, current_settings
from bot.errors import InvalidInput, NotFound, PorchbotError
from bot.lifecycle import repositories
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import Discovery, PackageRevision, known_package
from bot.lifecycle.repositories import Repository

# Porch's hash names (<repo>-<sha1>) and v4.1's dotted ones (<repo>.<pkg.path>.<workspace>).
_NAME = re.compile(r"^(?P<repo>[a-z0-9]([-a-z0-9]*[a-z0-9])?)(-[0-9a-f]{40}|\.[a-z0-9][-a-z0-9._]*)$")


@dataclass
class Engine:
    settings: Settings = field(default_factory=current_settings)
    _caches: dict[str, RepositoryCache] = field(default_factory=dict)

    def repositories(self) -> dict[str, Repository]:
        return repositories.load(self.settings)

    def repository(self, name: str) -> Repository:
        return repositories.get(self.settings, name)

    def cache(self, name: str) -> RepositoryCache:
        if name not in self._caches:
            self._caches[name] = RepositoryCache(self.settings, self.repository(name))
        return self._caches[name]

    def revisions(self, repository: str, fetch: bool = True) -> list[PackageRevision]:
        cache = self.cache(repository)
        if fetch:
            cache.fetch()
        else:
            cache.ensure()
        return Discovery(cache).list()

    def all_revisions(self, only: str | None = None,
                      failures: list[tuple[str, PorchbotError]] | None = None) -> list[PackageRevision]:
        """Every repository's revisions. With ``failures``, a repository that cannot be read is
        recorded there and the others are still listed; without it, the first failure raises."""
        names = [only] if only else sorted(self.repositories())
        found: list[PackageRevision] = []
        for name in names:
            try:
                found.extend(self.revisions(name))
            except PorchbotError as err:
                if failures is None or only:
                    raise
                failures.append((name, err))
        return found

    def find_by_ref(self, repository: str, ref: str) -> PackageRevision | None:
        """The draft/proposed revision held by branch ``ref`` (e.g. ``refs/heads/drafts/pkg/v1``), for a
        front door that learns about branches (PR events) rather than names."""
        for revision in self.revisions(repository):
            if revision.ref == ref and not revision.is_branch_entry:
                return revision
        return None

    def find(self, name: str) -> tuple[RepositoryCache, PackageRevision]:
        """The package revision called ``name`` (fetched fresh from its repository)."""
        match = _NAME.match(name)
        if match is None:
            raise InvalidInput(f"{name!r} is not a package revision name (<repository>-<40 hex digits>, or "
                               "<repository>.<package>.<workspace>)")
        repository = match.group("repo")
        if repository in self.repositories():
            cache = self.cache(repository)
            discovery = Discovery(cache)
            package_path = known_package(discovery.store, name) if (cache.git_dir / "HEAD").exists() else None
            if package_path is not None:
                cache.fetch_package(package_path)  # the revision's own refs, not the whole repository's
            else:
                cache.fetch()
            found = discovery.lookup(name)
            if found is not None:
                return cache, found
            cache.fetch()
            for revision in self.revisions(repository):
                if revision.name == name:
                    return self.cache(repository), revision
        raise NotFound(f"package revision {name!r} not found")
