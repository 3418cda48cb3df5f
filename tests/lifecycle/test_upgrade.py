"""``rpkg upgrade`` / ``rpkg update`` in git-only mode: a downstream clone of a registered blueprint moves
to the blueprint's newer revision with kpt's merge, keeps its own customisations, and reports the one
upstream overwrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.lifecycle.conftest import PROJECT_DIR, Cli, CliResult, created_name, git

DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n"
              "  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:{tag}\n")


def _publish(cli: Cli, name: str) -> str:
    assert cli("rpkg", "propose", name).exit_code == 0
    approved = cli("rpkg", "approve", name)
    assert approved.exit_code == 0, approved.stderr
    return approved.stdout.split()[0]


def _edit(cli: Cli, name: str, tmp_path: Path, change: Callable[[Path], None]) -> None:
    folder = tmp_path / f"edit-{name[-8:]}"
    pulled = cli("rpkg", "pull", name, str(folder))
    assert pulled.exit_code == 0, pulled.stderr
    change(folder)
    pushed = cli("rpkg", "push", name, str(folder))
    assert pushed.exit_code == 0, pushed.stderr


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Path]:
    """One CLI environment for the module: building the world takes a dozen commands."""
    root = tmp_path_factory.mktemp("upgrade")
    env = {"PORCHBOT_CONFIG_DIR": str(root / "config"), "PORCHBOT_STATE_DIR": str(root / "state"),
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        done = subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                              env={**os.environ, **env}, cwd=cwd or PROJECT_DIR, check=False, timeout=120)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run, root


@pytest.fixture
def cli(shared: tuple[Cli, Path]) -> Cli:
    return shared[0]


@pytest.fixture
def tmp_path(shared: tuple[Cli, Path], request: pytest.FixtureRequest) -> Path:
    path = shared[1] / request.node.name.replace("[", "-").replace("]", "")
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def world(shared: tuple[Cli, Path]) -> dict[str, str]:
    cli, tmp_path = shared

    def bare_repo(name: str) -> Path:
        path = tmp_path / "remotes" / f"{name}.git"
        path.parent.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", "-b", "main", str(path))
        return path

    """blueprints: package web (v1: replicas 1, nginx:1.25); deployments: a clone of web v1, published,
    customised (replicas 5) and published again as v2; then the blueprint publishes v2 (replicas 3,
    nginx:1.27)."""
    assert cli("repo", "register", str(bare_repo("blueprints")), "--name", "blueprints").exit_code == 0
    assert cli("repo", "register", str(bare_repo("deployments")), "--name", "deployments").exit_code == 0
    blueprint = created_name(cli("rpkg", "init", "web", "--repository", "blueprints", "--workspace", "w1"))
    _edit(cli, blueprint, tmp_path, lambda folder: (folder / "deploy.yaml").write_text(
        DEPLOYMENT.format(replicas=1, tag="1.25")))
    upstream_v1 = _publish(cli, blueprint)
    downstream = created_name(cli("rpkg", "clone", upstream_v1, "web-prod", "--repository", "deployments",
                                  "--workspace", "first"))
    _publish(cli, downstream)
    customised = created_name(cli("rpkg", "copy", _latest(cli, "web-prod"), "--workspace", "custom"))
    _edit(cli, customised, tmp_path, lambda folder: (folder / "deploy.yaml").write_text(
        (folder / "deploy.yaml").read_text().replace("replicas: 1", "replicas: 5")))
    downstream_v2 = _publish(cli, customised)

    blueprint_draft = created_name(cli("rpkg", "copy", upstream_v1, "--workspace", "w2"))
    _edit(cli, blueprint_draft, tmp_path, lambda folder: (folder / "deploy.yaml").write_text(
        DEPLOYMENT.format(replicas=3, tag="1.27")))
    _publish(cli, blueprint_draft)
    return {"downstream": downstream_v2, "first": downstream, "remotes": str(tmp_path / "remotes")}


def _rows(cli: Cli) -> list[list[str]]:
    listed = cli("rpkg", "get", "--no-headers")
    assert listed.exit_code == 0, listed.stderr
    return [line.split() for line in listed.stdout.splitlines()]


def _latest(cli: Cli, package: str) -> str:
    return next(row[0] for row in _rows(cli) if row[1] == package and "true" in row)


def _deploy(cli: Cli, name: str, tmp_path: Path) -> dict[str, object]:
    folder = tmp_path / f"check-{name[-8:]}"
    assert cli("rpkg", "pull", name, str(folder)).exit_code == 0
    return yaml.safe_load((folder / "deploy.yaml").read_text())


def test_upgrade_merges_upstream_keeps_customisation_and_reports_the_overwrite(
        cli: Cli, world: dict[str, str], tmp_path: Path) -> None:
    upgraded = cli("rpkg", "upgrade", world["downstream"], "--workspace", "upgrade-v2", "-o", "json")
    assert upgraded.exit_code == 0, upgraded.stderr
    report = json.loads(upgraded.stdout)
    assert report["oldUpstream"].endswith("/v1") and report["newUpstream"].endswith("/v2")
    overwritten = [c for c in report["conflicts"] if c["kind"] == "overwritten"]
    assert [(c["path"], c["downstream"], c["old_upstream"], c["new_upstream"]) for c in overwritten] == \
        [("spec.replicas", 5, 1, 3)]
    draft = report["name"]
    deploy = _deploy(cli, draft, tmp_path)
    assert deploy["spec"]["replicas"] == 3  # kpt's resource-merge: upstream's new value wins
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    folder = tmp_path / "upgraded"
    assert cli("rpkg", "pull", draft, str(folder)).exit_code == 0
    kptfile_data = yaml.safe_load((folder / "Kptfile").read_text())
    assert kptfile_data["upstreamLock"]["git"]["ref"].endswith("/v2")
    assert kptfile_data["upstream"]["git"]["ref"].endswith("/v2")
    message = git("--git-dir", str(Path(world["remotes"]) / "deployments.git"), "log", "-1", "--format=%B",
                  "refs/heads/drafts/web-prod/upgrade-v2")
    assert message.startswith("Upgrading revision\n")
    assert json.loads(message.split("kpt:", 1)[1])["task"]["type"] == "upgrade"


def test_upgrade_prints_porchctls_line_and_the_conflict_table(cli: Cli, world: dict[str, str]) -> None:
    upgraded = cli("rpkg", "upgrade", world["downstream"], "--workspace", "upgrade-table")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert upgraded.stdout.endswith(" upgraded\n") and len(upgraded.stdout.splitlines()) == 1
    assert "spec.replicas" in upgraded.stderr and "OLD UPSTREAM" in upgraded.stderr


def test_discover_upstream_lists_the_newer_revision(cli: Cli, world: dict[str, str]) -> None:
    found = cli("rpkg", "upgrade", "--discover=upstream", world["downstream"])
    assert found.exit_code == 0, found.stderr
    row = found.stdout.splitlines()[1].split()
    assert row == [world["downstream"], "blueprints", "v2"]


def test_fast_forward_refuses_a_customised_downstream(cli: Cli, world: dict[str, str]) -> None:
    refused = cli("rpkg", "upgrade", world["downstream"], "--workspace", "ff", "--strategy", "fast-forward")
    assert refused.exit_code != 0
    assert "Traceback" not in refused.stderr and refused.stderr.strip()


def test_update_moves_an_existing_draft(cli: Cli, world: dict[str, str], tmp_path: Path) -> None:
    draft = created_name(cli("rpkg", "copy", world["downstream"], "--workspace", "moving"))
    updated = cli("rpkg", "update", draft, "--revision", "v2")
    assert updated.exit_code == 0, updated.stderr
    assert updated.stdout == f"{draft} updated\n"
    assert _deploy(cli, draft, tmp_path)["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


@pytest.mark.parametrize(("args", "words"), [
    pytest.param(["--revision", "v9"], "no revision v9", id="no-such-upstream-revision"),
    pytest.param(["--strategy", "sideways"], "unknown strategy", id="unknown-strategy"),
    pytest.param(["--revision", "latest"], "expected a published revision", id="malformed-revision"),
])
def test_bad_upgrade_requests_are_refused_clearly(cli: Cli, world: dict[str, str], args: list[str],
                                                  words: str) -> None:
    refused = cli("rpkg", "upgrade", world["downstream"], "--workspace", "bad", *args)
    assert refused.exit_code != 0
    assert words in refused.stderr and "Traceback" not in refused.stderr
