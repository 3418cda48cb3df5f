"""The package page (timeline, upstream, downstreams) and the revision page (files, pipeline, diff)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from bot.errors import NotFound
from bot.lifecycle.discovery import DELETION_PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.upstreams import normalise_url
from bot.web.dashboard.gitread import KptfileFacts
from bot.web.dashboard.models import (
    locked_revision,
    newest_published,
    published,
    repository_for_url,
    row,
)
from bot.web.dashboard.snapshot import RepoView

MAX_DIFF_LINES = 5000  # a page stays readable; the rest is summarised


@dataclass(frozen=True)
class UpstreamInfo:
    url: str
    package: str
    ref: str
    repository: str  # the registered repository holding it ('' when none)
    locked: int | None
    newest: int

    @property
    def behind(self) -> int:
        return max(0, self.newest - (self.locked or 0)) if self.repository else 0


def find_view(views: dict[str, RepoView], repository: str) -> RepoView:
    if repository not in views:
        raise NotFound(f"repository {repository!r} is not registered or not fetched yet")
    return views[repository]


def find_revision(views: dict[str, RepoView], name: str) -> tuple[RepoView, PackageRevision]:
    for view in views.values():
        for revision in view.revisions:
            if revision.name == name:
                return view, revision
    raise NotFound(f"package revision {name!r} not found")


def upstream_info(views: dict[str, RepoView], facts: KptfileFacts) -> UpstreamInfo | None:
    if not facts.upstream_repo:
        return None
    holder = repository_for_url(views, facts.upstream_repo)
    newest = 0
    if holder is not None:
        newest = newest_published([r for r in holder.revisions if r.package_path == facts.upstream_package])
    return UpstreamInfo(facts.upstream_repo, facts.upstream_package, facts.upstream_ref,
                        holder.repository.name if holder else "", locked_revision(facts), newest)


def downstreams(views: dict[str, RepoView], view: RepoView, package_path: str) -> list[tuple[Any, UpstreamInfo]]:
    """Each package elsewhere whose newest revision is locked to this package: (row, its upstream info)."""
    url = normalise_url(view.repository.url)
    found = []
    for other in views.values():
        for revisions in other.by_package().values():
            newest = next((r for r in revisions if r.latest), None) or revisions[-1]
            facts = other.facts.get(newest.name, KptfileFacts())
            if facts.upstream_repo and facts.upstream_package == package_path \
                    and normalise_url(facts.upstream_repo) == url:
                info = upstream_info(views, facts)
                if info is not None:
                    found.append((row(other, newest), info))
    return found


def package_page(views: dict[str, RepoView], repository: str, package: str) -> dict[str, Any]:
    view = find_view(views, repository)
    revisions = view.by_package().get(package)
    if not revisions:
        raise NotFound(f"package {package!r} not found in repository {repository!r}")
    # Oldest first: the published revisions by number, then what is in flight.
    ordered = sorted((r for r in revisions if not r.is_branch_entry),
                     key=lambda r: (0, r.published_number or 0, "") if r.published_number is not None
                     and r.lifecycle in (PUBLISHED, DELETION_PROPOSED) else (1, 0, r.workspace))
    timeline = [row(view, r) for r in ordered]
    branch = next((r for r in revisions if r.is_branch_entry), None)
    newest = next((r for r in revisions if r.latest), None) or revisions[-1]
    upstream = upstream_info(views, view.facts.get(newest.name, KptfileFacts()))
    return {"view": view, "package": package, "timeline": timeline, "branch": row(view, branch) if branch else None,
            "upstream": upstream, "downstreams": downstreams(views, view, revisions[0].package_path)}


def default_base(revisions: list[PackageRevision], revision: PackageRevision) -> PackageRevision | None:
    """What a revision is compared with first: the previous published revision, or for a draft, a proposal
    or the branch entry the newest published one (its base)."""
    done = published(revisions)
    if revision in done:
        older = [r for r in done if (r.published_number or 0) < (revision.published_number or 0)]
        return older[-1] if older else None
    return done[-1] if done else None


@dataclass(frozen=True)
class FileDiff:
    path: str
    status: str  # added, removed, changed
    lines: list[tuple[str, str]]  # (kind: add|del|ctx|hunk, text)
    truncated: bool


def diff_files(old: dict[str, str | None], new: dict[str, str | None]) -> list[FileDiff]:
    result = []
    budget = MAX_DIFF_LINES
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path), new.get(path)
        if path in old and path in new and before == after:
            continue
        status = "added" if path not in old else "removed" if path not in new else "changed"
        lines: list[tuple[str, str]] = []
        if (before is None and path in old) or (after is None and path in new):
            lines.append(("hunk", "binary or large file changed"))
        else:
            for line in list(difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(),
                                                  lineterm="", n=3))[2:]:
                kind = "hunk" if line.startswith("@@") else "add" if line.startswith("+") else \
                    "del" if line.startswith("-") else "ctx"
                lines.append((kind, line))
        truncated = len(lines) > budget
        lines = lines[:max(budget, 0)]
        budget -= len(lines)
        result.append(FileDiff(path, status, lines, truncated))
    return result
