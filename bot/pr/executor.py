"""Apply `decide`'s actions through the Forge and git. The only place a decision turns into effects.

What it needs from the worker is passed in: the repository's cache under the job's lock (``git``) and a
re-render of the draft (``render``), so the PR adapter never reaches back up into the handlers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from bot.errors import Conflict, NotMergeable
from bot.forges.base import Forge
from bot.forges.models import PullRequest
from bot.lifecycle import naming, publishing
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.repositories import Repository
from bot.pr import messages
from bot.pr.decide import (
    Action,
    ConvertToDraft,
    MarkReady,
    MergeAndPublish,
    Publish,
    Render,
    Reply,
)
from bot.pr.publishing import merge_and_publish, publish

log = logging.getLogger("porchbot.executor")


GitAccess = Callable[[Repository], AbstractContextManager[RepositoryCache]]


def apply(git: GitAccess, render: Callable[[], object], repository: Repository, forge: Forge, pull: PullRequest,
          actions: Sequence[Action]) -> None:
    for action in actions:
        if isinstance(action, Reply):
            forge.create_comment(pull.number, action.text)
        elif isinstance(action, MarkReady):
            forge.mark_ready(pull.number)
        elif isinstance(action, ConvertToDraft):
            forge.convert_to_draft(pull.number)
        elif isinstance(action, Render):
            render()
        elif isinstance(action, MergeAndPublish):
            _merge(git, repository, forge, pull, action)
        elif isinstance(action, Publish):
            with git(repository) as cache:
                tag = publish(cache, forge, pull, action.merge_sha, action.merged_by, merged=True)
            log.info("published", extra={"reason": f"{tag} on {action.merge_sha[:12]}"})


def _merge(git: GitAccess, repository: Repository, forge: Forge, pull: PullRequest,
           action: MergeAndPublish) -> None:
    with git(repository) as cache:
        try:
            tag = merge_and_publish(cache, forge, pull, action)
        except Conflict:
            current = forge.get_pull_request(pull.number)
            if current.merged:  # a racing approver merged first: theirs is the one merge and one tag
                existing = publishing.published_tag_on(cache, naming.split_draft_branch(pull.head_branch)[0],
                                                   current.merge_commit_sha or "")
                forge.create_comment(pull.number, messages.already_published(existing, current))
                return
            forge.create_comment(pull.number, messages.refuse_moved(action.head_sha, current.head_sha))
            return
        except NotMergeable:
            forge.create_comment(pull.number, messages.refuse_unmergeable())
            return
    merged = forge.get_pull_request(pull.number)
    forge.create_comment(pull.number, messages.published(tag, merged.merge_commit_sha or ""))
