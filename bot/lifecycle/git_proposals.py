"""Proposals in git-only mode, as Porch keeps them: a ``proposed/<pkgpath>/<workspace>`` branch, and an
approval that is a merge commit on the repository branch plus an annotated ``<pkgpath>/v<N>`` tag, pushed
atomically with a lease on every ref it moves."""

from __future__ import annotations

from bot.errors import Conflict
from bot.lifecycle import commits, naming, publishing
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import PackageRevision
from bot.lifecycle.gitaccess import RefUpdate
from bot.lifecycle.transitions import Lifecycle, Publication

APPROVE_ATTEMPTS = 3


class GitBranchProposals:
    """``ProposalBackend`` over plain git refs (no forge)."""

    def current(self, cache: RepositoryCache, revision: PackageRevision) -> PackageRevision:
        return revision  # git-only lifecycles are read from the refs alone

    def propose(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        proposed = naming.proposed_branch(revision.package_path, revision.workspace)
        updates = (RefUpdate(proposed, revision.commit, None), RefUpdate(revision.ref, None, revision.commit))
        cache.push(list(updates))
        return updates

    def withdraw(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        draft = naming.draft_branch(revision.package_path, revision.workspace)
        updates = (RefUpdate(draft, revision.commit, None), RefUpdate(revision.ref, None, revision.commit))
        cache.push(list(updates))
        return updates

    def discard(self, cache: RepositoryCache, revision: PackageRevision) -> tuple[RefUpdate, ...]:
        update = RefUpdate(revision.ref, None, revision.commit)
        cache.push([update])
        return (update,)

    def publish(self, cache: RepositoryCache, revision: PackageRevision) -> Publication:
        for attempt in range(APPROVE_ATTEMPTS):
            try:
                return self._publish_once(cache, revision)
            except Conflict:
                if attempt == APPROVE_ATTEMPTS - 1:
                    raise
                cache.fetched = False  # the branch moved: read it again and rebuild the merge
                cache.fetch()
        raise AssertionError("unreachable")

    def _publish_once(self, cache: RepositoryCache, revision: PackageRevision) -> Publication:
        git = cache.git
        branch_ref = f"refs/heads/{cache.repository.branch}"
        branch_head = git.rev_parse(branch_ref)
        published = publishing.next_published(cache, revision.package_path)
        package_tree = git.subtree(revision.commit, revision.package_path)
        base_tree = git.subtree(branch_head, "") if branch_head else None
        tree = git.splice_tree(base_tree, revision.package_path, package_tree)
        message = publishing.approval_message(revision.package_path, revision.workspace, published)
        parents = [branch_head, revision.commit] if branch_head else [revision.commit]
        identity = commits.author(cache.settings)
        merge = git.commit_tree(tree, parents, message, identity, commits.committer(cache.settings))
        tag = git.tag_object(f"{revision.package_path}/{published}", merge,
                             f"Approved by {identity.name} <{identity.email}>", commits.committer(cache.settings))
        updates = (
            RefUpdate(branch_ref, merge, branch_head),
            RefUpdate(naming.published_tag(revision.package_path, published), tag, None),
            RefUpdate(revision.ref, None, revision.commit),
        )
        cache.push(list(updates))
        return Publication(published, merge, updates)


def git_only_lifecycle() -> Lifecycle:
    return Lifecycle(GitBranchProposals())
