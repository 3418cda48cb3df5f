"""Render speed: builtin vs docker vs kpt, on the kpt-samples basens/ghost packages and a large package.

Usage: python bench/render.py [--json] [--runs N] [--quick]

Every figure is a median over --runs samples measured in this one run, so ratios compare like with like
on the same (noisy) machine. Each wall-clock figure has a ``*_cpu`` twin (CPU seconds of this process for
library renders, of the child and its children for whole commands), which a loaded shared machine
distorts far less. Byte-code for ``bot`` is compiled first, as an install does (pip compiles on install):
an editable checkout under PYTHONDONTWRITEBYTECODE would otherwise recompile every module at each start. Needs ../shared/fixtures/kpt-samples (the basens/ghost packages); kpt and
Docker figures are left out (null) when kpt or the engine/images are not available.
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from yaml_roundtrip import generate  # noqa: E402

from bot.render.render_package import render_package  # noqa: E402
from bot.render.render_types import RenderOptions  # noqa: E402
from bot.render.runtimes.base import RuntimeOptions  # noqa: E402

BUNDLE = ROOT.parent / "shared" / "fixtures" / "kpt-samples" / "kpt-samples.bundle"
PORCHBOT = Path(sys.executable).parent / "porchbot"

SET_LABELS_STEP = """    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:latest
      configMap:
        color: orange
        fruit: apple
"""

LARGE_PIPELINE = """pipeline:
  mutators:
    - image: ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest
      configMap:
        namespace: bench
    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:latest
      configMap:
        team: platform
    - image: ghcr.io/kptdev/krm-functions-catalog/set-annotations:latest
      configMap:
        owner: bench
"""

# All ten catalog functions of the builtin set, each with a config that does real work on ghost.
# ghost holds three `kptfile.kpt.dev` package-context ConfigMaps (root and subpackages); kustomize-based
# functions refuse duplicate ids, exactly as their images do, so those steps exclude them.
CATALOG_PIPELINE = """pipeline:
  mutators:
    - image: ghcr.io/kptdev/krm-functions-catalog/set-namespace:latest
      configMap:
        namespace: ghost-prod
    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:latest
      configMap:
        env: prod
    - image: ghcr.io/kptdev/krm-functions-catalog/set-annotations:latest
      configMap:
        owner: blog-team
      exclude:
        - kind: ConfigMap
          name: kptfile.kpt.dev
    - image: ghcr.io/kptdev/krm-functions-catalog/search-replace:latest
      configMap:
        by-path: spec.replicas
        put-value: "2"
    - image: gcr.io/kpt-fn/set-image:unstable
      configMap:
        name: docker.io/bitnami/ghost
        newTag: 5.0.0
    - image: gcr.io/kpt-fn/apply-setters:v0.2.0
      configMap:
        app: ghost
    - image: ghcr.io/kptdev/krm-functions-catalog/upsert-resource:latest
      configPath: bench-upsert.yaml
    - image: ghcr.io/kptdev/krm-functions-catalog/apply-replacements:latest
      configPath: bench-replacements.yaml
    - image: ghcr.io/kptdev/krm-functions-catalog/starlark:latest
      configPath: bench-starlark.yaml
    - image: gcr.io/kpt-fn/ensure-name-substring:v0.2.0
      configMap:
        prepend: prod-
      exclude:
        - kind: ConfigMap
          name: kptfile.kpt.dev
"""

CATALOG_CONFIGS = {
    "bench-upsert.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: bench-extra
  annotations:
    config.kubernetes.io/local-config: "true"
data:
  note: upserted
""",
    "bench-replacements.yaml": """apiVersion: fn.kpt.dev/v1alpha1
kind: ApplyReplacements
metadata:
  name: bench-replacements
  annotations:
    config.kubernetes.io/local-config: "true"
replacements:
  - source:
      kind: ConfigMap
      name: bench-extra
      fieldPath: data.note
    targets:
      - select:
          kind: ConfigMap
          name: bench-extra
        fieldPaths:
          - metadata.annotations.note
        options:
          create: true
""",
    "bench-starlark.yaml": """apiVersion: fn.kpt.dev/v1alpha1
kind: StarlarkRun
metadata:
  name: bench-starlark
  annotations:
    config.kubernetes.io/local-config: "true"
source: |
  for resource in ctx.resource_list["items"]:
    resource["metadata"].setdefault("annotations", {})["bench/seen"] = "yes"
""",
}


