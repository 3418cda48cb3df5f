"""The per-repository bare clone under the state directory, and its conversation with the remote."""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.config.settings import Settings
from bot.errors import PorchbotError
from bot.lifecycle import credentials, remote_changes
from bot.lifecycle.gitaccess import Git, RefUpdate, classify_remote_failure, git_outside
from bot.lifecycle.repositories import Repository, resolve_local_url
from bot.observability.logs import redact

_HELD = threading.local()  # the cache locks this thread holds
FETCH_REFSPECS = ("+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*")
_NAMED_FETCH_LIMIT = 200  # refs moved beyond which one whole fetch beats a fetch naming each


class RepositoryCache:
    """A registered repository's bare cache: fetch on demand, build objects locally, push atomically."""

    def __init__(self, settings: Settings, repository: Repository) -> None:
        self.settings = settings
        self.repository = repository
        self.url = resolve_local_url(repository.url)
        self.git_dir = settings.git_cache_dir / f"{repository.name}.git"
        self._remote_env: dict[str, str] | None = None
        # Short-lived credentials (the bot's GitHub App installation token) override the repository's;
        # asked for every git process so a renewed token is used. None from it: the repository's own.
        self.credential_source: Callable[[Repository], credentials.Credential | None] | None = None
        self.git = Git(self.git_dir)
        self.fetched = False

    @contextmanager
    def exclusive(self) -> Iterator[RepositoryCache]:
        """Held while fetching into or pushing from the cache: git's ref locks fail when two processes (or
        two threads: the lock is per open file) fetch into one bare repository at once. Every user of a
        cache — the bot's jobs, the dashboard's refresher, a CLI beside a running bot — takes this one."""
        held: set[Path] = _HELD.__dict__.setdefault("paths", set())
        lock_path = self.settings.git_cache_dir / f"{self.repository.name}.lock"
        if lock_path in held:  # re-entered by the same thread (an upgrade reading its own repository)
            yield self
            return
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            held.add(lock_path)
            try:
                yield self
            finally:
                held.discard(lock_path)
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def display_url(self) -> str:
        return redact(self.repository.url)

    def remote_env(self) -> dict[str, str]:
        if self.credential_source is not None:
            credential = self.credential_source(self.repository)
            if credential is not None:
                return credentials.git_environment(self.settings, credential)
        if self._remote_env is None:
            credential = credentials.credential_for(self.settings, self.repository)
            self._remote_env = credentials.git_environment(self.settings, credential)
        return self._remote_env

    def ensure(self) -> None:
        if not (self.git_dir / "HEAD").exists():
            self.git_dir.parent.mkdir(parents=True, exist_ok=True)
            result = git_outside("init", "--bare", "-q", str(self.git_dir), env={})
            if result.returncode != 0:
                raise classify_remote_failure(str(self.git_dir), result.stderr)
            # gc in the background would race with our plumbing; the cache is small and fetched often.
            self.git.run("config", "gc.auto", "0")

    def fetch(self) -> None:
        """Bring the cache's branches and tags to the remote's (pruning what was deleted there)."""
        if self.fetched:
            return
        if not (self.git_dir / "HEAD").exists():
            self._clone()
            return
        self.ensure()
        if not self._fetch_moved():
            result = self.git.run_raw("fetch", "--prune", "--no-tags", "--no-write-fetch-head",
                                      self.url, *FETCH_REFSPECS, env=self.remote_env())
            if result.returncode != 0:
                raise classify_remote_failure(self.repository.url, result.stderr)
            if " -> " in result.stderr:
                self._pack_refs()
        self.fetched = True

    def _fetch_moved(self) -> bool:
        """Bring over only the refs that moved on the remote (see ``remote_changes``); False when the whole
        fetch should run instead (the listing failed — the fetch then says why — or too much moved)."""
        listed = self.git.run_raw("-c", "protocol.version=2", "ls-remote", "--heads", "--tags", self.url,
                                  env=self.remote_env())
        if listed.returncode != 0:
            return False
        moved, gone = remote_changes.differences(listed.stdout, self.git_dir)
        if len(moved) + len(gone) > _NAMED_FETCH_LIMIT:
            return False  # a long-stale cache: one whole fetch is cheaper than thousands of names
        if gone:  # first: a deleted refs/heads/a makes room for a new refs/heads/a/b
            self.git.update_refs([RefUpdate(name, None, None) for name in gone])
        if moved:
            fetched = self.git.run_raw("-c", "protocol.version=2", "-c", "fetch.showForcedUpdates=false", "fetch",
                                       "--no-tags", "--no-write-fetch-head", self.url,
                                       *(f"+{name}:{name}" for name in moved), env=self.remote_env())
            if fetched.returncode != 0:
                return False  # e.g. a ref deleted since the listing: the whole fetch settles it
        if moved or gone:
            self._pack_refs()
        return True

    def _pack_refs(self) -> None:
        # fetch leaves one loose file per updated ref; for-each-ref over 10,000 loose refs is ~40x slower
        # than over a packed-refs file, and listings read the ref files.
        self.git.run("pack-refs", "--all", "--prune")

    def fetch_package(self, package_path: str) -> None:
        """Bring only the refs that can hold ``package_path``'s revisions (and the branch) to the remote's.

        Protocol v2 sends the refspecs' prefixes to the server, which then lists just those refs: a command
        about one revision of a repository with 100,000 tags moves a dozen refs, not the whole list."""
        if self.fetched:
            return
        if not (self.git_dir / "HEAD").exists():
            self.fetch()
            return
        branch = self.repository.branch
        refspecs = [f"+refs/heads/{branch}:refs/heads/{branch}", f"+refs/tags/{package_path}/*:refs/tags/{package_path}/*"]
        refspecs += [f"+refs/heads/{prefix}{package_path}/*:refs/heads/{prefix}{package_path}/*"
                     for prefix in ("drafts/", "proposed/", "deletionProposed/")]
        result = self.git.run_raw("-c", "protocol.version=2", "-c", "fetch.showForcedUpdates=false", "fetch",
                                  "--prune", "--no-tags", "--no-write-fetch-head", self.url, *refspecs,
                                  env=self.remote_env())
        if result.returncode != 0:
            self.fetch()  # e.g. no branch yet (an exact refspec must exist): the whole fetch says why, or works

    def _clone(self) -> None:
        """The first fetch is a bare clone: it writes packed-refs at once, where a fetch into an empty
        repository writes (and locks) one file per ref, minutes for a repository with 100,000 tags."""
        self.git_dir.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.git_dir.with_name(self.git_dir.name + ".partial")
        if temporary.exists():
            shutil.rmtree(temporary)
        result = git_outside("clone", "--bare", "-q", self.url, str(temporary), env=self.remote_env())
        if result.returncode != 0:
            shutil.rmtree(temporary, ignore_errors=True)
            raise classify_remote_failure(self.repository.url, result.stderr)
        Git(temporary).run("config", "gc.auto", "0")
        os.replace(temporary, self.git_dir)  # atomic: a half-made clone is never taken for a cache
        self.fetched = True

    def ls_remote(self) -> list[str]:
        """The remote's refs (a real round trip); raises with the reason when it is not reachable."""
        result = git_outside("ls-remote", self.url, env=self.remote_env())
        if result.returncode != 0:
            raise classify_remote_failure(self.repository.url, result.stderr)
        return [line.split("\t", 1)[1] for line in result.stdout.splitlines() if "\t" in line]

    def push(self, updates: list[RefUpdate], *, attempts: int = 1, retry_seconds: float = 0.5) -> None:
        """Apply ``updates`` on the remote in one atomic push, each leased on its expected value.

        A ref that moved is a ``Conflict`` at once (someone else's push won). With ``attempts`` > 1 other
        refusals are retried after ``retry_seconds``, doubling: a remote busy with concurrent pushes can
        reject one transiently (ref lock contention). Authentication and missing-repository failures
        are final at once.
        """
        if not updates:
            return
        args = ["push", "--atomic", "--porcelain", "-q"]
        refspecs = []
        for update in updates:
            args.append(f"--force-with-lease={update.ref}:{update.expected or ''}")
            refspecs.append(f"{update.new}:{update.ref}" if update.new else f":{update.ref}")
        pusher = self._push_repository()
        for attempt in range(attempts):
            result = pusher.run_raw(*args, self.url, *refspecs, env=self.remote_env())
            if result.returncode == 0:
                # The remote now has exactly these values: mirror them instead of fetching everything again.
                self.git.update_refs(updates)
                return
            failure = classify_remote_failure(self.repository.url, result.stderr + result.stdout)
            if attempt == attempts - 1 or not _transient(failure):
                raise failure
            time.sleep(retry_seconds * (2 ** attempt))


    def _push_repository(self) -> Git:
        """A bare repository without refs that borrows the cache's objects (git alternates), to push from.

        ``git push`` matches every local ref against every advertised one before it packs; from the cache,
        with 100,000 refs on both sides, that alone costs ~0.4 s a push. The refspecs name object ids and
        the lease names each expected value, so the push needs the cache's objects, never its refs."""
        path = self.git_dir / "push.git"
        if not (path / "objects" / "info" / "alternates").exists():
            temporary = self.git_dir / f"push.git.{os.getpid()}.{threading.get_ident()}"
            shutil.rmtree(temporary, ignore_errors=True)
            result = git_outside("init", "--bare", "-q", str(temporary), env={})
            if result.returncode != 0:
                raise classify_remote_failure(str(temporary), result.stderr)
            # Relative to push.git/objects: the state directory can move without breaking the link.
            (temporary / "objects" / "info" / "alternates").write_text("../../objects\n")
            Git(temporary).run("config", "gc.auto", "0")
            try:
                os.replace(temporary, path)
            except OSError:  # another process made it first: theirs is as good
                shutil.rmtree(temporary, ignore_errors=True)
        return Git(path)


def _transient(failure: PorchbotError) -> bool:
    # classify_remote_failure names a moved ref (Conflict), a missing repository and refused credentials;
    # only what it could not name ("cannot reach ...") may pass on its own.
    return str(failure).startswith("cannot reach ")
