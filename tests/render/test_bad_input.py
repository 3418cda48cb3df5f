"""Bad input: one clear error, exit code 1, no traceback, and no resource file changes.

Each case runs the real ``porchbot fn render`` command on a package built in tmp_path; where a
function is needed it is a small exec script written by the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the web tier
spec:
  replicas: 3
"""


def kptfile(pipeline: str = "") -> str:
    text = "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n"
    return text + (f"pipeline:\n{pipeline}" if pipeline else "")


def make_package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def exec_script(directory: Path, name: str, body: str) -> Path:
    script = directory / name
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(0o755)
    return script


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_render(package: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PORCHBOT_DEBUG"}
    return subprocess.run([sys.executable, "-m", "bot.cli", "fn", "render", str(package), *flags],
                          capture_output=True, text=True, env=env, timeout=120, check=False)


def assert_clean_failure(result: subprocess.CompletedProcess[str], before: dict[str, bytes], package: Path,
                         expected: str, status_expected: bool) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr
    after = snapshot(package)
    for rel, content in before.items():
        if rel == "Kptfile" and status_expected:
            assert after[rel].startswith(b"apiVersion: kpt.dev/v1")
            assert b"reason: RenderFailed" in after[rel]
            continue
        assert after.get(rel) == content, f"{rel} changed"
    assert set(after) == set(before)


def test_malformed_resource_yaml(tmp_path: Path) -> None:
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile(),
        "deploy.yaml": DEPLOYMENT,
        "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    })
    before = snapshot(package)
    result = run_render(package)
    assert_clean_failure(result, before, package, "broken.yaml", status_expected=True)


def test_kptfile_not_kpt_dev_v1(tmp_path: Path) -> None:
    package = make_package(tmp_path / "pkg", {
        "Kptfile": "apiVersion: kpt.dev/v2\nkind: Kptfile\nmetadata:\n  name: app\n",
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package)
    assert_clean_failure(result, before, package, 'has an unknown resource type ("kpt.dev/v2, Kind=Kptfile")',
                         status_expected=False)


def test_old_kptfile_version(tmp_path: Path) -> None:
    package = make_package(tmp_path / "pkg", {
        "Kptfile": "apiVersion: kpt.dev/v1alpha2\nkind: Kptfile\nmetadata:\n  name: app\n",
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package)
    assert_clean_failure(result, before, package, 'has an old version ("v1alpha2") of the Kptfile schema',
                         status_expected=False)


def test_function_exits_non_zero(tmp_path: Path) -> None:
    script = exec_script(tmp_path, "fail.sh", "cat >/dev/null\necho 'boom: bad config' >&2\nexit 3\n")
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {script}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package, "--allow-exec")
    assert_clean_failure(result, before, package, "boom: bad config", status_expected=True)
    assert "Exit code: 3" in result.stderr
    assert b"exitCode: 3" in (package / "Kptfile").read_bytes()


def test_function_prints_malformed_output(tmp_path: Path) -> None:
    script = exec_script(tmp_path, "garbage.sh", "cat >/dev/null\necho 'items: [unclosed'\n")
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {script}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package, "--allow-exec")
    assert_clean_failure(result, before, package, "function output", status_expected=True)


def test_exec_without_allow_exec(tmp_path: Path) -> None:
    script = exec_script(tmp_path, "identity.sh", "cat\n")
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {script}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package)
    assert_clean_failure(result, before, package, "must run with `--allow-exec` option", status_expected=True)


@pytest.mark.parametrize(("config_path", "reason"), [
    ("missing.yaml", 'failed to open functionConfig from path "missing.yaml"'),
    ("../outside.yaml", "path must not be outside the package"),
    ("/etc/passwd", "path must be relative"),
], ids=["missing", "outside", "absolute"])
def test_bad_config_path(tmp_path: Path, config_path: str, reason: str) -> None:
    (tmp_path / "outside.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    script = exec_script(tmp_path, "identity.sh", "cat\n")
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {script}\n      configPath: {config_path}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package, "--allow-exec")
    assert_clean_failure(result, before, package, reason, status_expected=False)
    assert "Kptfile is invalid:" in result.stderr


def test_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: bomb", "data:",
             '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        refs = ",".join(f"*a{level - 1}" for _ in range(9))
        lines.append(f"  a{level}: &a{level} [{refs}]")
    script = exec_script(tmp_path, "identity.sh", "cat\n")
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {script}\n"),
        "bomb.yaml": "\n".join(lines) + "\n",
    })
    before = snapshot(package)
    result = run_render(package, "--allow-exec")
    assert_clean_failure(result, before, package, "excessive aliasing", status_expected=True)


@pytest.mark.docker
def test_unknown_image_with_pull_policy_never(tmp_path: Path) -> None:
    package = make_package(tmp_path / "pkg", {
        "Kptfile": kptfile("  mutators:\n    - image: example.invalid/no-such-function:v0.0.1\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    before = snapshot(package)
    result = run_render(package, "--runtime", "docker", "--image-pull-policy", "never")
    assert_clean_failure(result, before, package, "no-such-function", status_expected=True)
