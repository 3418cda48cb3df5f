"""What ``fn eval --mount`` and ``--env`` give a function on the docker runtime, and nothing more."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef
from bot.render.runtimes.docker import DockerRuntime
from bot.render.runtimes.docker_config import container_env, parse_mount

RuntimeFactory = Callable[..., DockerRuntime]
ListFactory = Callable[..., ResourceList]


def report(run_output: ResourceList | None) -> dict[str, str]:
    assert run_output is not None
    for item in run_output.items:
        if item.str_value("metadata", "name") == "sandbox-report":
            data = item.get("data")
            assert data is not None
            return {key.value: value.value for key, value in data.pairs()}
    raise AssertionError("no sandbox-report in the output")


@pytest.fixture
def schema_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "schemas"
    directory.mkdir()
    (directory / "schema.json").write_text('{"type": "object"}\n')
    directory.chmod(0o755)
    tmp_path.chmod(0o755)
    return directory


@pytest.mark.docker
def test_bind_mount_is_readable_and_read_only(sandbox_image: str, schema_dir: Path,
                                              make_runtime: RuntimeFactory,
                                              make_resource_list: ListFactory) -> None:
    runtime = make_runtime(mounts=(f"type=bind,src={schema_dir},dst=/schemas",))
    run = runtime.run(FunctionRef(image=sandbox_image), make_resource_list("read", path="/schemas/schema.json"))
    assert report(run.output)["content"] == '{"type": "object"}\n'
    with pytest.raises(FunctionError) as caught:
        runtime.run(FunctionRef(image=sandbox_image), make_resource_list("write", path="/schemas/new.json"))
    assert "Read-only file system" in caught.value.stderr
    assert not (schema_dir / "new.json").exists()


@pytest.mark.docker
def test_env_reaches_the_function_and_nothing_else_does(sandbox_image: str, make_runtime: RuntimeFactory,
                                                        make_resource_list: ListFactory,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHBOT_TEST_PASSED", "from-host")
    monkeypatch.setenv("PORCHBOT_TEST_SECRET", "s3cret")
    runtime = make_runtime(env=("COLOR=orange", "PORCHBOT_TEST_PASSED"))
    names = "COLOR,PORCHBOT_TEST_PASSED,PORCHBOT_TEST_SECRET"
    run = runtime.run(FunctionRef(image=sandbox_image), make_resource_list("env", names=names))
    assert report(run.output) == {"COLOR": "orange", "PORCHBOT_TEST_PASSED": "from-host",
                                  "PORCHBOT_TEST_SECRET": "<unset>"}


@pytest.mark.parametrize(("spec", "target", "source", "read_only"), [
    ("type=bind,src=/data,dst=/in", "/in", "/data", True),
    ("type=bind,source=/data,target=/in,rw=true", "/in", "/data", False),
    ("src=/data,dst=/in,rw=false", "/in", "/data", True),
], ids=["default-read-only", "rw-long-names", "explicit-ro"])
def test_parse_mount(spec: str, target: str, source: str, read_only: bool) -> None:
    mount = parse_mount(spec)
    assert (mount["Target"], mount["Source"], mount["Type"], mount["ReadOnly"]) == (
        target, source, "bind", read_only)


@pytest.mark.parametrize("spec", ["type=bind,src=/data", "type=nfs,src=/a,dst=/b", "garbage"])
def test_parse_mount_rejects_incomplete_specs(spec: str) -> None:
    with pytest.raises(FunctionError, match="invalid mount"):
        parse_mount(spec)


def test_container_env_takes_values_or_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FROM_HOST", "yes")
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    assert container_env(("A=1", "B=x=y", "FROM_HOST", "NOT_SET_ANYWHERE")) == {
        "A": "1", "B": "x=y", "FROM_HOST": "yes"}
