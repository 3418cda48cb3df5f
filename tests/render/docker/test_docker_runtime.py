"""The docker runtime's contract: pull policies, exit codes, stderr, malformed output."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef
from bot.render.runtimes.docker import DockerRuntime
from bot.render.runtimes.docker_config import filter_stderr, image_allowed, normalize_pull_policy

RuntimeFactory = Callable[..., DockerRuntime]
ListFactory = Callable[..., ResourceList]

UNKNOWN_IMAGE = "ghcr.io/kptdev/krm-functions-catalog/porchbot-does-not-exist:latest"
# A name under the reserved .invalid TLD: no machine can resolve it, with or without a network.
UNREACHABLE_IMAGE = "registry.invalid/porchbot/nothing:v1"


@pytest.mark.docker
def test_pull_policy_never_with_unknown_image_is_a_clear_error(built_images: None,
        make_runtime: RuntimeFactory, make_resource_list: ListFactory) -> None:
    with pytest.raises(FunctionError) as caught:
        make_runtime(pull="never").run(FunctionRef(image=UNKNOWN_IMAGE), make_resource_list("echo"))
    error = caught.value
    # kpt records the docker CLI's exit code 125 and its message for a missing image.
    assert error.exit_code == 125
    assert f"No such image: {UNKNOWN_IMAGE}" in error.stderr
    assert UNKNOWN_IMAGE in str(error)


@pytest.mark.docker
@pytest.mark.parametrize("policy", ["ifNotPresent", "always"])
def test_pull_from_unreachable_registry_fails_clearly(built_images: None, policy: str,
        make_runtime: RuntimeFactory, make_resource_list: ListFactory) -> None:
    started = time.monotonic()
    with pytest.raises(FunctionError) as caught:
        make_runtime(pull=policy).run(FunctionRef(image=UNREACHABLE_IMAGE), make_resource_list("echo"))
    assert caught.value.exit_code == 125
    assert caught.value.stderr.startswith("docker: Error response from daemon:")
    assert UNREACHABLE_IMAGE in str(caught.value)
    assert time.monotonic() - started < 60


@pytest.mark.docker
def test_if_not_present_uses_the_local_image(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    run = make_runtime(pull="IfNotPresent").run(FunctionRef(image=sandbox_image), make_resource_list("echo"))
    assert run.exit_code == 0
    assert run.output is not None and [r.message for r in run.output.results] == ["echo"]


@pytest.mark.docker
def test_nonzero_exit_keeps_code_and_filtered_stderr(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    with pytest.raises(FunctionError) as caught:
        make_runtime().run(FunctionRef(image=sandbox_image), make_resource_list("stderr", code="3"))
    assert caught.value.exit_code == 3
    assert caught.value.stderr == "something went wrong\ngiving up"
    assert sandbox_image in str(caught.value)


@pytest.mark.docker
def test_malformed_output_is_a_function_error(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    with pytest.raises(FunctionError) as caught:
        make_runtime().run(FunctionRef(image=sandbox_image), make_resource_list("garbage"))
    assert "malformed output" in str(caught.value)
    assert sandbox_image in str(caught.value)


@pytest.mark.docker
def test_items_and_function_config_round_trip(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    run = make_runtime().run(FunctionRef(image=sandbox_image), make_resource_list("echo"))
    assert run.output is not None
    (item,) = run.output.items
    assert item.str_value("metadata", "name") == "app-config"
    assert item.str_value("data", "tier") == "backend"
    assert run.output.function_config is not None


def test_unknown_pull_policy_is_rejected() -> None:
    with pytest.raises(FunctionError, match="unknown image pull policy 'sometimes'"):
        normalize_pull_policy("sometimes")
    assert normalize_pull_policy("IfNotPresent") == "ifNotPresent"
    assert normalize_pull_policy("Never") == "never"


def test_filter_stderr_drops_pull_progress_like_kpt() -> None:
    noisy = ("Unable to find image 'x:latest' locally\nlatest: Pulling from x\n4e9f2cdf4387: Pull complete\n"
             "Digest: sha256:abc\nStatus: Downloaded newer image for x:latest\nreal problem\n")
    assert filter_stderr(noisy) == "real problem"


def test_allowlist_refuses_other_images_before_touching_the_engine() -> None:
    from bot.render.resourcelist_wire import decode_resource_list
    from bot.render.runtimes.base import RuntimeOptions

    runtime = DockerRuntime(RuntimeOptions(allowed_images=("gcr.io/kpt-fn/*",)))
    empty = decode_resource_list("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n")
    with pytest.raises(FunctionError, match="not in the allowed images") as caught:
        runtime.run(FunctionRef(image="evil.example/miner:latest"), empty)
    assert caught.value.execution_error


@pytest.mark.parametrize(("image", "patterns", "allowed"), [
    ("gcr.io/kpt-fn/set-labels:v0.1", (), True),
    ("gcr.io/kpt-fn/set-labels:v0.1", ("gcr.io/kpt-fn/*",), True),
    ("ghcr.io/kptdev/krm-functions-catalog/set-labels:latest", ("gcr.io/kpt-fn/*",), False),
    ("porchbot/sandbox-fn:local", ("gcr.io/kpt-fn/*", "porchbot/*"), True),
], ids=["no-allowlist", "matching-prefix", "other-registry", "second-pattern"])
def test_image_allowed(image: str, patterns: tuple[str, ...], allowed: bool) -> None:
    assert image_allowed(image, patterns) is allowed
