"""Package files against the kpt binary (the oracle): `kpt pkg init` output, Kptfile upstream edits."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.lifecycle.mergekeys import add_merge_keys
from bot.lifecycle.packagefiles import GitLock, init_files, scalar, set_package_context_name, set_upstream


@pytest.mark.parametrize("description", ["", "sample description", "a: tricky # one"])
def test_init_files_match_kpt_pkg_init(tmp_path: Path, kpt_binary: str, description: str) -> None:
    package = tmp_path / "my-pkg"
    package.mkdir()
    args = [kpt_binary, "pkg", "init"] + (["--description", description] if description else [])
    subprocess.run(args, cwd=package, check=True, capture_output=True)
    ours = init_files("my-pkg", description)
    for name, text in ours.items():
        assert text == (package / name).read_text(), name
    assert sorted(ours) == sorted(p.name for p in package.iterdir())


def test_set_upstream_replaces_an_old_lock_and_renames() -> None:
    kptfile = ("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: old\nupstream:\n  type: git\n"
               "upstreamLock:\n  type: git\ninfo:\n  description: d\n")
    lock = GitLock("https://example.com/r", "/pkg", "pkg/v1", "a" * 40)
    updated = set_upstream(kptfile, "new", lock)
    assert updated.count("upstream:") == 1 and updated.count("upstreamLock:") == 1
    assert "  name: new\n" in updated and updated.endswith("info:\n  description: d\n")
    assert f"    commit: {'a' * 40}\n" in updated


def test_package_context_for_a_deployment() -> None:
    assert "  name: istions\n" in set_package_context_name(None, "istions")
    existing = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\ndata:\n  name: example\n"
    assert set_package_context_name(existing, "x").endswith("data:\n  name: x\n")


def test_merge_keys_on_multi_document_files() -> None:
    text = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n---\n"
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  annotations:\n    x: y\nspec: {}\n")
    updated = add_merge_keys(text)
    assert "metadata: # kpt-merge: ns/a\n" in updated
    assert "    internal.kpt.dev/upstream-identifier: '|ConfigMap|ns|a'\n" in updated
    assert "    x: y\n    internal.kpt.dev/upstream-identifier: 'apps|Deployment|default|b'\nspec: {}\n" in updated
    assert add_merge_keys(updated) == updated  # kpt does not add them twice


def test_scalars_quote_only_when_needed() -> None:
    assert [scalar(v) for v in ["plain words", "true", "a: b", "#x", "/basens"]] == [
        "plain words", "'true'", "'a: b'", "'#x'", "/basens"]