CPU: dict[str, float] = {}  # figure name -> median CPU seconds, filled beside each wall-clock median


def _cpu_now(children: bool) -> float:
    if children:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime
    return time.process_time()


def median_seconds(action: Callable[[], object], runs: int, warmup: int = 1, cpu_key: str = "",
                   children: bool = False) -> float:
    """The median wall time of ``action``; with ``cpu_key``, also its median CPU time into CPU."""
    for _ in range(warmup):
        action()
    samples = []
    cpu_samples = []
    for _ in range(runs):
        cpu_start = _cpu_now(children)
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
        cpu_samples.append(_cpu_now(children) - cpu_start)
    if cpu_key:
        CPU[cpu_key] = statistics.median(cpu_samples)
    return statistics.median(samples)


def fresh_copy(source: Path, scratch: Path) -> Path:
    target = Path(tempfile.mkdtemp(dir=scratch)) / source.name
    shutil.copytree(source, target)
    return target


def library_render(source: Path, scratch: Path, runtime: str) -> Callable[[], object]:
    options = RenderOptions(runtime=runtime, runtime_options=RuntimeOptions(image_pull_policy="never"))

    def action() -> object:
        outcome = render_package(fresh_copy(source, scratch), options, io.StringIO())
        if outcome.exit_code != 0:
            raise SystemExit(f"render of {source.name} on {runtime} failed: {outcome.error_message}")
        return outcome

    return action


def command_render(argv_prefix: list[str], source: Path, scratch: Path) -> Callable[[], object]:
    def action() -> object:
        package = fresh_copy(source, scratch)
        done = subprocess.run([*argv_prefix, str(package)], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{argv_prefix[0]} failed on {source.name}: {done.stderr[-500:]}")
        return done

    return action


def docker_usable() -> bool:
    try:
        import docker

        client = docker.from_env()
        client.ping()
        client.images.get("ghcr.io/kptdev/krm-functions-catalog/set-labels:latest")
        return True
    except Exception:
        return False


def with_identity_exec_pipeline(source: Path, scratch: Path, steps: int) -> Path:
    """The same package with its pipeline replaced by identity exec functions (kpt needs no image)."""
    target = fresh_copy(source, scratch)
    kptfile = target / "Kptfile"
    text = kptfile.read_text().split("pipeline:")[0]
    identity = shutil.which("cat") or "/bin/cat"
    kptfile.write_text(text + "pipeline:\n  mutators:\n" + f"    - exec: {identity}\n" * steps)
    return target


def basens_package(scratch: Path) -> Path:
    checkout = scratch / "kpt-samples"
    subprocess.run(["git", "clone", "-q", str(BUNDLE), str(checkout)], check=True)
    package = checkout / "basens"
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text() + SET_LABELS_STEP)
    return package


def ghost_catalog_package(scratch: Path) -> Path:
    package = scratch / "kpt-samples" / "ghost"
    kptfile = package / "Kptfile"
    kptfile.write_text(kptfile.read_text().split("pipeline:")[0] + CATALOG_PIPELINE)
    for name, text in CATALOG_CONFIGS.items():
        (package / name).write_text(text)
    # The subpackages pin starlark:v0.4.3, a tag no builtin reproduces; v0.5.0 keeps the run builtin-only.
    for sub in package.rglob("Kptfile"):
        sub.write_text(sub.read_text().replace("starlark:v0.4.3", "starlark:v0.5.0"))
    return package


def large_package(scratch: Path) -> Path:
    package = scratch / "large"
    package.mkdir()
    (package / "Kptfile").write_text("apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: large\n"
                                     "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n"
                                     + LARGE_PIPELINE)
    for index, text in enumerate(generate()):
        (package / f"resources-{index:03d}.yaml").write_text(text)
    return package


