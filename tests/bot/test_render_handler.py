"""The render handler on a real git remote (a local bare repository) with a recording forge."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.config.settings import Settings
from bot.errors import PorchbotError
from bot.handlers import render_handler
from bot.handlers.context import BotContext
from bot.lifecycle import render_commits
from bot.lifecycle.engine import Engine
from bot.lifecycle.gitaccess import classify_remote_failure
from bot.lifecycle.repositories import Repository, register
from bot.render.render_types import RenderOutcome
from tests.bot.e2e_support import UPSTREAM_FILES
from tests.bot.fakes import RecordingForge

BRANCH = "drafts/basens/v1"


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "d@x",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "d@x"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


class RemoteForge(RecordingForge):
    """Branch heads come from the real remote; everything else is recorded."""

    remote: Path = Path()

    def get_branch_head(self, branch: str) -> str | None:
        out = subprocess.run(["git", "--git-dir", str(self.remote), "rev-parse", "--verify", "-q",
                              f"refs/heads/{branch}"], capture_output=True, text=True)
        return out.stdout.strip() or None


@pytest.fixture
def setup(tmp_path: Path) -> tuple[BotContext, Repository, RemoteForge, Path, Path]:
    work, remote = tmp_path / "work", tmp_path / "remote.git"
    git("init", "-q", "-b", "main", str(work))
    (work / "README.md").write_text("deployments\n")
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "init", cwd=work)
    git("checkout", "-q", "-b", BRANCH, cwd=work)
    for name, text in UPSTREAM_FILES.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "a person's edit", cwd=work)
    git("clone", "-q", "--bare", str(work), str(remote))
    settings = Settings(config_dir=tmp_path / "config", state_dir=tmp_path / "state")
    repository = register(settings, Repository(name="deployments", url=str(remote), forge="github"))
    forge = RemoteForge()
    forge.remote = remote
    ctx = BotContext(engine=Engine(settings=settings), build_forge=lambda r: forge)
    return ctx, repository, forge, work, remote


def test_a_push_is_rendered_and_committed_on_top(setup: tuple[BotContext, Repository, RemoteForge, Path, Path]
                                                 ) -> None:
    ctx, repository, forge, _, remote = setup
    pushed = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    report = render_handler.render_draft(ctx, repository, BRANCH)
    assert report is not None and report.ok and report.changed and not report.dropped
    head = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    assert git("--git-dir", str(remote), "log", "-1", "--format=%s%n%P%n%an", head).split("\n")[:3] == [
        "Rendering package", pushed, "porchbot"]
    changed = git("--git-dir", str(remote), "diff", "--name-only", pushed, head).split()
    assert changed and all(path.startswith("basens/") for path in changed)
    assert [(sha, state) for sha, state, _ in forge.statuses] == [(head, "success")]
    # The bot's own push comes back as a push event: the head is reported already, so nothing happens.
    again = render_handler.render_draft(ctx, repository, BRANCH)
    assert again is not None and again.dropped and len(forge.statuses) == 1
    assert git("--git-dir", str(remote), "rev-parse", BRANCH).strip() == head


def test_a_result_for_an_old_head_is_dropped(setup: tuple[BotContext, Repository, RemoteForge, Path, Path]
                                             ) -> None:
    ctx, repository, forge, work, remote = setup
    real_render = ctx.renderer

    def person_pushes_meanwhile(stage: Path, *args: Any) -> RenderOutcome:
        (work / "basens" / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", "newer edit", cwd=work)
        git("push", "-q", str(remote), f"HEAD:refs/heads/{BRANCH}", cwd=work)
        return real_render(stage, *args)

    ctx.renderer = person_pushes_meanwhile
    report = render_handler.render_draft(ctx, repository, BRANCH)
    assert report is not None and report.dropped
    head = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    assert git("--git-dir", str(remote), "log", "-1", "--format=%s", head).strip() == "newer edit"
    assert forge.statuses == []  # the newer push renders itself


def test_a_failed_render_commits_nothing(setup: tuple[BotContext, Repository, RemoteForge, Path, Path]) -> None:
    ctx, repository, forge, work, remote = setup
    kptfile = work / "basens" / "Kptfile"
    kptfile.write_text(kptfile.read_text().replace("set-namespace:v0.4.1", "no-such-function:v9"))
    git("commit", "-q", "-am", "broken", cwd=work)
    git("push", "-q", str(remote), f"HEAD:refs/heads/{BRANCH}", cwd=work)
    pushed = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    report = render_handler.render_draft(ctx, repository, BRANCH)
    assert report is not None and not report.ok and not report.changed
    assert git("--git-dir", str(remote), "rev-parse", BRANCH).strip() == pushed
    assert [(sha, state) for sha, state, _ in forge.statuses] == [(pushed, "failure")]


def _reject_next_pushes(remote: Path, count: int, message: str) -> None:
    """A pre-receive hook on the real remote that refuses the next ``count`` pushes with ``message``."""
    counter = remote / "refusals-left"
    counter.write_text(str(count))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(f"""#!/bin/sh
left=$(cat '{counter}')
if [ "$left" -gt 0 ]; then
  echo $((left - 1)) > '{counter}'
  echo '{message}' >&2
  exit 1
fi
exit 0
""")
    hook.chmod(0o755)


def test_a_transient_push_refusal_is_retried(setup: tuple[BotContext, Repository, RemoteForge, Path, Path]
                                             ) -> None:
    ctx, repository, forge, _, remote = setup
    ctx.push_retry_seconds = 0.01
    pushed = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    _reject_next_pushes(remote, 2, "error: cannot lock ref: Unable to create index.lock")
    report = render_handler.render_draft(ctx, repository, BRANCH)
    assert report is not None and report.ok and report.changed and not report.dropped
    head = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    assert git("--git-dir", str(remote), "log", "-1", "--format=%s%n%P", head).split("\n")[:2] == [
        "Rendering package", pushed]
    assert [(sha, state) for sha, state, _ in forge.statuses] == [(head, "success")]


def test_a_lasting_push_refusal_ends_in_one_error(setup: tuple[BotContext, Repository, RemoteForge, Path, Path]
                                                  ) -> None:
    ctx, repository, _, _, remote = setup
    ctx.push_retry_seconds = 0.01
    pushed = git("--git-dir", str(remote), "rev-parse", BRANCH).strip()
    _reject_next_pushes(remote, 99, "error: the remote is read-only today")
    with pytest.raises(PorchbotError, match="cannot reach"):
        render_handler.render_draft(ctx, repository, BRANCH)
    assert int((remote / "refusals-left").read_text()) == 99 - render_commits.PUSH_ATTEMPTS
    assert git("--git-dir", str(remote), "rev-parse", BRANCH).strip() == pushed


@pytest.mark.parametrize(("output", "says"), [
    ("!\t2b1f403d97c2f785cc6bcb7ed365ede50c16eff8:refs/heads/drafts/basens/v1\t[remote rejected] "
     "(pre-receive hook declined)\nDone\n", "cannot reach"),
    ("fatal: unable to access 'https://forge.example/a.git/': The requested URL returned error: 403\n",
     "authentication failed"),
])
def test_a_commit_id_holding_403_is_no_authentication_failure(output: str, says: str) -> None:
    """The render push retries what may pass; a refusal whose porcelain line names a commit id with
    "403" in its hex was once taken for refused credentials and not retried."""
    assert str(classify_remote_failure("https://forge.example/a.git", output)).startswith(says)
