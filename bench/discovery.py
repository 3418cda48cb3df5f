"""Discovery and approval at scale: 1,000 packages x 10 published revisions + 100 drafts.

    python bench/discovery.py [--json] [--packages N] [--revisions N] [--drafts N]

Prints list_cold_s (the first listing after a fetch brought a change: one new draft branch, the cache's
packed-refs rewritten as fetch rewrites it; no listing stored for these refs, the previous one kept, as it
is after every fetch), list_first_s (the first listing of the repository: nothing stored at all),
list_warm_s (same refs again), git_floor_s (`git for-each-ref` over the same refs: the floor, measured in
the same run),
approve_s (`porchbot rpkg propose` + `porchbot rpkg approve` of one draft, whole commands) beside
approve_git_floor_s (two plain `git push` of one ref from the same cache to the same remote: what the
remote's receive-pack costs at this many refs, which no client can avoid) and, for
context, the whole `porchbot rpkg get` command on a warm cache. Each figure also comes as CPU seconds
(process + children) and with the 1-minute load average: the machine is shared, and wall time there
says as much about the neighbours as about this code.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bot.config.settings import current_settings  # noqa: E402
from bot.lifecycle import naming  # noqa: E402
from bot.lifecycle.engine import Engine  # noqa: E402

KPTFILE = ("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n  annotations:\n"
           "    config.kubernetes.io/local-config: \"true\"\ninfo:\n  description: bench\n")
RESOURCE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  revision: \"{revision}\"\n"


def _blob(lines: list[str], text: str) -> None:
    data = text.encode()
    lines.append(f"data {len(data)}\n{text}\n")


def build_remote(remote: Path, packages: int, revisions: int, drafts: int) -> None:
    """A bare repository written in one `git fast-import` stream (so building it takes seconds)."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    stream: list[str] = []
    stamp = "1700000000 +0000"
    names = [f"pkg-{index:04d}" for index in range(packages)]
    stream.append(f"commit refs/heads/main\nmark :1\ncommitter Bench <bench@example.com> {stamp}\n")
    _blob(stream, "bench packages")
    for name in names:
        stream.append(f"M 644 inline {name}/Kptfile\n")
        _blob(stream, KPTFILE.format(name=name))
        stream.append(f"M 644 inline {name}/configmap.yaml\n")
        _blob(stream, RESOURCE.format(name=name, revision=0))
    for name in names:
        for revision in range(1, revisions + 1):
            stream.append(f"reset refs/tags/{name}/v{revision}\nfrom :1\n\n")
    for index in range(drafts):
        name = names[index % packages]
        workspace = f"v{revisions + 1}"
        stream.append(f"commit refs/heads/drafts/{name}/{workspace}\ncommitter Bench <bench@example.com> {stamp}\n")
        _blob(stream, "Creating new revision by copying previous revision")
        stream.append(f"from :1\nM 644 inline {name}/configmap.yaml\n")
        _blob(stream, RESOURCE.format(name=name, revision=workspace))
    subprocess.run(["git", f"--git-dir={remote}", "fast-import", "--quiet"], input="".join(stream).encode(),
                   check=True)
    subprocess.run(["git", f"--git-dir={remote}", "pack-refs", "--all"], check=True)


