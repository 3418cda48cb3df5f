"""The loop Porch documents: pull a revision into a folder, edit it with kpt, push it back. The pulled
folder stays a kpt package: porchctl's metadata sits in ``.KptRevisionMetadata``, a file kpt does not
read as a resource."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.lifecycle.conftest import Cli, created_name, git, write_files

PIPELINE = """pipeline:
  mutators:
  - image: gcr.io/kpt-fn/set-namespace:v0.4.1
    configMap:
      namespace: pulled-ns
"""


@pytest.fixture
def pulled(cli: Cli, packages_repo: Path, tmp_path: Path) -> tuple[str, Path]:
    assert cli("repo", "register", str(packages_repo)).exit_code == 0
    name = created_name(cli("rpkg", "init", "loop", "--repository", "blueprints", "--workspace", "edit"))
    folder = tmp_path / "loop"
    assert cli("rpkg", "pull", name, str(folder)).exit_code == 0
    assert (folder / ".KptRevisionMetadata").is_file() and (folder / "Kptfile").is_file()
    return name, folder


def add_pipeline_and_resource(folder: Path) -> None:
    kptfile = folder / "Kptfile"
    text = kptfile.read_text()
    head, sep, status = text.partition("\nstatus:")  # keep a render's status block last
    kptfile.write_text(head + "\n" + PIPELINE.rstrip("\n") + (sep + status if sep else "\n"))
    write_files(folder, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"})


@pytest.mark.kpt
def test_kpt_renders_a_pulled_folder_and_the_push_works(cli: Cli, pulled: tuple[str, Path], packages_repo: Path,
                                                        kpt_binary: str) -> None:
    name, folder = pulled
    write_files(folder, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"})
    # kpt reads every resource of the folder (a stray JSON/YAML file that is not KRM fails the render with
    # "resource must have apiVersion"); no pipeline, so no function image is needed.
    rendered = subprocess.run([kpt_binary, "fn", "render", str(folder)], capture_output=True, text=True,
                              timeout=300, check=False)
    assert rendered.returncode == 0, rendered.stderr
    tree = subprocess.run([kpt_binary, "pkg", "tree", str(folder)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert tree.returncode == 0 and "ConfigMap settings" in tree.stdout, tree.stderr
    add_pipeline_and_resource(folder)
    ours = cli("fn", "render", str(folder), "--runtime", "builtin")
    assert ours.exit_code == 0, ours.stderr
    assert "namespace: pulled-ns" in (folder / "cm.yaml").read_text()
    pushed = cli("rpkg", "push", name, str(folder))
    assert pushed.stdout == f"{name} pushed\n", pushed.stderr
    assert "namespace: pulled-ns" in git("--git-dir", str(packages_repo), "show", "drafts/loop/edit:loop/cm.yaml")
    assert ".KptRevisionMetadata" not in git("--git-dir", str(packages_repo), "ls-tree", "-r", "--name-only",
                                             "drafts/loop/edit")


def test_porchbot_renders_a_pulled_folder_and_the_push_works(cli: Cli, pulled: tuple[str, Path],
                                                             packages_repo: Path) -> None:
    name, folder = pulled
    add_pipeline_and_resource(folder)
    ours = cli("fn", "render", str(folder), "--runtime", "builtin")
    assert ours.exit_code == 0, ours.stderr
    evaluated = cli("fn", "eval", str(folder), "--image", "gcr.io/kpt-fn/set-labels:v0.2.1", "--match-kind",
                    "ConfigMap", "--", "tier=web")
    assert evaluated.exit_code == 0, evaluated.stderr
    assert "tier: web" in (folder / "cm.yaml").read_text()
    assert "tier" not in (folder / "package-context.yaml").read_text()  # only the matched kind was changed
    pushed = cli("rpkg", "push", name, str(folder))
    assert pushed.stdout == f"{name} pushed\n", pushed.stderr
    second = cli("rpkg", "push", name, str(folder))  # the folder's metadata follows the push: not stale
    assert second.exit_code == 0, second.stderr
