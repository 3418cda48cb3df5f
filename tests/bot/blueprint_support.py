"""The blueprint world of the propagation tests: a forge-backed blueprint repository with basens, releases
pushed by a person as tags, and downstream clones in the deployment repository (one customised)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.bot.e2e_support import REPO, UPSTREAM_FILES, World, eventually, git

BLUEPRINTS = "acme/blueprints"


def green_head(w: World, branch: str, timeout: float = 90) -> str:
    """The head of ``branch`` once its render reported success."""
    def probe() -> str | None:
        head = w.emulator.branch_sha(REPO, branch)
        return head if head and w.render_state(head) == "success" else None

    return eventually(probe, f"a green render of {branch}", timeout=timeout)


def approve_draft(w: World, branch: str) -> Any:
    """Ready for review, then alice's /approve: the merged PR."""
    pull = eventually(lambda: w.pull_for(branch), f"the PR of {branch}")
    green_head(w, branch)
    w.emulator.set_draft(REPO, pull.number, "dev", False)
    w.comment(pull.number, "alice", "/approve")
    return eventually(lambda: w.emulator.pull(REPO, pull.number) if w.emulator.pull(REPO, pull.number).merged
                      else None, f"the merge of {branch}", timeout=90)


def add_blueprints(w: World, kind: str) -> None:
    emulator = w.emulator
    emulator.create_repo(BLUEPRINTS, "owner", files={"README.md": "blueprints\n", **UPSTREAM_FILES})
    for login, permission in (("dev", "write"), ("alice", "write"), ("porchbot", "maintain")):
        emulator.grant(BLUEPRINTS, login, permission)
    registered = w.cli("repo", "register", emulator.clone_url(BLUEPRINTS), "--name", "blueprints",
                       "--forge", kind, "--token-env", "DEPLOYMENTS_TOKEN")
    assert registered.returncode == 0, registered.stderr


def release(w: World, root: Path, number: int) -> None:
    """A person commits to the blueprint and pushes the tag basens/v<number> (the forge sends the push)."""
    work = root / f"blueprint-v{number}"
    git("clone", "-q", w.emulator.clone_url(BLUEPRINTS, "alice"), str(work))
    namespace = work / "basens" / "namespace.yaml"
    text = re.sub(r"\n  annotations:\n(    .*\n)*", "\n", namespace.read_text())
    namespace.write_text(text.rstrip("\n") + f"\n  annotations:\n    release: v{number}\n")
    if number == 2:
        namespace.write_text(namespace.read_text().replace("metadata:\n", "metadata:\n  labels:\n    tier: gold\n", 1))
    git("commit", "-q", "-am", f"basens v{number}", cwd=work)
    git("tag", "-a", "-m", f"basens v{number}", f"basens/v{number}", cwd=work)
    git("push", "-q", "origin", "main", f"basens/v{number}", cwd=work)


def published_clones(w: World, root: Path, packages: tuple[str, ...], customised: str) -> None:
    """basens v1 released, then each package cloned from it and published; ``customised`` with its own tier."""
    release(w, root, 1)
    v1 = eventually(lambda: next((row.split()[0] for row in w.cli("rpkg", "get", "--no-headers").stdout
                                  .splitlines() if row.split()[1] == "basens" and "v1" in row.split()), None),
                    "basens v1 listed")
    for package in packages:
        cloned = w.cli("rpkg", "clone", v1, package, "--repository=deployments")
        assert cloned.returncode == 0, cloned.stderr
        if package == customised:
            head = green_head(w, f"drafts/{package}/v1")
            text = w.show(head, f"{package}/namespace.yaml")
            w.git_push(f"drafts/{package}/v1", {f"{package}/namespace.yaml": re.sub(
                r"^(metadata:.*\n)", r"\1  labels:\n    tier: bronze\n", text, count=1, flags=re.M)},
                "dev", "Our own tier")
        approve_draft(w, f"drafts/{package}/v1")
        tag = f"refs/tags/{package}/v1"
        eventually(lambda tag=tag: w.emulator.ref_target(REPO, tag), f"{package} v1 published")  # type: ignore[misc]


def conflict_shown_at(w: World, number: int, head: str, path: str, line: int) -> None:
    """GitHub: a check-run annotation at the field's file and line; GitLab: the sticky note lists it."""
    if w.emulator.kind == "github":
        def annotated() -> list[Any] | None:
            runs = [run for _, run in w.emulator.store.check_runs.values() if run.head_sha == head]
            found = [a for run in runs for a in run.annotations
                     if (a["path"], a["start_line"]) == (path, line) and "bronze" in a["message"]]
            return found or None

        found = eventually(annotated, "the conflict annotation")
        assert found[0]["annotation_level"] == "warning"
    else:
        sticky = eventually(lambda: [c for c in w.sticky_comments(number) if f"{path}:{line}" in c.body],
                            "the conflict in the sticky note")
        assert "bronze" in sticky[0].body
