"""The overview and repository pages' view models, from the store's memory only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.lifecycle.discovery import DELETION_PROPOSED, DRAFT, PROPOSED, PUBLISHED
from bot.web.dashboard.activity import Activity
from bot.web.dashboard.models import IN_FLIGHT, LIFECYCLE_ORDER, RevisionRow, row, when
from bot.web.dashboard.snapshot import RepoView

PUBLISHED_LIKE = (PUBLISHED, DELETION_PROPOSED)


@dataclass(frozen=True)
class RepoSummary:
    name: str
    ready: bool
    reason: str
    deployment: bool
    forge: str
    directory: str
    packages: int
    drafts: int
    proposals: int
    fetched: str
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PackageRow:
    package: str
    latest: str
    published: int
    in_flight: list[RevisionRow] = field(default_factory=list)
    upstream: str = ""
    href: str = ""


def summary(view: RepoView) -> RepoSummary:
    found: RepoSummary = view.remember("summary", lambda: _summary(view))
    return found


def _summary(view: RepoView) -> RepoSummary:
    packages = {r.package for r in view.revisions}
    drafts = sum(1 for r in view.revisions if r.lifecycle == DRAFT)
    proposals = sum(1 for r in view.revisions if r.lifecycle == PROPOSED)
    repository = view.repository
    return RepoSummary(repository.name, view.ready, view.reason, repository.deployment, repository.forge,
                       repository.display_directory, len(packages), drafts, proposals, when(view.fetched_at),
                       view.warnings)


def overview(views: dict[str, RepoView]) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    activity: list[tuple[str, Activity]] = []
    failing: list[tuple[str, str]] = []
    for name, view in sorted(views.items()):
        counts.update(r.lifecycle for r in view.revisions if not r.is_branch_entry)
        activity.extend((name, item) for item in view.activity)
        if not view.ready:
            failing.append((name, f"fetch failed: {view.reason}"))
        failing.extend((name, f"variant: {error}") for error in view.variant_errors)
        for revision in view.revisions:
            if revision.lifecycle in IN_FLIGHT:
                item = row(view, revision)
                if item.render == "failed":
                    failing.append((name, f"{item.package} ({item.workspace}): render failed "
                                          f"{item.render_message}".strip()))
    activity.sort(key=lambda pair: pair[1].when, reverse=True)
    return {
        "repositories": [summary(view) for _, view in sorted(views.items())],
        "counts": [(lifecycle, counts.get(lifecycle, 0)) for lifecycle in LIFECYCLE_ORDER],
        "activity": [(name, item, when(item.when)) for name, item in activity[:20]],
        "failing": failing,
    }


def package_rows(view: RepoView, query: str = "") -> list[PackageRow]:
    rows: list[PackageRow] = view.remember("package_rows", lambda: _build_rows(view))
    needle = query.strip().lower()
    return [r for r in rows if needle in r.package.lower()] if needle else rows


def _build_rows(view: RepoView) -> list[PackageRow]:
    rows = []
    for package, revisions in sorted(view.by_package().items()):
        latest = next((r for r in revisions if r.latest), None)
        newest = latest or revisions[-1]
        done = sum(1 for r in revisions if r.lifecycle in PUBLISHED_LIKE and not r.is_branch_entry)
        in_flight = [row(view, r) for r in revisions if r.lifecycle in IN_FLIGHT]
        href = f"/repositories/{quote(view.repository.name)}/packages/{quote(package)}"
        rows.append(PackageRow(package, latest.revision if latest else "", done, in_flight, row(view, newest).upstream,
                               href))
    return rows
