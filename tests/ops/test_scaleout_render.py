"""Issue 6 point 6 with the real bot: one `porchbot serve --workers 0` and two `porchbot worker` processes
on Redis, the emulated GitHub, 200 pushes across 50 drafts → every draft's final head rendered once.

Each push adds a resource without a namespace, so every render changes something and commits
`Rendering package`. The checks per draft: the branch ends in exactly one render commit on top of the
person's last commit, with a success status; no head was ever rendered twice (render commits have distinct
parents). The second test SIGKILLs one worker mid-run: its leased jobs come back and the end state is
the same.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from bot.queue.redis_store import RedisJobStore
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator
from tests.ops.processes import WEBHOOK_SECRET, porchbot, serve, stop
from tests.reliability.support import RENDER_SUBJECT, REPO, git_env, package_files, register_repository

pytestmark = [pytest.mark.redis, pytest.mark.timeout(600)]

DRAFTS = 50
ROUNDS = 4  # the creating push and three edits: 200 pushes


@dataclass
class Fleet:
    emulator: Emulator
    store: RedisJobStore
    workers: list[subprocess.Popen[bytes]]
    last_person_commit: dict[str, str]
    root: Path


@contextmanager
def fleet(redis_url: str, root: Path) -> Iterator[Fleet]:
    emulator = start_emulator("github", root / "forge")
    try:
        for login, permission in (("dev", "write"), ("porchbot", "maintain")):
            emulator.add_user(login)
            emulator.grant(REPO, login, permission)
        config_dir = root / "config"
        config_dir.mkdir()
        (config_dir / "porchbot.yaml").write_text("render:\n  runtime: builtin\n")
        register_repository(emulator, config_dir, root)
        token = emulator.user("porchbot").token
        env = {**git_env(), "PORCHBOT_REDIS_URL": redis_url, "PORCHBOT_CONFIG_DIR": str(config_dir),
               "PORCHBOT_GITHUB_TOKEN": token, "DEPLOYMENTS_TOKEN": token, "PORCHBOT_BOT_LOGIN": "porchbot",
               "PORCHBOT_JOB_LEASE_SECONDS": "8", "PORCHBOT_SWEEP_SECONDS": "0.5"}
        # Each process has its own state directory (git caches), as on separate machines.
        workers = [porchbot(["worker", "--workers", "2"], {**env, "PORCHBOT_STATE_DIR": str(root / f"w{n}")},
                            root / f"worker{n}.log") for n in (1, 2)]
        try:
            with serve({**env, "PORCHBOT_STATE_DIR": str(root / "serve")}, root / "serve.log") as base:
                emulator.configure_webhook(f"{base}/webhooks/github", WEBHOOK_SECRET)
                yield Fleet(emulator, RedisJobStore(redis.Redis.from_url(redis_url)), workers, {}, root)
        finally:
            for proc in workers:
                stop(proc)
    finally:
        emulator.stop()


def _push_round(fleet: Fleet, round_number: int) -> None:
    for n in range(DRAFTS):
        name = f"app{n}"
        files = package_files(name, round_number)
        # The store's lock: the web editor's commit lands on the head it read, never over a bot commit.
        with fleet.emulator.store.lock:
            sha = fleet.emulator.commit_files(REPO, f"drafts/{name}/v1", files, "dev", f"edit {round_number}")
        fleet.last_person_commit[name] = sha


def _draft_done(fleet: Fleet, name: str) -> bool:
    head = fleet.emulator.branch_sha(REPO, f"drafts/{name}/v1")
    if head is None or head == fleet.last_person_commit[name]:
        return False
    parent, subject = fleet.emulator.git(REPO, "log", "-1", "--format=%P%x00%s", head).strip().split("\x00")
    if parent != fleet.last_person_commit[name] or subject != RENDER_SUBJECT:
        return False
    states = [s.state for s in fleet.emulator.statuses(REPO, head) if s.context == "porchbot/render"]
    return bool(states) and states[-1] == "success"


def _wait_all_rendered(fleet: Fleet, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = {f"app{n}" for n in range(DRAFTS)}
    while pending:
        pending = {name for name in pending if not _draft_done(fleet, name)}
        assert time.monotonic() < deadline, _explain(fleet, sorted(pending))
        time.sleep(0.5)


def _explain(fleet: Fleet, names: list[str]) -> str:
    lines = [f"not rendered in time: {names[:5]} jobs {fleet.store.counts()}"]
    for name in names[:3]:
        log = fleet.emulator.git(REPO, "log", "-6", "--format=%h %p %s", f"refs/heads/drafts/{name}/v1")
        head = fleet.emulator.branch_sha(REPO, f"drafts/{name}/v1") or ""
        states = [(s.context, s.state) for s in fleet.emulator.statuses(REPO, head)]
        lines.append(f"{name}: last person commit {fleet.last_person_commit[name][:7]}, statuses on head {states}")
        lines.append(log)
    # What went wrong, as the bot logged it (the temp dir may be gone by the time someone looks).
    for path in sorted(fleet.root.glob("*.log")):
        for line in path.read_text(errors="replace").splitlines():
            if '"level": "warning"' in line or '"level": "error"' in line:
                if any(name in line for name in names) or "failed" in line or "crashed" in line:
                    lines.append(f"{path.name}: {line[:400]}")
    return "\n".join(lines[:60])


def _wait_drained(fleet: Fleet, timeout: float) -> None:
    """Jobs of older pushes may still wait behind their draft's key: they find nothing left to do."""
    deadline = time.monotonic() + timeout
    while set(counts := fleet.store.counts()) - {"done", "failed"}:
        assert time.monotonic() < deadline, counts
        time.sleep(0.2)


