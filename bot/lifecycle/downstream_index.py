"""Which packages follow which upstream: upstream package → the downstream packages on the registered
repositories' branches, with the revision each is locked to.

A release must not mean cloning and scanning every repository, so the index is kept under the state
directory, per repository keyed by the branch commit it was read at. Refreshing a repository after a push
reads only the Kptfiles that changed between the two commits (one ``git diff-tree`` and one
``git cat-file --batch``); ``rebuild`` reads everything again (``porchbot variants reindex``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
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
        except PorchbotError:
            continue  # a broken Kptfile follows nothing; its own render reports it
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

    def refresh(self, repository: str, fetch: bool = True) -> list[Downstream]:
        """Bring one repository's entries to its branch tip; what it holds now."""
        cache = self.engine.cache(repository)
        if fetch:
            cache.fetch()
        else:
            cache.ensure()
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
        changed = cache.git.run("diff-tree", "-r", "--name-only", "--no-renames", known["commit"], head)
        touched = {name[: -len("/Kptfile")] for name in changed.splitlines() if name.endswith("/Kptfile")}
        kept = [Downstream(**entry) for entry in known["entries"] if entry["package_path"] not in touched]
        present = [path for path in sorted(touched) if cache.git.rev_parse(f"{head}:{path}/Kptfile")]
        return kept + _entries(repository, _kptfiles(cache, head, present))

    def rebuild(self) -> int:
        """Read every registered repository again from scratch; how many downstream packages there are."""
        self._save({"format": _FORMAT, "repositories": {}})
        return sum(len(self.refresh(name)) for name in sorted(self.engine.repositories()))

    def downstreams_of(self, upstream_url: str, package_path: str) -> list[Downstream]:
        wanted = normalise_url(upstream_url)
        state = self._load()
        return [Downstream(**entry) for known in state["repositories"].values() for entry in known["entries"]
                if entry["upstream_url"] == wanted and entry["upstream_package"] == package_path]


def index_path(engine: Engine) -> Path:
    return DownstreamIndex(engine).path
