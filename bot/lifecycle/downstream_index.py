"""Which packages follow which upstream: upstream package → the downstream packages on the registered
repositories' branches, with the revision each is locked to.

A release must not mean cloning and scanning every repository, so the index is kept under the state
directory, per repository keyed by the branch commit it was read at. Refreshing a repository after a push
reads only the Kptfiles that changed between the two commits (one ``git diff-tree`` and one
``git cat-file --batch``); ``rebuild`` reads everything again (``porchbot variants reindex``).
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from bot.errors import PorchbotError
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import package_dirs
from bot.lifecycle.engine import Engine
from bot.lifecycle.upstreams import locked_number, normalise_url, read_lock

_FORMAT = 1


@dataclass(frozen=True)
class Downstream:
    repository: str
    package_path: str
    upstream_url: str  # normalised
    upstream_package: str
    locked_ref: str
    locked_number: int | None  # None: locked to a branch or a draft, behind every published revision


def _kptfiles(cache: RepositoryCache, commit: str, package_paths: list[str]) -> dict[str, str]:
    """``<package>/Kptfile`` texts at ``commit``, in one ``git cat-file --batch``."""
    blobs = cache.git.read_objects([f"{commit}:{path}/Kptfile" for path in package_paths])
    return {path: blob.decode(errors="replace") for path, blob in zip(package_paths, blobs, strict=True)
            if blob is not None}


def _entries(repository: str, texts: dict[str, str]) -> list[Downstream]:
    found = []
    for package_path, text in texts.items():
        try:
            lock = read_lock(text, f"{repository}:{package_path}")
        except (PorchbotError, AttributeError, TypeError):
            continue  # a broken Kptfile (bad YAML, upstreamLock not a mapping) follows nothing; its render says why
        if lock is not None:
            found.append(Downstream(repository, package_path, normalise_url(lock.repo), lock.package_path,
                                    lock.ref, locked_number(lock)))
    return found


class DownstreamIndex:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.path = engine.settings.state_dir / "downstreams.json"

    def _load(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {"format": _FORMAT, "repositories": {}}
        return state if state.get("format") == _FORMAT else {"format": _FORMAT, "repositories": {}}

    def _save(self, state: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".downstreams-")
        with os.fdopen(handle, "w") as out:
            json.dump(state, out)
        os.replace(temporary, self.path)  # a reader never sees half an index

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One read-modify-write at a time across processes (workers sharing the state directory): two
        refreshes of different repositories must not drop each other's entries."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(".downstreams.lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def refresh(self, repository: str, fetch: bool = True) -> list[Downstream]:
        """Bring one repository's entries to its branch tip (``fetch``: fetched now; without it, as the
        cache holds it — a job that just fetched under ``ctx.git``); what it holds now."""
        cache = self.engine.cache(repository)
        with cache.exclusive():  # re-entrant: a job holding it already (ctx.git) just goes on
            if fetch:
                cache.fetched = False
                cache.fetch()
            else:
                cache.ensure()
            with self._locked():
                return self._refresh(cache, repository)

    def _refresh(self, cache: RepositoryCache, repository: str) -> list[Downstream]:
        state = self._load()
        known = state["repositories"].get(repository)
        head = cache.git.rev_parse(f"refs/heads/{cache.repository.branch}")
        if head is None:
            entries: list[Downstream] = []
        elif known is not None and known["commit"] == head:
            return [Downstream(**entry) for entry in known["entries"]]
        elif known is not None and cache.git.rev_parse(f"{known['commit']}^{{commit}}"):
            entries = self._changed(cache, repository, known, head)
        else:
            names = cache.git.ls_tree_names(head)
            packages = package_dirs(names, cache.repository.directory)
            entries = _entries(repository, _kptfiles(cache, head, packages))
        state["repositories"][repository] = {"commit": head, "entries": [asdict(e) for e in entries]}
        self._save(state)
        return entries

    def _changed(self, cache: RepositoryCache, repository: str, known: dict[str, Any], head: str) -> list[Downstream]:
        """Only the Kptfiles that changed are read again. Which directories are packages comes from one
        listing of names at ``head`` (a Kptfile added above a package makes it a subpackage; ``-z``: a
        non-ASCII path comes out as it is, not quoted)."""
        changed = cache.git.run("diff-tree", "-r", "-z", "--name-only", "--no-renames", known["commit"], head)
        touched = {name[: -len("/Kptfile")] for name in changed.split("\0") if name.endswith("/Kptfile")}
        packages = set(package_dirs(cache.git.ls_tree_names(head), cache.repository.directory))
        kept = [Downstream(**entry) for entry in known["entries"]
                if entry["package_path"] in packages and entry["package_path"] not in touched]
        return kept + _entries(repository, _kptfiles(cache, head, sorted(touched & packages)))

    def rebuild(self, failures: list[tuple[str, PorchbotError]] | None = None) -> int:
        """Read every registered repository again from scratch; how many downstream packages there are.
        With ``failures``, a repository that cannot be read is recorded there and the others are indexed;
        without it, the first failure raises."""
        with self._locked():
            self._save({"format": _FORMAT, "repositories": {}})
        found = 0
        for name in sorted(self.engine.repositories()):
            try:
                found += len(self.refresh(name))
            except PorchbotError as err:
                if failures is None:
                    raise
                failures.append((name, err))
        return found

    def entries(self) -> list[Downstream]:
        """Every downstream package the index holds, by repository and package."""
        state = self._load()
        found = [Downstream(**entry) for known in state["repositories"].values() for entry in known["entries"]]
        return sorted(found, key=lambda d: (d.repository, d.package_path))

    def downstreams_of(self, upstream_url: str, package_path: str) -> list[Downstream]:
        wanted = normalise_url(upstream_url)
        registered = self.engine.repositories()  # a repository unregistered since it was indexed is not ours
        state = self._load()
        return [Downstream(**entry) for name, known in state["repositories"].items() if name in registered
                for entry in known["entries"]
                if entry["upstream_url"] == wanted and entry["upstream_package"] == package_path]
