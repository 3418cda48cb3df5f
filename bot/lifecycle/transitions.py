"""Lifecycle transitions (propose, reject, approve, delete, propose-delete) in git-only mode.

Front-door neutral: each transition takes a repository cache and a package revision and returns the
Change it made. The PR-mode variant (a forge-backed backend) implements the same ``Transitions``
protocol with pull requests instead of ``proposed/`` branches.
"""

from __future__ import annotations

from typing import Protocol

from bot.errors import Conflict
from bot.lifecycle import commits, naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import (
    DELETION_PROPOSED,
    DRAFT,
    PROPOSED,
    PUBLISHED,
    PackageRevision,
)
from bot.lifecycle.drafts import Change
from bot.lifecycle.gitaccess import RefUpdate

APPROVE_ATTEMPTS = 3


class Transitions(Protocol):
    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> Change: ...
    def reject(self, cache: RepositoryCache, revision: PackageRevision) -> Change: ...
    def approve(self, cache: RepositoryCache, revision: PackageRevision) -> Change: ...
    def delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change: ...
    def propose_delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change: ...


def _require(revision: PackageRevision, verb: str, *allowed: str) -> None:
    if revision.lifecycle not in allowed:
        raise Conflict(f"cannot {verb} {revision.name}: it is {revision.lifecycle}, "
                       f"expected {' or '.join(allowed)}")


def _highest_published(cache: RepositoryCache, package_path: str) -> int:
    """The highest N of the package's ``<pkgpath>/v<N>`` tags: one narrow for-each-ref, not a listing."""
    prefix = f"refs/tags/{package_path}/"
    names = cache.git.run("for-each-ref", "--format=%(refname)", prefix).split()
    numbers = [naming.published_number(name[len(prefix):]) for name in names]
    return max((number for number in numbers if number is not None), default=0)


class GitOnlyTransitions:
    """Porch's git-only layout: ``proposed/`` branches, tags on approval, ``deletionProposed/`` branches."""

    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        _require(revision, "propose", DRAFT)
        proposed = naming.proposed_branch(revision.package_path, revision.workspace)
        updates = [RefUpdate(proposed, revision.commit, None), RefUpdate(revision.ref, None, revision.commit)]
        cache.push(updates)
        return Change(revision.name, PROPOSED, tuple(updates), revision.commit)

    def reject(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        if revision.lifecycle == DELETION_PROPOSED:
            ref = naming.deletion_branch(revision.package_path, revision.revision)
            update = RefUpdate(ref, None, cache.git.rev_parse(ref))
            cache.push([update])
            return Change(revision.name, PUBLISHED, (update,), revision.commit)
        _require(revision, "reject", PROPOSED)
        draft = naming.draft_branch(revision.package_path, revision.workspace)
        updates = [RefUpdate(draft, revision.commit, None), RefUpdate(revision.ref, None, revision.commit)]
        cache.push(updates)
        return Change(revision.name, DRAFT, tuple(updates), revision.commit)

    def approve(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        _require(revision, "approve", PROPOSED)
        for attempt in range(APPROVE_ATTEMPTS):
            try:
                return self._approve_once(cache, revision)
            except Conflict:
                if attempt == APPROVE_ATTEMPTS - 1:
                    raise
                cache.fetched = False  # the branch moved: read it again and rebuild the merge
                cache.fetch()
        raise AssertionError("unreachable")

    def _approve_once(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        git = cache.git
        branch_ref = f"refs/heads/{cache.repository.branch}"
        branch_head = git.rev_parse(branch_ref)
        published = f"v{_highest_published(cache, revision.package_path) + 1}"
        package_tree = git.subtree(revision.commit, revision.package_path)
        base_tree = git.subtree(branch_head, "") if branch_head else None
        tree = git.splice_tree(base_tree, revision.package_path, package_tree)
        message = commits.message(commits.approve_subject(revision.package_path, published),
                                  revision.package_path, revision.workspace, published)
        parents = [branch_head, revision.commit] if branch_head else [revision.commit]
        identity = commits.author(cache.settings)
        merge = git.commit_tree(tree, parents, message, identity, commits.committer(cache.settings))
        tag_name = f"{revision.package_path}/{published}"
        tag = git.tag_object(tag_name, merge, f"Approved by {identity.name} <{identity.email}>",
                             commits.committer(cache.settings))
        updates = [
            RefUpdate(branch_ref, merge, branch_head),
            RefUpdate(naming.published_tag(revision.package_path, published), tag, None),
            RefUpdate(revision.ref, None, revision.commit),
        ]
        cache.push(updates)
        name = naming.revision_name(cache.repository.name, revision.package_path, published)
        return Change(name, PUBLISHED, tuple(updates), merge)

    def delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        if revision.lifecycle in (DRAFT, PROPOSED):
            update = RefUpdate(revision.ref, None, revision.commit)
            cache.push([update])
            return Change(revision.name, "", (update,))
        if revision.lifecycle == DELETION_PROPOSED:
            deletion = naming.deletion_branch(revision.package_path, revision.revision)
            tag_value = cache.git.rev_parse(revision.ref)
            updates = [RefUpdate(revision.ref, None, tag_value),
                       RefUpdate(deletion, None, cache.git.rev_parse(deletion))]
            cache.push(updates)
            return Change(revision.name, "", tuple(updates))
        if revision.is_branch_entry:
            raise Conflict(f"cannot delete {revision.name}: it is the package on branch "
                           f"{revision.revision}; remove it through a new revision instead")
        raise Conflict(f"cannot delete {revision.name}: it is Published; "
                       f"propose its deletion first with `porchbot rpkg propose-delete {revision.name}`")

    def propose_delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        if revision.lifecycle != PUBLISHED or revision.is_branch_entry:
            raise Conflict(f"cannot propose deletion of {revision.name}: it is not a published revision")
        deletion = naming.deletion_branch(revision.package_path, revision.revision)
        commit = cache.git.peel(revision.commit)
        update = RefUpdate(deletion, commit, None)
        cache.push([update])
        return Change(revision.name, DELETION_PROPOSED, (update,), commit)
