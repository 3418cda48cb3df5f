"""Porch's names and the validation of package paths and workspaces."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.lifecycle import naming


@pytest.mark.parametrize(
    ("repository", "package", "workspace", "expected"),
    [
        ("deployments", "new-package", "v1", "deployments-c32b851b591b860efda29ba0e006725c8c1f7764"),
        ("deployments", "new-package", "v2", "deployments-93bb9ac8c2fb7a5759547a38f5f48b369f42d08a"),
        ("deployments", "istions", "v1", "deployments-eeb52a8072ca2602e7ee27f3c56ad6344b024f5b"),
        ("kpt-samples", "basens", "v0", "kpt-samples-afcf4d1fac605a60ba1ea4b87b5b5b82e222cb69"),
        ("kpt-samples", "basens", "main", "kpt-samples-da07e9611f9b99028f761c07a79e3c746d6fc43b"),
    ],
)
def test_seed_era_names(repository: str, package: str, workspace: str, expected: str) -> None:
    assert naming.revision_name(repository, package, workspace) == expected


@pytest.mark.parametrize("path", ["../x", "a/../b", "/abs", "a//b", "a/./b", "", "a/.hidden", "a b", "x.lock"])
def test_bad_package_paths(path: str) -> None:
    with pytest.raises(InvalidInput):
        naming.validate_package_path(path)


@pytest.mark.parametrize("path", ["basens", "catalog/bucket", "a-b/c_d.e"])
def test_good_package_paths(path: str) -> None:
    assert naming.validate_package_path(path) == path


@pytest.mark.parametrize("workspace", ["V1", "-v", "v-", "v_1", "a" * 64, ""])
def test_workspace_must_be_a_dns_label(workspace: str) -> None:
    with pytest.raises(InvalidInput):
        naming.validate_workspace(workspace)


def test_refs_and_directory_prefix() -> None:
    assert naming.package_path_in("catalog", "bucket") == "catalog/bucket"
    assert naming.normalize_directory("/catalog/") == "catalog"
    assert naming.draft_branch("a/b", "v1") == "refs/heads/drafts/a/b/v1"
    assert naming.split_package_ref("a/b/v1") == ("a/b", "v1")
    assert naming.split_package_ref("v1") is None
