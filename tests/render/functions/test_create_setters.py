"""create-setters builtin: scalar and array setter comments, one-pass replacement, failures."""

from __future__ import annotations

import pytest

from bot.render.functions.create_setters import replace_once
from bot.render.functions.registry import lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, emit, run_builtin

IMAGE = "gcr.io/kpt-fn/create-setters:unstable"

RESOURCES = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  replicas: 4
  template:
    spec:
      containers:
        - name: nginx
          image: "nginx:1.16.1"
---
apiVersion: v1
kind: MyKind
metadata:
  name: foo
environments:
  - dev
  - stage
"""

SETTERS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: setters
data:
  env: |-
    - stage
    - dev
  nginx-replicas: "4"
  tag: 1.16.1
"""


def run(rl: ResourceList) -> ResourceList:
    return run_builtin(IMAGE, rl)


def results(rl: ResourceList) -> list[tuple[str, str, str]]:
    return [(r.message, r.severity, r.field.path if r.field else "") for r in rl.results]


def test_claims_master_only() -> None:
    assert lookup("gcr.io/kpt-fn/create-setters:v0.1.0") is None
    assert lookup("ghcr.io/kptdev/krm-functions-catalog/create-setters:latest") is None


def test_scalar_and_array_setters(make_rl: MakeRL) -> None:
    rl = run(make_rl(RESOURCES, SETTERS, bookkeeping=False))
    deployment, my_kind = (emit(item) for item in rl.items)
    assert "  replicas: 4 # kpt-set: ${nginx-replicas}\n" in deployment
    assert '        image: "nginx:1.16.1" # kpt-set: nginx:${tag}\n' in deployment
    assert my_kind.endswith("environments: # kpt-set: ${env}\n- dev\n- stage\n")
    assert results(rl) == [
        ('Added line comment "kpt-set: ${nginx-replicas}" for field with value "4"', "", "spec.replicas"),
        ('Added line comment "kpt-set: nginx:${tag}" for field with value "nginx:1.16.1"', "",
         "spec.template.spec.containers[0].image"),
        ('Added line comment "kpt-set: ${env}" for field with value "[dev stage]"', "", "environments"),
    ]


def test_flow_sequence_turns_block_when_matched(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: MyKind\nmetadata:\n  name: foo\nenv: [stage, dev]\n"
    rl = run(make_rl(items, SETTERS, bookkeeping=False))
    assert emit(rl.items[0]).endswith("env: # kpt-set: ${env}\n- stage\n- dev\n")


def test_empty_flow_sequence_keeps_the_comment_on_the_value(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: MyKind\nmetadata:\n  name: foo\nenv: []\n"
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  env: '[]'\n"
    rl = run(make_rl(items, config, bookkeeping=False))
    assert emit(rl.items[0]).endswith("env: [] # kpt-set: ${env}\n")


def test_multi_line_values_are_skipped(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: C\nmetadata:\n  name: c\ndata:\n  a: |\n    nginx\n    x\n  b: nginx\n"
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  image: nginx\n"
    rl = run(make_rl(items, config, bookkeeping=False))
    assert [r[2] for r in results(rl)] == ["data.b"]


def test_replacement_is_one_pass_longest_first() -> None:
    setters = [("long", "nginx-abc"), ("image", "nginx"), ("loop", "${image}")]
    assert replace_once("nginx-abc-nginx", setters) == "${long}-${image}"
    # a later setter never sees text an earlier one produced
    assert replace_once("nginx", [("image", "nginx"), ("x", "image")]) == "${image}"


@pytest.mark.parametrize(("data", "message"), [
    ("data: {}\n", "config map cannot be empty"),
    ("data:\n  other: unused-value\n", "no matches for the input list of setters"),
])
def test_errors(make_rl: MakeRL, data: str, message: str) -> None:
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n" + data
    rl = make_rl(RESOURCES, config)
    with pytest.raises(FunctionError) as failure:
        run(rl)
    assert failure.value.stderr == f"{message}{message}\n"
    assert results(rl) == [(f"failed to create setters: {message}", "error", "")]
