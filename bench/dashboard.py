"""Dashboard speed: the package list of a repository with 1,000 packages, and a diff of a 100-file package.

    python bench/dashboard.py [--json] [--packages N] [--files N]

Served in-process by FastAPI's TestClient over a real app (its refresher fetched the repositories at
start). Prints package_list_ms (GET /repositories/<repo>, warm: the median of 10; goal <= 100) and its CPU
milliseconds (process and children, less sensitive to the neighbours) with its baseline read_api_list_ms (GET /api/v1/packagerevisions of the same repository, which reads git on every
request), revision_diff_ms (two revisions of a package of N files, 10% of them changed; first request
cold_ms, then the warm median) with its baseline git_diff_ms (`git diff --stat` of the same two tags, the
floor), and the 1-minute load average: the machine is shared.
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
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from discovery import build_remote, cli  # noqa: E402

from bot.config.settings import Settings  # noqa: E402
from bot.lifecycle import naming  # noqa: E402

RESOURCE = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: file-{index}\ndata:\n  value: \"{value}\"\n"
KPTFILE = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: big\ninfo:\n  description: bench\n"


def _data(text: str) -> str:
    return f"data {len(text.encode())}\n{text}\n"


def build_big_package(remote: Path, files: int) -> None:
    """One package ``big`` of ``files`` files published as v1 and v2 (every tenth file changed)."""
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    stream = []
    for mark, version in ((1, 1), (2, 2)):
        stream.append(f"commit refs/heads/main\nmark :{mark}\ncommitter Bench <bench@example.com> 170000000{mark} "
                      f"+0000\n" + _data(f"Approving package revision big/v{version}"))
        if mark == 2:
            stream.append("from :1\n")
        stream.append("M 644 inline big/Kptfile\n" + _data(KPTFILE))
        for index in range(files - 1):
            value = f"v{version}" if index % 10 == 0 else "same"
            stream.append(f"M 644 inline big/file-{index:03d}.yaml\n" + _data(RESOURCE.format(index=index,
                                                                                              value=value)))
        stream.append(f"reset refs/tags/big/v{version}\nfrom :{mark}\n\n")
    subprocess.run(["git", f"--git-dir={remote}", "fast-import", "--quiet"], input="".join(stream).encode(),
                   check=True)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_ms(action: object, runs: int = 10, cpu: list[float] | None = None) -> float:
    """Median wall milliseconds of ``runs`` calls; with ``cpu``, the median CPU milliseconds (this process and
    its children: less sensitive to the neighbours on a shared machine) is appended to it."""
    times, cpu_times = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
        cpu_times.append((_cpu() - start_cpu) * 1000)
    if cpu is not None:
        cpu.append(round(statistics.median(cpu_times), 2))
    return round(statistics.median(times), 2)


def run(packages: int, files: int) -> dict[str, float | int]:
    from fastapi.testclient import TestClient

    from bot.queue.jobqueue import Queue
    from bot.web.app import create_app

    with tempfile.TemporaryDirectory(prefix="porchbot-bench-dashboard-") as scratch:
        root = Path(scratch)
        build_remote(root / "bench.git", packages, 10, 100)
        build_big_package(root / "big.git", files)
        env = {**os.environ, "PORCHBOT_CONFIG_DIR": str(root / "config"), "PORCHBOT_STATE_DIR": str(root / "state")}
        os.environ.update(env)
        cli(env, "repo", "register", str(root / "bench.git"), "--name", "bench")
        cli(env, "repo", "register", str(root / "big.git"), "--name", "big")
        settings = Settings(state_dir=root / "state", config_dir=root / "config", dashboard_refresh_seconds=3600.0)
        app = create_app(settings, Queue(settings))
        with TestClient(app) as client:
            deadline = time.monotonic() + 300
            while "bench" not in client.get("/").text and time.monotonic() < deadline:
                time.sleep(0.2)  # the refresher's first fetch
            page = client.get("/repositories/bench")
            assert page.status_code == 200 and f"{packages} packages" in page.text, page.text[:500]
            cpu: list[float] = []
            package_list_ms = median_ms(lambda: client.get("/repositories/bench"), cpu=cpu)
            read_api_ms = median_ms(lambda: client.get("/api/v1/packagerevisions?repository=bench"), runs=5)
            v1, v2 = (naming.revision_name("big", "big", f"v{n}") for n in (1, 2))
            start = time.perf_counter()
            diff = client.get(f"/revisions/{v2}/diff?against={v1}")
            cold_ms = (time.perf_counter() - start) * 1000
            changed = (files - 1 + 9) // 10
            assert diff.status_code == 200 and f"{changed} files changed" in diff.text, diff.text[:500]
            revision_diff_ms = median_ms(lambda: client.get(f"/revisions/{v2}/diff?against={v1}"), cpu=cpu)
            git_diff_ms = median_ms(lambda: subprocess.run(
                ["git", f"--git-dir={root / 'big.git'}", "diff", "--stat", "big/v1", "big/v2"], check=True,
                capture_output=True))
    return {"packages": packages, "files": files,
            "package_list_ms": package_list_ms, "package_list_cpu_ms": cpu[0], "package_list_goal_ms": 100,
            "read_api_list_ms": read_api_ms,
            "revision_diff_ms": revision_diff_ms, "revision_diff_cpu_ms": cpu[1],
            "revision_diff_cold_ms": round(cold_ms, 2),
            "git_diff_ms": git_diff_ms,
            "load_avg_1m": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--packages", type=int, default=1000)
    parser.add_argument("--files", type=int, default=100)
    args = parser.parse_args()
    figures = run(args.packages, args.files)
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>24}  {value}")


if __name__ == "__main__":
    main()
