"""The incremental listing (packages rebuilt only when their refs move, read from the ref files) always
equals a listing built from nothing out of ``git for-each-ref``, whatever happens to the refs in between:
tags, drafts, proposals and deletion proposals made and removed, loose and packed refs, annotated tags,
the branch moving to trees with other packages, refs that are not revisions, nested package paths."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.settings import current_settings
from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import Discovery, PackageRevision, build_revisions, package_dirs, tag_workspaces
from bot.lifecycle.gitaccess import Ref
from bot.lifecycle.repositories import Repository
from tests.lifecycle.conftest import git

PACKAGES = ("app", "nested/db", "a/b", "a/b/c", "a/b-c", "new/pkg")
WORKSPACES = ("v1", "v2", "v10", "ws", "main")
TREES = (("app", "nested/db"), ("app", "a/b", "a/b-c", "new/pkg"), ())
_names = itertools.count()


def _git_input(git_dir: str, text: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", git_dir, *args], input=text, text=True, capture_output=True,
                          check=True).stdout.strip()


def _tree(git_dir: str, packages: tuple[str, ...]) -> str:
    """A tree holding a Kptfile in each of ``packages`` (written with mktree, directory by directory)."""
    root: dict[str, Any] = {}
    for package in packages:
        node = root
        for part in package.split("/"):
            node = node.setdefault(part, {})
        node["Kptfile"] = package
    return _mktree(git_dir, root)


def _mktree(git_dir: str, node: dict[str, Any]) -> str:
    lines = []
    for name, child in sorted(node.items()):
        if isinstance(child, str):
            kptfile = f"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {child.rsplit('/', 1)[-1]}\n"
            lines.append(f"100644 blob {_git_input(git_dir, kptfile, 'hash-object', '-w', '--stdin')}\t{name}")
        else:
            lines.append(f"040000 tree {_mktree(git_dir, child)}\t{name}")
    return _git_input(git_dir, "".join(f"{line}\n" for line in lines), "mktree")


def _commits(git_dir: str) -> dict[str, str]:
    """Commits to point refs at: one per branch tree, and approvals of packages with a ``kpt:`` line."""
    made = {f"tree{index}": git("--git-dir", git_dir, "commit-tree", _tree(git_dir, packages), "-m",
                                f"tree {index}").strip() for index, packages in enumerate(TREES)}
    for package, workspace in itertools.product(PACKAGES, WORKSPACES[:3]):
        note = json.dumps({"package": package, "workspaceName": f"w-{workspace}"})
        made[f"{package}@{workspace}"] = git("--git-dir", git_dir, "commit-tree", _tree(git_dir, ()), "-m",
                                             f"Approve {package}\n\nkpt:{note}").strip()
    return made


REF_KINDS = ("tag", "annotated-tag", "draft", "proposed", "deletion")
operations = st.one_of(
    st.tuples(st.sampled_from(REF_KINDS), st.sampled_from(PACKAGES), st.sampled_from(WORKSPACES),
              st.sampled_from(("tree0", "app@v1", "a/b@v2", "nested/db@v10"))),
    st.tuples(st.just("delete"), st.integers(min_value=0, max_value=50)),
    st.tuples(st.just("pack")),
    st.tuples(st.just("branch"), st.sampled_from(("tree0", "tree1", "tree2", None))),
    st.tuples(st.just("odd"), st.sampled_from(("refs/tags/loose-tag", "refs/heads/feature/x",
                                               "refs/tags/app/beta", "refs/heads/drafts/noslash"))),
)


def _apply(git_dir: str, commits: dict[str, str], operation: tuple[Any, ...]) -> None:
    kind = operation[0]
    if kind in REF_KINDS:
        _, package, workspace, commit_key = operation
        commit = commits[commit_key]
        if kind in ("tag", "annotated-tag", "deletion"):
            workspace = workspace if workspace.startswith("v") else "v3"
        if kind == "annotated-tag":
            git("--git-dir", git_dir, "tag", "-f", "-a", "-m", "release", f"{package}/{workspace}", commit)
            return
        ref = {"tag": f"refs/tags/{package}/{workspace}", "draft": f"refs/heads/drafts/{package}/{workspace}",
               "proposed": f"refs/heads/proposed/{package}/{workspace}",
               "deletion": f"refs/heads/deletionProposed/{package}/{workspace}"}[kind]
        git("--git-dir", git_dir, "update-ref", ref, commit)
    elif kind == "delete":
        refs = git("--git-dir", git_dir, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags").split()
        refs = [ref for ref in refs if ref != "refs/heads/main"]
        if refs:
            git("--git-dir", git_dir, "update-ref", "-d", refs[operation[1] % len(refs)])
    elif kind == "pack":
        git("--git-dir", git_dir, "pack-refs", "--all")
    elif kind == "branch":
        if operation[1] is None:
            git("--git-dir", git_dir, "update-ref", "-d", "refs/heads/main")
        else:
            git("--git-dir", git_dir, "update-ref", "refs/heads/main", commits[operation[1]])
    else:
        git("--git-dir", git_dir, "update-ref", operation[1], commits["tree0"])


def _from_nothing(cache: RepositoryCache) -> list[PackageRevision]:
    repository = cache.repository
    output = git("--git-dir", str(cache.git_dir), "for-each-ref", "--format=%(objectname) %(refname)",
                 "refs/heads", "refs/tags")
    refs = [Ref(name, target) for target, name in (line.split(" ", 1) for line in output.splitlines())]
    branch = next((ref.target for ref in refs if ref.name == f"refs/heads/{repository.branch}"), None)
    packages = package_dirs(cache.git.ls_tree_names(branch, repository.directory), repository.directory) \
        if branch else []
    return build_revisions(repository.name, repository.branch, repository.directory, refs, packages,
                           tag_workspaces(cache.git, refs))


@pytest.mark.parametrize("directory", ["", "a"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=1, max_size=14))
def test_incremental_listing_equals_a_listing_from_nothing(packages_repo: Path, porchbot_env: dict[str, str],
                                                          directory: str, steps: list[tuple[Any, ...]]) -> None:
    cache = RepositoryCache(current_settings(), Repository(name=f"r{next(_names)}", url=str(packages_repo),
                                                           directory=directory))
    cache.fetch()
    git_dir = str(cache.git_dir)
    commits = _commits(git_dir)
    assert Discovery(cache).list() == _from_nothing(cache)
    for step in steps:
        _apply(git_dir, commits, step)
        assert Discovery(cache).list() == _from_nothing(cache), step
