"""The seed walkthrough (issue 4, Acceptance) replayed on real repositories through the real CLI."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.lifecycle.conftest import Cli, git

NEW_PACKAGE_V1 = "deployments-c32b851b591b860efda29ba0e006725c8c1f7764"
NEW_PACKAGE_V2 = "deployments-93bb9ac8c2fb7a5759547a38f5f48b369f42d08a"
ISTIONS = "deployments-eeb52a8072ca2602e7ee27f3c56ad6344b024f5b"
BASENS_V0 = "kpt-samples-afcf4d1fac605a60ba1ea4b87b5b5b82e222cb69"
BASENS_MAIN = "kpt-samples-da07e9611f9b99028f761c07a79e3c746d6fc43b"


def rows(table: str) -> list[list[str]]:
    return [line.split() for line in table.strip().splitlines()[1:]]


def render_engine_present() -> bool:
    try:
        import bot.render.render_package  # noqa: F401
    except ImportError:
        return False
    return True


def without_render_status(text: str) -> str:
    """The Kptfile without the ``status`` block a render adds (kpt's Rendered condition)."""
    return re.sub(r"^status:\n(?:[ -].*\n?)*", "", text, flags=re.M)


@pytest.fixture
def walkthrough_repos(tmp_path: Path, bare_repo: Callable[[str], Path]) -> tuple[Path, Path]:
    bundle = shared_path("fixtures", "kpt-samples", "kpt-samples.bundle")
    samples = tmp_path / "remotes" / "kpt-samples.git"
    samples.parent.mkdir(parents=True, exist_ok=True)
    git("clone", "-q", "--bare", str(bundle), str(samples))
    return samples, bare_repo("deployments")


def test_seed_walkthrough(cli: Cli, walkthrough_repos: tuple[Path, Path], tmp_path: Path) -> None:
    samples, deployments = walkthrough_repos
    assert cli("repo", "register", str(samples), "--name", "kpt-samples").exit_code == 0
    assert cli("repo", "register", str(deployments), "--deployment").exit_code == 0
    repos = cli("repo", "get")
    assert [row[:5] for row in rows(repos.stdout)] == [
        ["deployments", "git", "Package", "true", "True"],
        ["kpt-samples", "git", "Package", "false", "True"],
    ]

    listing = rows(cli("rpkg", "get").stdout)
    assert [BASENS_V0, "basens", "v0", "true", "Published", "kpt-samples"] in listing
    assert [BASENS_MAIN, "basens", "main", "false", "Published", "kpt-samples"] in listing

    created = cli("rpkg", "init", "new-package", "--repository=deployments", "--revision=v1")
    assert (created.exit_code, created.stdout) == (0, f"{NEW_PACKAGE_V1} created\n"), created.stderr

    cloned = cli("rpkg", "clone", BASENS_V0, "istions", "--repository=deployments")
    assert (cloned.exit_code, cloned.stdout) == (0, f"{ISTIONS} created\n"), cloned.stderr
    kptfile = git("--git-dir", str(deployments), "show", "drafts/istions/v1:istions/Kptfile")
    lock = kptfile[kptfile.index("upstreamLock:"):]
    assert "commit: 026dfe8e3ef8d99993bc8f7c0c6ba639faa9a634" in lock
    assert "ref: basens/v0" in lock
    context = git("--git-dir", str(deployments), "show", "drafts/istions/v1:istions/package-context.yaml")
    assert re.search(r"^  name: istions$", context, re.M)
    if render_engine_present():
        namespace = git("--git-dir", str(deployments), "show", "drafts/istions/v1:istions/namespace.yaml")
        assert re.search(r"^  name: istions$", namespace, re.M), namespace

    assert cli("rpkg", "propose", NEW_PACKAGE_V1).stdout == f"{NEW_PACKAGE_V1} proposed\n"
    approved = cli("rpkg", "approve", NEW_PACKAGE_V1)
    assert approved.stdout == f"{NEW_PACKAGE_V1} approved\n", approved.stderr
    assert git("--git-dir", str(deployments), "tag", "--list").split() == ["new-package/v1"]
    subject = git("--git-dir", str(deployments), "log", "-1", "--format=%s", "main").strip()
    assert subject == "Approving package revision new-package/v1"

    copied = cli("rpkg", "copy", NEW_PACKAGE_V1, "--revision", "v2")
    assert copied.stdout == f"{NEW_PACKAGE_V2} created\n", copied.stderr
    listing = rows(cli("rpkg", "get", "--name", "new-package").stdout)
    assert [(row[2], row[3], row[4]) for row in listing] == [
        ("main", "false", "Published"), ("v1", "true", "Published"), ("v2", "false", "Draft")]
    assert listing[1][0] == NEW_PACKAGE_V1 and listing[2][0] == NEW_PACKAGE_V2

    assert cli("rpkg", "propose", NEW_PACKAGE_V2).exit_code == 0
    assert rows(cli("rpkg", "get", NEW_PACKAGE_V2).stdout)[0][4] == "Proposed"
    assert cli("rpkg", "reject", NEW_PACKAGE_V2).stdout == f"{NEW_PACKAGE_V2} rejected\n"
    assert rows(cli("rpkg", "get", NEW_PACKAGE_V2).stdout)[0][4] == "Draft"


def test_clone_matches_kpt_pkg_get(cli: Cli, walkthrough_repos: tuple[Path, Path], tmp_path: Path,
                                   kpt_binary: str) -> None:
    """Cloning from a URL writes what `kpt pkg get` writes (before rendering), file for file."""
    samples, deployments = walkthrough_repos
    assert cli("repo", "register", str(deployments), "--name", "plain").exit_code == 0

    expected = tmp_path / "kpt-get"
    expected.mkdir()
    subprocess.run([kpt_binary, "pkg", "get", f"file://{samples}/basens@basens/v0", "basens"], cwd=expected,
                   check=True, capture_output=True)
    source = f"file://{samples}/basens@basens/v0"
    result = cli("rpkg", "clone", source, "basens", "--repository=plain")
    assert result.exit_code == 0, result.stderr
    names = git("--git-dir", str(deployments), "ls-tree", "-r", "--name-only", "drafts/basens/v1").split()
    assert sorted(names) == sorted(f"basens/{p.name}" for p in (expected / "basens").iterdir())
    for name in names:
        text = git("--git-dir", str(deployments), "show", f"drafts/basens/v1:{name}")
        if render_engine_present() and name.endswith(".yaml"):
            continue  # rendering changes resources (namespace, formatting); the Kptfile keeps kpt's lines
        assert without_render_status(text) == (expected / name).read_text(), name
