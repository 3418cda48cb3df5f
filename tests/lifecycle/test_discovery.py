"""Discovery from a ref snapshot (pure), and its cache keyed by the refs."""

from __future__ import annotations

from pathlib import Path

from bot.config.settings import current_settings
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import Discovery, build_revisions, package_dirs
from bot.lifecycle.gitaccess import Ref
from bot.lifecycle.repositories import Repository
from tests.lifecycle.conftest import git


def test_package_dirs_stop_at_a_package() -> None:
    files = ["README.md", "a/Kptfile", "a/sub/Kptfile", "a-b/Kptfile", "c/d/Kptfile", "c/d/x.yaml", "e/f.yaml"]
    assert package_dirs(files, "") == ["a", "a-b", "c/d"]
    assert package_dirs(files, "c") == ["c/d"]


def _ref(name: str, target: str = "1" * 40) -> Ref:
    return Ref(name, target)


def test_lifecycles_latest_and_branch_entry() -> None:
    refs = [
        _ref("refs/heads/drafts/pkg/v4"),
        _ref("refs/heads/drafts/pkg/v3"),
        _ref("refs/heads/proposed/pkg/v3"),
        _ref("refs/heads/deletionProposed/pkg/v1"),
        _ref("refs/heads/main"),
        _ref("refs/tags/pkg/v1"),
        _ref("refs/tags/pkg/v10"),
        _ref("refs/tags/pkg/v2"),
        _ref("refs/tags/not-a-revision"),
        _ref("refs/tags/other/beta"),
    ]
    # Keyed by workspace: drafts and proposals have no revision (Porch v4); hand-made tags fall back to vN.
    found = {(r.package, r.workspace): r for r in build_revisions("r", "main", "", refs, ["pkg"])}
    assert sorted(found) == [("pkg", "main"), ("pkg", "v1"), ("pkg", "v10"), ("pkg", "v2"), ("pkg", "v3"),
                             ("pkg", "v4")]
    assert found[("pkg", "v3")].lifecycle == "Proposed"
    assert found[("pkg", "v4")].lifecycle == "Draft"
    assert found[("pkg", "v1")].lifecycle == "DeletionProposed"
    assert [key for key, r in found.items() if r.latest] == [("pkg", "v10")]
    assert found[("pkg", "main")].is_branch_entry and found[("pkg", "main")].lifecycle == "Published"
    assert found[("pkg", "v3")].revision == "" and found[("pkg", "v4")].revision == ""
    ordered = [r.workspace for r in build_revisions("r", "main", "", refs, ["pkg"])]
    assert ordered == ["v3", "v4", "main", "v1", "v2", "v10"]  # Porch's: no revision first, then main, vN


def test_directory_filters_and_relative_package_names() -> None:
    refs = [_ref("refs/tags/catalog/bucket/v1"), _ref("refs/tags/elsewhere/v1")]
    revisions = build_revisions("r", "main", "catalog", refs, [])
    assert [(r.package, r.package_path) for r in revisions] == [("bucket", "catalog/bucket")]


def test_listing_is_cached_by_ref_snapshot(packages_repo: Path, porchbot_env: dict[str, str]) -> None:
    settings = current_settings()
    cache = RepositoryCache(settings, Repository(name="blueprints", url=str(packages_repo)))
    cache.fetch()
    first = Discovery(cache).list()
    store = Discovery(cache).store
    stamp = store.stat().st_mtime_ns
    assert Discovery(cache).list() == first
    assert store.stat().st_mtime_ns == stamp  # unchanged refs: nothing re-read or rewritten
    git("--git-dir", str(cache.git_dir), "tag", "app/v3", "app/v2")
    assert [r.revision for r in Discovery(cache).list() if r.latest] == ["v3"]


def test_lookup_agrees_with_the_full_listing(packages_repo: Path, porchbot_env: dict[str, str]) -> None:
    settings = current_settings()
    cache = RepositoryCache(settings, Repository(name="blueprints", url=str(packages_repo)))
    cache.fetch()
    git_dir = str(cache.git_dir)
    git("--git-dir", git_dir, "update-ref", "refs/heads/drafts/app/v3", "main")
    git("--git-dir", git_dir, "update-ref", "refs/heads/proposed/nested/db/v1", "main")
    git("--git-dir", git_dir, "update-ref", "refs/heads/deletionProposed/app/v1", "app/v1")
    listing = Discovery(cache).list()
    assert {r.lifecycle for r in listing} == {"Published", "Draft", "Proposed", "DeletionProposed"}
    for revision in listing:
        assert Discovery(cache).lookup(revision.name) == revision
    assert Discovery(cache).lookup("blueprints-" + "0" * 40) is None
