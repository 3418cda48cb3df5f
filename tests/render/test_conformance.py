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


ALL_BUILTINS = ("set-namespace,set-labels,set-annotations,apply-replacements,search-replace,set-image,"
                "ensure-name-substring,apply-setters,create-setters,starlark,upsert-resource,"
                "set-enforcement-action,kubeval,no-op")


def run_conformance(runtime: str, suite: str = "render", functions: str | None = FUNCTIONS,
                    manifest_filter: bool = False) -> tuple[int, int, str]:
    runner = shared_path("conformance", "render", "run.py")
    porchbot = Path(sys.executable).parent / "porchbot"
    if not porchbot.exists():
        found = shutil.which("porchbot")
        if found is None:
            pytest.skip("porchbot console script not installed")
        porchbot = Path(found)
    env = dict(os.environ, PATH=f"{porchbot.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("PORCHBOT_KPTFILE_STATUS", None)
    flags = "" if runtime == "auto" else f" --runtime {runtime}"
    if runtime == "docker":
        flags += " --image-pull-policy never"
    command = [sys.executable, str(runner), "--suite", suite, "--runs", "2", "-j", "2",
               "--cmd", f"porchbot fn render {{pkg}}{flags}",
               "--eval-cmd", f"porchbot fn eval {{pkg}}{flags} --image {{image}} {{fnconfig}} -- {{args}}"]
    if functions:
        command += ["--functions", functions]
    if manifest_filter:
        command += ["--manifest-filter", "builtin"]
    result = subprocess.run(command, cwd=runner.parent, capture_output=True, text=True, env=env,
                            timeout=1800, check=False)
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    match = SUMMARY.match(last)
    assert match is not None, f"runner gave no summary:\n{result.stdout}\n{result.stderr}"
    return int(match.group(1)), int(match.group(2)), result.stdout


def _failures(output: str) -> set[str]:
    return {line.split()[1].rstrip(":") for line in output.splitlines() if line.startswith("FAIL")}


def _require_docker() -> None:
    from bot.render.runtimes.docker import docker_status

    available, reason = docker_status()
    if not available:
        pytest.fail(f"docker engine not available: {reason}")


@pytest.mark.parametrize("suite", ["render", "functions"])
def test_first_four_functions_builtin(suite: str) -> None:
    passed, failed, output = run_conformance("builtin", suite=suite)
    assert failed == 0, "\n".join(sorted(_failures(output)))
    assert passed > 0


@pytest.mark.docker
@pytest.mark.parametrize("suite", ["render", "functions"])
def test_first_four_functions_docker(suite: str) -> None:
    _require_docker()
    passed, failed, output = run_conformance("docker", suite=suite)
    assert failed == 0, "\n".join(sorted(_failures(output)))
    assert passed > 0


def test_render_suite_builtin_cases_default_runtime() -> None:
    """Issue 3: every case MANIFEST.yaml marks builtin, with the default (auto) runtime."""
    passed, failed, output = run_conformance("auto", functions=None, manifest_filter=True)
    assert failed == 0, "\n".join(sorted(_failures(output)))
    assert passed > 80


@pytest.mark.parametrize("runtime", ["builtin", pytest.param("docker", marks=pytest.mark.docker)])
def test_functions_suite_every_builtin(runtime: str) -> None:
    if runtime == "docker":
        _require_docker()
    # kubeval included: its baked-in schemas are rebuilt by the builtin and carried by our image.
    passed, failed, output = run_conformance(runtime, suite="functions", functions=ALL_BUILTINS)
    assert failed == 0, "\n".join(sorted(_failures(output)))
    assert passed > 60
