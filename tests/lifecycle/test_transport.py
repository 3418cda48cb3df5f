"""Transport: a real smart-HTTP git server with basic auth, tokens from the environment, file:// URLs."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.lifecycle.conftest import Cli, git
from tests.lifecycle.githttp import GitHttpServer


def served_repo(server: GitHttpServer, source: Path, name: str) -> str:
    git("clone", "-q", "--bare", str(source), str(server.project_root / f"{name}.git"))
    return f"{server.base_url}/{name}.git"


def test_basic_auth_lists_and_pushes_over_http(cli: Cli, http_git: GitHttpServer, packages_repo: Path,
                                               porchbot_env: dict[str, str]) -> None:
    url = served_repo(http_git, packages_repo, "blueprints")
    registered = cli("repo", "register", url, "--repo-basic-username", "alice", "--repo-basic-password", "s3cret")
    assert registered.exit_code == 0 and registered.stdout == "", registered.stderr  # porchctl prints nothing
    ready = cli("repo", "get", "blueprints").stdout.splitlines()[1].split()
    assert ready[3] == "True"  # DEPLOYMENT is blank for a non-deployment repository, as porchctl prints it
    listing = cli("rpkg", "get", "--repository", "blueprints").stdout
    assert "app" in listing and "v2" in listing
    created = cli("rpkg", "init", "fresh", "--repository", "blueprints")
    assert created.exit_code == 0, created.stderr
    served = http_git.project_root / "blueprints.git"
    assert "drafts/fresh/v1" in git("--git-dir", str(served), "branch", "--list")
    name = created.stdout.split()[0]
    assert cli("rpkg", "propose", name).exit_code == 0
    approved = cli("rpkg", "approve", name)
    assert approved.stdout == f"{name} approved\n", approved.stderr
    assert git("--git-dir", str(served), "tag", "--list", "fresh/*").split() == ["fresh/v1"]
    config_dir = Path(porchbot_env["PORCHBOT_CONFIG_DIR"])
    assert "s3cret" not in (config_dir / "repositories.yaml").read_text()
    credentials = config_dir / "credentials.yaml"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert "s3cret" in credentials.read_text()


def test_wrong_password_is_not_ready_with_reason(cli: Cli, http_git: GitHttpServer, packages_repo: Path) -> None:
    url = served_repo(http_git, packages_repo, "blueprints")
    cli("repo", "register", url, "--repo-basic-username", "alice", "--repo-basic-password", "wrong")
    shown = cli("repo", "get", "-o", "wide")
    row = shown.stdout.splitlines()[1]
    assert " False " in row and "authentication failed" in row
    listing = cli("rpkg", "get")
    assert listing.exit_code == 1
    assert listing.stderr.strip() == f"Error: authentication failed for {url}"
    assert "Traceback" not in listing.stderr


def test_token_from_environment(cli: Cli, http_git: GitHttpServer, packages_repo: Path,
                                porchbot_env: dict[str, str], monkeypatch: object) -> None:
    url = served_repo(http_git, packages_repo, "blueprints")
    assert cli("repo", "register", url, "--token-env", "BLUEPRINTS_TOKEN").exit_code == 0
    missing = cli("rpkg", "get")
    assert missing.exit_code == 1 and "BLUEPRINTS_TOKEN is not set" in missing.stderr
    porchbot_env["BLUEPRINTS_TOKEN"] = "t0ken-value"
    listing = cli("rpkg", "get")
    assert listing.exit_code == 0, listing.stderr
    assert "blueprints" in listing.stdout
    config_dir = Path(porchbot_env["PORCHBOT_CONFIG_DIR"])
    assert "t0ken-value" not in (config_dir / "repositories.yaml").read_text()


def test_file_url_and_unreachable(cli: Cli, packages_repo: Path, tmp_path: Path) -> None:
    assert cli("repo", "register", f"file://{packages_repo}", "--name", "viafile").exit_code == 0
    assert "app" in cli("rpkg", "get").stdout
    missing = tmp_path / "nowhere.git"
    cli("repo", "register", str(missing), "--name", "gone")
    shown = cli("repo", "get", "gone")
    assert shown.stdout.splitlines()[1].split()[3] == "False"
    assert "gone: not ready:" in shown.stderr
    listing = cli("rpkg", "get", "--repository", "gone")
    assert listing.exit_code == 1
    assert len(listing.stderr.strip().splitlines()) == 1 and listing.stderr.startswith("Error: ")


def test_password_in_the_url_goes_to_the_credentials_file(cli: Cli, http_git: GitHttpServer, packages_repo: Path,
                                                          porchbot_env: dict[str, str]) -> None:
    url = served_repo(http_git, packages_repo, "blueprints")
    with_password = url.replace("http://", "http://alice:s3cret@")
    assert cli("repo", "register", with_password).exit_code == 0
    config_dir = Path(porchbot_env["PORCHBOT_CONFIG_DIR"])
    assert "s3cret" not in (config_dir / "repositories.yaml").read_text()
    assert f"url: {url}" in (config_dir / "repositories.yaml").read_text()
    assert cli("repo", "get").stdout.splitlines()[1].split()[3] == "True"
