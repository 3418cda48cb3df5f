"""Discovery of package revisions from refs alone (no checkout), cached by the ref snapshot.

One ``git for-each-ref`` gives the snapshot; when it is unchanged since the last listing the stored
result is returned as is. Otherwise tags, draft/proposed/deletion branches are read from the ref names
and the branch's packages from one ``git ls-tree -r`` (itself cached by the branch commit).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

from bot.lifecycle import naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.gitaccess import Git, Ref

DRAFT = "Draft"
PROPOSED = "Proposed"
PUBLISHED = "Published"
DELETION_PROPOSED = "DeletionProposed"
LIFECYCLES = (DRAFT, PROPOSED, PUBLISHED, DELETION_PROPOSED)
_CACHE_FORMAT = 7


class PackageRevision(NamedTuple):
    """One package revision. A NamedTuple rather than a dataclass: listings hold tens of thousands of
    them, and building and unpickling tuples is several times cheaper."""

    name: str
    repository: str
    package_path: str  # relative to the git root (with the repository directory prefix)
    package: str  # relative to the repository directory: Porch's spec.packageName
    workspace: str
    revision: str  # vN for published revisions, the branch for the branch entry, '' for drafts and proposals
    lifecycle: str
    ref: str  # the ref that holds it (the tag for published revisions, the branch for the branch entry)
    commit: str  # the ref's object: a commit, or an annotated tag's object (use Git.peel for the commit)
    latest: bool = False
    is_branch_entry: bool = False

    @property
    def published_number(self) -> int | None:
        return None if self.is_branch_entry else naming.published_number(self.revision)


def package_dirs(file_names: list[str], directory: str) -> list[str]:
    """Directories holding a Kptfile under ``directory``; a nested Kptfile belongs to its parent package."""
    candidates = [name[: -len("/Kptfile")] for name in file_names if name.endswith("/Kptfile")]
    if "Kptfile" in file_names and not directory:
        return []  # the root itself is a package: Porch does not list a package with an empty path
    kept: set[str] = set()
    for candidate in sorted(candidates, key=lambda path: path.count("/")):  # parents before children
        if directory and not candidate.startswith(directory + "/"):
            continue
        parts = candidate.split("/")
        if any("/".join(parts[:depth]) in kept for depth in range(1, len(parts))):
            continue  # a subpackage of a package already found
        kept.add(candidate)
    packages = sorted(kept)
    return packages


def _relative(directory: str, package_path: str) -> str:
    return package_path[len(directory) + 1:] if directory else package_path


_TAG, _DRAFT, _PROPOSED, _DELETION = "tag", "draft", "proposed", "deletion"
_BRANCH_PREFIXES = ((naming.DRAFTS, _DRAFT), (naming.PROPOSED, _PROPOSED), (naming.DELETION_PROPOSED, _DELETION))
# What a ref name says: (kind, package path, workspace, published N or None), or None for other refs.
ParsedRef = tuple[str, str, str, int | None] | None


def classify_ref(ref_name: str) -> ParsedRef:
    if ref_name.startswith("refs/tags/"):
        parts = naming.split_package_ref(ref_name[len("refs/tags/"):])
        number = naming.published_number(parts[1]) if parts else None
        return (_TAG, parts[0], parts[1], number) if parts and number is not None else None
    if ref_name.startswith("refs/heads/"):
        short = ref_name[len("refs/heads/"):]
        for prefix, kind in _BRANCH_PREFIXES:
            if short.startswith(prefix) and (parts := naming.split_package_ref(short[len(prefix):])):
                return (kind, parts[0], parts[1], naming.published_number(parts[1]))
    return None


def build_revisions(repository: str, branch: str, directory: str, refs: list[Ref],
                    branch_packages: list[str], memo: dict[Any, Any] | None = None,
                    tag_workspaces: dict[str, str] | None = None) -> list[PackageRevision]:
    """The package revisions a ref snapshot describes (pure: refs and the branch's package list in).

    ``tag_workspaces`` maps a tag ref to the workspace its approval commit's ``kpt:`` annotation names
    (Porch's identity of a published revision); a tag without one (made by hand) has workspace ``vN``.
    ``memo`` carries ref classifications and names from the previous snapshot, so a listing after a
    small change re-parses and re-hashes only the refs that are new.
    """
    workspaces = tag_workspaces or {}
    style = naming.names_style()
    previous = memo.copy() if memo is not None and memo.get(_STYLE) == style else {}
    if memo is not None:
        memo.clear()
    store = memo if memo is not None else {}
    store[_STYLE] = style
    found: dict[tuple[str, str], tuple[PackageRevision, int | None]] = {}
    deletion: set[tuple[str, str]] = set()

    def parsed(ref_name: str) -> ParsedRef:
        result: ParsedRef = previous[ref_name] if ref_name in previous else classify_ref(ref_name)
        store[ref_name] = result
        return result

    def add(package_path: str, workspace: str, revision: str, number: int | None, lifecycle: str, ref: Ref,
            branch_entry: bool = False) -> None:
        if directory and not package_path.startswith(directory + "/"):
            return
        # The branch entry is named after the branch (Porch: its workspace is the last approval's).
        basis = revision if branch_entry else workspace
        key = (package_path, basis if not branch_entry else "\0" + basis)
        name = previous.get(key) or naming.revision_name(repository, package_path, basis, directory, style)
        store[key] = name
        found[key] = (PackageRevision(
            name, repository, package_path, _relative(directory, package_path), workspace, revision,
            lifecycle, ref.name, ref.target, False, branch_entry), None if branch_entry else number)

    proposed: list[tuple[str, str, int | None, Ref]] = []
    for ref in refs:
        info = parsed(ref.name)
        if info is None:
            continue
        kind, package_path, workspace, number = info
        if kind == _TAG:
            tag_revision = workspace
            add(package_path, workspaces.get(ref.name, tag_revision), tag_revision, number, PUBLISHED, ref)
        elif kind == _DRAFT:
            if (package_path, workspace) not in found:
                add(package_path, workspace, "", number, DRAFT, ref)
        elif kind == _PROPOSED:
            proposed.append((package_path, workspace, number, ref))
        else:
            deletion.add((package_path, workspace))  # deletionProposed/<pkgpath>/<vN>
    for package_path, workspace, number, ref in proposed:  # a proposal wins over a leftover draft branch
        add(package_path, workspace, "", number, PROPOSED, ref)
    latest: dict[str, tuple[int, tuple[str, str]]] = {}
    for key, (revision, number) in found.items():
        if (revision.package_path, revision.revision) in deletion and revision.lifecycle == PUBLISHED \
                and not revision.is_branch_entry:
            revision = revision._replace(lifecycle=DELETION_PROPOSED)
            found[key] = (revision, number)
        if number is not None and revision.lifecycle in (PUBLISHED, DELETION_PROPOSED):
            if revision.package_path not in latest or latest[revision.package_path][0] < number:
                latest[revision.package_path] = (number, key)
    for _, key in latest.values():
        revision, number = found[key]
        found[key] = (revision._replace(latest=True), number)
    branch_target = next((ref for ref in refs if ref.name == f"refs/heads/{branch}"), None)
    if branch_target is not None:
        for package_path in branch_packages:
            # Porch reads the branch entry's workspace from the last approval of the package on the branch.
            newest = found.get(latest[package_path][1])[0] if package_path in latest else None  # type: ignore[index]
            workspace = newest.workspace if newest is not None and newest.ref in workspaces else branch
            add(package_path, workspace, branch, None, PUBLISHED, branch_target, branch_entry=True)
    # Porch's order: by package, then revision: drafts and proposals (none) first, the branch, v1, v2, ...
    ordered = sorted(found.values(), key=lambda entry: (
        entry[0].package_path, 1 if entry[0].is_branch_entry else 0 if not entry[0].revision else 2,
        entry[1] if entry[1] is not None and entry[0].revision else 0, entry[0].workspace))
    return [revision for revision, _ in ordered]


class Discovery:
    """Listing of one repository's package revisions through its cache."""

    def __init__(self, cache: RepositoryCache) -> None:
        self.cache = cache
        base = cache.settings.state_dir / "discovery" / cache.repository.name
        self.store = base.with_suffix(".listing")  # the last listing, keyed by the ref state it was read at
        # name -> package path, from the last full listing: lets lookup() read a handful of refs instead of
        # the whole snapshot when a command names one revision (SQLite: a point query, not a 100,000-entry load).
        self.names = base.with_suffix(".names.sqlite")
        self.memo = base.with_suffix(".memo")  # read only when the refs changed

    def lookup(self, name: str) -> PackageRevision | None:
        """The revision called ``name`` from the few refs that can hold it; None when the last listing
        did not know the name (the caller then lists everything)."""
        package_path = known_package(self.names, name)
        if package_path is None:
            return None
        repository = self.cache.repository
        refs = _parse_refs(self.cache.git.run("for-each-ref", "--format=%(objectname) %(refname)",
                                              *package_ref_patterns(package_path, repository.branch)))
        branch_packages = []
        branch_commit = next((r.target for r in refs if r.name == f"refs/heads/{repository.branch}"), None)
        if branch_commit is not None and self.cache.git.rev_parse(f"{branch_commit}:{package_path}/Kptfile"):
            branch_packages = [package_path]
        workspaces = tag_workspaces(self.cache.git, refs, {})  # a package's few tags: read, not remembered
        revisions = build_revisions(repository.name, repository.branch, repository.directory, refs,
                                    branch_packages, tag_workspaces=workspaces)
        return next((revision for revision in revisions if revision.name == name), None)

    def list(self) -> list[PackageRevision]:
        repository = self.cache.repository
        # The key comes from the ref files' state, read before the refs: a listing stored under it is never
        # newer than the refs it names, and an unchanged repository costs a stat, not a 100,000-ref read.
        key = hashlib.sha1(f"{_CACHE_FORMAT}\n{repository.branch}\n{repository.directory}\n"
                           f"{naming.names_style()}\n{ref_state(self.cache.git_dir)}".encode()).hexdigest()
        stored = _load(self.store)
        if stored.get("key") == key:
            return [PackageRevision._make(row) for row in stored["rows"]]
        # Unpeeled on purpose: peeling 10,000 tags costs three times the listing itself; a published
        # revision's ``commit`` may be a tag object, which git accepts wherever a commit-ish goes.
        refs = _parse_refs(self.cache.git.run("for-each-ref", "--format=%(objectname) %(refname)",
                                              "refs/heads", "refs/tags"))
        branch_packages: dict[str, list[str]] = stored.get("branch_packages", {})
        branch_commit = next((r.target for r in refs if r.name == f"refs/heads/{repository.branch}"), None)
        packages: list[str] = []
        if branch_commit is not None:
            if branch_commit not in branch_packages:
                names = self.cache.git.ls_tree_names(branch_commit, repository.directory)
                branch_packages = {branch_commit: package_dirs(names, repository.directory)}
            packages = branch_packages[branch_commit]
        memo = _load(self.memo)
        known = memo.pop(_WORKSPACES, {})
        workspaces = tag_workspaces(self.cache.git, refs, known)
        previous_names = memo.get(_NAMES_KEY)
        revisions = build_revisions(repository.name, repository.branch, repository.directory, refs, packages,
                                    memo, workspaces)
        memo[_WORKSPACES] = known
        names_key = hashlib.sha1("\n".join(r.name for r in revisions).encode()).hexdigest()
        memo[_NAMES_KEY] = names_key
        _save(self.store, {"key": key, "rows": [tuple(r) for r in revisions], "branch_packages": branch_packages})
        _save(self.memo, memo)
        if previous_names != names_key or not self.names.exists():
            save_names(self.names, revisions)
        return revisions


_NAMES_KEY = "\0names"  # the memo's entry: a hash of the names the index file holds
_STYLE = "\0style"  # the memo's entry: the names style its names were made in (hash or Porch v4.1's)


def package_ref_patterns(package_path: str, branch: str) -> list[str]:
    """The refs that can hold a revision of ``package_path`` (for-each-ref prefixes)."""
    patterns = [f"refs/heads/{prefix}{package_path}/"
                for prefix in (naming.DRAFTS, naming.PROPOSED, naming.DELETION_PROPOSED)]
    return [*patterns, f"refs/tags/{package_path}/", f"refs/heads/{branch}"]


def ref_state(git_dir: Path) -> str:
    """What identifies the refs of a bare repository without reading them all: the packed-refs file's
    identity and the (few) loose refs with their values."""
    parts = []
    try:
        packed = (git_dir / "packed-refs").stat()
        parts.append(f"packed {packed.st_ino} {packed.st_size} {packed.st_mtime_ns}")
    except FileNotFoundError:
        parts.append("no packed refs")
    for directory, subdirectories, files in os.walk(git_dir / "refs"):
        subdirectories.sort()
        for file_name in sorted(files):
            path = Path(directory) / file_name
            try:
                parts.append(f"{path.relative_to(git_dir).as_posix()} {path.read_text().strip()}")
            except (OSError, UnicodeDecodeError):
                parts.append(f"{path.relative_to(git_dir).as_posix()} unreadable")
    return "\n".join(parts)


def save_names(path: Path, revisions: list[PackageRevision]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    with closing(sqlite3.connect(temporary)) as connection:
        connection.execute("CREATE TABLE names (name TEXT PRIMARY KEY, package_path TEXT) WITHOUT ROWID")
        connection.executemany("INSERT OR REPLACE INTO names VALUES (?, ?)",
                               ((r.name, r.package_path) for r in revisions))
        connection.commit()
    os.replace(temporary, path)  # a reader never sees half an index


def known_package(path: Path, name: str) -> str | None:
    if not path.exists():
        return None
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute("SELECT package_path FROM names WHERE name = ?", (name,)).fetchone()
    except sqlite3.Error:
        return None  # a damaged index only costs a full listing, which writes it again
    return str(row[0]) if row else None


_WORKSPACES = "\0workspaces"  # the memo's entry: (tag ref, target) -> annotated workspace ('' for none)


def annotated_workspace(commit_text: str, package_path: str) -> str:
    """The ``workspaceName`` of the ``kpt:`` annotation line about ``package_path`` in a commit ('' if none)."""
    for line in commit_text.splitlines():
        if not line.startswith("kpt:"):
            continue
        try:
            annotation = json.loads(line[len("kpt:"):])
        except ValueError:
            continue
        if isinstance(annotation, dict) and annotation.get("package") == package_path:
            workspace = annotation.get("workspaceName")
            if isinstance(workspace, str) and workspace:
                return workspace
    return ""


def tag_workspaces(git: Git, refs: list[Ref], known: dict[tuple[str, str], str]) -> dict[str, str]:
    """tag ref -> the workspace named by the ``kpt:`` annotation of the commit it tags (Porch's identity
    of a published revision). Only tags missing from ``known`` are read (one ``cat-file --batch``), and
    ``known`` is updated, so a listing after a small change reads only the new tags' commits."""
    wanted = [ref for ref in refs if ref.name.startswith("refs/tags/") and (ref.name, ref.target) not in known]
    if wanted:
        request = "".join(f"{ref.target}^{{commit}}\n" for ref in wanted)
        output = subprocess.run(["git", f"--git-dir={git.git_dir}", "cat-file", "--batch"],
                                input=request.encode(), capture_output=True, check=True, env=git.env).stdout
        position = 0
        for ref in wanted:
            header_end = output.index(b"\n", position)
            header = output[position:header_end].split()
            position = header_end + 1
            workspace = ""
            if len(header) == 3:
                size = int(header[2])
                body = output[position:position + size].decode("utf-8", "replace")
                position += size + 1
                parsed = classify_ref(ref.name)
                workspace = annotated_workspace(body, parsed[1]) if parsed else ""
            known[(ref.name, ref.target)] = workspace
    found = {}
    for ref in refs:
        workspace = known.get((ref.name, ref.target), "")
        if workspace:
            found[ref.name] = workspace
    return found


def _load(path: Path) -> dict[Any, Any]:
    try:
        loaded = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _save(path: Path, state: dict[Any, Any]) -> None:
    """marshal, not pickle: the state is plain tuples, dicts and strings, and marshal reads 100,000 rows
    several times faster (the rows become PackageRevision through ``_make``, a C-level tuple copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".discovery.")
    with os.fdopen(handle, "wb") as out:
        out.write(marshal.dumps(state))
    os.replace(temp_name, path)


def _parse_refs(snapshot: str) -> list[Ref]:
    refs = []
    for line in snapshot.splitlines():
        target, name = line.split(" ", 1)
        refs.append(Ref(name, target))
    return refs

