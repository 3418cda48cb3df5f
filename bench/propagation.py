"""Propagation fan-out (issue 12): one upstream publish reaching many downstream packages; on demand, not in CI.

    python bench/propagation.py [--json] [--downstreams 100] [--repositories 10] [--kills 20]

The emulated GitHub holds a blueprint repository (basens, tagged v1) and --repositories deployment
repositories with --downstreams packages between them, each a clone of basens v1 published as <pkg>/v1.
``porchbot serve --workers 0`` and two ``porchbot worker`` processes share one state directory (SQLite queue),
builtin functions. The tag basens/v2 is pushed; the release job fans out one job per downstream.
Figures: ``prs_opened`` (downstream packages with an open upgrade PR to basens/v2; must equal --downstreams),
``duplicate_prs`` (upgrade PRs beyond one per package), ``first_pr_s`` and ``last_pr_s`` (tag push to the
first / last PR). Then the same in a fresh world while a worker is SIGKILLed --kills times (the two take turns),
each time within --kill-interval seconds of it starting a propagation job, and restarted: ``kills``, ``prs_opened_with_kills``, ``duplicate_prs_with_kills``,
``last_pr_with_kills_s``; ``bot_cpu_s`` is the CPU the bot's processes used (renders included). Baseline, same run: ``forge_floor_s``, the time the emulated forge itself takes to
open as many PRs through PyGithub (what no bot can beat).
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from _common import figures_parser, print_figures

from bot.config.settings import Settings
from bot.forges.github import GitHubForge
from bot.lifecycle import repositories
from bot.lifecycle.repositories import Repository
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator
from tests.forge_emulator.store import identity
from tests.ops.processes import WEBHOOK_SECRET, porchbot, serve, stop

BLUEPRINTS = "acme/blueprints"
CONFIG = "render:\n  runtime: builtin\ndefaults:\n  approvers: [alice]\n"
UPSTREAM = {
    "basens/Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: basens\n  annotations:\n"
                      "    config.kubernetes.io/local-config: \"true\"\ninfo:\n  description: a namespace\n",
    "basens/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n",
}
DOWNSTREAM_KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: {name}
  annotations:
    config.kubernetes.io/local-config: "true"
upstream:
  type: git
  git:
    repo: {url}
    directory: /basens
    ref: basens/v1
  updateStrategy: resource-merge
upstreamLock:
  type: git
  git:
    repo: {url}
    directory: /basens
    ref: basens/v1
    commit: {commit}
info:
  description: a namespace
"""


@dataclass
class World:
    emulator: Emulator
    root: Path
    env: dict[str, str]
    deployments: list[str]
    packages: list[tuple[str, str]]  # (repository full name, package)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(self) -> subprocess.Popen[bytes]:
        proc = porchbot(["worker", "--workers", "2"], self.env, self.root / f"worker{len(self.workers)}.log")
        self.workers.append(proc)
        return proc


def _commit(emulator: Emulator, full_name: str, files: dict[str, str], message: str) -> str:
    store = emulator.store
    repo, owner = store.repo(full_name), store.users["owner"]
    parent = repo.bare.resolve("refs/heads/main")
    data = {name: text.encode() for name, text in files.items()}
    sha = repo.bare.make_commit(data, parent, message + "\n", identity(owner))
    store.set_ref(repo, "refs/heads/main", sha, owner)
    return sha


def _tag(emulator: Emulator, full_name: str, tag: str, sha: str) -> None:
    store = emulator.store
    store.create_ref(store.repo(full_name), f"refs/tags/{tag}", sha, store.users["owner"])


