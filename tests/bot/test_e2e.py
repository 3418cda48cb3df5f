"""Issue 5 acceptance, end to end over HTTP: emulated GitHub / GitLab ⇄ a real `porchbot serve`, real git,
the real CLI; a person's actions are the emulator's web-UI methods and comments."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.bot.e2e_support import REPO, World, eventually, git, own_upstream, world
from tests.conftest import shared_path

BASENS_V0 = "kpt-samples-afcf4d1fac605a60ba1ea4b87b5b5b82e222cb69"
ISTIONS = "deployments-eeb52a8072ca2602e7ee27f3c56ad6344b024f5b"  # deployments:istions:v1
ISTIONS_V2_DRAFT = "deployments-" + __import__("hashlib").sha1(b"deployments:istions:v2").hexdigest()
DRAFT_BRANCH = "drafts/istions/v1"

SET_LABELS = """\
    - image: gcr.io/kpt-fn/set-labels:v0.1.5
      configMap:
        color: orange
        fruit: apple
"""
FAILING_VALIDATOR = """\
  validators:
    - image: gcr.io/kpt-fn/starlark:v0.5.1
      configPath: require-team.yaml
"""
REQUIRE_TEAM = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: StarlarkRun
metadata:
  name: require-team
  annotations:
    config.kubernetes.io/local-config: "true"
source: |
  for r in ctx.resource_list["items"]:
    if r["kind"] == "Namespace" and "team" not in r["metadata"].get("labels", {}):
      fail("namespace " + r["metadata"]["name"] + " needs a team label")
"""
# A strict kubeval validator (builtin: the image's baked-in schemas) and a Deployment with a misspelt
# field, second in its file: the check run must point at the Deployment's first line, line 9.
KUBEVAL_VALIDATOR = """\
    - image: gcr.io/kpt-fn/kubeval:v0.3.0
      configMap:
        strict: "true"
        skip_kinds: StarlarkRun
"""
DEPLOYMENT_FILE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: api-settings
data:
  mode: fast
