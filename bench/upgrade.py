"""Whole ``porchbot pkg update`` of a generated 1,000-resource package, against ``kpt pkg update``.

The package holds 1,000 Deployments in 100 files; upstream v2 changes image and replicas of 10% of
them, the downstream changed replicas of another 10% (a third of them the same resources, so the same
field changed on both sides). ``update_s`` is the wall time of the whole command (process start, git
fetch, merge, write); ``update_kpt_s`` the same inputs through ``kpt pkg update`` (measured once: it
takes most of a minute), when kpt is on PATH; ``update_ratio`` = kpt / porchbot (goal >= 20).
Both outputs are compared byte for byte (``identical``). ``rpkg_upgrade_s``: the same upgrade as a whole
``porchbot rpkg upgrade`` in registered repositories, render included (goal <= 2.0; bench/upgrade_rpkg.py).
"""

from __future__ import annotations

import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import PROJECT_DIR, figures_parser, print_figures
from upgrade_rpkg import rpkg_upgrade_seconds

from tests.upgrade.world import build_world, edit_replicas, generated_package, pick, read_tree

RESOURCES, FILES = 1000, 100


def _world(tmp: Path):  # type: ignore[no-untyped-def]
    upstream_changed = pick(RESOURCES // 10, RESOURCES, seed=1)
    overlap = set(sorted(upstream_changed)[: RESOURCES // 30])
    downstream_edited = overlap | set(sorted(pick(RESOURCES // 5, RESOURCES, seed=2) - upstream_changed)
                                      [: RESOURCES // 10 - len(overlap)])
    return build_world(tmp, generated_package(RESOURCES, FILES), generated_package(RESOURCES, FILES, upstream_changed),
                       edit_replicas(downstream_edited))


def _run(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its children: git, and kpt's git)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed: {result.stderr.strip()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = figures_parser(__doc__ or "")
    parser.add_argument("--runs", type=int, default=3, help="porchbot runs (the median is reported)")
    parser.add_argument("--no-kpt", action="store_true", help="skip the kpt baseline")
    args = parser.parse_args()
    porchbot = str(Path(sys.executable).parent / "porchbot")
    with tempfile.TemporaryDirectory(prefix="bench-upgrade-") as scratch:
        tmp = Path(scratch)
        world = _world(tmp / "world")
        pristine = tmp / "pristine"
        shutil.copytree(world.downstream, pristine, symlinks=True)
        times, cpus = [], []
        for _ in range(max(1, args.runs)):
            shutil.rmtree(world.downstream)
            shutil.copytree(pristine, world.downstream, symlinks=True)
            wall, cpu = _run([porchbot, "pkg", "update", "pkg@v2"], world.downstream)
            times.append(wall)
            cpus.append(cpu)
        ours = read_tree(world.package)
        upstream_changed = pick(RESOURCES // 10, RESOURCES, seed=1)
        rpkg_s = rpkg_upgrade_seconds(tmp / "rpkg", generated_package(RESOURCES, FILES),
                                      generated_package(RESOURCES, FILES, upstream_changed),
                                      edit_replicas(pick(RESOURCES // 10, RESOURCES, seed=2)))
        figures: dict[str, object] = {"resources": RESOURCES, "files": FILES,
                                      "update_s": round(statistics.median(times), 3),
                                      "update_cpu_s": round(statistics.median(cpus), 3),
                                      "rpkg_upgrade_s": round(rpkg_s, 3)}
        kpt = shutil.which("kpt")
        if kpt and not args.no_kpt:
            shutil.rmtree(world.downstream)
            shutil.copytree(pristine, world.downstream, symlinks=True)
            cache = tmp / "kpt-cache"
            env_cmd = ["env", f"KPT_CACHE_DIR={cache}", kpt, "pkg", "update", "pkg@v2"]
            kpt_wall, kpt_cpu = _run(env_cmd, world.downstream)
            figures["update_kpt_s"] = round(kpt_wall, 3)
            figures["update_kpt_cpu_s"] = round(kpt_cpu, 3)
            figures["update_ratio"] = round(figures["update_kpt_s"] / figures["update_s"], 1)  # type: ignore[operator]
            figures["identical"] = read_tree(world.package) == ours
    print_figures(figures, args.json)


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_DIR))
    main()
