"""set-image builtin (June 2025 master): matching, the new value, counts, and config failures."""

from __future__ import annotations

import pytest

from bot.render.functions.registry import lookup
from bot.render.functions.set_image import split_image
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, emit, run_builtin

IMAGE = "gcr.io/kpt-fn/set-image:unstable"

PODS = """\
apiVersion: v1
kind: Pod
metadata:
  name: app1
spec:
  initContainers:
  - name: init
    image: nginx:1.20.2
  containers:
  - name: server
    image: nginx:1.20.2 # pinned
  - name: store
    image: postgres:14.1
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app2
spec:
  template:
    spec:
      containers:
      - name: server
        image: nginx:1.14.1
---
apiVersion: batch/v1
kind: Job
metadata:
  name: job
spec:
  template:
    spec:
      containers:
      - name: server
        image: nginx:1.14.1
"""


def config(**data: str) -> str:
    lines = "".join(f'  {key}: "{value}"\n' for key, value in data.items())
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n{lines}"


def run(rl: ResourceList) -> ResourceList:
    return run_builtin(IMAGE, rl)


def messages(rl: ResourceList) -> list[tuple[str, str]]:
    return [(r.message, r.severity) for r in rl.results]


def images(rl: ResourceList) -> list[str]:
    return [line.split("image: ")[1] for item in rl.items for line in emit(item).splitlines()
            if "image: " in line]


def test_claims_master_tags_only() -> None:
    assert lookup("set-image:unstable") is not None
    assert lookup("gcr.io/kpt-fn/set-image:v0.1.1") is None
    assert lookup("ghcr.io/kptdev/krm-functions-catalog/set-image:latest") is None


def test_name_and_tag_update_containers_of_pods_and_templates(make_rl: MakeRL) -> None:
    rl = run(make_rl(PODS, config(name="nginx", newName="bitnami/nginx", newTag="1.21.4")))
    # initContainers stay (the image looks up "iniContainers"), Jobs are not covered
    assert images(rl) == ["nginx:1.20.2", "bitnami/nginx:1.21.4 # pinned", "postgres:14.1",
                          "bitnami/nginx:1.21.4", "nginx:1.14.1"]
    assert messages(rl) == [("summary: updated a total of 2 image(s)", "info")]


def test_unchanged_images_are_not_counted(make_rl: MakeRL) -> None:
    rl = run(make_rl(PODS, config(name="nginx", newTag="1.20.2")))
    assert messages(rl) == [("summary: updated a total of 1 image(s)", "info")]


def test_digest_wins_over_tag(make_rl: MakeRL) -> None:
    rl = run(make_rl(PODS, config(name="postgres", newTag="15", digest="sha256:abc")))
    assert "postgres@sha256:abc" in images(rl)


def test_new_name_alone_drops_the_colon_as_the_image_does(make_rl: MakeRL) -> None:
    rl = run(make_rl(PODS, config(name="postgres", newName="mirror/postgres")))
    assert "mirror/postgres14.1" in images(rl)


def test_additional_image_fields(make_rl: MakeRL) -> None:
    items = PODS + """\
---
apiVersion: dev.example.com/v1
kind: MyKind
metadata:
  name: the-resource
spec:
  manifest:
    images:
    - image: nginx:1.20.2
    - image: postgres:14.1
"""
    fn_config = """\
apiVersion: fn.kpt.dev/v1alpha1
kind: SetImage
metadata:
  name: my-func-config
image:
  name: nginx
  newName: bitnami/nginx
  newTag: 1.21.4
additionalImageFields:
- kind: MyKind
  group: dev.example.com
  version: v1
  path: spec/manifest/images[]/image
"""
    rl = run(make_rl(items, fn_config))
    assert images(rl)[-2:] == ["bitnami/nginx:1.21.4", "postgres:14.1"]
    assert messages(rl) == [("summary: updated a total of 3 image(s)", "info")]


@pytest.mark.parametrize(("data", "message"), [
    ({"newName": "bar", "newTag": "v1.0"}, "must specify `name`"),
    ({"name": "foo"}, "must specify one of `newName`, `newTag`, or `digest`"),
    ({"name": "foo", "tag": "x"}, "ConfigMap has wrong field name tag"),
])
def test_config_errors_terminate(make_rl: MakeRL, data: dict[str, str], message: str) -> None:
    rl = make_rl(PODS, config(**data))
    with pytest.raises(FunctionError) as failure:
        run(rl)
    assert failure.value.stderr == f"failed to evaluate function: function is terminated: {message}"
    assert messages(rl) == [(message, "error"), (f"function is terminated: {message}", "error")]


def test_missing_config_is_noted_first(make_rl: MakeRL) -> None:
    rl = make_rl(PODS, None)
    with pytest.raises(FunctionError):
        run(rl)
    assert [m for m, _ in messages(rl)] == [
        "`FunctionConfig` is not given", "must specify `name`", "function is terminated: must specify `name`"]


@pytest.mark.parametrize(("image", "parts"), [
    ("nginx", ("nginx", "", "")),
    ("nginx:1.2", ("nginx", "1.2", "")),
    ("nginx@sha256:abc", ("nginx", "", "sha256:abc")),
    ("nginx:1.2@sha256:abc", ("nginx", "1.2", "sha256:abc")),
    ("registry:5000/team/app:v1", ("registry:5000/team/app", "v1", "")),
])
def test_split_image(image: str, parts: tuple[str, str, str]) -> None:
    assert split_image(image) == parts
