"""Draft editing and transitions on real repositories: pull/push, moved branches, deletion, approval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.lifecycle import naming
from bot.lifecycle.engine import Engine
from bot.lifecycle.git_proposals import git_only_lifecycle
from tests.lifecycle.conftest import Cli, created_name, git, write_files


@pytest.fixture
def registered(cli: Cli, packages_repo: Path) -> Path:
    assert cli("repo", "register", str(packages_repo)).exit_code == 0
    return packages_repo


def name_of(package: str, workspace: str) -> str:
    return naming.revision_name("blueprints", package, workspace)


def show(remote: Path, spec: str) -> str:
    return git("--git-dir", str(remote), "show", spec)


def test_discovery_of_tags_branch_and_subpackages(cli: Cli, registered: Path) -> None:
    listing = [line.split() for line in cli("rpkg", "get").stdout.splitlines()[1:]]
    # NAME PACKAGE WORKSPACENAME REVISION LATEST ...: package, revision, latest
    assert [(row[1], row[3], row[4]) for row in listing] == [
        ("app", "main", "false"), ("app", "v1", "false"), ("app", "v2", "true"), ("nested/db", "main", "false")]
    document = yaml.safe_load(cli("rpkg", "get", name_of("app", "v2"), "-o", "yaml").stdout)
    item = document["items"][0]
    assert document["kind"] == "List" and item["apiVersion"] == "porch.kpt.dev/v1alpha1"
    assert item["metadata"]["labels"] == {"kpt.dev/latest-revision": "true"}
    assert item["spec"] == {"packageName": "app", "repository": "blueprints", "revision": "v2",
                            "workspaceName": "v2", "lifecycle": "Published"}
    assert item["status"]["publishedBy"] == "author@example.com"


def test_pull_edit_push_and_refusals(cli: Cli, registered: Path, tmp_path: Path) -> None:
    draft = created_name(cli("rpkg", "init", "web", "--repository", "blueprints", "--description", "web tier"))
    pulled = tmp_path / "web"
    assert cli("rpkg", "pull", draft, str(pulled)).exit_code == 0
    assert "info:\n  description: web tier\n" in (pulled / "Kptfile").read_text()
    write_files(pulled, {"svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"})
    pushed = cli("rpkg", "push", draft, str(pulled))
    assert pushed.stdout == f"{draft} pushed\n", pushed.stderr
    assert "kind: Service" in show(registered, "drafts/web/v1:web/svc.yaml")
    log = git("--git-dir", str(registered), "log", "--format=%s", "drafts/web/v1").splitlines()
    assert log[:2] == ["Intermediate commit", "Creating new empty revision"]

    # Someone else moves the draft: a push from the old pull is refused and nothing changes.
    stale = tmp_path / "stale"
    cli("rpkg", "pull", draft, str(stale))
    assert cli("rpkg", "push", draft, str(pulled)).exit_code == 0  # same content: nothing new
    write_files(pulled, {"extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n"})
    assert cli("rpkg", "push", draft, str(pulled)).exit_code == 0
    head = git("--git-dir", str(registered), "rev-parse", "drafts/web/v1")
    refused = cli("rpkg", "push", draft, str(stale))
    assert refused.exit_code == 1 and "the object has been modified" in refused.stderr
    assert git("--git-dir", str(registered), "rev-parse", "drafts/web/v1") == head

    resource_list = yaml.safe_load(cli("rpkg", "pull", draft).stdout)
    assert resource_list["kind"] == "ResourceList"
    paths = sorted(i["metadata"]["annotations"]["config.kubernetes.io/path"] for i in resource_list["items"])
    assert paths == [".KptRevisionMetadata", "Kptfile", "extra.yaml", "package-context.yaml", "svc.yaml"]

    assert cli("rpkg", "propose", draft).exit_code == 0
    not_draft = cli("rpkg", "push", draft, str(pulled))
    assert not_draft.exit_code == 1 and "only a Draft" in not_draft.stderr
    # porchctl's record of the pull: a file kpt does not read as a resource, naming the revision
    metadata = yaml.safe_load((pulled / ".KptRevisionMetadata").read_text())
    assert metadata["kind"] == "KptRevisionMetadata" and metadata["metadata"]["name"] == draft


def test_delete_and_deletion_proposal(cli: Cli, registered: Path) -> None:
    draft = created_name(cli("rpkg", "init", "temp", "--repository", "blueprints"))
    assert cli("rpkg", "del", draft).stdout == f"{draft} deleted\n"
    assert "drafts/temp" not in git("--git-dir", str(registered), "branch", "--list")

    published = name_of("app", "v1")
    refused = cli("rpkg", "del", published)
    assert refused.exit_code == 1 and "'DeletionProposed' prior to deletion" in refused.stderr
    assert cli("rpkg", "propose-delete", published).stdout == f"{published} proposed for deletion\n"
    assert cli("rpkg", "get", published).stdout.split()[-2] == "DeletionProposed"
    assert cli("rpkg", "reject", published).stdout == f"{published} no longer proposed for deletion\n"
    assert cli("rpkg", "get", published).stdout.split()[-2] == "Published"
    cli("rpkg", "propose-delete", published)
    assert cli("rpkg", "del", published).exit_code == 0
    assert git("--git-dir", str(registered), "tag", "--list").split() == ["app/v2"]
    branch_entry = cli("rpkg", "del", name_of("app", "main"))
    assert branch_entry.exit_code == 1


def test_approve_retries_when_the_branch_moved(cli: Cli, registered: Path, tmp_path: Path) -> None:
    draft = created_name(cli("rpkg", "copy", name_of("app", "v2")))
    assert draft == name_of("app", "v3")
    assert cli("rpkg", "propose", draft).exit_code == 0
    engine = Engine()
    cache, revision = engine.find(draft)  # the cache now holds main as it is before the move below

    work = tmp_path / "mover"
    git("clone", "-q", str(registered), str(work))
    write_files(work, {"NOTES.md": "moved\n", "nested/db/extra.yaml": "a: 1\n"})
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "someone else", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    moved = git("-C", str(work), "rev-parse", "HEAD").strip()

    change = git_only_lifecycle().approve(cache, revision)
    assert change.name == name_of("app", "v3")
    merge = git("--git-dir", str(registered), "rev-parse", "main").strip()
    parents = git("--git-dir", str(registered), "log", "-1", "--format=%P", merge).split()
    assert parents == [moved, revision.commit]
    assert show(registered, "main:NOTES.md") == "moved\n"
    assert show(registered, "main:nested/db/extra.yaml") == "a: 1\n"
    assert git("--git-dir", str(registered), "rev-parse", "app/v3^{commit}").strip() == merge
    message = git("--git-dir", str(registered), "log", "-1", "--format=%B", merge)
    subject, _, annotation = message.strip().partition("\n\n")
    assert subject == "Approving package revision app/v3"
    assert json.loads(annotation.removeprefix("kpt:")) == {"package": "app", "workspaceName": "v3",
                                                           "revision": "v3"}
    assert "proposed/app/v3" not in git("--git-dir", str(registered), "branch", "--list")


FAILING_PIPELINE = """pipeline:
  mutators:
    - image: gcr.io/kpt-fn/starlark:v0.5.0
      configPath: fail.yaml
