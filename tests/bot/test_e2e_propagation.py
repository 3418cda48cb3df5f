"""Issue 12 acceptance (propagation), end to end on emulated GitHub and GitLab: a blueprint repository
with basens, three downstream clones of v1 in the deployment repository (one customised). Each release of
the blueprint reaches every downstream as exactly one upgrade PR: opened, moved to a newer release, or — when
a person closed it unmerged — not reopened for that release."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.bot.blueprint_support import (
    add_blueprints,
    approve_draft,
    conflict_shown_at,
    green_head,
    published_clones,
    release,
)
from tests.bot.e2e_support import REPO, World, eventually, own_upstream, world

DOWNSTREAMS = ("ns-a", "ns-b", "ns-c")  # ns-c carries a customisation


def _open_upgrades(w: World, package: str) -> list[Any]:
    return [p for p in w.emulator.pulls(REPO) if p.head_branch.startswith(f"drafts/{package}/upgrade-to-v")
            and p.state == "open"]


def _upgrades_at(w: World, number: int) -> dict[str, Any] | None:
    """Each downstream's one open upgrade PR, when every one of them targets basens/v<number>."""
    found = {}
    for package in DOWNSTREAMS:
        pulls = _open_upgrades(w, package)
        if len(pulls) != 1 or not pulls[0].title.endswith(f"basens/v{number}"):
            return None
        found[package] = pulls[0]
    return found


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_releases_reach_every_downstream_as_one_upgrade_pr(kind: str, tmp_path: Path) -> None:
    with world(kind, tmp_path, own_upstream(tmp_path)) as w:
        emulator = w.emulator
        add_blueprints(w, kind)
        published_clones(w, tmp_path, DOWNSTREAMS, customised="ns-c")

        release(w, tmp_path, 2)
        first = eventually(lambda: _upgrades_at(w, 2), "one upgrade PR per downstream at basens/v2", timeout=120)
        for pull in first.values():
            green_head(w, pull.head_branch)
        assert "tier" in first["ns-c"].body and "`bronze`" in first["ns-c"].body
        head = green_head(w, first["ns-c"].head_branch)
        namespace_now = w.show(head, "ns-c/namespace.yaml")
        line = 1 + next(i for i, text in enumerate(namespace_now.splitlines()) if "tier: gold" in text)
        conflict_shown_at(w, first["ns-c"].number, head, "ns-c/namespace.yaml", line)
        assert "None: no customisation" in first["ns-a"].body

        # The same release delivered again under a new delivery id (a forge retry the edge cannot tell
        # from a new event): the handler finds its own earlier work and opens nothing more.
        tag_pushes = [d for d in emulator.deliveries if d.payload.get("ref") == "refs/tags/basens/v2"]
        assert tag_pushes
        handled = w.log_path.read_text().count(': current"')
        again = emulator.webhooks.send(tag_pushes[-1].event, tag_pushes[-1].payload)
        eventually(lambda: again.status or again.error, "the second delivery sent")
        assert again.status == 202, (again.status, again.error)
        eventually(lambda: w.log_path.read_text().count(': current"') >= handled + 3, "the redelivery handled")
        assert _upgrades_at(w, 2) is not None

        approve_draft(w, first["ns-a"].head_branch)
        eventually(lambda: emulator.ref_target(REPO, "refs/tags/ns-a/v2"), "ns-a upgraded and published")

        release(w, tmp_path, 3)
        moved = eventually(lambda: _upgrades_at(w, 3), "the open upgrade PRs moved to basens/v3", timeout=120)
        assert moved["ns-b"].number == first["ns-b"].number and moved["ns-c"].number == first["ns-c"].number
        assert moved["ns-a"].number != first["ns-a"].number  # ns-a was published at v2: a new upgrade
        # The bot retitles first, then comments: wait for the comment rather than read it at once.
        eventually(lambda: w.replies_containing(moved["ns-b"].number, "moved this upgrade"), "the moved comment")

        emulator.close(REPO, moved["ns-b"].number, "dev")
        release(w, tmp_path, 4)
        latest = eventually(lambda: _upgrades_at(w, 4), "every downstream at basens/v4", timeout=120)
        assert latest["ns-b"].number != moved["ns-b"].number  # declined v3 stays closed; v4 is a new PR
        assert latest["ns-c"].number == first["ns-c"].number
        assert not emulator.pull(REPO, moved["ns-b"].number).state == "open"
        assert "Traceback" not in w.log_path.read_text()
