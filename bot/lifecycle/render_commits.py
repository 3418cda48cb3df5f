"""The git side of a draft's render: stage the package at a head, make the ``Rendering package`` commit on
top of it, push that commit only while the head is still the branch's, and recognise one made earlier.

Plumbing on the repository's bare cache (nothing is checked out); the caller renders the staged
directory in between and reports. The push is the cache's one push-with-retry, leased on the head the
render was made from, so a person's newer push always wins over the bot's result.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.errors import Conflict
from bot.lifecycle import commits
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.gitaccess import RefUpdate

log = logging.getLogger("porchbot.render")
PUSH_ATTEMPTS = 4  # a render push refused for another reason than a moved branch is tried this often


def stage_package(cache: RepositoryCache, head: str, package_path: str, stage: Path) -> bool:
    """The package's files at ``head`` into ``stage``; False (and an empty ``stage``) when it has none."""
    if cache.git.subtree(head, package_path) is None:
        stage.mkdir()
        return False
    cache.git.extract(f"{head}:{package_path}", stage)
    return True


def tree_with(cache: RepositoryCache, head: str, package_path: str, stage: Path) -> str:
    """The root tree of ``head`` with ``package_path`` replaced by the staged directory."""
    return cache.git.splice_tree(cache.git.subtree(head, ""), package_path, cache.git.write_directory_tree(stage))


def render_parent(cache: RepositoryCache, head: str) -> str | None:
    """The head a bot ``Rendering package`` commit was made from, when ``head`` is one."""
    line = cache.git.run("log", "-1", "--format=%P%x00%ce%x00%s", head).strip()
    parents, email, subject = [*line.split("\x00"), "", ""][:3]
    bot = commits.committer(cache.settings)
    if subject == commits.RENDER_SUBJECT and email == bot.email and len(parents.split()) == 1:
        return parents
    return None


def render_commit(cache: RepositoryCache, head: str, package_path: str, workspace: str, stage: Path) -> str | None:
    """The bot's commit of the rendered ``stage`` on top of ``head`` (not pushed), or None when the render
    changed nothing."""
    tree = tree_with(cache, head, package_path, stage)
    if tree == cache.git.subtree(head, ""):
        return None
    message = commits.message(commits.RENDER_SUBJECT, package_path, workspace, workspace)
    bot = commits.committer(cache.settings)
    return cache.git.commit_tree(tree, [head], message, bot, bot)


def push_render_commit(cache: RepositoryCache, branch: str, commit: str, head: str,
                       retry_seconds: float = 0.5) -> bool:
    """Move ``branch`` from ``head`` to ``commit``; False when the branch moved meanwhile (nothing pushed).
    Other failures raise, after PUSH_ATTEMPTS tries for the ones that may pass."""
    try:
        cache.push([RefUpdate(f"refs/heads/{branch}", commit, head)], attempts=PUSH_ATTEMPTS,
                   retry_seconds=retry_seconds)
    except Conflict:
        log.info("render dropped: branch moved", extra={"draft": branch, "head_sha": head})
        return False
    return True
