"""The one lifecycle engine for transitions: propose, reject, approve, delete, propose-delete.

The rules (which lifecycle a transition starts from, what a published revision is called, how deletion is
proposed) live here, once, for the CLI and the bot alike. Where a proposal is kept is the backend's
business: ``proposed/`` branches in git-only mode (bot.lifecycle.git_proposals) or pull requests in PR mode
(bot.pr.proposals). Front-door neutral: no forge, no handler, no printing; each call returns the Change it
made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.errors import Conflict
from bot.lifecycle import naming
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
from bot.lifecycle.readiness import require_ready


@dataclass(frozen=True)
class Publication:
    """What a backend's approval made: the published revision (``vN``), its commit and the refs moved."""

    revision: str
    commit: str | None
    updates: tuple[RefUpdate, ...] = ()


class ProposalBackend(Protocol):
    """Where a revision's proposal lives and how an approved one reaches the repository branch."""

    def current(self, cache: RepositoryCache, revision: PackageRevision) -> PackageRevision:
        """The revision with its live lifecycle (a PR can make a draft branch Proposed)."""
        ...

    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]: ...

    def withdraw(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        """Proposed → Draft."""
        ...

    def publish(self, cache: RepositoryCache, revision: PackageRevision) -> Publication:
        """Merge the proposal into the repository branch and tag it ``<pkgpath>/v<N>``."""
        ...

    def discard(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        """Delete a Draft or Proposed revision."""
        ...


def _require(revision: PackageRevision, verb: str, *allowed: str) -> None:
    if revision.lifecycle not in allowed:
        raise Conflict(f"cannot {verb} {revision.name}: it is {revision.lifecycle}, "
                       f"expected {' or '.join(allowed)}")


class Lifecycle:
    """Transitions of package revisions, with proposals kept by ``backend``."""

    def __init__(self, backend: ProposalBackend) -> None:
        self.backend = backend

    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self.backend.current(cache, revision)
        _require(revision, "propose", DRAFT)
        require_ready(cache, revision)  # the Kptfile's readiness gates (bot.lifecycle.readiness)
        return Change(revision.name, PROPOSED, self.backend.propose(cache, revision), revision.commit)

    def reject(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self.backend.current(cache, revision)
        if revision.lifecycle == DELETION_PROPOSED:
            ref = naming.deletion_branch(revision.package_path, revision.revision)
            update = RefUpdate(ref, None, cache.git.rev_parse(ref))
            cache.push([update])
            return Change(revision.name, PUBLISHED, (update,), revision.commit)
        _require(revision, "reject", PROPOSED)
        return Change(revision.name, DRAFT, self.backend.withdraw(cache, revision), revision.commit)

    def approve(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self.backend.current(cache, revision)
        _require(revision, "approve", PROPOSED)
        require_ready(cache, revision)
        published = self.backend.publish(cache, revision)
        # The workspace names the revision (Porch v4): approval gives it a number, not a new name.
        return Change(revision.name, PUBLISHED, published.updates, published.commit)

    def delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        revision = self.backend.current(cache, revision)
        if revision.lifecycle in (DRAFT, PROPOSED):
            return Change(revision.name, "", self.backend.discard(cache, revision))
        if revision.lifecycle == DELETION_PROPOSED:
            deletion = naming.deletion_branch(revision.package_path, revision.revision)
            updates = (RefUpdate(revision.ref, None, cache.git.rev_parse(revision.ref)),
                       RefUpdate(deletion, None, cache.git.rev_parse(deletion)))
            cache.push(list(updates))
            return Change(revision.name, "", updates)
        if revision.is_branch_entry:
            raise Conflict(f"cannot delete {revision.name}: it is the package on branch "
                           f"{revision.revision}; remove it through a new revision instead")
        raise Conflict(f"cannot delete {revision.name}: it is Published; "
                       f"propose its deletion first with `porchbot rpkg propose-delete {revision.name}`")

    def propose_delete(self, cache: RepositoryCache, revision: PackageRevision) -> Change:
        if revision.lifecycle == DELETION_PROPOSED:
            return Change(revision.name, DELETION_PROPOSED, (), revision.commit)  # already: nothing to do
        if revision.lifecycle != PUBLISHED or revision.is_branch_entry:
            raise Conflict(f"cannot propose deletion of {revision.name}: it is not a published revision")
        deletion = naming.deletion_branch(revision.package_path, revision.revision)
        commit = cache.git.peel(revision.commit)
        update = RefUpdate(deletion, commit, None)
        cache.push([update])
        return Change(revision.name, DELETION_PROPOSED, (update,), commit)