def timed(action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """CPU time of this process and its finished children: less sensitive than wall time to the other
    jobs on a shared machine, so both are reported."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def cpu_timed(action: object) -> tuple[float, float]:
    start_wall, start_cpu = time.perf_counter(), cpu_seconds()
    action()  # type: ignore[operator]
    return time.perf_counter() - start_wall, cpu_seconds() - start_cpu


def cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, cwd=PROJECT_DIR, check=True,
                   capture_output=True)


def run(packages: int, revisions: int, drafts: int) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory(prefix="porchbot-bench-") as scratch:
        root = Path(scratch)
        remote = root / "bench.git"
        build_started = time.perf_counter()
        build_remote(remote, packages, revisions, drafts)
        build_s = time.perf_counter() - build_started
        env = {**os.environ, "PORCHBOT_CONFIG_DIR": str(root / "config"),
               "PORCHBOT_STATE_DIR": str(root / "state")}
        os.environ.update(env)
        cli(env, "repo", "register", str(remote), "--name", "bench")
        engine = Engine(current_settings())
        cache = engine.cache("bench")
        fetch_s = timed(cache.fetch)
        first_s, first_cpu_s = cpu_timed(lambda: engine.revisions("bench", fetch=False))
        git_dir = f"--git-dir={cache.git_dir}"
        main = subprocess.run(["git", git_dir, "rev-parse", "refs/heads/main"], capture_output=True, text=True,
                              check=True).stdout.strip()

        cold_runs: list[tuple[float, float]] = []
        warm_runs: list[tuple[float, float]] = []
        floor_runs: list[tuple[float, float]] = []
        listed = 0
        for run_index in range(5):
            # What a fetch that brought one new draft leaves: the ref, and packed-refs written again.
            subprocess.run(["git", git_dir, "update-ref", f"refs/heads/drafts/pkg-{run_index:04d}/bench-{run_index}",
                            main], check=True)
            subprocess.run(["git", git_dir, "pack-refs", "--all", "--prune"], check=True)
            cold_runs.append(cpu_timed(lambda: engine.revisions("bench", fetch=False)))
            warm_runs.append(cpu_timed(lambda: engine.revisions("bench", fetch=False)))
            floor_runs.append(cpu_timed(lambda: subprocess.run(
                ["git", f"--git-dir={cache.git_dir}", "for-each-ref", "--format=%(objectname) %(refname)",
                 "refs/heads", "refs/tags"], check=True, capture_output=True)))
            listed = len(engine.revisions("bench", fetch=False))
        cli_get_s = timed(lambda: cli(env, "rpkg", "get"))

        draft = naming.revision_name("bench", "pkg-0000", f"v{revisions + 1}")
        # git's own cost of the same round trips: two pushes (a ref made, then moved and one deleted) from the
        # same cache to the same remote, as propose and approve each make one atomic push.
        head = subprocess.run(["git", f"--git-dir={cache.git_dir}", "rev-parse", "refs/heads/main"],
                              capture_output=True, text=True, check=True).stdout.strip()

        def plain_pushes() -> None:
            for refspec in (f"{head}:refs/heads/bench-floor", ":refs/heads/bench-floor"):
                subprocess.run(["git", f"--git-dir={cache.git_dir}", "push", "--atomic", "-q", str(remote), refspec],
                               check=True, capture_output=True)

        push_floor_s = statistics.median(timed(plain_pushes) for _ in range(3))
        approve_s, approve_cpu_s = cpu_timed(
            lambda: (cli(env, "rpkg", "propose", draft), cli(env, "rpkg", "approve", draft)))
    return {
        "packages": packages, "published_per_package": revisions, "drafts": drafts, "revisions_listed": listed,
        "build_s": round(build_s, 3), "fetch_s": round(fetch_s, 3),
        "list_first_s": round(first_s, 3), "list_first_cpu_s": round(first_cpu_s, 3),
        "list_cold_s": round(statistics.median(wall for wall, _ in cold_runs), 4),
        "list_warm_s": round(statistics.median(wall for wall, _ in warm_runs), 4),
        "git_floor_s": round(statistics.median(wall for wall, _ in floor_runs), 4),
        "list_cold_cpu_s": round(statistics.median(cpu for _, cpu in cold_runs), 4),
        "list_warm_cpu_s": round(statistics.median(cpu for _, cpu in warm_runs), 4),
        "git_floor_cpu_s": round(statistics.median(cpu for _, cpu in floor_runs), 4),
        "cli_rpkg_get_warm_s": round(cli_get_s, 3),
        "approve_s": round(approve_s, 3),
        "approve_cpu_s": round(approve_cpu_s, 3),
        "approve_git_floor_s": round(push_floor_s, 3),  # two plain `git push` to the same remote
        "approve_ratio_to_git": round(approve_s / push_floor_s, 2) if push_floor_s else None,
        "load_avg_1m": round(os.getloadavg()[0], 2),  # the machine is shared: read figures with this
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--revisions", type=int, default=10)
    parser.add_argument("--drafts", type=int, default=100)
    args = parser.parse_args()
    figures = run(args.packages, args.revisions, args.drafts)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>24}  {value}")


if __name__ == "__main__":
    main()
