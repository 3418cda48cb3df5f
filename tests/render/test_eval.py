"""The minimal ``porchbot fn eval``: a ResourceList on stdin through one function, kpt's output shapes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.render.test_bad_input import DEPLOYMENT, exec_script, kptfile, make_package

RESOURCE_LIST = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'cm.yaml'
      internal.config.kubernetes.io/seqindent: 'compact'
  data:
    key: value
"""


def run_eval(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "fn", "eval", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, check=False, cwd=cwd)


def test_stdin_to_stdout_with_a_builtin(tmp_path: Path) -> None:
    result = run_eval("-", "--runtime", "builtin", "--image", "set-labels:latest", "--", "tier=backend",
                      stdin=RESOURCE_LIST)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
    assert "    labels:\n      tier: backend\n" in result.stdout
    assert "config.kubernetes.io/path: 'cm.yaml'" in result.stdout
    assert '[RUNNING] "ghcr.io/kptdev/krm-functions-catalog/set-labels:latest"\n[PASS]' in result.stderr


def test_unwrap_drops_reader_annotations(tmp_path: Path) -> None:
    result = run_eval("-", "--runtime", "builtin", "--image", "set-labels:latest", "-o", "unwrap", "--",
                      "tier=backend", stdin=RESOURCE_LIST)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels:\n"
                             "    tier: backend\ndata:\n  key: value\n")


def test_exec_function_on_a_directory_in_place(tmp_path: Path) -> None:
    sed = exec_script(tmp_path, "sed.sh", "sed -e 's/replicas: 3/replicas: 7/'\n")
    package = make_package(tmp_path / "app", {"Kptfile": kptfile(), "deploy.yaml": DEPLOYMENT})
    result = run_eval(str(package), "--exec", str(sed), "--allow-exec")
    assert result.returncode == 0, result.stderr
    assert (package / "deploy.yaml").read_text() == DEPLOYMENT.replace("replicas: 3", "replicas: 7")


def test_failing_function_exits_one_without_traceback(tmp_path: Path) -> None:
    fail = exec_script(tmp_path, "fail.sh", "cat >/dev/null\necho nope >&2\nexit 2\n")
    result = run_eval("-", "--exec", str(fail), "--allow-exec", stdin=RESOURCE_LIST)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "  Exit code: 2\n" in result.stderr
