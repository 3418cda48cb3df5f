"""Every published kpt-samples package renders with the builtin runtime, no image available, and a
second render changes nothing (issue 10's acceptance point).

The packages pin what real packages pin: ``set-namespace:v0.3.4`` (echo, ghost), ``v0.4.1``
(basens, backstage-ui-plugin), ``starlark:v0.4.3`` (ghost's validator), ``set-labels:v0.1.5``,
``apply-replacements:v0.1.1``, under gcr, ghcr and bare names. Each tag of the bundle is copied
out at test time and rendered twice with ``porchbot fn render --runtime builtin`` while the docker
engine address points at a closed port.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED_DIR, shared_path

pytestmark = pytest.mark.shared

BUNDLE = ("fixtures", "kpt-samples", "kpt-samples.bundle")


def published_tags() -> list[str]:
    """The bundle's package tags (``<package>/vN``); none when ../shared is absent."""
    bundle = SHARED_DIR.joinpath(*BUNDLE)
    if not bundle.is_file():
        return []
    heads = subprocess.run(["git", "bundle", "list-heads", str(bundle)], capture_output=True, text=True,
                           check=False, timeout=60).stdout
    return sorted({ref.removeprefix("refs/tags/") for line in heads.splitlines() if " " in line
                   for ref in [line.split()[1]] if ref.startswith("refs/tags/") and "/v" in ref})


TAGS: list[object] = [*published_tags()] or [
    pytest.param("absent", marks=pytest.mark.skip(reason="../shared not available"))]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = shared_path(*BUNDLE)
    checkout = tmp_path_factory.mktemp("kpt-samples") / "repo"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(bundle), str(checkout)], check=True, timeout=120)
    return checkout


@pytest.fixture(scope="module")
def no_docker() -> dict[str, str]:
    """An environment whose docker engine address refuses connections: no image can be run."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DOCKER_HOST=f"tcp://127.0.0.1:{port}")
    env.pop("PORCHBOT_DEBUG", None)
    return env


def copy_out(samples: Path, tag: str, dest: Path) -> Path:
    package = tag.rsplit("/", 1)[0]
    archive = subprocess.run(["git", "-C", str(samples), "archive", "--format=tar", tag, package],
                             capture_output=True, check=True, timeout=60).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest / package


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def render(package: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", "fn", "render", "--runtime", "builtin", str(package)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.mark.parametrize("tag", TAGS)
def test_published_package_renders_builtin_and_is_stable(samples: Path, no_docker: dict[str, str],
                                                         tmp_path: Path, tag: str) -> None:
    package = copy_out(samples, tag, tmp_path)
    first = render(package, no_docker)
    assert first.returncode == 0, f"{tag}: {first.stderr}"
    assert "[FAIL]" not in first.stderr
    kptfile = (package / "Kptfile").read_text()
    assert "reason: RenderSuccess" in kptfile, kptfile
    rendered = snapshot(package)
    second = render(package, no_docker)
    assert second.returncode == 0, f"{tag}: {second.stderr}"
    assert snapshot(package) == rendered, f"{tag}: the second render changed files"


def test_the_pinned_releases_really_ran(samples: Path, no_docker: dict[str, str], tmp_path: Path) -> None:
    """ghost pins set-namespace:v0.3.4 and starlark:v0.4.3: deploying it makes both do their work."""
    if "ghost/v3" not in published_tags():
        pytest.skip("the bundle has no ghost/v3")
    package = copy_out(samples, "ghost/v3", tmp_path)
    for context in package.rglob("package-context.yaml"):
        context.write_text(context.read_text().replace("name: example", "name: blog"))
    result = render(package, no_docker)
    # The validator now checks the host names, and the package still carries the placeholder one.
    assert result.returncode == 1
    status = yaml.safe_load((package / "Kptfile").read_text())["status"]["renderStatus"]
    (validation,) = status["validationSteps"]
    assert validation["image"].endswith("starlark:v0.4.3") and validation["exitCode"] == 1
    assert validation["results"] == [{"message": "fail: Blog's hostname must be specified in ingress-ghost.yaml",
                                      "severity": "error"}]

    package = copy_out(samples, "ghost/v3", tmp_path / "namespace-only")
    root_context = package / "package-context.yaml"
    root_context.write_text(root_context.read_text().replace("name: example", "name: blog"))
    result = render(package, no_docker)
    assert result.returncode == 0, result.stderr
    status = (package / "Kptfile").read_text()
    assert 'namespace "example" updated to "blog"' in status
    assert "namespace: blog" in (package / "mariadb" / "statefulset-mariadb.yaml").read_text()
