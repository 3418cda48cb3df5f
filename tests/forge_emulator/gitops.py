"""Plumbing on the emulator's bare repositories: everything goes through the git binary, like a forge."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40


class GitError(RuntimeError):
    pass


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    message: str
    author: Identity
    committer: Identity
    timestamp: str
    added: tuple[str, ...]
    modified: tuple[str, ...]
    removed: tuple[str, ...]


class BareRepo:
    def __init__(self, path: Path) -> None:
        self.path = path

    def git(self, *args: str, env: dict[str, str] | None = None, check: bool = True,
            input_bytes: bytes | None = None) -> str:
        full_env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
        proc = subprocess.run(["git", "--git-dir", str(self.path), *args], env=full_env,
                              input=input_bytes, capture_output=True, check=False)
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout.decode(errors="replace")

    @classmethod
    def init(cls, path: Path, default_branch: str) -> BareRepo:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", "-b", default_branch, str(path)], check=True)
        repo = cls(path)
        # http-backend refuses receive-pack for anonymous users unless told otherwise; we authenticate
        # ourselves before it runs, so let it accept.
        repo.git("config", "http.receivepack", "true")
        return repo

    def refs(self) -> dict[str, str]:
        out = self.git("for-each-ref", "--format=%(refname) %(objectname)")
        pairs = (line.split(" ", 1) for line in out.splitlines() if line)
        return {name: sha for name, sha in pairs}

    def resolve(self, rev: str) -> str | None:
        out = self.git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False).strip()
        return out or None

    def object_type(self, sha: str) -> str | None:
        out = self.git("cat-file", "-t", sha, check=False).strip()
        return out or None

    def ref_target(self, ref: str) -> str | None:
        out = self.git("rev-parse", "--verify", "--quiet", ref, check=False).strip()
        return out or None

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        args = ["update-ref", ref, new] + ([old] if old is not None else [])
        self.git(*args)

    def delete_ref(self, ref: str, old: str | None = None) -> None:
        self.git(*(["update-ref", "-d", ref] + ([old] if old else [])))

    def git_bytes(self, *args: str) -> bytes:
        proc = subprocess.run(["git", "--git-dir", str(self.path), *args], capture_output=True, check=False)
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def read_file(self, ref: str, path: str) -> bytes | None:
        full_env = {**os.environ}
        proc = subprocess.run(["git", "--git-dir", str(self.path), "cat-file", "blob", f"{ref}:{path}"],
                              env=full_env, capture_output=True, check=False)
        return proc.stdout if proc.returncode == 0 else None

    def blob_sha(self, ref: str, path: str) -> str | None:
        out = self.git("rev-parse", "--verify", "--quiet", f"{ref}:{path}", check=False).strip()
        return out or None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return subprocess.run(["git", "--git-dir", str(self.path), "merge-base", "--is-ancestor",
                               ancestor, descendant], capture_output=True, check=False).returncode == 0

    def merge_tree(self, base: str, head: str) -> str | None:
        """The merged tree of two commits, or None when they conflict."""
        proc = subprocess.run(["git", "--git-dir", str(self.path), "merge-tree", "--write-tree", base, head],
                              capture_output=True, check=False)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode().splitlines()[0].strip()

    def commit_tree(self, tree: str, parents: list[str], message: str, author: Identity,
                    committer: Identity) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
               "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email}
        return self.git(*args, env=env, input_bytes=message.encode()).strip()

    def make_commit(self, files: dict[str, bytes], parent: str | None, message: str,
                    author: Identity) -> str:
        """A commit whose tree is `parent`'s with `files` written (content None is not supported)."""
        index = self.path / "emulator-index"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if parent:
                self.git("read-tree", parent, env=env)
            else:
                self.git("read-tree", "--empty", env=env)
            for name, content in files.items():
                blob = self.git("hash-object", "-w", "--stdin", input_bytes=content).strip()
                self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
            tree = self.git("write-tree", env=env).strip()
        finally:
            index.unlink(missing_ok=True)
        return self.commit_tree(tree, [parent] if parent else [], message, author, author)

    def make_tag(self, name: str, sha: str, message: str, tagger: Identity) -> str:
        body = (f"object {sha}\ntype commit\ntag {name}\n"
                f"tagger {tagger.name} <{tagger.email}> {self._now()} +0000\n\n{message}")
        if not body.endswith("\n"):
            body += "\n"
        return self.git("mktag", input_bytes=body.encode()).strip()

    @staticmethod
    def _now() -> int:
        return int(time.time())

    def commit_info(self, sha: str) -> CommitInfo:
        fmt = "%H%x00%an%x00%ae%x00%cn%x00%ce%x00%cI%x00%B"
        fields = self.git("show", "-s", f"--format={fmt}", sha).split("\x00")
        changes = self.git("diff-tree", "--root", "--no-commit-id", "-r", "--name-status", sha)
        added: list[str] = []
        modified: list[str] = []
        removed: list[str] = []
        for line in changes.splitlines():
            status, _, name = line.partition("\t")
            {"A": added, "D": removed}.get(status[:1], modified).append(name)
        return CommitInfo(sha=fields[0], author=Identity(fields[1], fields[2]),
                          committer=Identity(fields[3], fields[4]), timestamp=fields[5],
                          message=fields[6].rstrip("\n") + "\n", added=tuple(added),
                          modified=tuple(modified), removed=tuple(removed))

    def commits_between(self, before: str, after: str, limit: int = 20, ref: str | None = None) -> list[str]:
        """The commits a push of `ref` brought; for a new ref, those on no other ref (as forges list them)."""
        if before != ZERO_SHA:
            args = [f"{before}..{after}"]
        else:
            others = [name for name in self.refs() if name != ref]
            args = [after, "--not", *others] if others else [after]
        out = self.git("rev-list", "--reverse", f"--max-count={limit}", *args, check=False)
        return [line for line in out.splitlines() if line]

    def tree_entries(self, ref: str, path: str) -> list[tuple[str, str, str]]:
        """(type, sha, name) of a directory at ref; empty when absent."""
        spec = f"{ref}:{path}" if path else f"{ref}:"
        out = self.git("ls-tree", spec, check=False)
        entries = []
        for line in out.splitlines():
            meta, _, name = line.partition("\t")
            _, kind, sha = meta.split()
            entries.append((kind, sha, name))
        return entries
