"""Issue 11 acceptance, end to end on emulated GitHub and GitLab: a deployment package cloned from basens,
published, customised and published again; the blueprint publishes a new revision; ``rpkg upgrade`` opens a
draft PR whose body names the customisation upstream overwrote; approving it publishes the upgrade as the
package's latest revision."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.bot.blueprint_support import conflict_shown_at, green_head
from tests.bot.e2e_support import REPO, World, eventually, git, own_upstream, world

BASENS_V0 = "kpt-samples-afcf4d1fac605a60ba1ea4b87b5b5b82e222cb69"


def _rows(w: World) -> list[list[str]]:
    listing = w.cli("rpkg", "get", "--no-headers")
    assert listing.returncode == 0, listing.stderr
    return [line.split() for line in listing.stdout.splitlines()]


def _published_latest(w: World, package: str) -> list[str] | None:
    return next((row for row in _rows(w) if row[1] == package and row[-2] == "Published" and "true" in row), None)


def _publish(w: World, branch: str) -> Any:
    """Ready for review, then alice's /approve: the tag of the merge."""
    pull = eventually(lambda: w.pull_for(branch), f"the PR of {branch}")
    green_head(w, branch)
    w.emulator.set_draft(REPO, pull.number, "dev", False)
    w.comment(pull.number, "alice", "/approve")
    eventually(lambda: w.emulator.pull(REPO, pull.number).merged, f"the merge of {branch}", timeout=90)
    eventually(lambda: w.emulator.branch_sha(REPO, branch) is None, f"{branch} deleted")
    return pull


def _release_upstream(upstream: Path, root: Path) -> None:
    """The blueprint's next revision, basens/v1: the namespace gets a tier label."""
    work = root / "upstream-release"
    git("clone", "-q", str(upstream), str(work))
    namespace = work / "basens" / "namespace.yaml"
    namespace.write_text(namespace.read_text() + "  labels:\n    tier: gold\n")
    git("commit", "-q", "-am", "basens: tier label", cwd=work)
    git("tag", "-a", "-m", "basens v1", "basens/v1", cwd=work)
    git("push", "-q", "origin", "main", "basens/v1", cwd=work)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_upgrade_pr_names_the_overwritten_customisation_and_publishes(kind: str, tmp_path: Path) -> None:
    upstream = own_upstream(tmp_path)
    with world(kind, tmp_path, upstream) as w:
        cloned = w.cli("rpkg", "clone", BASENS_V0, "istions", "--repository=deployments")
        assert cloned.returncode == 0, cloned.stderr
        _publish(w, "drafts/istions/v1")
        first = eventually(lambda: _published_latest(w, "istions"), "istions v1 published")

        copied = w.cli("rpkg", "copy", first[0], "--workspace", "custom")
        assert copied.returncode == 0, copied.stderr
        head = green_head(w, "drafts/istions/custom")
        namespace = w.show(head, "istions/namespace.yaml")
        customised_namespace = re.sub(r"^(metadata:.*\n)", r"\1  labels:\n    tier: bronze\n", namespace, count=1,
                                      flags=re.M)
        assert customised_namespace != namespace
        w.git_push("drafts/istions/custom", {"istions/namespace.yaml": customised_namespace}, "dev", "Our own tier")
        _publish(w, "drafts/istions/custom")
        customised = eventually(lambda: (row := _published_latest(w, "istions")) and row[0] != first[0] and row,
                                "the customised revision published")

        _release_upstream(upstream, tmp_path)
        upgraded = w.cli("rpkg", "upgrade", customised[0], "--workspace", "upgrade-v1")
        assert upgraded.returncode == 0, upgraded.stderr
        assert upgraded.stdout.endswith(" upgraded\n")
        assert "metadata.labels.tier" in upgraded.stderr

        pull = eventually(lambda: w.pull_for("drafts/istions/upgrade-v1"), "the upgrade PR")
        assert pull.draft
        assert "basens/v0" in pull.title and "basens/v1" in pull.title
        assert "metadata.labels.tier" in pull.body and "`bronze`" in pull.body and "`gold`" in pull.body
        assert "Namespace" in pull.body  # what changed upstream
        head = green_head(w, "drafts/istions/upgrade-v1")
        namespace_now = w.show(head, "istions/namespace.yaml")
        assert "tier: gold" in namespace_now
        line = 1 + next(i for i, text in enumerate(namespace_now.splitlines()) if "tier: gold" in text)
        conflict_shown_at(w, pull.number, head, "istions/namespace.yaml", line)

        _publish(w, "drafts/istions/upgrade-v1")
        latest = eventually(lambda: (row := _published_latest(w, "istions")) and row[0] != customised[0] and row,
                            "the upgrade published as the latest revision")
        assert "v3" in latest
        bare = w.emulator.store.repo(REPO).bare
        assert bare.git("rev-parse", "--verify", "-q", "refs/tags/istions/v3").strip()
        assert "Traceback" not in w.log_path.read_text()

