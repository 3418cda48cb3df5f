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
from dataclasses import dataclass
from typing import Any

from bot.config import policy
from bot.forges.base import Forge
from bot.lifecycle import naming
from bot.lifecycle.downstream_index import Downstream
from bot.lifecycle.engine import Engine
from bot.lifecycle.propagation import (
    Release,
    latest_published,
    upgrade_branches,
    upgrade_task,
    upgrade_workspace,
)
from bot.lifecycle.upgrade import preview_upgrade, update_draft, upgrade_revision
from bot.pr import messages
from bot.pr.upgrade_pulls import upsert_upgrade_pull

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
    cache = engine.cache(repository.name)
    cache.fetched = False
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