---
# The API server.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replica: 2
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: example/api:1.0
"""
DEPLOYMENT_LINE = 9
KUBEVAL_FINDING = "Additional property replica is not allowed"


def _with_mutator(kptfile: str, mutator: str) -> str:
    lines = kptfile.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("  mutators:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    return "".join(lines[:end]) + mutator + "".join(lines[end:])


def _with_validator(kptfile: str) -> str:
    lines = kptfile.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("pipeline:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    return "".join(lines[:end]) + FAILING_VALIDATOR + "".join(lines[end:])


def _rendered_head(w: World, branch: str, state: str = "success") -> str:
    def probe() -> str | None:
        head = w.emulator.branch_sha(REPO, branch)
        return head if head and w.render_state(head) == state else None

    return eventually(probe, f"render status {state} on the head of {branch}")


def run_flow(w: World) -> None:
    emulator = w.emulator
    cloned = w.cli("rpkg", "clone", BASENS_V0, "istions", "--repository=deployments")
    assert (cloned.returncode, cloned.stdout) == (0, f"{ISTIONS} created\n"), cloned.stderr
    pull = eventually(lambda: w.pull_for(DRAFT_BRANCH), "the draft PR")
    assert pull.draft and pull.author.login == "dev"
    _rendered_head(w, DRAFT_BRANCH)
    assert w.lifecycle(ISTIONS)[4] == "Draft"  # type: ignore[index]

    # A person pushes the set-labels mutator with git: the bot renders and commits on top.
    head = emulator.branch_sha(REPO, DRAFT_BRANCH)
    assert head is not None
    kptfile = _with_mutator(w.show(head, "istions/Kptfile"), SET_LABELS)
    edited = w.git_push(DRAFT_BRANCH, {"istions/Kptfile": kptfile}, "dev", "Add set-labels")
    def moved_on() -> str | None:
        now = emulator.branch_sha(REPO, DRAFT_BRANCH)
        return now if now != edited else None

    final = eventually(moved_on, "the bot's commit")
    assert w.subject(final) == "Rendering package"
    assert emulator.store.repo(REPO).bare.git("rev-parse", f"{final}^").strip() == edited
    namespace = w.show(final, "istions/namespace.yaml")
    assert re.search(r"^    color: orange$", namespace, re.M) and re.search(r"^    fruit: apple$", namespace, re.M)
    assert _rendered_head(w, DRAFT_BRANCH) == final
    assert len(eventually(lambda: w.sticky_comments(pull.number), "the sticky comment")) == 1

    # Ready for review → Proposed.
    emulator.set_draft(REPO, pull.number, "dev", False)
    eventually(lambda: w.lifecycle(ISTIONS)[4] == "Proposed", "Proposed in rpkg get")  # type: ignore[index]

    w.comment(pull.number, "mallory", "/approve")
    eventually(lambda: w.replies_containing(pull.number, "@mallory is not an approver"), "non-approver refusal")
    command = next(c for c in emulator.comments(REPO, pull.number) if c.body == "/approve")
    assert [(r.user.login, r.content) for r in command.reactions] == [("porchbot", "eyes")]  # acknowledged
    w.comment(pull.number, "dev", "/approve")
    eventually(lambda: w.replies_containing(pull.number, "you opened this pull request"), "author refusal")
    assert not emulator.pull(REPO, pull.number).merged

    w.comment(pull.number, "alice", "/approve")
    merged: Any = eventually(lambda: emulator.pull(REPO, pull.number) if emulator.pull(REPO, pull.number).merged
                             else None, "the merge")
    tag_commit = eventually(lambda: emulator.ref_target(REPO, "refs/tags/istions/v1"), "tag istions/v1")
    bare = emulator.store.repo(REPO).bare
    assert bare.git("cat-file", "-t", tag_commit).strip() == "tag"  # annotated
    assert bare.git("rev-parse", "istions/v1^{commit}").strip() == merged.merge_commit_sha
    assert "alice" in bare.git("cat-file", "-p", tag_commit)
    eventually(lambda: emulator.branch_sha(REPO, DRAFT_BRANCH) is None, "the draft branch deleted")
    published = w.lifecycle("deployments-" + __import__("hashlib").sha1(b"deployments:istions:v1").hexdigest())
    # NAME PACKAGE WORKSPACENAME REVISION LATEST LIFECYCLE REPOSITORY (porchctl v4's table)
    assert published is not None and published[2:6] == ["v1", "v1", "true", "Published"], published
    assert len(w.sticky_comments(pull.number)) == 1

    # A second draft, proposed through the CLI, then /reject → Draft.
    copied = w.cli("rpkg", "copy", "deployments-" + __import__("hashlib").sha1(
        b"deployments:istions:v1").hexdigest())
    assert copied.returncode == 0, copied.stderr
    second = eventually(lambda: w.pull_for("drafts/istions/v2"), "the second draft PR")
    _rendered_head(w, "drafts/istions/v2")
    proposed = w.cli("rpkg", "propose", ISTIONS_V2_DRAFT)
    assert proposed.returncode == 0, proposed.stderr
    assert w.lifecycle(ISTIONS_V2_DRAFT)[4] == "Proposed"  # type: ignore[index]
    w.comment(second.number, "alice", "/reject")
    eventually(lambda: emulator.pull(REPO, second.number).draft, "the PR back to draft")
    assert w.lifecycle(ISTIONS_V2_DRAFT)[4] == "Draft"  # type: ignore[index]

    # A failing validator, committed in the forge's web editor: status failure, results in the sticky comment, /approve refused while red.
    head = emulator.branch_sha(REPO, "drafts/istions/v2")
    assert head is not None
    kptfile = _with_validator(w.show(head, "istions/Kptfile"))
    broken = emulator.commit_files(REPO, "drafts/istions/v2", {"istions/Kptfile": kptfile,
                                                                "istions/require-team.yaml": REQUIRE_TEAM},
                                   "dev", "Require a team label")
    assert _rendered_head(w, "drafts/istions/v2", "failure") == broken
    sticky = eventually(lambda: [c for c in w.sticky_comments(second.number) if "Render failed" in c.body],
                        "the failure in the sticky comment")
    assert len(sticky) == 1 and "needs a team label" in sticky[0].body
    assert len(w.sticky_comments(second.number)) == 1
    if emulator.kind == "github":  # GitHub also gets a check run (annotations when results name a resource)
        runs = [run for _, run in emulator.store.check_runs.values() if run.head_sha == broken]
        assert runs and runs[-1].conclusion == "failure" and runs[-1].name == "porchbot/render"
    _kubeval_finding_at_its_line(w, second.number)
    emulator.set_draft(REPO, second.number, "dev", False)
    w.comment(second.number, "alice", "/approve")
    eventually(lambda: w.replies_containing(second.number, "**failure**"), "the refusal while red")
    assert not emulator.pull(REPO, second.number).merged
    log = w.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]


def _kubeval_finding_at_its_line(w: World, number: int) -> None:
    """A schema validator's result names a resource: GitHub shows it as a check-run annotation at the
    file and line of that resource, GitLab lists it (file:line) in the sticky note."""
    emulator = w.emulator
    head = emulator.branch_sha(REPO, "drafts/istions/v2")
    assert head is not None
    kptfile = w.show(head, "istions/Kptfile").replace("  validators:\n", "  validators:\n" + KUBEVAL_VALIDATOR, 1)
    invalid = emulator.commit_files(REPO, "drafts/istions/v2", {"istions/Kptfile": kptfile,
                                                                 "istions/deployment.yaml": DEPLOYMENT_FILE},
                                    "dev", "Add the API deployment")
    assert _rendered_head(w, "drafts/istions/v2", "failure") == invalid
    where = f"istions/deployment.yaml:{DEPLOYMENT_LINE}"
    sticky = eventually(lambda: [c for c in w.sticky_comments(number) if invalid[:12] in c.body], "the new sticky")
    assert len(sticky) == 1 and KUBEVAL_FINDING in sticky[0].body
    assert w.show(invalid, "istions/deployment.yaml").splitlines()[DEPLOYMENT_LINE - 1] == "apiVersion: apps/v1"
    if emulator.kind == "github":
        runs = [run for _, run in emulator.store.check_runs.values() if run.head_sha == invalid]
        assert runs and runs[-1].conclusion == "failure"
        found = [(a["path"], a["start_line"], a["annotation_level"], a["message"]) for a in runs[-1].annotations
                 if a["path"] == "istions/deployment.yaml"]
        assert found == [("istions/deployment.yaml", DEPLOYMENT_LINE, "failure", KUBEVAL_FINDING)], \
            runs[-1].annotations
    else:
        assert f"- `{where}`: {KUBEVAL_FINDING}" in sticky[0].body, sticky[0].body


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_e2e_own_upstream(kind: str, tmp_path: Path) -> None:
    with world(kind, tmp_path, own_upstream(tmp_path)) as w:
        run_flow(w)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_e2e_kpt_samples(kind: str, tmp_path: Path) -> None:
    bundle = shared_path("fixtures", "kpt-samples", "kpt-samples.bundle")
    samples = tmp_path / "kpt-samples.git"
    git("clone", "-q", "--bare", str(bundle), str(samples))
    with world(kind, tmp_path, samples) as w:
        run_flow(w)