def _check_render_commits(fleet: Fleet) -> None:
    for n in range(DRAFTS):
        log = fleet.emulator.git(REPO, "log", "--format=%H %P %s", f"refs/heads/drafts/app{n}/v1")
        render_parents = [line.split(" ")[1] for line in log.splitlines() if line.endswith(RENDER_SUBJECT)]
        assert len(render_parents) == len(set(render_parents)), f"app{n}: a head rendered twice\n{log}"
        final = fleet.last_person_commit[f"app{n}"]
        assert render_parents.count(final) == 1


def _pushes(fleet: Fleet) -> list[int | None]:
    return [d.status for d in fleet.emulator.deliveries if d.event == "push"]


def test_fifty_drafts_two_workers_on_redis(fresh_redis_url: str, tmp_path: Path) -> None:
    with fleet(fresh_redis_url, tmp_path) as world:
        for round_number in range(ROUNDS):
            _push_round(world, round_number)
        _wait_all_rendered(world, timeout=420)
        _wait_drained(world, timeout=120)
        _check_render_commits(world)
        statuses = _pushes(world)
        assert len(statuses) >= DRAFTS * ROUNDS and set(statuses) <= {200, 202}
        assert "failed" not in world.store.counts()


def test_fifty_drafts_with_a_worker_killed_mid_run(fresh_redis_url: str, tmp_path: Path) -> None:
    with fleet(fresh_redis_url, tmp_path) as world:
        for round_number in range(ROUNDS):
            _push_round(world, round_number)
        deadline = time.monotonic() + 120
        # Well into the run, with all four worker threads busy: the victim dies holding two leases.
        while (counts := world.store.counts()).get("done", 0) < 20 or counts.get("running", 0) < 4:
            assert time.monotonic() < deadline, counts
            time.sleep(0.02)
        victim = world.workers[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        _wait_all_rendered(world, timeout=420)
        _wait_drained(world, timeout=120)
        _check_render_commits(world)
        assert "failed" not in world.store.counts()
        assert _redone_jobs(fresh_redis_url) >= 1  # the victim's leased jobs came back and were done


def _redone_jobs(redis_url: str) -> int:
    client = redis.Redis.from_url(redis_url)
    redone = 0
    for key in client.scan_iter(match="{porchbot}:job:*"):
        attempts = client.hget(key, "attempts")
        status = client.hget(key, "status")
        assert status == b"done", (key, status)  # nothing lost, nothing left running
        redone += int(attempts or 0) > 1
    return redone
