"""apply-setters builtin: scalar and array setters, derived values, legacy results and failures."""

from __future__ import annotations

import pytest

from bot.render.functions.apply_setters import current_setter_values
from bot.render.functions.registry import lookup
from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError
from tests.render.functions.conftest import MakeRL, emit, run_builtin
from tests.render.functions.conftest import result_rows as results

IMAGE = "gcr.io/kpt-fn/apply-setters:unstable"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  replicas: 4 # kpt-set: ${nginx-replicas}
  template:
    spec:
      containers:
        - name: nginx
          image: "nginx:1.16.1" # kpt-set: nginx:${tag}
---
apiVersion: v1
kind: MyKind
metadata:
  name: foo
environments: # kpt-set: ${env}
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
    - prod
    - dev
  nginx-replicas: "3"
  tag: 1.16.2
"""


def run(rl: ResourceList) -> ResourceList:
    return run_builtin(IMAGE, rl)


def config(**data: str) -> str:
    lines = "".join(f"  {key}: {value!r}\n" for key, value in data.items()).replace("'", '"')
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n{lines}"


@pytest.mark.parametrize("image", [IMAGE, "gcr.io/kpt-fn/apply-setters:v0.2.0", "apply-setters:v0.2.1",
                                   "ghcr.io/kptdev/krm-functions-catalog/apply-setters:v0.2.1"])
def test_claimed_tags(image: str) -> None:
    assert lookup(image) is not None


def test_latest_is_left_to_the_image() -> None:
    # the 2026 rework reports severities and sanitised values
    assert lookup("ghcr.io/kptdev/krm-functions-catalog/apply-setters:latest") is None


def test_scalar_and_array_setters(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPLOYMENT, SETTERS))
    deployment, my_kind = (emit(item) for item in rl.items)
    assert "  replicas: 3 # kpt-set: ${nginx-replicas}\n" in deployment
    assert '        image: "nginx:1.16.2" # kpt-set: nginx:${tag}\n' in deployment
    replicas = rl.items[0].path("spec", "replicas")
    assert replicas is not None and replicas.tag == "!!int"
    assert my_kind.endswith("environments: # kpt-set: ${env}\n- prod\n- dev\n")
    assert results(rl) == [
        ('set field value to "3"', "", "spec.replicas", "resources.yaml"),
        ('set field value to "nginx:1.16.2"', "", "spec.template.spec.containers[0].image", "resources.yaml"),
        ('set field value to "- prod\\n- dev"', "", "environments", "resources.yaml"),
    ]


def test_no_referenced_setter_is_a_single_plain_result(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPLOYMENT, config(other="x")))
    assert results(rl) == [("no matches for input setter(s)", "", "", "")]
    assert "replicas: 4 #" in emit(rl.items[0])


def test_empty_array_value_becomes_flow_with_the_comment_on_the_value(make_rl: MakeRL) -> None:
    rl = run(make_rl(DEPLOYMENT, config(env="")))
    assert emit(rl.items[1]).endswith("environments: [] # kpt-set: ${env}\n")


def test_unset_setters_are_read_back_from_the_current_value(make_rl: MakeRL) -> None:
    items = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n"
             "  host: app.dev.example.com # kpt-set: app.${stage}.${domain}.com\n")
    rl = run(make_rl(items, config(stage="prod")))
    assert "  host: app.prod.example.com # kpt-set: app.${stage}.${domain}.com\n" in emit(rl.items[0])


def test_empty_result_is_double_quoted(make_rl: MakeRL) -> None:
    items = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x # kpt-set: ${a}\n"
    rl = run(make_rl(items, config(a="")))
    assert '  a: "" # kpt-set: ${a}\n' in emit(rl.items[0])


def test_current_setter_values() -> None:
    assert current_setter_values("my-app.${stage}.${tld}", "my-app.dev.com") == {"stage": "dev", "tld": "com"}
    assert current_setter_values("${a}-${b}", "-x") == {}
    assert current_setter_values("x+${a}", "x+1") == {"a": "1"}


@pytest.mark.parametrize(("items", "data", "message"), [
    ("apiVersion: v1\nkind: C\nmetadata:\n  name: c\nimage: a # kpt-set: ${img}:${tag}\n",
     {"img": "nginx"}, "values for setters [${tag}] must be provided"),
    ("apiVersion: v1\nkind: C\nmetadata:\n  name: c\nlist: # kpt-set: x-${env}\n- a\n",
     {"env": "- b"}, 'invalid setter pattern for array node: "x-${env}"'),
    ("apiVersion: v1\nkind: C\nmetadata:\n  name: c\nlist: # kpt-set: ${env}\n- a\n",
     {"env": "b"}, 'input to array setter must be an array of values, but found "b"'),
])
def test_errors(make_rl: MakeRL, items: str, data: dict[str, str], message: str) -> None:
    rl = make_rl(items, config(**data))
    with pytest.raises(FunctionError) as failure:
        run(rl)
    assert failure.value.stderr == f"{message}{message}\n"
    assert results(rl) == [(f"failed to apply setters: {message}", "error", "", "")]


def test_comments_written_by_create_setters_are_read_by_a_later_step(make_rl: MakeRL) -> None:
    # kpt re-parses each step's output; in-process the nodes must already look re-parsed
    items = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  image: nginx:1.16.1\n"
    rl = make_rl(items, config(image="nginx"))
    create = lookup("gcr.io/kpt-fn/create-setters:unstable")
    assert create is not None
    create.run(rl)
    rl.function_config = make_rl(items, config(image="ubuntu")).function_config
    rl.results = []
    run(rl)
    assert "  image: ubuntu:1.16.1 # kpt-set: ${image}:1.16.1\n" in emit(rl.items[0])