def build_world(root: Path, downstreams: int, repository_count: int) -> World:
    """The forge, the repositories (made while no webhook is sent) and the registry; no bot yet."""
    emulator = start_emulator("github", root / "forge")
    for login in ("porchbot", "alice"):
        emulator.add_user(login)
    emulator.create_repo(BLUEPRINTS, "owner", files={"README.md": "blueprints\n"})
    names = [f"acme/deploy-{index:02d}" for index in range(repository_count)]
    for name in names:
        emulator.create_repo(name, "owner", files={"README.md": "deployments\n"})
    for name in [BLUEPRINTS, *names]:
        emulator.grant(name, "porchbot", "maintain")
        emulator.grant(name, "alice", "write")
    v1 = _commit(emulator, BLUEPRINTS, UPSTREAM, "basens v1")
    _tag(emulator, BLUEPRINTS, "basens/v1", v1)
    url = emulator.clone_url(BLUEPRINTS)
    packages = [(names[index % repository_count], f"ns-{index:03d}") for index in range(downstreams)]
    for name in names:
        mine = [package for repo, package in packages if repo == name]
        files: dict[str, str] = {}
        for package in mine:
            files[f"{package}/Kptfile"] = DOWNSTREAM_KPTFILE.format(name=package, url=url, commit=v1)
            files[f"{package}/namespace.yaml"] = UPSTREAM["basens/namespace.yaml"]
        head = _commit(emulator, name, files, "clones of basens v1")
        for package in mine:
            _tag(emulator, name, f"{package}/v1", head)
    config_dir, state_dir = root / "config", root / "state"
    config_dir.mkdir()
    (config_dir / "porchbot.yaml").write_text(CONFIG)
    settings = Settings(config_dir=config_dir, state_dir=root / "cli")
    token_env = {"DEPLOYMENTS_TOKEN": emulator.user("porchbot").token}
    repositories.register(settings, Repository(name="blueprints", url=url, forge="github", auth="token",
                                               token_env="DEPLOYMENTS_TOKEN"))
    for name in names:
        repositories.register(settings, Repository(name=name.split("/")[1], url=emulator.clone_url(name),
                                                   deployment=True, forge="github", auth="token",
                                                   token_env="DEPLOYMENTS_TOKEN"))
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PORCHBOT_CONFIG_DIR": str(config_dir),
           "PORCHBOT_STATE_DIR": str(state_dir), "PORCHBOT_GITHUB_TOKEN": token_env["DEPLOYMENTS_TOKEN"],
           "PORCHBOT_BOT_LOGIN": "porchbot", "PORCHBOT_JOB_LEASE_SECONDS": "6", "PORCHBOT_SWEEP_SECONDS": "0.5",
           **token_env}
    return World(emulator, root, env, names, packages)


def upgrade_pulls(world: World, number: int) -> tuple[dict[tuple[str, str], float], int]:
    """Each package's first upgrade PR to basens/v<number> (when the bench first saw it), and the extra PRs."""
    per_package: Counter[tuple[str, str]] = Counter()
    for (repo, _), pull in list(world.emulator.store.pulls.items()):
        if repo in world.deployments and pull.head_branch.endswith(f"/upgrade-to-v{number}") and pull.head_branch.startswith("drafts/"):
            per_package[(repo, pull.head_branch.split("/")[1])] += 1
    return {key: 0.0 for key in per_package}, sum(count - 1 for count in per_package.values())


