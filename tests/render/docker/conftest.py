"""Fixtures for the docker runtime tests: a Docker engine and our locally built images.

The images come from ``python -m tests.images.build`` (scripts/test.sh runs it first); the fixture
calls the same idempotent builder, which takes well under a second when they are up to date.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import ContainerLimits, RuntimeOptions
from bot.render.runtimes.docker import DockerRuntime, docker_status


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[Any]:
    usable, reason = docker_status()
    if not usable:
        if os.environ.get("PORCHBOT_REQUIRE_DOCKER"):
            pytest.fail(reason)
        pytest.skip(f"{reason} (scripts/ensure-services.sh starts one)")
    import docker

    client = docker.from_env(timeout=900)
    yield client
    client.close()


@pytest.fixture(scope="session")
def built_images(docker_engine: Any) -> None:
    from tests.images.build import build_all

    build_all(docker_engine)


@pytest.fixture(scope="session")
def sandbox_image(built_images: None) -> str:
    from tests.images.sandbox import SANDBOX_IMAGE

    return SANDBOX_IMAGE


def _runtime(**options: Any) -> DockerRuntime:
    """A docker runtime with short limits, so a misbehaving test function fails fast."""
    limits = ContainerLimits(memory_bytes=options.pop("memory_bytes", 256 * 1024 * 1024),
                             pids=options.pop("pids", 256),
                             timeout_seconds=options.pop("timeout_seconds", 60.0))
    return DockerRuntime(RuntimeOptions(image_pull_policy=options.pop("pull", "never"), limits=limits,
                                        **options))


def _resource_list(mode: str, **data: str) -> ResourceList:
    """A one-ConfigMap ResourceList whose functionConfig tells the sandbox function what to do."""
    from bot.render.resourcelist_wire import decode_resource_list

    config = "".join(f"    {key}: {value!r}\n" for key, value in {"mode": mode, **data}.items())
    return decode_resource_list(
        "apiVersion: config.kubernetes.io/v1\n"
        "kind: ResourceList\n"
        "items:\n"
        "- apiVersion: v1\n"
        "  kind: ConfigMap\n"
        "  metadata:\n"
        "    name: app-config\n"
        "  data:\n"
        "    tier: backend\n"
        "functionConfig:\n"
        "  apiVersion: v1\n"
        "  kind: ConfigMap\n"
        "  metadata:\n"
        "    name: sandbox\n"
        "  data:\n" + config)


# Helpers handed out as fixtures, so that no test imports conftest (pytest advises against it).
@pytest.fixture
def make_runtime() -> Callable[..., DockerRuntime]:
    return _runtime


@pytest.fixture
def make_resource_list() -> Callable[..., ResourceList]:
    return _resource_list
