"""Propagation on a forge: an upstream release reaches one downstream package as exactly one upgrade PR.

Level-triggered and safe to redo: what the forge and git hold now decides what to do.
- an open upgrade PR for this package at the release (or newer): nothing to do;
- an open upgrade PR for an older release: its Draft moves to this release (``rpkg update``), the PR is
  retitled and says so in a comment — one PR, never a second;
- this release's upgrade branch exists with a PR closed unmerged: a person declined it, nothing is reopened;
- the branch exists with no PR (a worker died in between): the PR is opened now;
- otherwise: a new upgrade Draft from the package's latest Published revision, and its draft PR.
A package's own drafts are never touched. ``propagation: off`` skips the package.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.config import policy
from bot.errors import Conflict, NotMergeable, PorchbotError
from bot.forges.base import Forge
from bot.lifecycle import naming
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.downstream_index import Downstream
from bot.lifecycle.engine import Engine
from bot.lifecycle.propagation import (
    Release,
    latest_published,
    upgrade_branches,
    upgrade_number,
    upgrade_task,
    upgrade_workspace,
)
from bot.lifecycle.repositories import Repository
from bot.lifecycle.upgrade import preview_upgrade, update_draft, upgrade_revision
from bot.pr import messages
from bot.pr.decide import MergeAndPublish
from bot.pr.publishing import merge_and_publish
from bot.pr.state import draft_state
from bot.pr.upgrade_pulls import conflicts_in, upsert_upgrade_pull

log = logging.getLogger("porchbot.propagation")

UPGRADE_LABEL = "porchbot/upgrade"


@dataclass(frozen=True)
class Propagated:
    downstream: str  # <repository>:<package path>
    action: str  # opened | moved | current | declined | off | unpublished
    pull_number: int | None = None


def propagate_to(engine: Engine, forge: Forge, config: policy.BotConfig, release: Release,
                 downstream: Downstream) -> Propagated:
    where = f"{downstream.repository}:{downstream.package_path}"
    repository = engine.repository(downstream.repository)
    mode = policy.package_propagation(config, repository.name,
                                      lambda path: forge.get_file(path, repository.branch), downstream.package_path)
    if mode == "off":
        return Propagated(where, "off")
    cache = engine.cache(repository.name)  # fetched by the caller, under the repository's lock (ctx.git)
    cache.fetch()
    for branch, number in upgrade_branches(cache, downstream.package_path):
        pull = forge.find_pull_request(branch, repository.branch)
        if pull is None:
            continue
        if number >= release.number or _tracks(pull.title, release):
            forge.add_labels(pull.number, [UPGRADE_LABEL])  # a job killed between opening and labelling
            return Propagated(where, "current", pull.number)
        moved = update_draft(engine, naming.revision_name(repository.name, downstream.package_path,
                                                          naming.split_draft_branch(branch)[1]), release.number)
        forge.add_labels(upsert_upgrade_pull(forge, repository.branch, branch, moved).number, [UPGRADE_LABEL])
        forge.create_comment(pull.number, messages.upgrade_moved(moved.old_upstream, release.tag))
        return Propagated(where, "moved", pull.number)
    if _declined(forge, repository.branch, upgrade_branches(cache, downstream.package_path), release):
        return Propagated(where, "declined")
    branch = naming.draft_branch(downstream.package_path, upgrade_workspace(release.number))
    short = branch.removeprefix("refs/heads/")
    if cache.git.rev_parse(branch) is not None:
        source = _upgraded_from(upgrade_task(cache, short))
        if not source:
            return Propagated(where, "declined")  # not ours to reopen: someone else's branch of that name
        outcome = preview_upgrade(engine, source, release.number)
        pull = upsert_upgrade_pull(forge, repository.branch, short, outcome)
        forge.add_labels(pull.number, [UPGRADE_LABEL])
        return Propagated(where, "opened", pull.number)
    source_revision = latest_published(engine, downstream)
    if source_revision is None:
        return Propagated(where, "unpublished")
    outcome = upgrade_revision(engine, source_revision.name, release.number, upgrade_workspace(release.number))
    pull = upsert_upgrade_pull(forge, repository.branch, short, outcome)
    forge.add_labels(pull.number, [UPGRADE_LABEL])
    log.info("upgrade proposed", extra={"repo": repository.name, "reason": f"{where} -> {release.tag}"})
    return Propagated(where, "opened", pull.number)


def _declined(forge: Forge, base_branch: str, branches: list[tuple[str, int]], release: Release) -> bool:
    """A person closed, unmerged, an upgrade PR for this release (opened for it, or moved to it)."""
    for branch, number in branches:
        if number > release.number:
            continue
        for closed in forge.closed_pull_requests(branch, base_branch):
            if number == release.number or _tracks(closed.title, release):
                return True
    return False


def _upgraded_from(task: dict[str, Any] | None) -> str:
    """The revision an upgrade task names as its local package (``localPackageRevisionRef.name``)."""
    upgrade = task.get("upgrade") if task else None
    local = upgrade.get("localPackageRevisionRef") if isinstance(upgrade, dict) else None
    return str(local.get("name") or "") if isinstance(local, dict) else ""


def _tracks(title: str, release: Release) -> bool:
    """An upgrade PR already moved to this release keeps its branch name but says so in its title."""
    return title.rstrip().endswith(f"→ {release.tag}")


def auto_upgrade(config: policy.BotConfig, is_bot: Callable[[str], bool], bot_login: str, repository: Repository,
                 cache: RepositoryCache, forge: Forge, branch: str, head_sha: str) -> str | None:
    """``propagation: auto``: the bot proposes and approves its own upgrade PR once the render of
    ``head_sha`` (the branch's head) is green, the merge reported no conflict and the repository's approval
    policy names the bot among the package's approvers (other required approvals still count). Merged at
    that head and tagged like any approval; the tag, or None when the PR waits for a person.

    Called with the repository's git lock held, after the render report; safe to call again (a merged PR
    is no longer found open, and a moved head refuses the merge)."""
    try:
        package_path, workspace = naming.split_draft_branch(branch)
    except PorchbotError:
        return None
    if upgrade_number(workspace) is None:
        return None  # only upgrade Drafts merge themselves, never a person's own draft
    pull = forge.find_pull_request(branch, repository.branch)
    if pull is None or pull.head_sha != head_sha or not is_bot(pull.author.login):
        return None
    if messages.CONFLICTS_MARKER not in pull.body:
        return None  # not the bot's upgrade body
    read_file = (lambda path: forge.get_file(path, repository.branch))  # noqa: E731
    if policy.package_propagation(config, repository.name, read_file, package_path) != "auto":
        return None
    where = f"{repository.name}:{package_path}"
    if conflicts_in(pull.body):  # upstream overwrote a local change: a person decides
        log.info("automatic upgrade waits for a person", extra={"repo": repository.name,
                                                               "reason": f"{where}: the upgrade reported conflicts"})
        return None
    state = draft_state(forge, config, repository, pull, cache)
    bot = bot_login.lower()
    if state.render_state != "success" or not ({bot, f"{bot}[bot]"} & state.approvers):
        return None
    counted = {login for login in state.approvals if login in state.approvers} | {bot}
    if len(counted) < state.required_approvals or pull.mergeable is False:
        return None
    if pull.draft:
        pull = forge.mark_ready(pull.number)  # proposed, as /propose would
    try:
        tag = merge_and_publish(cache, forge, pull, MergeAndPublish(head_sha=head_sha, approver=bot_login))
    except (Conflict, NotMergeable) as err:  # a person pushed meanwhile: the new head renders and decides
        log.info("automatic upgrade waits", extra={"repo": repository.name, "reason": f"{where}: {err}"[:200]})
        return None
    forge.create_comment(pull.number, _auto_approved(tag, head_sha))
    log.info("upgrade approved automatically", extra={"repo": repository.name, "reason": f"{where} -> {tag}"})
    return tag


def _auto_approved(tag: str, head_sha: str) -> str:
    return (f"Approved automatically (`propagation: auto`): the render of `{head_sha[:12]}` is green and the "
            f"upgrade overwrote no local change. Published as `{tag}`.")
