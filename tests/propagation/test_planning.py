"""Propagation planning: which pushed tag is a release, which downstreams are behind it, and the upgrade
workspace names a redone job finds its own earlier work by."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.lifecycle.downstream_index import DownstreamIndex
from bot.lifecycle.propagation import Release, behind, release_of, upgrade_number, upgrade_workspace
from tests.propagation.support import BLUEPRINTS_URL, Fleet, kptfile, make_fleet


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    return make_fleet(tmp_path)


@pytest.mark.parametrize(("workspace", "number"), [
    ("upgrade-to-v2", 2), ("upgrade-to-v12", 12), ("upgrade-to-v0", 0), ("upgrade-to-v", None),
    ("upgrade-to-v2x", None), ("upgrade-to-2", None), ("v2", None), ("my-upgrade-to-v2", None), ("", None),
    ("upgrade-to-v٣", None), ("upgrade-to-v2\n", None),  # a non-ASCII digit is no revision number
])
def test_upgrade_number(workspace: str, number: int | None) -> None:
    assert upgrade_number(workspace) == number


def test_upgrade_workspace_round_trips() -> None:
    assert all(upgrade_number(upgrade_workspace(n)) == n for n in (1, 7, 120))


def test_release_of_a_pushed_tag(fleet: Fleet) -> None:
    fleet.repository("blueprints", {"basens/Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\n"})
    url = fleet.engine.repository("blueprints").url
    assert release_of(fleet.engine, "blueprints", "refs/tags/basens/v2") == Release("blueprints", url, "basens", 2)
    assert release_of(fleet.engine, "blueprints", "refs/tags/team/basens/v10") == Release(
        "blueprints", url, "team/basens", 10)
    assert Release("blueprints", url, "basens", 2).tag == "basens/v2"
    for ref in ("refs/heads/main", "refs/heads/basens/v2", "refs/tags/v2", "refs/tags/basens/draft-1",
                "refs/tags/basens/v", "refs/tags/basens/", "basens/v2", "refs/tags/basens/v2.1", "refs/tags/basens/v٣", "refs/tags/basens/v2\n"):
        assert release_of(fleet.engine, "blueprints", ref) is None, ref


def test_behind_lists_the_downstreams_locked_to_an_older_revision(fleet: Fleet) -> None:
    branch_lock = kptfile("ns-main", ref="main")
    fleet.repository("deployments", {
        "ns-v1/Kptfile": kptfile("ns-v1", ref="basens/v1"), "ns-v2/Kptfile": kptfile("ns-v2", ref="basens/v2"),
        "ns-v3/Kptfile": kptfile("ns-v3", ref="basens/v3"), "ns-main/Kptfile": branch_lock,
        "ns-draft/Kptfile": kptfile("ns-draft", ref="drafts/basens/new"),
        "other/Kptfile": kptfile("other", package="webapp", ref="webapp/v1")})
    fleet.repository("edge", {"z/Kptfile": kptfile("z", upstream_url="HTTPS://forge.example/acme/blueprints/",
                                                   ref="basens/v1"),
                              "a/Kptfile": kptfile("a", upstream_url="https://forge.example/acme/other.git")})
    index = DownstreamIndex(fleet.engine)
    index.refresh("deployments")
    index.refresh("edge")

    found = behind(index, Release("blueprints", BLUEPRINTS_URL, "basens", 2))

    # Locked to v1, to a branch or to a draft: behind; at v2 or past it: not; another package or repository:
    # not theirs. Sorted by repository and package.
    assert [(d.repository, d.package_path) for d in found] == [
        ("deployments", "ns-draft"), ("deployments", "ns-main"), ("deployments", "ns-v1"), ("edge", "z")]
    assert behind(index, Release("blueprints", BLUEPRINTS_URL, "basens", 1)) == [
        d for d in found if d.locked_number is None]


def test_a_package_that_names_itself_as_its_upstream_is_never_upgraded(fleet: Fleet) -> None:
    work = fleet.repository("blueprints", {"README.md": "x\n"})
    url = fleet.engine.repository("blueprints").url
    fleet.commit(work, {"basens/Kptfile": kptfile("basens", upstream_url=url, ref="basens/v1"),
                        "copy/Kptfile": kptfile("copy", upstream_url=url, ref="basens/v1")}, "a cycle and a copy")
    index = DownstreamIndex(fleet.engine)
    index.refresh("blueprints")
    release = release_of(fleet.engine, "blueprints", "refs/tags/basens/v2")
    assert release is not None
    assert [d.package_path for d in behind(index, release)] == ["copy"]
