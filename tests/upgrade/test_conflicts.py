"""The conflict report: what kpt's merge decides silently, through the engine call and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.render.yaml import parse_document
from bot.upgrade.conflicts import ConflictKind
from bot.upgrade.engine import update_package
from bot.upgrade.package_io import add_merge_comments_in_dir
from bot.upgrade.report import as_table, render
from tests.upgrade.world import World, build_world, deployment, kptfile, write_tree

CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: blue\n"
EXTRA = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  owner: {owner}\n  size: {size}\n"


def _trees(tmp_path: Path) -> tuple[Path, Path, Path]:
    old, new, down = tmp_path / "old", tmp_path / "new", tmp_path / "down"
    write_tree(old, {"Kptfile": kptfile("up"), "app.yaml": deployment(1), "config.yaml": CONFIG})
    write_tree(new, {"Kptfile": kptfile("up"), "app.yaml": deployment(1, image="nginx:1.26", replicas=3),
                     "extra.yaml": EXTRA.format(owner="platform", size="large")})
    write_tree(down, {"Kptfile": kptfile("down"), "app.yaml": deployment(1, image="nginx:1.25-custom"),
                      "config.yaml": CONFIG.replace("blue", "green"),
                      "extra.yaml": EXTRA.format(owner="team", size="large")})
    add_merge_comments_in_dir(down)
    app = down / "app.yaml"
    app.write_text(app.read_text().replace("  replicas: 2\n", ""))  # the downstream deleted replicas
    return down, old, new


def test_every_kind_of_conflict_is_reported_with_its_values(tmp_path: Path) -> None:
    down, old, new = _trees(tmp_path)
    result = update_package(down, old, new, "resource-merge")
    found = {(c.kind, c.file, c.path): c for c in result.conflicts}
    image = found[(ConflictKind.OVERWRITTEN, "app.yaml", "spec.template.spec.containers[name=main].image")]
    assert (image.downstream, image.old_upstream, image.new_upstream) == ("nginx:1.25-custom", "nginx:1.25", "nginx:1.26")
    assert image.resource == "apps/Deployment /app-1"
    lines = (down / "app.yaml").read_text().splitlines()
    assert lines[image.line - 1].strip() == "image: nginx:1.26"  # the line in the updated file
    replicas = found[(ConflictKind.RESTORED, "app.yaml", "spec.replicas")]
    assert (replicas.downstream, replicas.old_upstream, replicas.new_upstream) == (None, 2, 3)
    assert lines[replicas.line - 1].strip() == "replicas: 3"
    kept = found[(ConflictKind.KEPT, "config.yaml", "")]
    assert kept.line == 1
    assert (ConflictKind.KEPT, "config.yaml", "") in found  # upstream deleted it, the downstream changed it
    assert (ConflictKind.ADDED_BOTH, "extra.yaml", "") in found
    owner = found[(ConflictKind.OVERWRITTEN, "extra.yaml", "data.owner")]
    assert (owner.downstream, owner.old_upstream, owner.new_upstream) == ("team", None, "platform")
    # ... and kpt's result itself: upstream's values won, the kept resource is there
    app = parse_document((down / "app.yaml").read_text()).content[0]
    assert app.str_value("spec", "replicas") == "3"
    assert "green" in (down / "config.yaml").read_text()


def test_nothing_to_report_when_the_sides_changed_different_things(tmp_path: Path) -> None:
    old, new, down = tmp_path / "old", tmp_path / "new", tmp_path / "down"
    write_tree(old, {"Kptfile": kptfile("up"), "app.yaml": deployment(1)})
    write_tree(new, {"Kptfile": kptfile("up"), "app.yaml": deployment(1, image="nginx:1.26")})
    write_tree(down, {"Kptfile": kptfile("down"), "app.yaml": deployment(1, env="debug")})
    add_merge_comments_in_dir(down)
    assert update_package(down, old, new).conflicts == []
    text = (down / "app.yaml").read_text()
    assert "image: nginx:1.26" in text and "value: debug" in text


def test_report_formats(tmp_path: Path) -> None:
    down, old, new = _trees(tmp_path)
    conflicts = update_package(down, old, new).conflicts
    table = as_table(conflicts)
    assert table.startswith(f"Conflict report ({len(conflicts)}):") and "nginx:1.25-custom" in table
    data = json.loads(render(conflicts, "json"))
    assert {c["kind"] for c in data["conflicts"]} == {"overwritten", "restored", "kept", "added-both"}
    assert "kind: overwritten" in render(conflicts, "yaml")
    assert as_table([]) == ""


def _cli_world(tmp_path: Path) -> World:
    original = {"app.yaml": deployment(1)}
    updated = {"app.yaml": deployment(1, replicas=3)}

    def edit(package: Path) -> None:
        path = package / "app.yaml"
        path.write_text(path.read_text().replace("replicas: 2", "replicas: 7"))

    return build_world(tmp_path, original, updated, edit)


def test_the_cli_keeps_stdout_for_the_json_report_only(tmp_path: Path) -> None:
    world = _cli_world(tmp_path)
    porchbot = str(Path(sys.executable).parent / "porchbot")
    proc = subprocess.run([porchbot, "pkg", "update", "pkg@v2", "-o", "json"], cwd=world.downstream,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    [conflict] = json.loads(proc.stdout)["conflicts"]
    assert (conflict["path"], conflict["downstream"], conflict["new_upstream"]) == ("spec.replicas", 7, 3)
    assert "Updated 1 package(s)." in proc.stderr


def test_the_cli_prints_the_table_on_stderr_and_nothing_on_stdout(tmp_path: Path) -> None:
    world = _cli_world(tmp_path)
    porchbot = str(Path(sys.executable).parent / "porchbot")
    proc = subprocess.run([porchbot, "pkg", "update", "pkg@v2"], cwd=world.downstream,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "Conflict report (1):" in proc.stderr and "spec.replicas" in proc.stderr
    again = subprocess.run([porchbot, "pkg", "update", "pkg@v2"], cwd=world.downstream,
                           capture_output=True, text=True, check=False)
    assert again.returncode == 1 and again.stderr.startswith("Error: Package ")  # uncommitted changes now
    assert "Traceback" not in again.stderr


def test_without_an_old_upstream_every_resource_counts_as_added_on_both_sides(tmp_path: Path) -> None:
    new, down = tmp_path / "new", tmp_path / "down"
    write_tree(new, {"Kptfile": kptfile("up"), "app.yaml": deployment(1, image="nginx:1.26")})
    write_tree(down, {"Kptfile": kptfile("down"), "app.yaml": deployment(1)})
    add_merge_comments_in_dir(down)
    result = update_package(down, None, new)
    kinds = {(c.kind, c.path) for c in result.conflicts}
    assert (ConflictKind.ADDED_BOTH, "") in kinds
    assert (ConflictKind.OVERWRITTEN, "spec.template.spec.containers[name=main].image") in kinds
    assert "image: nginx:1.26" in (down / "app.yaml").read_text()
