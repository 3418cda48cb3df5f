"""The repository registry through the CLI: defaults, directory prefixes, Porch-shaped output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.lifecycle import naming
from tests.lifecycle.conftest import Cli, created_name, git, kptfile, write_files


def test_register_defaults_and_json(cli: Cli, packages_repo: Path, porchbot_env: dict[str, str]) -> None:
    assert cli("repo", "register", f"{packages_repo}").stdout == ""  # porchctl prints nothing
    stored = yaml.safe_load((Path(porchbot_env["PORCHBOT_CONFIG_DIR"]) / "repositories.yaml").read_text())
    assert stored["repositories"][0] == {"name": "blueprints", "url": str(packages_repo), "branch": "main",
                                         "forge": "none", "deployment": False}
    shown = json.loads(cli("repo", "get", "-o", "json").stdout)
    item = shown["items"][0]
    assert shown["kind"] == "List" and item["kind"] == "Repository"
    assert item["spec"]["git"] == {"repo": str(packages_repo), "branch": "main", "directory": "/"}
    assert item["status"]["conditions"][0]["status"] == "True"


def test_directory_prefix(cli: Cli, bare_repo: Callable[[str], Path], tmp_path: Path) -> None:
    remote = bare_repo("catalog")
    work = tmp_path / "work-catalog"
    git("clone", "-q", str(remote), str(work))
    write_files(work, {"catalog/bucket/Kptfile": kptfile("bucket"), "other/x/Kptfile": kptfile("x")})
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "packages", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    assert cli("repo", "register", str(remote), "--directory", "/catalog").exit_code == 0
    listing = [line.split() for line in cli("rpkg", "get").stdout.splitlines()[1:]]
    assert listing == [[naming.revision_name("catalog", "catalog/bucket", "main"), "bucket", "main", "main",
                        "false", "Published", "catalog"]]
    created = cli("rpkg", "init", "queue", "--repository", "catalog")
    assert created.stdout.split()[0] == naming.revision_name("catalog", "catalog/queue", "v1")
    assert "drafts/catalog/queue/v1" in git("--git-dir", str(remote), "branch", "--list")


def test_approving_a_draft_is_refused(cli: Cli, packages_repo: Path) -> None:
    cli("repo", "register", str(packages_repo))
    draft = created_name(cli("rpkg", "init", "pending", "--repository", "blueprints"))
    refused = cli("rpkg", "approve", draft)
    assert refused.exit_code == 1
    assert refused.stderr == (f"{draft} failed (cannot change approval from Draft to Published)\n"
                              "Error: errors:\n  cannot change approval from Draft to Published \n")
    assert git("--git-dir", str(packages_repo), "tag", "--list", "pending/*") == ""
