"""A real bot against the emulated GitHub for the reliability tests (and bench/faults.py).

``porchbot serve`` (optionally with no embedded worker) and any number of ``porchbot worker`` processes
share one state directory (SQLite queue) or a Redis URL; the tests start, kill and restart workers.
Probes read the emulator: branch heads, render commits, statuses, and every ref update the webhooks
reported (a force-push is an update whose old head is not an ancestor of the new one).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bot.e2e_support import eventually
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator
from tests.forge_emulator.store import identity
from tests.ops.processes import WEBHOOK_SECRET, get_text, porchbot, serve, stop

REPO = "acme/deployments"
RENDER_SUBJECT = "Rendering package"
ZERO = "0" * 40

BOT_CONFIG = """\
render:
  runtime: builtin
repositories:
  deployments:
    approvers: [alice, bob]
"""

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: {name}
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - image: {image}
      configMap:
        namespace: {name}
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
data:
  round: "{round}"
"""
SET_NAMESPACE = "gcr.io/kpt-fn/set-namespace:v0.4.1"


def package_files(name: str, round_number: int, image: str = SET_NAMESPACE) -> dict[str, str | bytes]:
    """A package whose every edit needs rendering (a ConfigMap without the namespace)."""
    files: dict[str, str | bytes] = {
        f"{name}/configmap-{round_number}.yaml": CONFIGMAP.format(name=f"cm{round_number}", round=round_number)}
    if round_number == 0:
        files[f"{name}/Kptfile"] = KPTFILE.format(name=name, image=image)
    return files


