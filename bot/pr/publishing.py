"""Publishing a merged pull request: the merge at the approver's head, the annotated ``<pkgpath>/v<N>``
tag on the merge commit (who, PR link), and the draft branch deleted. Safe to redo after a crash: a merge
commit that already carries its tag is found, not tagged twice."""

from __future__ import annotations

from bot.errors import Conflict
from bot.forges.base import Forge
from bot.forges.models import PullRequest
from bot.lifecycle import naming, publishing
from bot.lifecycle.cache import RepositoryCache
from bot.pr import messages
from bot.pr.decide import MergeAndPublish
from bot.queue import crashpoints

TAG_ATTEMPTS = 3


def publish(cache: RepositoryCache, forge: Forge, pull: PullRequest, merge_sha: str, actor: str,
            merged: bool) -> str:
    """Tag the merge commit ``<pkgpath>/v<N>`` and delete the draft branch; the tag's name."""
    package_path, _ = naming.split_draft_branch(pull.head_branch)
    for attempt in range(TAG_ATTEMPTS):
        cache.fetched = False
        cache.fetch()
        existing = publishing.published_tag_on(cache, package_path, merge_sha)
        if existing is not None:
            forge.delete_branch(pull.head_branch)
            return existing
        tag = f"{package_path}/{publishing.next_published(cache, package_path)}"
        try:
            forge.create_tag(tag, merge_sha, messages.tag_message(tag, actor, pull, merged))
        except Conflict:
            if attempt == TAG_ATTEMPTS - 1:
                raise
            continue  # another publication of this package took the number: read the tags again
        crashpoints.reached("after_tag")
        forge.delete_branch(pull.head_branch)
        return tag
    raise AssertionError("unreachable")


def merge_and_publish(cache: RepositoryCache, forge: Forge, pull: PullRequest, action: MergeAndPublish) -> str:
    """Merge the PR at the head the approver saw, with Porch's approval message, then publish it."""
    package_path, workspace = naming.split_draft_branch(pull.head_branch)
    published = publishing.next_published(cache, package_path)
    message = publishing.approval_message(package_path, workspace, published)
    merged = forge.merge_pull_request(pull.number, action.head_sha, message)
    crashpoints.reached("after_merge")  # merged, not tagged: a redone /approve finishes the publication
    return publish(cache, forge, pull, merged.merge_commit_sha, action.approver, merged=False)
