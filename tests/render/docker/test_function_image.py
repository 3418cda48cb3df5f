"""Our function image gives what the builtin gives: the same code, in a real container.

Each builtin registration of the simple ConfigMap-configured functions is run twice on the same
ResourceList, once in-process and once through the docker runtime under its catalog image name, and
the encoded outputs (items and results) must be identical, failures included.
"""

from __future__ import annotations

import pytest

from bot.render.functions.registry import lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import ContainerLimits, FunctionError, FunctionRef, RuntimeOptions
from bot.render.runtimes.docker import DockerRuntime
from tests.images.catalog import wanted_images

pytestmark = pytest.mark.docker

CONFIGS = {
    "set-namespace": {"namespace": "staging"},
    "set-labels": {"app": "web", "tier": "frontend"},
    "set-annotations": {"team": "blue"},
}

RESOURCES = """\
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web # the front end
    namespace: default
    labels:
      app: old
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'deployment.yaml'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'deployment.yaml'
  spec:
    replicas: 2
    selector:
      matchLabels:
        app: old
    template:
      metadata:
        labels:
          app: old
      spec:
        containers:
        - name: web
          image: nginx:1.25
- apiVersion: v1
  kind: Service
  metadata:
    name: web
    annotations:
      config.kubernetes.io/index: '0'
      config.kubernetes.io/path: 'service.yaml'
      internal.config.kubernetes.io/index: '0'
      internal.config.kubernetes.io/path: 'service.yaml'
  spec:
    selector:
      app: old
    ports:
    - port: 80
- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata:
    name: web-reader
    annotations:
      config.kubernetes.io/index: '1'
      config.kubernetes.io/path: 'service.yaml'
      internal.config.kubernetes.io/index: '1'
      internal.config.kubernetes.io/path: 'service.yaml'
  subjects:
  - kind: ServiceAccount
    name: web
    namespace: default
"""


def registrations() -> list[tuple[str, str]]:
    """One catalog image name per registration of the functions above (what the image builder tags)."""
    wanted = sorted(wanted_images().items())
    names = [image_names[0] for (name, _tag), image_names in wanted if name in CONFIGS]
    return [(image.rsplit("/", 1)[-1].split(":")[0], image) for image in names]


def make_list(function: str, data: dict[str, str] | None) -> ResourceList:
    from bot.render.resourcelist_wire import decode_resource_list

    config = "  data: {}\n" if not data else "  data:\n" + "".join(f"    {k}: {v}\n" for k, v in data.items())
    return decode_resource_list(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n" + RESOURCES
        + f"functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: {function}-config\n"
        + config)


def outcome(run: object) -> tuple[str, int, str]:
    """(encoded output, exit code, stderr without its final newline) of one call, failures included."""
    from bot.render.resourcelist_wire import encode_resource_list

    if isinstance(run, FunctionError):
        output = encode_resource_list(run.output) if run.output is not None else ""
        return output, run.exit_code, run.stderr.rstrip("\n")
    assert isinstance(run, ResourceList)
    return encode_resource_list(run), 0, ""


def builtin_outcome(image: str, resource_list: ResourceList) -> tuple[str, int, str]:
    builtin = lookup(image)
    assert builtin is not None, f"no builtin for {image}"
    try:
        builtin.run(resource_list)
    except FunctionError as err:
        # fnmain prints the (partly edited) input list when the function gives none of its own.
        err.output = err.output or resource_list
        return outcome(err)
    return outcome(resource_list)


def docker_outcome(image: str, resource_list: ResourceList) -> tuple[str, int, str]:
    runtime = DockerRuntime(RuntimeOptions(image_pull_policy="never",
                                           limits=ContainerLimits(timeout_seconds=60)))
    try:
        run = runtime.run(FunctionRef(image=image), resource_list)
    except FunctionError as err:
        return outcome(err)
    assert run.output is not None
    return outcome(run.output)


NOT_YET = pytest.param("", "", marks=pytest.mark.skip(reason="none of these functions is registered yet"))


@pytest.mark.parametrize("config", ["configured", "empty-config"])
@pytest.mark.parametrize(("function", "image"), registrations() or [NOT_YET])
def test_function_image_matches_builtin(built_images: None, function: str, image: str, config: str) -> None:
    data = CONFIGS[function] if config == "configured" else None
    expected = builtin_outcome(image, make_list(function, data))
    actual = docker_outcome(image, make_list(function, data))
    assert actual == expected
