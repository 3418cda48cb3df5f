"""Discovery of package revisions from refs alone (no checkout), kept current package by package.

A listing costs a ``stat`` of the ref files and a read of the stored listing when nothing moved. When refs
moved, the cache's ref files are read (``ref_files``: no git process), the ``<object> <ref>`` lines that came
and went name the packages that changed, and only those are rebuilt (their tags' approval commits read for
workspaces, names hashed) and spliced into the stored listing: after a push into a repository of 10,000
packages that is one package, not 111,000 revisions. The state lives in ``discovery_store`` and the
listing file; the rules that turn refs into revisions in ``ref_revisions``.
"""

from __future__ import annotations

import builtins
import marshal
import os
import sqlite3
import tempfile
from bisect import bisect_left, bisect_right
from functools import partial
from pathlib import Path
from typing import Any

from bot.lifecycle import naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery_store import DiscoveryStore, known_package, remove_store
from bot.lifecycle.gitaccess import Ref
from bot.lifecycle.ref_files import changed_lines, read_ref_files, ref_lines
from bot.lifecycle.ref_revisions import (
    DELETION_PROPOSED,
    DRAFT,
    LIFECYCLES,
    PROPOSED,
    PUBLISHED,
    PackageRevision,
    branch_workspace,
    build_revisions,
    classify_ref,
    group_package_refs,
    package_dirs,
)
from bot.lifecycle.tag_workspaces import annotated_workspace, tag_workspaces
from bot.render.collector import collector_paused

__all__ = ["DELETION_PROPOSED", "DRAFT", "LIFECYCLES", "PROPOSED", "PUBLISHED", "Discovery", "PackageRevision",
           "annotated_workspace", "build_revisions", "classify_ref", "known_package", "package_dirs",
           "package_ref_patterns", "tag_workspaces"]


class Discovery:
    """Listing of one repository's package revisions through its cache."""

    def __init__(self, cache: RepositoryCache) -> None:
        self.cache = cache
        # SQLite: each package's ref lines, and name -> package (so a command naming one revision reads a
        # handful of refs instead of the whole snapshot).
        base = cache.settings.state_dir / "discovery" / cache.repository.name
        self.store = base.with_suffix(".sqlite")
        # The last listing with the ref files it was read from: what a listing with unmoved refs returns,
        # and what the next listing after a push starts from. A plain file: written whole in one go.
        self.listing = base.with_suffix(".listing")

    def lookup(self, name: str) -> PackageRevision | None:
        """The revision called ``name`` from the few refs that can hold it; None when the last listing
        did not know the name (the caller then lists everything)."""
        package_path = known_package(self.store, name)
        if package_path is None:
            return None
        repository = self.cache.repository
        refs = _parse_refs(self.cache.git.run("for-each-ref", "--format=%(objectname) %(refname)",
                                              *package_ref_patterns(package_path, repository.branch)))
        branch_packages = []
        branch_commit = next((r.target for r in refs if r.name == f"refs/heads/{repository.branch}"), None)
        if branch_commit is not None and self.cache.git.rev_parse(f"{branch_commit}:{package_path}/Kptfile"):
            branch_packages = [package_path]
        revisions = build_revisions(repository.name, repository.branch, repository.directory, refs,
                                    branch_packages, tag_workspaces(self.cache.git, refs))
        return next((revision for revision in revisions if revision.name == name), None)

    def list(self) -> list[PackageRevision]:
        with collector_paused():  # a listing allocates ~10 objects a revision, none of them garbage
            try:
                return self._list()
            except sqlite3.DatabaseError:
                remove_store(self.store)  # a damaged cache costs one rebuild
                self.listing.unlink(missing_ok=True)
                return self._list()

    def _list(self) -> builtins.list[PackageRevision]:
        repository = self.cache.repository
        context = (repository.name, repository.branch, repository.directory, naming.names_style())
        # The ref files' key is read before the refs: a listing stored under it is never older than the
        # refs it stands for, and an unchanged repository costs a stat and the loose refs, not a ref read.
        files = read_ref_files(self.cache.git_dir)
        stored = _load(self.listing)
        if stored.get("key") == files.key and stored.get("context") == context:
            return _revisions(stored["rows"])
        packed = files.packed_text()
        with DiscoveryStore.open(self.store) as store, store.writing():
            # The listing file and the database are one state when their generations agree (the file is
            # replaced inside the database's transaction, so only a crash between the two parts them).
            generation = store.meta("generation")
            if stored.get("generation") != generation:
                stored = _load(self.listing)  # another listing finished while this one waited for the lock
            if stored.get("context") != context or stored.get("generation") != generation:
                store.clear()
                stored = {}
                for legacy in (".memo", ".names.sqlite"):  # what listings kept before this store
                    self.listing.with_suffix(legacy).unlink(missing_ok=True)
            update = _Update(self, store, context, files.value(f"refs/heads/{repository.branch}", packed))
            if stored:
                rows = update.changed(stored["rows"], stored["branch"],
                                      *changed_lines(stored["packed"], stored["loose"], packed, files.loose))
            else:
                rows = update.everything(ref_lines(packed, files.loose))
            generation = os.urandom(8).hex()
            _save(self.listing, {"generation": generation, "key": files.key, "context": context, "rows": rows,
                                 "packed": packed, "loose": files.loose, "branch": update.branch})
            store.set_meta({"generation": generation})
        return _revisions(rows)

    def branch_packages(self, branch_commit: str | None) -> builtins.list[str]:
        if branch_commit is None:
            return []
        directory = self.cache.repository.directory
        return package_dirs(self.cache.git.ls_tree_names(branch_commit, directory), directory)


Row = tuple[Any, ...]  # a PackageRevision's fields, as stored


