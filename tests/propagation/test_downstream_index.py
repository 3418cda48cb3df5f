"""The downstream index over real git repositories: a full read, an incremental refresh after a push that
changes one Kptfile (the others are not read again), a rebuild from scratch, broken and non-ASCII Kptfiles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import PorchbotError
from bot.lifecycle import repositories
from bot.lifecycle.downstream_index import DownstreamIndex
from bot.lifecycle.repositories import Repository
from tests.propagation.support import BLUEPRINTS_URL, Fleet, kptfile, make_fleet


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    return make_fleet(tmp_path)


def _followers(index: DownstreamIndex, url: str = BLUEPRINTS_URL, package: str = "basens") -> list[tuple[str, str, str]]:
    return sorted((d.repository, d.package_path, d.locked_ref) for d in index.downstreams_of(url, package))


def test_a_full_read_finds_every_package_that_follows_an_upstream(fleet: Fleet) -> None:
    fleet.repository("deployments", {"ns-a/Kptfile": kptfile("ns-a"), "ns-b/Kptfile": kptfile("ns-b", ref="basens/v2"),
                                     "own/Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: own\n",
                                     "web/Kptfile": kptfile("web", package="webapp", ref="webapp/v3")})
    fleet.repository("edge", {"sites/ny/Kptfile": kptfile("ny", upstream_url="http://FORGE.example/acme/blueprints/",
                                                           slash="")})
    index = DownstreamIndex(fleet.engine)

    assert len(index.refresh("deployments")) == 3 and len(index.refresh("edge")) == 1
    assert _followers(index) == [("deployments", "ns-a", "basens/v1"), ("deployments", "ns-b", "basens/v2"),
                                 ("edge", "sites/ny", "basens/v1")]  # the URL compared in normalised form
    assert _followers(index, package="webapp") == [("deployments", "web", "webapp/v3")]
    locked = {d.package_path: d.locked_number for d in index.entries()}
    assert locked == {"ns-a": 1, "ns-b": 2, "web": 3, "sites/ny": 1}


def test_a_push_that_changes_one_kptfile_reads_only_that_one(fleet: Fleet) -> None:
    work = fleet.repository("deployments", {"ns-a/Kptfile": kptfile("ns-a"), "ns-b/Kptfile": kptfile("ns-b"),
                                            "ns-c/Kptfile": kptfile("ns-c")})
    index = DownstreamIndex(fleet.engine)
    index.refresh("deployments")
    # Mark ns-b's stored entry: an incremental refresh keeps it as stored (it is not read again).
    state = json.loads(index.path.read_text())
    for entry in state["repositories"]["deployments"]["entries"]:
        if entry["package_path"] == "ns-b":
            entry["locked_ref"] = "kept-from-the-index"
    index.path.write_text(json.dumps(state))

    fleet.commit(work, {"ns-a/Kptfile": kptfile("ns-a", ref="basens/v2"), "ns-a/notes.md": "v2\n",
                        "ns-c/Kptfile": None, "README.md": "no package\n"}, "upgrade ns-a, delete ns-c")
    refreshed = {d.package_path: d.locked_ref for d in index.refresh("deployments")}

    assert refreshed == {"ns-a": "basens/v2", "ns-b": "kept-from-the-index"}
    assert index.refresh("deployments", fetch=False) == index.refresh("deployments")  # same commit: as stored


def test_a_kptfile_added_above_a_package_makes_it_a_subpackage(fleet: Fleet) -> None:
    work = fleet.repository("deployments", {"team/ns-a/Kptfile": kptfile("ns-a")})
    index = DownstreamIndex(fleet.engine)
    assert [d.package_path for d in index.refresh("deployments")] == ["team/ns-a"]
    fleet.commit(work, {"team/Kptfile": kptfile("team", package="teams", ref="teams/v1")}, "a parent package")
    assert [(d.package_path, d.upstream_package) for d in index.refresh("deployments")] == [("team", "teams")]


def test_broken_kptfiles_follow_nothing_and_stop_nothing(fleet: Fleet) -> None:
    work = fleet.repository("deployments", {"ok/Kptfile": kptfile("ok"), "bad-yaml/Kptfile": "upstream: [\n",
                                            "not-a-map/Kptfile": "- just\n- a list\n"})
    index = DownstreamIndex(fleet.engine)
    assert [d.package_path for d in index.refresh("deployments")] == ["ok"]
    fleet.commit(work, {"lock-text/Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\nupstreamLock: v1\n",
                        "no-repo/Kptfile": "upstreamLock:\n  git:\n    ref: basens/v1\n",
                        "scalar/Kptfile": "ÿ\n"},
                 "more broken Kptfiles")
    assert [d.package_path for d in index.refresh("deployments")] == ["ok"]
    assert DownstreamIndex(fleet.engine).rebuild() == 1


def test_non_ascii_kptfiles_and_paths(fleet: Fleet) -> None:
    text = kptfile("espace-équipe").replace("kind: Kptfile\n", "kind: Kptfile\n# l'équipe réseau — 東京\n")
    work = fleet.repository("deployments", {"équipe/Kptfile": text})
    index = DownstreamIndex(fleet.engine)
    assert [d.package_path for d in index.refresh("deployments")] == ["équipe"]
    fleet.commit(work, {"東京/Kptfile": kptfile("tokyo", ref="basens/v4"),
                        "équipe/Kptfile": text.replace("basens/v1", "basens/v3")}, "more")
    assert {d.package_path: d.locked_number for d in index.refresh("deployments")} == {"équipe": 3, "東京": 4}


def test_rebuild_reads_everything_again_and_reports_an_unreachable_repository(fleet: Fleet) -> None:
    fleet.repository("deployments", {"ns-a/Kptfile": kptfile("ns-a"), "ns-b/Kptfile": kptfile("ns-b")})
    fleet.repository("edge", {"ny/Kptfile": kptfile("ny")})
    index = DownstreamIndex(fleet.engine)
    index.path.parent.mkdir(parents=True, exist_ok=True)
    index.path.write_text('{"format": 1, "repositories": {"deployments": {"commit": "0000", "entries": []}}}')
    assert index.rebuild() == 3
    assert len(index.entries()) == 3

    repositories.register(fleet.settings, Repository(name="gone", url=str(fleet.root / "missing.git"), branch="main"))
    failures: list[tuple[str, PorchbotError]] = []
    assert index.rebuild(failures) == 3
    assert [name for name, _ in failures] == ["gone"]
    with pytest.raises(PorchbotError):
        index.rebuild()


def test_an_unregistered_repository_is_no_downstream(fleet: Fleet) -> None:
    fleet.repository("deployments", {"ns-a/Kptfile": kptfile("ns-a")})
    index = DownstreamIndex(fleet.engine)
    index.refresh("deployments")
    repositories.unregister(fleet.settings, "deployments")
    assert index.downstreams_of(BLUEPRINTS_URL, "basens") == []


def test_a_damaged_index_file_is_read_as_empty(fleet: Fleet) -> None:
    fleet.repository("deployments", {"ns-a/Kptfile": kptfile("ns-a")})
    index = DownstreamIndex(fleet.engine)
    index.path.parent.mkdir(parents=True, exist_ok=True)
    index.path.write_text("{not json")
    assert index.entries() == []
    assert [d.package_path for d in index.refresh("deployments")] == ["ns-a"]
