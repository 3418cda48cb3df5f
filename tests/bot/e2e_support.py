"""The pieces of the end-to-end bot tests: an emulated forge wired to a real `porchbot serve`, the CLI as
the person runs it, and waiting for the bot to finish what a webhook started."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.pr.messages import STATUS_MARKER
from tests.bot.serve_process import serve_process
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator

PROJECT_DIR = Path(__file__).resolve().parents[2]
REPO = "acme/deployments"
WEBHOOK_SECRET = "e2e-webhook-secret"
T = TypeVar("T")

# Our own small upstream: a basens-shaped package (namespace from the package context) tagged basens/v0.
UPSTREAM_FILES = {
    "basens/Kptfile": """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: basens
  annotations:
    config.kubernetes.io/local-config: "true"
info:
  description: kpt package for provisioning namespace
pipeline:
  mutators:
    - image: gcr.io/kpt-fn/set-namespace:v0.4.1
      configPath: package-context.yaml
""",
    "basens/package-context.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: kptfile.kpt.dev
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  name: example
""",
    "basens/namespace.yaml": """\
apiVersion: v1
kind: Namespace
metadata:
  name: example
""",
}

BOT_CONFIG = """\
render:
  runtime: builtin
pull_requests:
  open_draft_pr: true
repositories:
  deployments:
    approvers: [alice, bob, dev]
"""


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_AUTHOR_NAME": "Up Stream",
           "GIT_AUTHOR_EMAIL": "up@example.com", "GIT_COMMITTER_NAME": "Up Stream",
           "GIT_COMMITTER_EMAIL": "up@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


def own_upstream(root: Path) -> Path:
    work = root / "upstream-work"
    work.mkdir(parents=True)
    git("init", "-q", "-b", "main", str(work))
    for name, text in UPSTREAM_FILES.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "basens", cwd=work)
    git("tag", "basens/v0", cwd=work)
    bare = root / "kpt-samples.git"
    git("clone", "-q", "--bare", str(work), str(bare))
    return bare


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@dataclass
class World:
    emulator: Emulator
    bot_url: str
    config_dir: Path
    cli_state: Path
    log_path: Path

    def cli(self, *args: str, user: str = "dev") -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHBOT_")}
        env.update(PORCHBOT_CONFIG_DIR=str(self.config_dir), PORCHBOT_STATE_DIR=str(self.cli_state / user),
                   GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1",
                   DEPLOYMENTS_TOKEN=self.emulator.user(user).token,
                   GIT_AUTHOR_NAME=user, GIT_AUTHOR_EMAIL=f"{user}@example.com")
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                              cwd=PROJECT_DIR, timeout=120, check=False)

    def lifecycle(self, name: str) -> list[str] | None:
        listing = self.cli("rpkg", "get")
        assert listing.returncode == 0, listing.stderr
        return next((row.split() for row in listing.stdout.splitlines()[1:] if row.split()[0] == name), None)

    # -- what the forge shows ------------------------------------------------------------------------
    def pull_for(self, branch: str) -> Any:
        pulls = [p for (name, _), p in self.emulator.store.pulls.items() if name == REPO and p.head_branch == branch]
        return pulls[-1] if pulls else None

    def show(self, revision: str, path: str) -> str:
        return self.emulator.store.repo(REPO).bare.git("show", f"{revision}:{path}")

    def subject(self, sha: str) -> str:
        return self.emulator.store.repo(REPO).bare.git("log", "-1", "--format=%s", sha).strip()

    def render_state(self, sha: str) -> str | None:
        statuses = [s for s in self.emulator.statuses(REPO, sha) if s.context == "porchbot/render"]
        if not statuses:
            return None
        state = str(statuses[-1].state)
        return {"failed": "failure"}.get(state, state)  # GitLab's word for it

    def sticky_comments(self, number: int) -> list[Any]:
        return [c for c in self.emulator.comments(REPO, number) if STATUS_MARKER in c.body]

    def replies_containing(self, number: int, text: str) -> list[Any]:
        return [c for c in self.emulator.comments(REPO, number) if text in c.body]

    def git_push(self, branch: str, files: dict[str, str], login: str, message: str) -> str:
        """A person's clone, commit and push over the forge's git HTTP (what `git push` does)."""
        work = self.cli_state / f"clone-{login}-{time.monotonic_ns()}"
        git("clone", "-q", "--branch", branch, self.emulator.clone_url(REPO, login), str(work))
        for name, text in files.items():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            (work / name).write_text(text)
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", message, cwd=work)
        git("push", "-q", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
        return git("rev-parse", "HEAD", cwd=work).strip()

    def comment(self, number: int, login: str, body: str) -> None:
        self.emulator.comment(REPO, number, login, body)


@contextmanager
def world(kind: str, root: Path, upstream: Path) -> Iterator[World]:
    emulator = start_emulator(kind, root / "forge")
    try:
        for login in ("dev", "alice", "bob", "mallory", "porchbot"):
            emulator.add_user(login)
        for login, permission in (("dev", "write"), ("alice", "write"), ("bob", "write"), ("mallory", "write"),
                                  ("porchbot", "maintain")):
            emulator.grant(REPO, login, permission)
        config_dir = root / "config"
        config_dir.mkdir()
        (config_dir / "porchbot.yaml").write_text(BOT_CONFIG)
        bot_token = emulator.user("porchbot").token
        env = {"PORCHBOT_CONFIG_DIR": str(config_dir), f"PORCHBOT_{kind.upper()}_WEBHOOK_SECRET": WEBHOOK_SECRET,
               f"PORCHBOT_{kind.upper()}_TOKEN": bot_token, "DEPLOYMENTS_TOKEN": bot_token,
               "PORCHBOT_BOT_LOGIN": "porchbot", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
        log_path = root / "serve.log"
        with serve_process(root / "bot-state", env, log_path) as bot_url:
            emulator.configure_webhook(f"{bot_url}/webhooks/{kind}", WEBHOOK_SECRET)
            here = World(emulator, bot_url, config_dir, root / "cli-state", log_path)
            registered = here.cli("repo", "register", str(upstream), "--name", "kpt-samples")
            assert registered.returncode == 0, registered.stderr
            registered = here.cli("repo", "register", emulator.clone_url(REPO), "--name", "deployments",
                                  "--deployment", "--forge", kind, "--token-env", "DEPLOYMENTS_TOKEN")
            assert registered.returncode == 0, registered.stderr
            yield here
    finally:
        emulator.stop()