"""
FAILING_SCRIPT = """apiVersion: fn.kpt.dev/v1alpha1
kind: StarlarkRun
metadata:
  name: fail
  annotations:
    config.kubernetes.io/local-config: "true"
source: |
  fail("this package is broken on purpose")
"""


def test_push_with_a_failing_render_pushes_nothing(cli: Cli, registered: Path, tmp_path: Path) -> None:
    pytest.importorskip("bot.render.render_package")
    draft = created_name(cli("rpkg", "init", "broken", "--repository", "blueprints"))
    pulled = tmp_path / "broken"
    cli("rpkg", "pull", draft, str(pulled))
    kptfile = pulled / "Kptfile"
    kptfile.write_text(kptfile.read_text() + FAILING_PIPELINE)
    write_files(pulled, {"fail.yaml": FAILING_SCRIPT})
    head = git("--git-dir", str(registered), "rev-parse", "drafts/broken/v1")
    result = cli("rpkg", "push", draft, str(pulled))
    assert result.exit_code == 1
    assert "starlark" in result.stderr and "broken on purpose" in result.stderr
    assert result.stderr.endswith("Error: Error occurred rendering package in kpt function pipeline.\nPackage has "
                                  "NOT been pushed to remote.\nPlease fix package locally (modify until 'kpt fn "
                                  "render' succeeds) and retry. \n")
    assert "Traceback" not in result.stderr
    assert git("--git-dir", str(registered), "rev-parse", "drafts/broken/v1") == head
