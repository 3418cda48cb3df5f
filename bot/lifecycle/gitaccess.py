"""All git access of the lifecycle engine: plumbing through ``git`` subprocesses on a bare cache.

Every repository has a bare clone under ``<state>/git/<name>.git``, fetched on demand. Commits are built
with plumbing (a package tree is written from a directory through a throw-away index, then spliced into
the branch tree level by level with ``mktree``), so no operation checks out the repository or scales with
the number of packages in it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.errors import Conflict, NotFound, PorchbotError
from bot.observability.logs import redact

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_HTTP_REFUSED = re.compile(r"\b40[13]\b")


class GitError(PorchbotError):
    """A git command failed; the message is git's last line, with any credentials in URLs removed."""


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


@dataclass(frozen=True)
class Ref:
    name: str  # full ref name, e.g. refs/tags/basens/v0
    target: str  # the commit (peeled for annotated tags)


@dataclass(frozen=True)
class RefUpdate:
    ref: str
    new: str | None  # None deletes the ref
    expected: str | None  # the value the remote must still have; None: the ref must not exist


class Git:
    """One git directory (bare) and the environment its commands run with."""

    def __init__(self, git_dir: Path, env: dict[str, str] | None = None) -> None:
        self.git_dir = git_dir
        self.env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}

    def run(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> str:
        result = self.run_raw(*args, stdin=stdin, env=env)
        if check and result.returncode != 0:
            raise GitError(_failure_message(args, result.stderr))
        return result.stdout

    def run_raw(self, *args: str, stdin: str | None = None,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        command = ["git", f"--git-dir={self.git_dir}", *args]
        return subprocess.run(command, input=stdin, capture_output=True, text=True,
                              env={**self.env, **(env or {})}, check=False)

    # --- reading -------------------------------------------------------------------------------
    def rev_parse(self, revision: str) -> str | None:
        result = self.run_raw("rev-parse", "--verify", "-q", revision)
        return result.stdout.strip() or None if result.returncode == 0 else None

    def read_objects(self, specs: list[str]) -> list[bytes | None]:
        """The contents of many objects (``<rev>:<path>`` or ids) in one ``cat-file --batch``; None for
        one that does not exist. Bytes: sizes in the batch output count bytes, not characters."""
        if not specs:
            return []
        done = subprocess.run(["git", f"--git-dir={self.git_dir}", "cat-file", "--batch"],
                              input="".join(f"{spec}\n" for spec in specs).encode(), capture_output=True,
                              env=self.env, check=False)
        if done.returncode != 0:
            raise GitError(_failure_message(("cat-file", "--batch"), done.stderr.decode(errors="replace")))
        data, position = done.stdout, 0
        found: list[bytes | None] = []
        for _ in specs:
            header_end = data.index(b"\n", position)
            header = data[position:header_end].split(b" ")
            position = header_end + 1
            if len(header) == 3 and header[2].isdigit():
                size = int(header[2])
                found.append(data[position:position + size])
                position += size + 1
            else:
                found.append(None)  # "<spec> missing" (or ambiguous)
        return found

    def peel(self, object_id: str) -> str:
        """The commit an object (a commit or an annotated tag) points to."""
        commit = self.rev_parse(f"{object_id}^{{commit}}")
        if commit is None:
            raise NotFound(f"{object_id} is not a commit")
        return commit

    def ls_tree_names(self, treeish: str, directory: str = "") -> list[str]:
        args = ["ls-tree", "-r", "-z", "--name-only", treeish]
        if directory:
            args += ["--", directory]
        return [name for name in self.run(*args).split("\0") if name]

    def tree_entries(self, tree: str) -> list[tuple[str, str, str, str]]:
        """(mode, type, id, name) of one tree level."""
        entries = []
        for record in self.run("ls-tree", "-z", tree).split("\0"):
            if record:
                meta, name = record.split("\t", 1)
                mode, kind, object_id = meta.split(" ")
                entries.append((mode, kind, object_id, name))
        return entries

    def subtree(self, commit: str, path: str) -> str | None:
        return self.rev_parse(f"{commit}^{{tree}}" if not path else f"{commit}:{path}")

    def show_file(self, commit: str, path: str) -> str | None:
        result = self.run_raw("cat-file", "blob", f"{commit}:{path}")
        return result.stdout if result.returncode == 0 else None

    def commit_info(self, commit: str, fmt: str) -> str:
        return self.run("log", "-1", f"--format={fmt}", commit).strip()

    def extract(self, treeish: str, destination: Path) -> None:
        """Write the files of ``treeish`` (a tree, or ``commit:path``) into ``destination``."""
        destination.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="porchbot-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self.run("read-tree", treeish, env=env)
            self.run(f"--work-tree={destination}", "checkout-index", "-a", "-f", env=env)

    # --- writing -------------------------------------------------------------------------------
    def write_directory_tree(self, directory: Path) -> str:
        """The tree id of ``directory``'s files, written through a throw-away index."""
        with tempfile.TemporaryDirectory(prefix="porchbot-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self.run("-c", "core.excludesFile=/dev/null", f"--work-tree={directory}", "add", "-A", ".",
                     env=env)
            return self.run("write-tree", env=env).strip()

    def splice_tree(self, base_tree: str | None, path: str, subtree: str | None) -> str:
        """``base_tree`` with ``path`` replaced by ``subtree`` (removed when None); cost ~ depth of path."""
        head, _, rest = path.partition("/")
        entries = self.tree_entries(base_tree) if base_tree else []
        kept = [entry for entry in entries if entry[3] != head]
        if rest:
            current = next((e[2] for e in entries if e[3] == head and e[1] == "tree"), None)
            subtree = self.splice_tree(current, rest, subtree)
            if subtree == EMPTY_TREE:
                subtree = None
        if subtree is not None and subtree != EMPTY_TREE:
            kept.append(("040000", "tree", subtree, head))
        return self.make_tree(kept)

    def make_tree(self, entries: list[tuple[str, str, str, str]]) -> str:
        listing = "".join(f"{mode} {kind} {object_id}\t{name}\0" for mode, kind, object_id, name in entries)
        return self.run("mktree", "-z", stdin=listing).strip()

    def commit_tree(self, tree: str, parents: list[str], message: str, author: Identity,
                    committer: Identity) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = {"GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email,
               "GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email}
        return self.run(*args, "-F", "-", stdin=message, env=env).strip()

    def tag_object(self, name: str, commit: str, message: str, tagger: Identity) -> str:
        """An annotated tag object (not yet referenced) for ``commit``."""
        body = (f"object {commit}\ntype commit\ntag {name}\n"
                f"tagger {tagger.name} <{tagger.email}> {_now()}\n\n{message}\n")
        return self.run("mktag", stdin=body).strip()

    def update_refs(self, updates: list[RefUpdate]) -> None:
        lines = []
        for update in updates:
            if update.new is None:
                lines.append(f"delete {update.ref}\n")
            else:
                lines.append(f"update {update.ref} {update.new}\n")
        if lines:
            self.run("update-ref", "--stdin", stdin="".join(lines))


def git_outside(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A git command that needs no repository of ours (clone, ls-remote)."""
    return subprocess.run(["git", *args], capture_output=True, text=True,
                          env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **env}, check=False)


def _now() -> str:
    import time

    offset = -time.timezone if not time.localtime().tm_isdst else -time.altzone
    sign = "+" if offset >= 0 else "-"
    offset = abs(offset)
    return f"{int(time.time())} {sign}{offset // 3600:02d}{offset % 3600 // 60:02d}"


def _failure_message(args: tuple[str, ...], stderr: str) -> str:
    lines = [line.strip() for line in redact(stderr).splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:", "remote:"))]
    detail = (fatal or lines or ["no output"])[-1]
    return f"git {args[0]} failed: {detail}"


def classify_remote_failure(url: str, stderr: str) -> PorchbotError:
    """A user-facing error for a fetch/ls-remote/push that failed talking to ``url``."""
    text = redact(stderr)
    shown = redact(url)
    lowered = text.lower()
    # 401/403 as whole words: a push's porcelain output holds commit ids, whose hex may contain "403".
    if "authentication failed" in lowered or _HTTP_REFUSED.search(lowered) \
            or "could not read username" in lowered or "could not read password" in lowered:
        return GitError(f"authentication failed for {shown}")
    if "does not appear to be a git repository" in lowered or "not found" in lowered \
            or "repository not found" in lowered:
        return NotFound(f"repository {shown} not found")
    if "stale info" in lowered or "[rejected]" in lowered or "fetch first" in lowered \
            or "non-fast-forward" in lowered or "already exists" in lowered:
        return Conflict(f"{shown}: a ref moved while we were updating it; try again")
    lines = [line for line in text.splitlines() if line.strip()]
    detail = lines[-1].strip() if lines else "unknown error"
    detail = detail.removeprefix("fatal: ")
    return GitError(f"cannot reach {shown}: {detail}")
