"""Render semantics through render_package, with exec functions written by the tests."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.render.render_package import render_package
from bot.render.render_types import RenderOptions
from bot.render.runtimes.base import RuntimeOptions
from tests.render.test_bad_input import DEPLOYMENT, exec_script, kptfile, make_package

SERVICE = """\
# the service in front of web
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
"""

EXEC = RenderOptions(runtime_options=RuntimeOptions(allow_exec=True))


def render(package: Path, options: RenderOptions = EXEC) -> tuple[int, str]:
    stream = io.StringIO()
    outcome = render_package(package, options, stream)
    return outcome.exit_code, stream.getvalue()


def test_identity_exec_changes_only_the_status(tmp_path: Path) -> None:
    identity = exec_script(tmp_path, "identity.sh", "cat\n")
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {identity}\n"),
        "deploy.yaml": DEPLOYMENT,
        "svc.yaml": SERVICE,
    })
    code, console = render(package)
    assert code == 0, console
    assert (package / "deploy.yaml").read_text() == DEPLOYMENT
    assert (package / "svc.yaml").read_text() == SERVICE
    status = (package / "Kptfile").read_text()
    assert "reason: RenderSuccess" in status
    assert f'Package "app":\n[RUNNING] "{identity}" on package "app"\n' in console
    assert console.endswith("Successfully executed 1 function(s) in 1 package(s).\n")


def test_comments_are_restored_after_a_function_drops_them(tmp_path: Path) -> None:
    strip = exec_script(tmp_path, "strip.sh", "sed -e 's/ *#.*$//'\n")
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {strip}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    code, console = render(package)
    assert code == 0, console
    assert (package / "deploy.yaml").read_text() == DEPLOYMENT


def test_subpackages_render_depth_first(tmp_path: Path) -> None:
    log = tmp_path / "order.log"
    recorder = exec_script(tmp_path, "record.sh", f'echo "$1" >> {log}\ncat\n')
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {recorder} root\n"),
        "deploy.yaml": DEPLOYMENT,
        "b/Kptfile": kptfile(f"  mutators:\n    - exec: {recorder} b\n").replace("name: app", "name: b"),
        "a/Kptfile": kptfile(f"  mutators:\n    - exec: {recorder} a\n").replace("name: app", "name: a"),
        "a/c/Kptfile": kptfile(f"  mutators:\n    - exec: {recorder} c\n").replace("name: app", "name: c"),
    })
    code, console = render(package)
    assert code == 0, console
    assert log.read_text().split() == ["c", "a", "b", "root"]
    assert 'Package "app/a/c":' in console
    assert "in 4 package(s)" in console


def test_new_resource_gets_a_default_path_and_deleted_ones_are_pruned(tmp_path: Path) -> None:
    generator = exec_script(tmp_path, "gen.py", "")
    generator.write_text(
        "#!/usr/bin/env python3\n"
        "import sys\n"
        "text = sys.stdin.read()\n"
        "cut = text.index('functionConfig:') if 'functionConfig:' in text else len(text)\n"
        "sys.stdout.write('apiVersion: config.kubernetes.io/v1\\nkind: ResourceList\\nitems:\\n'\n"
        "  '- apiVersion: v1\\n  kind: ConfigMap\\n  metadata:\\n    name: made\\n    namespace: prod\\n')\n")
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {generator}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    code, console = render(package)
    assert code == 0, console
    assert not (package / "deploy.yaml").exists()
    assert (package / "prod" / "configmap_made.yaml").read_text().startswith("apiVersion: v1\n")


def test_path_outside_the_package_is_rejected(tmp_path: Path) -> None:
    escape = exec_script(tmp_path, "escape.sh",
                         "sed -e \"s#config.kubernetes.io/path: 'deploy.yaml'#config.kubernetes.io/path: '../x.yaml'#\"\n")
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {escape}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    code, console = render(package)
    assert code == 1
    assert "function must not modify resources outside of package: resource has path ../x.yaml" in console
    assert (package / "deploy.yaml").read_text() == DEPLOYMENT
    assert not (tmp_path / "x.yaml").exists()


def test_results_dir_records_each_function(tmp_path: Path) -> None:
    noisy = exec_script(tmp_path, "noisy.sh", "echo hello >&2\ncat\n")
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {noisy}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    results = tmp_path / "results"
    options = RenderOptions(runtime_options=RuntimeOptions(allow_exec=True), results_dir=results)
    code, console = render(package, options)
    assert code == 0, console
    text = (results / "results.yaml").read_text()
    assert text.startswith("apiVersion: kpt.dev/v1\nkind: FunctionResultList\n")
    assert f"  - exec: {noisy}\n    stderr: |\n      hello\n    exitCode: 0\n" in text
    assert f"For complete results, see {results}/results.yaml" in console


def test_output_dir_leaves_the_package_alone(tmp_path: Path) -> None:
    identity = exec_script(tmp_path, "identity.sh", "cat\n")
    package = make_package(tmp_path / "app", {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {identity}\n"),
        "deploy.yaml": DEPLOYMENT,
    })
    before = (package / "Kptfile").read_text()
    out = tmp_path / "out"
    options = RenderOptions(runtime_options=RuntimeOptions(allow_exec=True), output=str(out))
    code, console = render(package, options)
    assert code == 0, console
    assert (package / "Kptfile").read_text() == before
    assert (out / "deploy.yaml").read_text() == DEPLOYMENT
    code, console = render(package, options)
    assert code == 1
    assert "already exists, please delete the directory and retry" in console


@pytest.mark.kpt
def test_same_files_as_kpt_for_exec_pipelines(tmp_path: Path, kpt_binary: str) -> None:
    """kpt (the oracle) and we render the same exec pipeline to the same resource files."""
    upper = exec_script(tmp_path, "upper.sh", "sed -e 's/replicas: 3/replicas: 5/'\n")
    files = {
        "Kptfile": kptfile(f"  mutators:\n    - exec: {upper}\n"),
        "deploy.yaml": DEPLOYMENT,
        "svc.yaml": SERVICE,
        "sub/Kptfile": kptfile(f"  mutators:\n    - exec: {upper}\n").replace("name: app", "name: sub"),
        "sub/more.yaml": DEPLOYMENT.replace("name: web", "name: api") + "---\n" + SERVICE,
    }
    ours = make_package(tmp_path / "ours" / "app", files)
    theirs = make_package(tmp_path / "theirs" / "app", files)
    code, console = render(ours)
    assert code == 0, console
    subprocess.run([kpt_binary, "fn", "render", "--allow-exec", str(theirs)], check=True,
                   capture_output=True, timeout=120)
    for rel in ("deploy.yaml", "svc.yaml", "sub/more.yaml", "sub/Kptfile"):
        assert (ours / rel).read_text() == (theirs / rel).read_text(), rel
    shutil.rmtree(tmp_path / "theirs")
