"""A fetch brings over only what moved on the remote, and leaves the cache's branches and tags exactly the
remote's: moved, new, deleted, annotated, a branch replaced by one under its name, many at once."""

from __future__ import annotations

from pathlib import Path

from bot.config.settings import current_settings
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.remote_changes import differences
from bot.lifecycle.repositories import Repository
from tests.lifecycle.conftest import git


def _refs(git_dir: Path) -> str:
    return git("--git-dir", str(git_dir), "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads",
               "refs/tags")


def _fresh(cache: RepositoryCache) -> None:
    cache.fetched = False
    cache.fetch()


def test_a_fetch_mirrors_every_kind_of_move(packages_repo: Path, porchbot_env: dict[str, str]) -> None:
    cache = RepositoryCache(current_settings(), Repository(name="blueprints", url=str(packages_repo)))
    cache.fetch()
    remote = str(packages_repo)
    main = git("--git-dir", remote, "rev-parse", "main").strip()
    first = git("--git-dir", remote, "rev-parse", "app/v1^{commit}").strip()
    git("--git-dir", remote, "update-ref", "refs/heads/drafts/app/a", main)
    _fresh(cache)
    assert _refs(cache.git_dir) == _refs(packages_repo)

    git("--git-dir", remote, "update-ref", "-d", "refs/heads/drafts/app/a")  # gone, and its name reused below
    git("--git-dir", remote, "update-ref", "refs/heads/drafts/app/a/b", first)
    git("--git-dir", remote, "tag", "-f", "app/v1", main)  # a tag moved
    git("--git-dir", remote, "tag", "-a", "-m", "third", "app/v3", first)  # an annotated tag
    git("--git-dir", remote, "pack-refs", "--all")
    moved, gone = differences(git("--git-dir", remote, "ls-remote", "--heads", "--tags", remote), cache.git_dir)
    assert moved == ["refs/heads/drafts/app/a/b", "refs/tags/app/v1", "refs/tags/app/v3"]
    assert gone == ["refs/heads/drafts/app/a"]
    _fresh(cache)
    assert _refs(cache.git_dir) == _refs(packages_repo)
    assert differences(git("--git-dir", remote, "ls-remote", "--heads", "--tags", remote), cache.git_dir) == ([], [])

    for index in range(250):  # more than a fetch naming each ref is worth: the whole fetch runs
        git("--git-dir", remote, "update-ref", f"refs/heads/drafts/many/w{index}", main)
    _fresh(cache)
    assert _refs(cache.git_dir) == _refs(packages_repo)
