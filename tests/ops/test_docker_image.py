"""The bot image: `docker build .` offline, `/healthz` from a container, a builtin render of a mounted package.

The image is built by tests/images/bot_image.py (the Dockerfile with the build arguments of its offline
path: a local base and a wheelhouse of the lock's wheels, ``--network none``) and reused while the sources
are unchanged. tests/ops/test_dockerfile.py checks the default path without Docker.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.ops.redis_server import free_port

pytestmark = [pytest.mark.docker, pytest.mark.timeout(900)]

PROJECT_DIR = Path(__file__).resolve().parents[2]

KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - image: ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4.1
      configMap:
        namespace: from-container
    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:v0.1.5
      configMap:
        tier: backend
"""
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings # the app's settings
  namespace: default
data:
  mode: fast
"""


def _docker(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def bot_image() -> str:
    if _docker("info", timeout=30).returncode != 0:
        pytest.skip("no Docker engine answers")
    from tests.images.bot_image import ensure_bot_image

    started = time.monotonic()
    tag = ensure_bot_image()
    print(f"bot image {tag} ready in {time.monotonic() - started:.1f}s")
    return tag


@pytest.fixture
def container(bot_image: str) -> Iterator[tuple[str, str]]:
    port = free_port()
    run = _docker("run", "-d", "--rm", "-p", f"127.0.0.1:{port}:8080", bot_image)
    assert run.returncode == 0, run.stderr
    container_id = run.stdout.strip()
    try:
        yield container_id, f"http://127.0.0.1:{port}"
    finally:
        _docker("rm", "-f", container_id, timeout=60)


def test_docker_build_of_the_project_succeeds_offline(bot_image: str) -> None:
    from tests.images.bot_image import build_args, ensure_wheelhouse

    ensure_wheelhouse()
    started = time.monotonic()
    build = subprocess.run(["docker", "build", "--network", "none", *build_args(), "-q", "."], cwd=PROJECT_DIR,
                           capture_output=True, text=True, timeout=900, check=False)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    print(f"cached docker build . took {time.monotonic() - started:.1f}s")


def test_image_runs_as_non_root_with_git(bot_image: str) -> None:
    attrs = json.loads(_docker("image", "inspect", bot_image).stdout)[0]["Config"]
    assert attrs["User"] == "10001:10001"
    assert attrs["Cmd"][:2] == ["porchbot", "serve"]
    version = _docker("run", "--rm", "--network", "none", bot_image, "git", "--version")
    assert version.returncode == 0 and version.stdout.startswith("git version"), version.stderr


def test_container_answers_healthz(container: tuple[str, str]) -> None:
    container_id, base = container
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                body = json.loads(resp.read())
                break
        except OSError:
            assert time.monotonic() < deadline, _docker("logs", container_id).stderr[-3000:]
            time.sleep(0.3)
    assert body["status"] == "ok"
    logs = _docker("logs", container_id).stderr
    assert "configure next" in logs and "Traceback" not in logs  # JSON logs telling what to set up


def test_container_renders_a_mounted_package_with_builtin_functions(bot_image: str, tmp_path: Path) -> None:
    package = tmp_path / "app"
    package.mkdir()
    (package / "Kptfile").write_text(KPTFILE)
    (package / "configmap.yaml").write_text(CONFIGMAP)
    # The image runs as uid 10001: let it write the rendered files back.
    os.chmod(package, 0o777)
    for path in package.iterdir():
        os.chmod(path, 0o666)
    render = _docker("run", "--rm", "--network", "none", "-v", f"{package}:/pkg", bot_image,
                     "porchbot", "fn", "render", "/pkg", "--runtime", "builtin")
    assert render.returncode == 0, render.stdout + render.stderr
    rendered = yaml.safe_load((package / "configmap.yaml").read_text())
    assert rendered["metadata"]["namespace"] == "from-container"
    assert rendered["metadata"]["labels"] == {"tier": "backend"}
    assert "# the app's settings" in (package / "configmap.yaml").read_text()  # comments survive


def test_container_runs_functions_in_containers_through_the_mounted_socket(bot_image: str,
                                                                            tmp_path: Path) -> None:
    """The docker runtime from inside the image: the docker SDK talks to the host engine's socket."""
    function_image = "ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4.1"
    if _docker("image", "inspect", function_image).returncode != 0:
        pytest.skip("function images not built (python -m tests.images.build)")
    socket_path = Path("/var/run/docker.sock")
    if not socket_path.is_socket():
        pytest.skip("the engine has no local socket to mount")
    package = tmp_path / "app"
    package.mkdir()
    (package / "Kptfile").write_text(KPTFILE.split("    - image: ghcr.io/kptdev/krm-functions-catalog/set-labels")[0])
    (package / "configmap.yaml").write_text(CONFIGMAP)
    os.chmod(package, 0o777)
    for path in package.iterdir():
        os.chmod(path, 0o666)
    render = _docker("run", "--rm", "--network", "none", "-v", f"{socket_path}:{socket_path}",
                     "--group-add", str(socket_path.stat().st_gid), "-v", f"{package}:/pkg", bot_image,
                     "porchbot", "fn", "render", "/pkg", "--runtime", "docker")
    assert render.returncode == 0, render.stdout + render.stderr
    assert yaml.safe_load((package / "configmap.yaml").read_text())["metadata"]["namespace"] == "from-container"
