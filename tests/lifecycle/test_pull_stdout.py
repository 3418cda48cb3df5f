"""`rpkg pull NAME` with no directory prints a ResourceList that keeps comments, order and quoting."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.lifecycle import naming
from tests.lifecycle.conftest import Cli, git, write_files


def test_pull_to_stdout_keeps_comments(cli: Cli, packages_repo: Path, tmp_path: Path) -> None:
    work = tmp_path / "edit"
    git("clone", "-q", str(packages_repo), str(work))
    write_files(work, {"app/deploy.yaml": "# the web tier\napiVersion: apps/v1\nkind: Deployment\n"
                                          "metadata:\n  name: app # keep\nspec:\n  replicas: 2\n"
                                          "  paused: 'false'\n"})
    git("commit", "-q", "-am", "comments", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    assert cli("repo", "register", str(packages_repo)).exit_code == 0
    result = cli("rpkg", "pull", naming.revision_name("blueprints", "app", "main"))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert "# the web tier" in text and "name: app # keep" in text and "paused: 'false'" in text
    document = yaml.safe_load(text)
    assert document["apiVersion"] == "config.kubernetes.io/v1" and document["kind"] == "ResourceList"
    deployment = next(item for item in document["items"] if item["kind"] == "Deployment")
    annotations = deployment["metadata"]["annotations"]
    assert annotations["config.kubernetes.io/path"] == "deploy.yaml"
    assert annotations["internal.config.kubernetes.io/index"] == "0"
    assert deployment["spec"] == {"replicas": 2, "paused": "false"}
    assert [item["kind"] for item in document["items"]].count("Kptfile") == 1
