"""Bad input: each a one-line error, exit code 1, no traceback, nothing pushed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lifecycle.conftest import Cli, CliResult, created_name, git, write_files


def remote_refs(remote: Path) -> str:
    return git("--git-dir", str(remote), "for-each-ref")


@pytest.fixture
def registered(cli: Cli, packages_repo: Path) -> Path:
    assert cli("repo", "register", str(packages_repo)).exit_code == 0
    return packages_repo


def assert_one_line_error(result: CliResult, fragment: str) -> None:
    """porchctl's one-line refusal: ``Error: <reason>`` (or its client-side ``error: ...`` checks)."""
    exit_code, stdout, stderr = result.exit_code, result.stdout, result.stderr
    assert exit_code == 1, (stdout, stderr)
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("Error: ", "error: ")), stderr
    assert fragment in lines[0], lines[0]


def assert_transition_error(result: CliResult, fragment: str) -> None:
    """porchctl's report of a failed transition: ``<name> failed (<reason>)``, then ``Error: errors:``."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    failed, header, reason = result.stderr.splitlines()
    assert failed.endswith(f"failed ({reason.strip()})") and header == "Error: errors:", result.stderr
    assert fragment in reason, reason


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["rpkg", "init", "../escape", "--repository", "blueprints"], "invalid package path",
                     id="dotdot-path"),
        pytest.param(["rpkg", "init", "/abs/pkg", "--repository", "blueprints"], "invalid package path",
                     id="absolute-path"),
        pytest.param(["rpkg", "init", "fine", "--repository", "blueprints", "--revision", "V_1"],
                     "must be a DNS label", id="workspace-not-dns"),
        pytest.param(["rpkg", "init", "app", "--repository", "blueprints"], "already exists",
                     id="init-over-existing"),
        pytest.param(["rpkg", "init", "x", "--repository", "nope"], "not registered", id="unknown-repository"),
        pytest.param(["rpkg", "get", "-o", "toml"], "unable to match a printer", id="bad-output"),
    ],
)
def test_bad_input_is_refused(cli: Cli, registered: Path, args: list[str], fragment: str) -> None:
    before = remote_refs(registered)
    assert_one_line_error(cli(*args), fragment)
    assert remote_refs(registered) == before


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["rpkg", "approve", "blueprints-" + "0" * 40], "not found", id="unknown-name"),
        pytest.param(["rpkg", "propose", "no-such-thing"], "not a package revision name", id="malformed-name"),
    ],
)
def test_bad_transition_is_refused(cli: Cli, registered: Path, args: list[str], fragment: str) -> None:
    before = remote_refs(registered)
    assert_transition_error(cli(*args), fragment)
    assert remote_refs(registered) == before


def test_push_of_a_directory_without_kptfile(cli: Cli, registered: Path, tmp_path: Path) -> None:
    created = created_name(cli("rpkg", "init", "fresh", "--repository", "blueprints"))
    before = remote_refs(registered)
    empty = tmp_path / "not-a-package"
    write_files(empty, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
    assert_one_line_error(cli("rpkg", "push", created, str(empty)), "no Kptfile")
    assert remote_refs(registered) == before


def test_unreachable_url(cli: Cli, tmp_path: Path) -> None:
    cli("repo", "register", "http://127.0.0.1:9/none.git", "--name", "offline")
    assert_one_line_error(cli("rpkg", "init", "pkg", "--repository", "offline"), "cannot reach")


def test_register_twice_and_unregister_unknown(cli: Cli, registered: Path) -> None:
    assert_one_line_error(cli("repo", "register", str(registered)), "already registered")
    assert_one_line_error(cli("repo", "unregister", "nope"), "not registered")
    assert cli("repo", "unregister", "blueprints").stdout == ""  # porchctl prints nothing
    assert cli("repo", "get").stdout == ""  # nor a header when there is no repository
