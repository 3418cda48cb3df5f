"""The function image's entrypoint, run in-process: it must speak the KRM function protocol."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from bot.render.fnmain import run
from bot.render.functions.registry import DEFAULT_IMAGE_PREFIX, BuiltinFunction, FunctionRegistry, lookup
from bot.render.resourcelist import ResourceList, Result
from bot.render.runtimes.base import FunctionError

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


def call(stdin: str, environ: dict[str, str], builtins: FunctionRegistry | None = None) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(io.StringIO(stdin), stdout, stderr, environ, builtins)
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
    from bot.render.resourcelist_wire import decode_resource_list

    output = decode_resource_list(stdout)
    assert output.items[0].str_value("metadata", "namespace") == "staging"
    assert output.results, "set-namespace reports what it changed"


FAKE_ENV = {"PORCHBOT_FUNCTION": "fake", "PORCHBOT_FUNCTION_TAG": "v1"}


def _fake(run_function: Callable[[ResourceList], None]) -> BuiltinFunction:
    return BuiltinFunction(name="fake", description="a test double", tags=("v1",), run=run_function)


def test_success_stderr_is_printed_after_the_list() -> None:
    def chatty(rl: ResourceList) -> None:
        rl.stderr = "function succeeded, reporting it on stderr"

    code, stdout, stderr = call(INPUT, FAKE_ENV, FunctionRegistry([_fake(chatty)]))
    assert (code, stderr) == (0, "function succeeded, reporting it on stderr\n")
    assert stdout.startswith("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n")


def test_a_crashing_builtin_reads_like_the_builtin_runtime() -> None:
    def broken(rl: ResourceList) -> None:
        raise KeyError("spec")

    code, stdout, stderr = call(INPUT, FAKE_ENV, FunctionRegistry([_fake(broken)]))
    assert (code, stderr) == (1, "KeyError: 'spec'\n")
    assert "kind: ResourceList" in stdout


def test_function_error_prints_results_and_its_own_stderr() -> None:
    def failing(rl: ResourceList) -> None:
        rl.results.append(Result(message="bad config", severity="error"))
        raise FunctionError("bad config", exit_code=1, stderr="Error: bad config")

    code, stdout, stderr = call(INPUT, FAKE_ENV, FunctionRegistry([_fake(failing)]))
    assert (code, stderr) == (1, "Error: bad config\n")
    assert stdout.endswith("results:\n- message: bad config\n  severity: error\n")


def test_function_error_without_stderr_prints_none() -> None:
    def quiet_failure(rl: ResourceList) -> None:
        rl.results.append(Result(message="invalid resource", severity="error"))
        raise FunctionError("found invalid resources", exit_code=1)

    code, stdout, stderr = call(INPUT, FAKE_ENV, FunctionRegistry([_fake(quiet_failure)]))
    assert (code, stderr) == (1, "")
    assert "- message: invalid resource\n" in stdout
