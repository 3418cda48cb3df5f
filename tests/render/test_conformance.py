"""kpt's own fn render e2e cases (../shared/conformance/render) through the shared runner.

Runs the cases that use only the builtin set (plus exec functions) with ``--runs 2`` so a second
render must change nothing; the docker-runtime variant needs the engine and the local images.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path

FUNCTIONS = "set-namespace,set-labels,set-annotations,apply-replacements"
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")


def run_conformance(runtime: str, suite: str = "render", env_extra: dict[str, str] | None = None
                    ) -> tuple[int, int, str]:
    runner = shared_path("conformance", "render", "run.py")
    porchbot = Path(sys.executable).parent / "porchbot"
    if not porchbot.exists():
        found = shutil.which("porchbot")
        if found is None:
            pytest.skip("porchbot console script not installed")
        porchbot = Path(found)
    env = dict(os.environ, PATH=f"{porchbot.parent}{os.pathsep}{os.environ.get('PATH', '')}", **(env_extra or {}))
    extra = " --image-pull-policy never" if runtime == "docker" else ""
    command = [sys.executable, str(runner), "--suite", suite, "--runs", "2", "-j", "2",
               "--cmd", f"porchbot fn render {{pkg}} --runtime {runtime}{extra}", "--functions", FUNCTIONS,
               "--eval-cmd",
               f"porchbot fn eval {{pkg}} --runtime {runtime}{extra} --image {{image}} {{fnconfig}} -- {{args}}"]
    result = subprocess.run(command, cwd=runner.parent, capture_output=True, text=True, env=env,
                            timeout=1800, check=False)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    match = SUMMARY.match(last)
    assert match is not None, f"runner gave no summary:\n{result.stdout}\n{result.stderr}"
    return int(match.group(1)), int(match.group(2)), result.stdout


def test_render_conformance_builtin() -> None:
    passed, failed, output = run_conformance("builtin")
    failures = [line for line in output.splitlines() if line.startswith("FAIL")]
    assert failed == 0, "\n".join(failures)
    assert passed > 0


@pytest.mark.docker
def test_render_conformance_docker() -> None:
    from bot.render.runtimes.docker import docker_status

    available, reason = docker_status()
    if not available:
        pytest.fail(f"docker engine not available: {reason}")
    passed, failed, output = run_conformance("docker")
    failures = [line for line in output.splitlines() if line.startswith("FAIL")]
    assert failed == 0, "\n".join(failures)
    assert passed > 0


# The functions suite mixes two kpt generations: the catalog's cases were recorded with kpt
# v1.0.0-beta.57, which wrote no Kptfile status, while the two post-* cases (upstream 2026) expect the
# status current kpt writes. One setting cannot satisfy both; we run the suite the way beta.57 did
# and accept exactly those two cases failing.
STATUS_ERA_CASES = {"post-set-namespace-apiservice-no-service", "post-set-namespace-crd-no-webhook-strategy"}


def test_functions_conformance_builtin() -> None:
    passed, _failed, output = run_conformance("builtin", suite="functions",
                                              env_extra={"PORCHBOT_KPTFILE_STATUS": "false"})
    failures = {line.split()[1].rstrip(":") for line in output.splitlines() if line.startswith("FAIL")}
    assert failures <= STATUS_ERA_CASES, "\n".join(sorted(failures - STATUS_ERA_CASES))
    assert passed > 0
