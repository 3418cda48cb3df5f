"""Porch v4's workspaces through the CLI (the default porchctl): a revision keeps its name from creation
through approval, drafts have no revision, gates and idempotent transitions answer as porchctl does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.lifecycle import naming
from tests.lifecycle.conftest import Cli, created_name, git


@pytest.fixture
def registered(cli: Cli, packages_repo: Path) -> Path:
    assert cli("repo", "register", str(packages_repo)).exit_code == 0
    return packages_repo


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()[1:]]


def test_a_workspace_names_the_revision_through_approval(cli: Cli, registered: Path) -> None:
    name = created_name(cli("rpkg", "init", "web", "--repository", "blueprints", "--workspace", "first"))
    assert name == naming.revision_name("blueprints", "web", "first")
    shown = cli("rpkg", "get", name)
    assert shown.stdout.splitlines()[0].split() == ["NAME", "PACKAGE", "WORKSPACENAME", "REVISION", "LATEST",
                                                    "LIFECYCLE", "REPOSITORY"]
    assert rows(shown.stdout) == [[name, "web", "first", "false", "Draft", "blueprints"]]  # no REVISION yet
    spec = json.loads(cli("rpkg", "get", name, "-o", "json").stdout)["items"][0]["spec"]
    assert "revision" not in spec and spec["workspaceName"] == "first"

    assert cli("rpkg", "propose", name).stdout == f"{name} proposed\n"
    again = cli("rpkg", "propose", name)
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", f"{name} is already proposed\n")
    assert cli("rpkg", "approve", name).stdout == f"{name} approved\n"
    assert rows(cli("rpkg", "get", name).stdout) == [[name, "web", "first", "v1", "true", "Published",
                                                      "blueprints"]]
    assert git("--git-dir", str(registered), "tag", "--list", "web/*").split() == ["web/v1"]

    second = created_name(cli("rpkg", "copy", name, "--workspace", "second"))
    cli("rpkg", "propose", second)
    cli("rpkg", "approve", second)
    listing = {row[0]: row[2:6] for row in rows(cli("rpkg", "get", "--name", "web").stdout)}
    assert listing[name] == ["first", "v1", "false", "Published"]
    assert listing[second] == ["second", "v2", "true", "Published"]
    # The branch entry carries the workspace of the package's last approval, as Porch reads it.
    assert listing[naming.revision_name("blueprints", "web", "main")][:2] == ["second", "main"]


def test_hand_made_tags_take_their_number_as_workspace(cli: Cli, registered: Path) -> None:
    listing = rows(cli("rpkg", "get", "--name", "app").stdout)
    assert [row[2:4] for row in listing] == [["main", "main"], ["v1", "v1"], ["v2", "v2"]]


def test_transitions_answer_as_porchctl(cli: Cli, registered: Path) -> None:
    published = naming.revision_name("blueprints", "app", "v1")
    assert cli("rpkg", "propose-delete", published).stdout == f"{published} proposed for deletion\n"
    again = cli("rpkg", "propose-delete", published)
    assert (again.exit_code, again.stderr) == (0, f"{published} is already proposed for deletion\n")
    assert cli("rpkg", "reject", published).stdout == f"{published} no longer proposed for deletion\n"
    refused = cli("rpkg", "reject", published)
    reason = f"cannot reject {published} with lifecycle 'Published'"
    assert (refused.exit_code, refused.stderr) == (1, f"{published} failed ({reason})\nError: errors:\n  {reason} \n")
    missing = cli("rpkg", "get", "blueprints-" + "0" * 40)
    assert missing.stderr == ("Error: the server could not find the requested resource (get "
                              f"packagerevisions.porch.kpt.dev blueprints-{'0' * 40}) \n")


def set_gate(kptfile: Path, status: str) -> None:
    """One readiness gate on the Kptfile, its condition at ``status`` (the render's own conditions kept)."""
    document = yaml.safe_load(kptfile.read_text())
    document["info"]["readinessGates"] = [{"conditionType": "example.com/Checked"}]
    conditions = [c for c in document.setdefault("status", {}).get("conditions", [])
                  if c["type"] != "example.com/Checked"]
    document["status"]["conditions"] = [{"type": "example.com/Checked", "status": status}, *conditions]
    kptfile.write_text(yaml.safe_dump(document, sort_keys=False))


def test_readiness_gates_hold_proposal_and_approval(cli: Cli, registered: Path, tmp_path: Path) -> None:
    name = created_name(cli("rpkg", "init", "gated", "--repository", "blueprints", "--workspace", "w1"))
    pulled = tmp_path / "gated"
    assert cli("rpkg", "pull", name, str(pulled)).exit_code == 0
    set_gate(pulled / "Kptfile", "False")
    pushed = cli("rpkg", "push", name, str(pulled))
    assert pushed.exit_code == 0, pushed.stderr
    for verb in ("propose", "approve"):
        refused = cli("rpkg", verb, name)
        assert (refused.exit_code, refused.stderr) == (1, f"{name} failed (readiness conditions not met)\n"
                                                          "Error: errors:\n  readiness conditions not met \n")
    set_gate(pulled / "Kptfile", "True")
    pushed = cli("rpkg", "push", name, str(pulled))
    assert pushed.exit_code == 0, pushed.stderr
    assert cli("rpkg", "propose", name).stdout == f"{name} proposed\n"
    assert cli("rpkg", "approve", name).stdout == f"{name} approved\n"


def test_push_from_stdin_needs_the_current_version(cli: Cli, registered: Path) -> None:
    name = created_name(cli("rpkg", "init", "piped", "--repository", "blueprints", "--workspace", "w1"))
    pulled = cli("rpkg", "pull", name).stdout
    document = yaml.safe_load(pulled)
    assert document["items"][0]["kind"] == "KptRevisionMetadata"
    edited = pulled.replace("description: sample description", "description: from stdin")
    stale = edited.replace(document["items"][0]["metadata"]["resourceVersion"], "1")
    refused = cli("rpkg", "push", name, "-", stdin=stale)
    assert refused.exit_code == 1 and "the object has been modified" in refused.stderr
    pushed = cli("rpkg", "push", name, stdin=edited)  # no DIR: stdin, as porchctl
    assert pushed.stdout == f"{name} pushed\n", pushed.stderr
    assert "description: from stdin" in git("--git-dir", str(registered), "show", "drafts/piped/w1:piped/Kptfile")
    assert "# piped" in git("--git-dir", str(registered), "show", "drafts/piped/w1:piped/README.md")


def test_porch_v41_names_and_integer_revisions(cli: Cli, registered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHBOT_PORCHCTL", "v4.1")
    listing = rows(cli("rpkg", "get", "--name", "app").stdout)
    assert [(row[0], row[2], row[3]) for row in listing] == [
        ("blueprints.app.main", "main", "-1"), ("blueprints.app.v1", "v1", "1"), ("blueprints.app.v2", "v2", "2")]
    name = created_name(cli("rpkg", "init", "web", "--repository", "blueprints", "--workspace", "first"))
    assert name == "blueprints.web.first"
    assert rows(cli("rpkg", "get", name).stdout) == [[name, "web", "first", "0", "false", "Draft", "blueprints"]]
    cli("rpkg", "propose", name)
    assert cli("rpkg", "approve", name).stdout == f"{name} approved\n"
    spec = json.loads(cli("rpkg", "get", name, "-o", "json").stdout)["items"][0]["spec"]
    assert (spec["revision"], spec["workspaceName"], spec["lifecycle"]) == (1, "first", "Published")
    picked = cli("rpkg", "get", "--revision", "1", "--name", "web", "-o", "jsonpath={.metadata.name}")
    assert picked.stdout == name, picked.stderr
    monkeypatch.delenv("PORCHBOT_PORCHCTL")
    assert cli("rpkg", "get", naming.revision_name("blueprints", "web", "first", style=naming.HASH_NAMES)
               ).exit_code == 0  # the hash names are back by default


def test_show_kptfile_prints_the_root_kptfile(cli: Cli, registered: Path) -> None:
    name = created_name(cli("rpkg", "init", "shown", "--repository", "blueprints", "--workspace", "w1",
                            "--description", "shown here", "--keywords=a,b", "--site", "https://example.com/shown"))
    kptfile = yaml.safe_load(cli("rpkg", "get", name, "--show-kptfile").stdout)
    assert kptfile["kind"] == "Kptfile" and kptfile["metadata"]["name"] == "shown"
    assert kptfile["info"] == {"description": "shown here", "site": "https://example.com/shown", "keywords": ["a", "b"]}
    refused = cli("rpkg", "get", "--show-kptfile")
    assert refused.exit_code == 1 and "exactly one package revision name" in refused.stderr


def test_a_copy_without_workspace_takes_the_next_unused_number(cli: Cli, registered: Path) -> None:
    name = created_name(cli("rpkg", "init", "counted", "--repository", "blueprints", "--workspace", "first"))
    cli("rpkg", "propose", name)
    cli("rpkg", "approve", name)  # published as v1, workspace "first"
    copied = created_name(cli("rpkg", "copy", name))
    assert copied == naming.revision_name("blueprints", "counted", "v2")  # v1 is taken as a revision number
