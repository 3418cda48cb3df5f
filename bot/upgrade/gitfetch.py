"""Fetching an upstream package revision the way ``kpt pkg update`` resolves it, with real git.

The refs of the upstream repository are fetched once per update into a throw-away bare repository.
A ref names, in kpt's order: a package-scoped tag (``<dir>/<ref>``, shortening the directory from its
end: ``/a/b`` + ``v2`` tries ``a/b/v2``, then ``a/v2``, then ``v2``), else a branch, else a tag, else a
commit. The package directory of that commit is written to a temporary directory.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.errors import PorchbotError
from bot.upgrade.git import BareRepo, GitFailed


class FetchError(PorchbotError):
    pass


@dataclass(frozen=True)
class Fetched:
    path: Path  # the package directory's content
    repo: str
    directory: str
    ref: str  # as resolved (a package-scoped tag like pkg/v2, a branch, a tag or the commit given)
    commit: str


class UpstreamCache:
    """One bare repository per upstream URL for the length of an update (kpt's cachedUpstreamRepos)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="porchbot-upstream-"))
        self._repos: dict[str, tuple[BareRepo, dict[str, str], dict[str, str]]] = {}
        self._count = 0

    def close(self) -> None:
        # Removing a few hundred extracted files is a noticeable part of a large update: a detached
        # ``rm`` does it while we finish (and after we exit); the directory is private to this run.
        try:
            subprocess.Popen(["rm", "-rf", str(self.root)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> UpstreamCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repo(self, url: str) -> tuple[BareRepo, dict[str, str], dict[str, str]]:
        if url in self._repos:
            return self._repos[url]
        self._count += 1
        git = BareRepo(self.root / f"repo{self._count}.git")
        git.init()
        try:
            git.run("fetch", "--quiet", "--no-tags", url, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
        except GitFailed as err:
            raise FetchError(f"failed to fetch upstream repository {url!r}: {err}") from err
        heads: dict[str, str] = {}
        tags: dict[str, str] = {}
        listing = git.run("for-each-ref", "--format=%(refname) %(objectname) %(*objectname)", "refs/heads", "refs/tags")
        for line in listing.splitlines():
            name, _, ids = line.partition(" ")
            object_id, _, peeled = ids.partition(" ")
            if name.startswith("refs/heads/"):
                heads[name[len("refs/heads/"):]] = object_id
            else:
                tags[name[len("refs/tags/"):]] = peeled.strip() or object_id
        self._repos[url] = (git, heads, tags)
        return self._repos[url]

    def fetch(self, url: str, directory: str, ref: str) -> Fetched:
        git, heads, tags = self._repo(url)
        parts = directory.split("/")
        while parts:
            scoped = "/".join(p for p in parts if p).strip("/")
            candidate = f"{scoped}/{ref}" if scoped else ref
            if candidate in tags:
                ref = candidate
                break
            parts = parts[:-1]
        commit = heads.get(ref.removeprefix("refs/heads/")) or tags.get(ref.removeprefix("refs/tags/"))
        if commit is None:
            commit = git.rev_parse(f"{ref}^{{commit}}")
            if commit is None:
                result = git.run_raw("fetch", "--quiet", "--no-tags", url, ref)
                commit = git.rev_parse(f"{ref}^{{commit}}") if result.returncode == 0 else None
            if commit is None:
                raise FetchError(f"unknown revision or path not in the working tree: {ref!r} "
                                 f"in upstream repository {url!r}")
        self._count += 1
        target = self.root / f"tree{self._count}"
        sub = directory.strip("/")
        treeish = f"{commit}:{sub}" if sub else f"{commit}^{{tree}}"
        if git.rev_parse(treeish) is None:
            raise FetchError(f"path {directory!r} does not exist in repo {url!r}")
        git.extract(treeish, target)
        return Fetched(target, url, directory, ref, commit)

    def empty(self) -> Path:
        self._count += 1
        target = self.root / f"empty{self._count}"
        target.mkdir()
        return target
