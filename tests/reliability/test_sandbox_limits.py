"""Issue 6 point 1: the container limits in porchbot.yaml reach the function's container.

The bot's config becomes the docker runtime's options (`SandboxConfig.runtime_options`); the locally
built misbehaving function shows the pids and time limits bite, with a control run under the defaults.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from bot.config.policy import parse_config
from bot.render.resourcelist_wire import decode_resource_list
from bot.render.runtimes.base import FunctionError, FunctionRef
from bot.render.runtimes.docker import DockerRuntime, docker_status
from bot.render.sandbox_checks import runtime_options

pytestmark = pytest.mark.docker

LIMITED = """\
render:
  runtime: docker
  image_pull_policy: never
  limits: {memory: 128Mi, cpus: 0.5, pids: 16, timeout_seconds: 2}
"""


@pytest.fixture(scope="module")
def sandbox_image() -> Iterator[str]:
    usable, reason = docker_status()
    if not usable:
        if os.environ.get("PORCHBOT_REQUIRE_DOCKER"):
            pytest.fail(reason)
        pytest.skip(reason)
    import docker

    from tests.images.build import build_all
    from tests.images.sandbox import SANDBOX_IMAGE

    client: Any = docker.from_env(timeout=900)
    try:
        build_all(client)
        yield SANDBOX_IMAGE
    finally:
        client.close()


def _resource_list(mode: str, **data: str) -> Any:
    config = "".join(f"    {key}: {value!r}\n" for key, value in {"mode": mode, **data}.items())
    return decode_resource_list(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n"
        "  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: sandbox\n  data:\n" + config)


def _runtime(config: str) -> DockerRuntime:
    return DockerRuntime(runtime_options(parse_config(config).sandbox))


def test_the_configured_pids_limit_bites(sandbox_image: str) -> None:
    with pytest.raises(FunctionError) as caught:
        _runtime(LIMITED).run(FunctionRef(image=sandbox_image), _resource_list("threads", count="64"))
    assert "can't start new thread" in caught.value.stderr
    control = _runtime("render:\n  image_pull_policy: never\n").run(
        FunctionRef(image=sandbox_image), _resource_list("threads", count="64"))
    assert control.output is not None and control.output.results[0].message == "started 64 threads"


def test_the_configured_timeout_bites(sandbox_image: str) -> None:
    with pytest.raises(FunctionError) as caught:
        _runtime(LIMITED).run(FunctionRef(image=sandbox_image), _resource_list("sleep", seconds="30"))
    assert "timed out after 2s" in str(caught.value)
    quick = _runtime(LIMITED).run(FunctionRef(image=sandbox_image), _resource_list("sleep", seconds="0.1"))
    assert quick.output is not None and quick.output.results[0].message == "slept"