def git_env() -> dict[str, str]:
    return {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass
class Bot:
    emulator: Emulator
    root: Path
    env: dict[str, str]
    url: str = ""
    kind: str = "github"
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    # -- processes -----------------------------------------------------------------------------
    def start_worker(self, extra: dict[str, str] | None = None, threads: int = 1) -> subprocess.Popen[bytes]:
        number = len(self.workers)
        proc = porchbot(["worker", "--workers", str(threads)], {**self.env, **(extra or {})},
                        self.root / f"worker{number}.log")
        self.workers.append(proc)
        return proc

    def kill_worker(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()

    def jobs(self) -> dict[str, int]:
        """The job table's rows by status, as ``/healthz`` reports them."""
        counts: dict[str, int] = json.loads(get_text(self.url + "/healthz"))["jobs"]
        return counts

    def wait_drained(self, timeout: float = 60.0) -> dict[str, int]:
        """Until no job is pending or running; the final counts."""
        def drained() -> dict[str, int] | None:
            counts = self.jobs()
            return counts if counts and not set(counts) - {"done", "failed"} else None

        return eventually(drained, "the queue to drain", timeout)

    # -- a person on the forge -----------------------------------------------------------------
    def commit(self, branch: str, files: dict[str, str | bytes], login: str = "dev", message: str = "edit") -> str:
        # The store's lock: the web editor's commit lands on the head it read, never over a bot commit.
        with self.emulator.store.lock:
            return self.emulator.commit_files(REPO, branch, files, login, message)

    def burst(self, branch: str, rounds: list[dict[str, str | bytes]], login: str = "dev") -> list[str]:
        """One push per entry, all within moments: the commits are made first, then the branch is moved
        through them one fast-forward (and one push webhook) at a time."""
        store = self.emulator.store
        repo, user = store.repo(REPO), store.users[login]
        with store.lock:  # no bot push can land between the commits and the ref updates
            parent = repo.bare.resolve(f"refs/heads/{branch}")
            shas: list[str] = []
            for number, files in enumerate(rounds):
                data = {name: v.encode() if isinstance(v, str) else v for name, v in files.items()}
                parent = repo.bare.make_commit(data, parent, f"edit {number}\n", identity(user))
                shas.append(parent)
            for sha in shas:
                store.set_ref(repo, f"refs/heads/{branch}", sha, user)
        return shas

    def open_pull(self, branch: str, login: str = "dev", draft: bool = False) -> int:
        return int(self.emulator.open_pull(REPO, branch, login, title=branch, draft=draft).number)

    def comment(self, number: int, login: str, body: str) -> None:
        self.emulator.comment(REPO, number, login, body)

    # -- what the forge shows ------------------------------------------------------------------
    def head(self, branch: str) -> str | None:
        return self.emulator.branch_sha(REPO, branch)

    def log(self, ref: str) -> list[tuple[str, str, str]]:
        """(sha, parents, subject) newest first."""
        text = self.emulator.git(REPO, "log", "--format=%H%x00%P%x00%s", ref)
        return [tuple(line.split("\x00")) for line in text.splitlines()]  # type: ignore[misc]

    def render_parents(self, ref: str) -> list[str]:
        return [parents for _sha, parents, subject in self.log(ref) if subject == RENDER_SUBJECT]

    def webhooks(self, on: bool) -> None:
        """Deliver webhooks to the bot (on) or only record them (off)."""
        self.emulator.webhooks.drain()
        self.emulator.configure_webhook(f"{self.url}/webhooks/{self.kind}" if on else None, WEBHOOK_SECRET)

    def render_status(self, sha: str) -> tuple[str, str] | None:
        """The newest ``porchbot/render`` status (state in GitHub's words, description)."""
        statuses = [s for s in self.emulator.statuses(REPO, sha) if s.context == "porchbot/render"]
        if not statuses:  # the emulator keeps the newest first
            return None
        state = str(statuses[0].state)
        return {"failed": "failure", "running": "pending"}.get(state, state), str(statuses[0].description)

    def render_state(self, sha: str) -> str | None:
        status = self.render_status(sha)
        return status[0] if status else None

    def statused_shas(self) -> set[str]:
        return {sha for (name, sha), statuses in self.emulator.store.statuses.items()
                if name == REPO and any(s.context == "porchbot/render" for s in statuses)}

    def comments(self, number: int, containing: str = "") -> list[Any]:
        return [c for c in self.emulator.comments(REPO, number) if containing in c.body]

    def rendered(self, branch: str, person_head: str) -> str | None:
        """The bot's render commit on top of ``person_head`` with a success status, once it is the head."""
        head = self.head(branch)
        if head is None or head == person_head:
            return None
        sha, parents, subject = self.log(head)[0]
        if parents != person_head or subject != RENDER_SUBJECT or self.render_state(sha) != "success":
            return None
        return sha

    def quiet_setup(self, branch: str, files: dict[str, str | bytes], pull: bool = True) -> str:
        """A draft (and its PR) made while no webhook is sent: the test's next push is the only job."""
        self.webhooks(on=False)
        try:
            head = self.commit(branch, files)
            if pull:
                self.open_pull(branch)
        finally:
            self.webhooks(on=True)
        return head

    def force_pushes(self) -> int:
        """Ref updates (from the push webhooks) whose old head is not an ancestor of the new one."""
        forced = 0
        for delivery in self.emulator.deliveries:
            if delivery.event != "push":
                continue
            before, after = str(delivery.payload.get("before")), str(delivery.payload.get("after"))
            if ZERO in (before, after):
                continue
            bare = str(self.emulator.store.repo(REPO).bare.path)
            check = subprocess.run(["git", "--git-dir", bare, "merge-base", "--is-ancestor", before, after],
                                   capture_output=True, check=False)
            forced += check.returncode != 0
        return forced


def register_repository(emulator: Emulator, config_dir: Path, root: Path, kind: str = "github") -> None:
    """``porchbot repo register`` the emulated deployment repository, as an operator would."""
    token = emulator.user("porchbot").token
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "repo", "register", emulator.clone_url(REPO), "--name", "deployments",
         "--deployment", "--forge", kind, "--token-env", "DEPLOYMENTS_TOKEN"],
        env={**os.environ, **git_env(), "PORCHBOT_CONFIG_DIR": str(config_dir),
             "PORCHBOT_STATE_DIR": str(root / "cli"), "DEPLOYMENTS_TOKEN": token},
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr


@contextmanager
def bot_world(root: Path, *, serve_workers: int = 2, config: str = BOT_CONFIG, lease_seconds: float = 4.0,
              redis_url: str = "", extra_env: dict[str, str] | None = None, kind: str = "github") -> Iterator[Bot]:
    """Emulated GitHub (or GitLab) + a registered repository + ``porchbot serve``; workers are started by
    the test."""
    emulator = start_emulator(kind, root / "forge")
    bot = Bot(emulator, root, {}, kind=kind)
    try:
        for login, permission in (("dev", "write"), ("alice", "write"), ("bob", "write"), ("mallory", "read"),
                                  ("porchbot", "maintain")):
            emulator.add_user(login)
            emulator.grant(REPO, login, permission)
        config_dir = root / "config"
        config_dir.mkdir()
        (config_dir / "porchbot.yaml").write_text(config)
        register_repository(emulator, config_dir, root, kind)
        token = emulator.user("porchbot").token
        bot.env = {**git_env(), "PORCHBOT_CONFIG_DIR": str(config_dir), "PORCHBOT_STATE_DIR": str(root / "state"),
                   f"PORCHBOT_{kind.upper()}_TOKEN": token, "DEPLOYMENTS_TOKEN": token,
                   "PORCHBOT_GITLAB_WEBHOOK_SECRET": WEBHOOK_SECRET, "PORCHBOT_BOT_LOGIN": "porchbot",
                   "PORCHBOT_JOB_LEASE_SECONDS": str(lease_seconds), "PORCHBOT_SWEEP_SECONDS": "0.5",
                   **({"PORCHBOT_REDIS_URL": redis_url} if redis_url else {}), **(extra_env or {})}
        with serve(bot.env, root / "serve.log", workers=serve_workers) as url:
            bot.url = url
            bot.webhooks(on=True)
            try:
                yield bot
            finally:
                for proc in bot.workers:
                    stop(proc, timeout=15)
    finally:
        emulator.stop()