def naive_roundtrip(package: Path) -> Callable[[], object]:
    from ruamel.yaml import YAML

    files = sorted(package.glob("resources-*.yaml"))

    def action() -> object:
        yaml = YAML()
        for path in files:
            out = io.StringIO()
            yaml.dump_all(list(yaml.load_all(path.read_text())), out)
        return None

    return action


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="fewer samples for slow figures")
    args = parser.parse_args()
    if not BUNDLE.exists():
        raise SystemExit(f"needs the kpt-samples bundle at {BUNDLE}")
    slow_runs = 3 if args.quick else 5
    compileall.compile_dir(str(ROOT / "bot"), quiet=1)
    kpt = shutil.which("kpt")
    docker_ok = docker_usable()
    figures: dict[str, float | None] = {}
    with tempfile.TemporaryDirectory(prefix="porchbot-bench-") as tmp:
        scratch = Path(tmp)
        basens = basens_package(scratch)
        figures["basens_builtin_ms"] = median_seconds(library_render(basens, scratch, "builtin"), args.runs,
                                                       cpu_key="basens_builtin_ms") * 1e3
        figures["basens_docker_ms"] = (median_seconds(library_render(basens, scratch, "docker"), slow_runs) * 1e3
                                       if docker_ok else None)
        figures["basens_cli_ms"] = median_seconds(
            command_render([str(PORCHBOT), "fn", "render", "--runtime", "builtin"], basens, scratch),
            slow_runs, cpu_key="basens_cli_ms", children=True) * 1e3
        if kpt:
            exec_basens = with_identity_exec_pipeline(basens, scratch, 3)
            figures["basens_kpt_exec_ms"] = median_seconds(
                command_render([kpt, "fn", "render", "--allow-exec"], exec_basens, scratch), slow_runs,
                cpu_key="basens_kpt_exec_ms", children=True) * 1e3
        else:
            figures["basens_kpt_exec_ms"] = None

        large = large_package(scratch)
        figures["large_builtin_s"] = median_seconds(library_render(large, scratch, "builtin"), slow_runs,
                                                    cpu_key="large_builtin_s")
        figures["large_naive_s"] = median_seconds(naive_roundtrip(large), 1 if args.quick else 3, warmup=0,
                                                  cpu_key="large_naive_s")
        if kpt:
            exec_large = with_identity_exec_pipeline(large, scratch, 3)
            figures["large_kpt_s"] = median_seconds(
                command_render([kpt, "fn", "render", "--allow-exec"], exec_large, scratch), 1 if args.quick else 3,
                warmup=0, cpu_key="large_kpt_s", children=True)
        else:
            figures["large_kpt_s"] = None

        ghost = ghost_catalog_package(scratch)
        figures["catalog_builtin_ms"] = median_seconds(library_render(ghost, scratch, "builtin"), args.runs,
                                                        cpu_key="catalog_builtin_ms") * 1e3
        figures["catalog_docker_ms"] = (median_seconds(library_render(ghost, scratch, "docker"), 3, warmup=0) * 1e3
                                        if docker_ok else None)

    def ratio(slow: str, fast: str) -> float | None:
        a, b = figures.get(slow), figures.get(fast)
        return round(a / b, 1) if a and b else None

    figures["basens_ratio"] = ratio("basens_docker_ms", "basens_builtin_ms")
    figures["catalog_ratio"] = ratio("catalog_docker_ms", "catalog_builtin_ms")
    figures["large_vs_kpt_ratio"] = ratio("large_kpt_s", "large_builtin_s")
    figures["large_vs_naive_ratio"] = ratio("large_naive_s", "large_builtin_s")
    figures["cli_vs_kpt_ratio"] = ratio("basens_kpt_exec_ms", "basens_cli_ms")
    for key, cpu_seconds in CPU.items():
        figures[f"{key}_cpu"] = cpu_seconds * 1e3 if key.endswith("_ms") else cpu_seconds
    figures["cli_vs_kpt_cpu_ratio"] = ratio("basens_kpt_exec_ms_cpu", "basens_cli_ms_cpu")
    figures["load_avg_1m"] = os.getloadavg()[0]  # the machine is shared: read the wall figures with this
    rounded = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in figures.items()}
    if args.json:
        print(json.dumps(rounded))
    else:
        for key, value in rounded.items():
            print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