class _Update:
    """One listing after the refs moved: which packages changed, their revisions built again, and the
    stored listing with those packages' rows replaced."""

    def __init__(self, discovery: Discovery, store: DiscoveryStore, context: tuple[str, str, str, str],
                 branch_commit: str | None) -> None:
        self.discovery = discovery
        self.store = store
        self.repository, self.branch_name, self.directory, self.style = context
        self.branch: tuple[str | None, list[str]] = (branch_commit, [])

    def everything(self, lines: set[str]) -> list[Row]:
        """The listing built from nothing: every package."""
        groups, _ = group_package_refs("\n".join(lines), f"refs/heads/{self.branch_name}")
        self.branch = (self.branch[0], self.discovery.branch_packages(self.branch[0]))
        return self._replace([], {path: sorted(found, key=_ref_name) for path, found in groups.items()},
                             {*groups, *self.branch[1]})

    def changed(self, rows: list[Row], branch: tuple[str | None, list[str]], added: set[str],
                removed: set[str]) -> list[Row]:
        """``rows`` (the last listing) after the ref lines ``added`` and ``removed``: only the packages
        those lines name are built again."""
        moved, _ = group_package_refs("\n".join(added | removed), f"refs/heads/{self.branch_name}")
        affected = set(moved)
        commit = self.branch[0]
        if commit == branch[0]:
            self.branch = branch
        else:
            self.branch = (commit, self.discovery.branch_packages(commit))
            affected |= set(self.branch[1]).symmetric_difference(branch[1])  # entries appear or go
            # Every other branch entry stays, pointing at the branch's new commit.
            rows = [row if not row[10] else (*row[:8], commit, *row[9:]) for row in rows]
        groups = {}
        for path, lines in self.store.package_lines(affected).items():
            kept = {line for line in lines if line not in removed}
            groups[path] = sorted(kept | {line for line in moved.get(path, ()) if line in added}, key=_ref_name)
        return self._replace(rows, groups, affected)

    def _replace(self, rows: list[Row], groups: dict[str, list[str]], affected: set[str]) -> list[Row]:
        """``rows`` with the rows of the ``affected`` packages replaced by those built from ``groups``."""
        on_branch = set(self.branch[1]) if self.branch[0] is not None else set()
        built = self._build(groups, affected, on_branch)
        self.store.replace_packages({path: groups.get(path, []) for path in affected},
                                    {path: [row[0] for row in found] for path, found in built.items()})
        spliced: list[Row] = []
        position = 0
        for path in sorted(affected):  # the listing is sorted by package path: find each package's rows
            start = bisect_left(rows, path, lo=position, key=_package_of)
            end = bisect_right(rows, path, lo=start, key=_package_of)
            spliced.extend(rows[position:start])
            spliced.extend(built[path])
            position = end
        spliced.extend(rows[position:])
        return spliced

    def _build(self, groups: dict[str, list[str]], affected: set[str], on_branch: set[str]) -> dict[str, list[Row]]:
        git = self.discovery.cache.git
        refs = _parse_refs("\n".join(line for path in affected for line in groups.get(path, ())))
        workspaces = tag_workspaces(git, refs)
        revisions: dict[str, list[PackageRevision]] = {path: [] for path in affected}
        for revision in build_revisions(self.repository, self.branch_name, self.directory, refs, [], workspaces,
                                        self.style):
            revisions[revision.package_path].append(revision)
        built = {}
        for path, found in revisions.items():
            rows: list[Row] = [tuple(revision) for revision in found]
            if path in on_branch:  # the branch entry: after drafts and proposals, before v1
                latest = next((revision for revision in found if revision.latest), None)
                split = sum(1 for revision in found if not revision.revision)
                rows.insert(split, (
                    naming.revision_name(self.repository, path, self.branch_name, self.directory, self.style),
                    self.repository, path, _relative(self.directory, path),
                    branch_workspace(latest, workspaces, self.branch_name), self.branch_name, PUBLISHED,
                    f"refs/heads/{self.branch_name}", self.branch[0], False, True))
            built[path] = rows
        return built


def _ref_name(line: str) -> str:
    return line[line.find(" ") + 1:]


def _package_of(row: Row) -> str:
    return row[2]  # type: ignore[no-any-return]


def _revisions(rows: list[Row]) -> list[PackageRevision]:
    # tuple.__new__ straight from C: PackageRevision._make is a Python call per revision (a third of a
    # warm listing), and the stored rows have the right length by construction.
    return list(map(partial(tuple.__new__, PackageRevision), rows))


def _relative(directory: str, package_path: str) -> str:
    return package_path[len(directory) + 1:] if directory else package_path


def package_ref_patterns(package_path: str, branch: str) -> list[str]:
    """The refs that can hold a revision of ``package_path`` (for-each-ref prefixes)."""
    patterns = [f"refs/heads/{prefix}{package_path}/"
                for prefix in (naming.DRAFTS, naming.PROPOSED, naming.DELETION_PROPOSED)]
    return [*patterns, f"refs/tags/{package_path}/", f"refs/heads/{branch}"]


def _parse_refs(snapshot: str) -> list[Ref]:
    refs = []
    for line in snapshot.splitlines():
        target, name = line.split(" ", 1)
        refs.append(Ref(name, target))
    return refs


def _load(path: Path) -> dict[str, Any]:
    try:
        loaded = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _save(path: Path, state: dict[str, Any]) -> None:
    """marshal, not pickle: the state is plain tuples, dicts and strings, and marshal writes 100,000 rows
    several times faster. Written beside and renamed: a reader sees the old listing or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "wb") as out:
        out.write(marshal.dumps(state))
    os.replace(temp_name, path)