def forge_floor(world: World, count: int) -> float:
    """Opening ``count`` PRs on the emulated forge through PyGithub, branches made in-process first."""
    name = "acme/floor"
    world.emulator.create_repo(name, "owner", files={"README.md": "floor\n"})
    world.emulator.grant(name, "porchbot", "maintain")
    for index in range(count):
        world.emulator.commit_files(name, f"drafts/p{index}/upgrade-to-v2", {f"p{index}/x": "1\n"}, "owner", "x")
    forge = GitHubForge.with_token(name, world.emulator.user("porchbot").token, base_url=world.emulator.api_url)
    started = time.monotonic()
    for index in range(count):
        forge.open_pull_request(f"drafts/p{index}/upgrade-to-v2", "main", f"p{index}", "", draft=True)
    return time.monotonic() - started


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def publish_and_watch(world: World, timeout: float, kills: int = 0, kill_interval: float = 1.0,
                      ) -> dict[str, float | int]:
    """Push basens/v2 (the forge sends the webhook) and watch the PRs arrive; SIGKILL a worker ``kills``
    times meanwhile, restarting it each time."""
    v2 = _commit(world.emulator, BLUEPRINTS, {"basens/namespace.yaml": UPSTREAM["basens/namespace.yaml"].replace(
        "metadata:\n", "metadata:\n  annotations:\n    release: v2\n")}, "basens v2")
    started = time.monotonic()
    _tag(world.emulator, BLUEPRINTS, "basens/v2", v2)
    seen: dict[tuple[str, str], float] = {}
    done_kills, kill_at = 0, None
    # The two worker slots take turns being the victim: each kill lands inside a job, within
    # --kill-interval of the victim starting a propagation (a worker killed while still starting would
    # lose nothing), and the killed worker is started again at once.
    slots = [len(world.workers) - 2, len(world.workers) - 1]
    while time.monotonic() - started < timeout:
        found, _ = upgrade_pulls(world, 2)
        now = time.monotonic()
        for key in found:
            seen.setdefault(key, now - started)
        if len(seen) >= len(world.packages):
            break
        victim = slots[done_kills % 2]
        if done_kills < kills and kill_at is None and "propagation started" in _text(
                world.root / f"worker{victim}.log"):
            kill_at = now + random.uniform(0.0, kill_interval)
        if kill_at is not None and now >= kill_at:
            world.workers[victim].send_signal(signal.SIGKILL)
            world.workers[victim].wait()
            world.start_worker()
            slots[done_kills % 2] = len(world.workers) - 1
            done_kills, kill_at = done_kills + 1, None
        time.sleep(0.1)
    time.sleep(3)  # a late duplicate would show now
    _, duplicates = upgrade_pulls(world, 2)
    times = sorted(seen.values())
    return {"prs_opened": len(seen), "duplicate_prs": duplicates, "kills": done_kills,
            "first_pr_s": round(times[0], 2) if times else -1.0, "last_pr_s": round(times[-1], 2) if times else -1.0}


def run(root: Path, downstreams: int, repository_count: int, timeout: float, kills: int = 0,
        kill_interval: float = 1.0, floor: bool = False) -> dict[str, float | int]:
    world = build_world(root, downstreams, repository_count)
    try:
        figures: dict[str, float | int] = {}
        if floor:
            figures["forge_floor_s"] = round(forge_floor(world, downstreams), 2)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with serve(world.env, root / "serve.log", workers=0) as url:
            world.emulator.configure_webhook(f"{url}/webhooks/github", WEBHOOK_SECRET)
            world.start_worker()
            world.start_worker()
            time.sleep(2)  # both workers consuming before the release
            try:
                figures.update(publish_and_watch(world, timeout, kills, kill_interval))
            finally:
                for proc in world.workers:
                    stop(proc, timeout=15)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU of serve, the workers and their git processes until the bot stopped (renders included).
        figures["bot_cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2)
        return figures
    finally:
        world.emulator.stop()


def main() -> None:
    parser = figures_parser(__doc__ or "")
    parser.add_argument("--downstreams", type=int, default=100)
    parser.add_argument("--repositories", type=int, default=10)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--kill-interval", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--keep", default="", help="run in this (new) directory and keep it")
    args = parser.parse_args()
    os.environ.setdefault("GIT_CONFIG_GLOBAL", "/dev/null")
    with tempfile.TemporaryDirectory(prefix="porchbot-bench-propagation-") as scratch:
        where = Path(args.keep or scratch)  # --keep: the logs and the forge stay for a look afterwards
        plain = run(where / "plain", args.downstreams, args.repositories, args.timeout, floor=True)
        killed = run(where / "kills", args.downstreams, args.repositories, args.timeout, args.kills,
                     args.kill_interval) if args.kills >= 0 else {"prs_opened": -1, "duplicate_prs": -1,
                                                                   "kills": 0, "last_pr_s": -1,
                                                                   "bot_cpu_s": -1}
    print_figures({
        "downstreams": args.downstreams, "repositories": args.repositories,
        "prs_opened": plain["prs_opened"], "duplicate_prs": plain["duplicate_prs"],
        "first_pr_s": plain["first_pr_s"], "last_pr_s": plain["last_pr_s"],
        "forge_floor_s": plain["forge_floor_s"], "bot_cpu_s": plain["bot_cpu_s"],
        "kills": killed["kills"], "prs_opened_with_kills": killed["prs_opened"],
        "duplicate_prs_with_kills": killed["duplicate_prs"], "last_pr_with_kills_s": killed["last_pr_s"],
        "bot_cpu_with_kills_s": killed["bot_cpu_s"],
    }, args.json)


if __name__ == "__main__":
    main()
