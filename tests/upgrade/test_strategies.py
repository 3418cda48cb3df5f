"""Each update strategy on a small package in real git repositories, through ``run_update``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import InvalidInput
from bot.upgrade.command import parse_target, run_update
from bot.upgrade.strategies import UpdateError
from tests.upgrade.world import World, build_world, deployment, git

CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n"


def _replace(package: Path, rel: str, old: str, new: str) -> None:
    path = package / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new))


def _world(tmp_path: Path, edit=lambda package: None) -> World:  # type: ignore[no-untyped-def]
    original = {"app.yaml": deployment(1), "config.yaml": CONFIG, "README.md": "v1 readme\n"}
    updated = {"app.yaml": deployment(1, image="nginx:1.26", replicas=3), "config.yaml": CONFIG,
               "README.md": "v2 readme\n", "extra.yaml": CONFIG.replace("settings", "extra")}
    return build_world(tmp_path, original, updated, edit)


def _update(world: World, strategy: str, ref: str = "v2"):  # type: ignore[no-untyped-def]
    return run_update(parse_target(f"pkg@{ref}", strategy, world.downstream))


def _local_edit(package: Path) -> None:
    _replace(package, "app.yaml", "value: info", "value: debug")  # a field upstream leaves alone
    _replace(package, "app.yaml", "replicas: 2", "replicas: 5")  # a field upstream changes too
    (package / "local.yaml").write_text(CONFIG.replace("settings", "mine"))


def test_resource_merge_keeps_local_edits_and_takes_upstream_changes(tmp_path: Path) -> None:
    world = _world(tmp_path, _local_edit)
    result = _update(world, "resource-merge")
    app = (world.package / "app.yaml").read_text()
    assert "image: nginx:1.26" in app and "value: debug" in app
    assert "replicas: 3" in app  # upstream changed it too: upstream wins, as in kpt
    assert (world.package / "local.yaml").exists() and (world.package / "extra.yaml").exists()
    assert (world.package / "README.md").read_text() == "v2 readme\n"
    kptfile = (world.package / "Kptfile").read_text()
    assert "ref: v2" in kptfile and "ref: pkg/v2" in kptfile and world.commits[1] in kptfile
    assert "updateStrategy: resource-merge" in kptfile
    [conflict] = result.conflicts
    assert (conflict.kind.value, conflict.path, conflict.downstream, conflict.old_upstream,
            conflict.new_upstream) == ("overwritten", "spec.replicas", 5, 2, 3)


def test_fast_forward_refuses_a_changed_package_and_updates_a_clean_one(tmp_path: Path) -> None:
    changed = _world(tmp_path / "changed", _local_edit)
    with pytest.raises(UpdateError, match="local package files have been modified"):
        _update(changed, "fast-forward")
    assert "replicas: 5" in (changed.package / "app.yaml").read_text()
    clean = _world(tmp_path / "clean")
    _update(clean, "fast-forward")
    assert "image: nginx:1.26" in (clean.package / "app.yaml").read_text()
    assert "updateStrategy: fast-forward" in (clean.package / "Kptfile").read_text()


def test_force_delete_replace_drops_local_edits_and_files(tmp_path: Path) -> None:
    world = _world(tmp_path, _local_edit)
    _update(world, "force-delete-replace")
    app = (world.package / "app.yaml").read_text()
    assert "value: info" in app and "replicas: 3" in app and "# kpt-merge: /app-1" in app
    assert not (world.package / "local.yaml").exists()


def test_copy_merge_overwrites_upstream_files_and_keeps_local_ones(tmp_path: Path) -> None:
    world = _world(tmp_path, _local_edit)
    _update(world, "copy-merge")
    assert "value: info" in (world.package / "app.yaml").read_text()
    assert (world.package / "local.yaml").exists() and (world.package / "extra.yaml").exists()
    assert "updateStrategy: copy-merge" in (world.package / "Kptfile").read_text()


def test_preconditions_are_kpts(tmp_path: Path) -> None:
    world = _world(tmp_path)
    (world.package / "app.yaml").write_text("dirty: true\n")
    with pytest.raises(InvalidInput, match="contains uncommitted changes"):
        _update(world, "resource-merge")
    git(world.downstream, "checkout", "--", ".")
    with pytest.raises(InvalidInput, match="at most 1 version permitted"):
        parse_target("pkg@v1@v2", None, world.downstream)
    with pytest.raises(UpdateError, match="unrecognized update strategy foo"):
        _update(world, "foo")
    assert "updateStrategy: foo" in (world.package / "Kptfile").read_text()  # kpt writes it first


def test_a_missing_ref_is_an_error(tmp_path: Path) -> None:
    world = _world(tmp_path)
    with pytest.raises(Exception, match="v9"):
        _update(world, "resource-merge", ref="v9")


def test_a_commit_id_is_a_ref_too(tmp_path: Path) -> None:
    world = _world(tmp_path)
    _update(world, "resource-merge", ref=world.commits[1])
    kptfile = (world.package / "Kptfile").read_text()
    assert f"ref: {world.commits[1]}" in kptfile and f"commit: {world.commits[1]}" in kptfile
    assert "image: nginx:1.26" in (world.package / "app.yaml").read_text()
