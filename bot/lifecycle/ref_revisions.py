"""Package revisions from ref names (pure: refs in, revisions out, no I/O).

Porch's layout: published revisions are tags ``<pkgpath>/v<N>``; drafts, proposals and deletion proposals are
branches ``drafts/``, ``proposed/`` and ``deletionProposed/`` + ``<pkgpath>/<workspace>``; the repository's
branch holds each package once more as its "branch entry".
"""

from __future__ import annotations

from typing import NamedTuple

from bot.lifecycle import naming
from bot.lifecycle.gitaccess import Ref

DRAFT = "Draft"
PROPOSED = "Proposed"
PUBLISHED = "Published"
DELETION_PROPOSED = "DeletionProposed"
LIFECYCLES = (DRAFT, PROPOSED, PUBLISHED, DELETION_PROPOSED)


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
                    branch_packages: list[str], tag_workspaces: dict[str, str] | None = None,
                    style: str | None = None) -> list[PackageRevision]:
    """The package revisions a ref snapshot describes (pure: refs and the branch's package list in).

    ``tag_workspaces`` maps a tag ref to the workspace its approval commit's ``kpt:`` annotation names
    (Porch's identity of a published revision); a tag without one (made by hand) has workspace ``vN``.
    """
    workspaces = tag_workspaces or {}
    style = style or naming.names_style()
    found: dict[tuple[str, str], tuple[PackageRevision, int | None]] = {}
    deletion: set[tuple[str, str]] = set()

    def add(package_path: str, workspace: str, revision: str, number: int | None, lifecycle: str, ref: Ref,
            branch_entry: bool = False) -> None:
        if directory and not package_path.startswith(directory + "/"):
            return
        # The branch entry is named after the branch (Porch: its workspace is the last approval's).
        basis = revision if branch_entry else workspace
        key = (package_path, basis if not branch_entry else "\0" + basis)
        name = naming.revision_name(repository, package_path, basis, directory, style)
        found[key] = (PackageRevision(
            name, repository, package_path, _relative(directory, package_path), workspace, revision,
            lifecycle, ref.name, ref.target, False, branch_entry), None if branch_entry else number)

    proposed: list[tuple[str, str, int | None, Ref]] = []
    for ref in refs:
        info = classify_ref(ref.name)
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
            newest = found[latest[package_path][1]][0] if package_path in latest else None
            workspace = branch_workspace(newest, workspaces, branch)
            add(package_path, workspace, branch, None, PUBLISHED, branch_target, branch_entry=True)
    # Porch's order: by package, then revision: drafts and proposals (none) first, the branch, v1, v2, ...
    ordered = sorted(found.values(), key=lambda entry: (
        entry[0].package_path, revision_rank(entry[0]),
        entry[1] if entry[1] is not None and entry[0].revision else 0, entry[0].workspace))
    return [revision for revision, _ in ordered]


def branch_workspace(latest: PackageRevision | None, tag_workspaces: dict[str, str], branch: str) -> str:
    """The branch entry's workspace: Porch reads it from the package's last approval on the branch (the
    latest tag's annotated workspace); without one it is the branch's name."""
    return latest.workspace if latest is not None and latest.ref in tag_workspaces else branch


def revision_rank(revision: PackageRevision) -> int:
    """Porch's order inside a package: drafts and proposals (no revision) 0, the branch entry 1, vN 2."""
    return 1 if revision.is_branch_entry else 0 if not revision.revision else 2


# Where the package path starts in each kind of package ref (the path then runs to the last '/').
_PACKAGE_REF_PREFIXES = ("refs/tags/", *(f"refs/heads/{kind}" for kind in (naming.DRAFTS, naming.PROPOSED,
                                                                             naming.DELETION_PROPOSED)))


def group_package_refs(snapshot: str, branch_ref: str) -> tuple[dict[str, list[str]], str | None]:
    """``for-each-ref`` lines (``<object> <ref>``) grouped by the package path their ref names, and the
    object of ``branch_ref``. Only the ref names are looked at: which of a package's refs are revisions is
    decided when the package is (re)built, so a listing of 100,000 unchanged refs costs one pass of string
    slicing, not 100,000 classifications."""
    groups: dict[str, list[str]] = {}
    branch_commit = None
    for line in snapshot.splitlines():
        space = line.find(" ")
        name = line[space + 1:]
        for prefix in _PACKAGE_REF_PREFIXES:
            if name.startswith(prefix):
                start = len(prefix)
                break
        else:
            if name == branch_ref:
                branch_commit = line[:space]
            continue
        slash = name.rfind("/")
        if slash <= start:
            continue  # no package part: not a revision
        path = name[start:slash]
        group = groups.get(path)
        if group is None:
            groups[path] = [line]
        else:
            group.append(line)
    return groups, branch_commit
