"""The fleet: each upstream package with the downstream packages cloned from it across the registered
repositories, how far behind they are, and the drafts in flight that move them (upgrade proposals).

Read from the Kptfile facts in memory: the same lock ``rpkg upgrade --discover=downstream`` reads
(bot.lifecycle.upgrade_discovery), without a git read per page.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any

from bot.lifecycle.upstreams import normalise_url
from bot.web.dashboard.gitread import KptfileFacts
from bot.web.dashboard.models import IN_FLIGHT, RevisionRow, locked_revision, newest_published, row
from bot.web.dashboard.snapshot import RepoView
from bot.web.dashboard.variants import VariantRow


@dataclass
class Downstream:
    current: RevisionRow
    locked: str  # vN, or the ref when it is not a published revision
    behind: int
    upgrades: list[RevisionRow] = field(default_factory=list)


@dataclass
class UpstreamGroup:
    url: str
    repository: str  # registered repository holding the upstream ('' when none is)
    package: str
    newest: int
    downstreams: list[Downstream] = field(default_factory=list)


def fleet(views: dict[str, RepoView]) -> list[UpstreamGroup]:
    by_url = {normalise_url(view.repository.url): view for view in views.values()}
    groups: dict[tuple[str, str], UpstreamGroup] = {}
    for view in sorted(views.values(), key=lambda v: v.repository.name):
        for _package, revisions in sorted(view.by_package().items()):
            current = next((r for r in revisions if r.latest), None) or revisions[-1]
            facts = view.facts.get(current.name, KptfileFacts())
            if not facts.upstream_repo:
                continue
            url = normalise_url(facts.upstream_repo)
            holder = by_url.get(url)
            key = (url, facts.upstream_package)
            if key not in groups:
                newest = newest_published([r for r in holder.revisions if r.package_path == facts.upstream_package]) \
                    if holder else 0
                groups[key] = UpstreamGroup(facts.upstream_repo, holder.repository.name if holder else "",
                                            facts.upstream_package, newest)
            group = groups[key]
            number = locked_revision(facts)
            behind = max(0, group.newest - (number or 0)) if holder else 0
            upgrades = []
            for revision in revisions:
                if revision.lifecycle in IN_FLIGHT and revision.name != current.name:
                    draft_facts = view.facts.get(revision.name, KptfileFacts())
                    draft_number = locked_revision(draft_facts)
                    if draft_number is not None and draft_number > (number or 0):
                        upgrades.append(row(view, revision))
            group.downstreams.append(Downstream(row(view, current), f"v{number}" if number else facts.upstream_ref,
                                                behind, upgrades))
    return sorted(groups.values(), key=lambda g: (g.repository or g.url, g.package))


@dataclass(frozen=True)
class VariantState:
    variant: VariantRow
    owner: str  # the repository declaring it
    downstream: RevisionRow | None  # the downstream package's newest revision, None when not created yet
    state: str


def variants_status(views: dict[str, RepoView]) -> dict[str, Any]:
    """The declared variants and the errors of their files; ``available`` False until bot.lifecycle.variants
    exists (PackageVariant support)."""
    if importlib.util.find_spec("bot.lifecycle.variants") is None:
        return {"available": False, "rows": [], "errors": []}
    rows: list[VariantState] = []
    errors: list[str] = []
    for name, view in sorted(views.items()):
        errors.extend(view.variant_errors)
        for variant in view.variants:
            target = views.get(variant.downstream_repo)
            revisions = target.by_package().get(variant.downstream_package) if target else None
            current = None
            if target is not None and revisions:
                newest = next((r for r in revisions if r.latest), None) or revisions[-1]
                current = row(target, newest)
            if target is None:
                state = f"downstream repository {variant.downstream_repo!r} is not registered"
            elif current is None:
                state = "downstream not created yet"
            else:
                state = f"downstream at {current.label} ({current.lifecycle})"
            rows.append(VariantState(variant, name, current, state))
    return {"available": True, "rows": rows, "errors": errors}
