"""The draft PR of an upgrade: titled with the package and both upstream revisions, its body listing
what changed upstream and the conflict report (also kept as JSON in a hidden line, so that the render of
the PR's head can annotate the conflicting fields at their file and line)."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.forges import factory as forge_factory
from bot.forges.base import Forge
from bot.forges.models import PullRequest
from bot.lifecycle import naming
from bot.lifecycle.engine import Engine
from bot.lifecycle.upgrade import UpgradeOutcome
from bot.pr import messages

_CONFLICTS = re.compile(r"<!-- " + re.escape(messages.CONFLICTS_MARKER) + r" (?P<json>.*?) -->", re.DOTALL)


def upgrade_body(outcome: UpgradeOutcome, workspace: str) -> str:
    conflicts_json = json.dumps([c.to_dict() for c in outcome.conflicts], separators=(",", ":"))
    return messages.upgrade_body(outcome.package_path, workspace, outcome.old_upstream, outcome.new_upstream,
                                 outcome.strategy, outcome.upstream_changes, outcome.conflicts,
                                 conflicts_json.replace("-->", "--\\u003e"))


def conflicts_in(body: str) -> list[dict[str, Any]]:
    """The conflict report an upgrade PR's body carries ([] for any other PR)."""
    match = _CONFLICTS.search(body or "")
    if match is None:
        return []
    try:
        found = json.loads(match.group("json"))
    except json.JSONDecodeError:
        return []
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def open_upgrade_pull(engine: Engine, outcome: UpgradeOutcome) -> PullRequest:
    """The upgrade Draft's draft PR, with the CLI user's token (the existing one, brought up to date)."""
    repository = engine.repository(outcome.change.name.rsplit("-", 1)[0])
    branch = outcome.change.updates[0].ref.removeprefix("refs/heads/")
    return upsert_upgrade_pull(forge_factory.forge_for(repository), repository.branch, branch, outcome)


def upsert_upgrade_pull(forge: Forge, base_branch: str, branch: str, outcome: UpgradeOutcome) -> PullRequest:
    """Open the draft PR of upgrade Draft ``branch``, or retitle the open one to ``outcome``."""
    _, workspace = naming.split_draft_branch(branch)
    title = messages.upgrade_title(outcome.package_path, outcome.old_upstream, outcome.new_upstream)
    body = upgrade_body(outcome, workspace)
    existing = forge.find_pull_request(branch, base_branch)
    if existing is not None:
        if (existing.title, existing.body) == (title, body):
            return existing
        return forge.edit_pull_request(existing.number, title, body)
    return forge.open_pull_request(branch, base_branch, title, body, draft=True)
