"""The function image's entrypoint, run in-process: it must speak the KRM function protocol."""

from __future__ import annotations

import io

import pytest

from bot.render.fnmain import run
from bot.render.functions.registry import DEFAULT_IMAGE_PREFIX, lookup

INPUT = """\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: app-config
    annotations:
      config.kubernetes.io/path: 'cm.yaml'
      internal.config.kubernetes.io/path: 'cm.yaml'
  data:
    tier: backend
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: fn-config
  data:
    namespace: staging
"""


def call(stdin: str, environ: dict[str, str]) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(io.StringIO(stdin), stdout, stderr, environ)
    return code, stdout.getvalue(), stderr.getvalue()


def test_without_function_env_names_the_choices() -> None:
    code, stdout, stderr = call(INPUT, {})
    assert code == 1
    assert stdout == ""
    assert stderr.startswith("PORCHBOT_FUNCTION is not set: this image runs one of: ")


def test_unknown_function_or_tag_is_refused() -> None:
    code, _stdout, stderr = call(INPUT, {"PORCHBOT_FUNCTION": "no-such-fn", "PORCHBOT_FUNCTION_TAG": "v1"})
    assert code == 1
    assert stderr == "no builtin reproduces no-such-fn:v1 in this image\n"


def test_malformed_input_is_refused() -> None:
    code, stdout, stderr = call("kind: [unterminated", {"PORCHBOT_FUNCTION": "set-namespace",
                                                        "PORCHBOT_FUNCTION_TAG": "latest"})
    if lookup(f"{DEFAULT_IMAGE_PREFIX}/set-namespace:latest") is None:
        assert stderr.startswith("no builtin reproduces")
        return
    assert code == 1
    assert stdout == ""
    assert stderr.startswith("failed to read the input ResourceList: ")


def test_runs_the_builtin_and_prints_the_list_with_results() -> None:
    image = f"{DEFAULT_IMAGE_PREFIX}/set-namespace:latest"
    if lookup(image) is None:
        pytest.skip("set-namespace:latest is not registered yet")
    environ = {"PORCHBOT_FUNCTION": "set-namespace", "PORCHBOT_FUNCTION_TAG": "latest"}
    code, stdout, stderr = call(INPUT, environ)
    assert (code, stderr) == (0, "")
    from bot.render.wire import decode_resource_list

    output = decode_resource_list(stdout)
    assert output.items[0].str_value("metadata", "namespace") == "staging"
    assert output.results, "set-namespace reports what it changed"
