"""The docker runtime's sandbox, proven with a purpose-made misbehaving function image.

Each refusal is paired with a control showing the same function succeeds where it is allowed, so a
test cannot pass merely because the function is broken.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from bot.render.resourcelist import ResourceList
from bot.render.runtimes.base import FunctionError, FunctionRef
from bot.render.runtimes.docker import DockerRuntime

RuntimeFactory = Callable[..., DockerRuntime]
ListFactory = Callable[..., ResourceList]

pytestmark = pytest.mark.docker


def report_data(output_items: list[object]) -> dict[str, str]:
    from bot.render.yaml.node import Node

    for item in output_items:
        assert isinstance(item, Node)
        if item.str_value("metadata", "name") == "sandbox-report":
            data = item.get("data")
            assert data is not None
            return {key.value: value.value for key, value in data.pairs()}
    raise AssertionError("the function printed no sandbox-report")


def test_function_runs_as_nobody_not_root(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    run = make_runtime().run(FunctionRef(image=sandbox_image), make_resource_list("whoami"))
    assert run.output is not None
    identity = report_data(list(run.output.items))
    assert identity["uid"] == "65534"
    assert identity["euid"] != "0"


@pytest.fixture
def host_listener() -> Iterator[int]:
    """A TCP server on the host's loopback that accepts whatever connects."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                connection.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def test_network_connection_fails(sandbox_image: str, host_listener: int, make_runtime: RuntimeFactory,
                                  make_resource_list: ListFactory) -> None:
    function = FunctionRef(image=sandbox_image)
    with pytest.raises(FunctionError) as caught:
        make_runtime().run(function, make_resource_list("connect", host="127.0.0.1", port=str(host_listener)))
    assert caught.value.exit_code == 1
    assert "connect:" in caught.value.stderr
    # Control: with the network allowed (kpt's --network gives the host's) the same call connects.
    run = make_runtime(allow_network=True).run(
        function, make_resource_list("connect", host="127.0.0.1", port=str(host_listener)))
    assert run.output is not None and run.output.results[0].message == "connected"


@pytest.mark.parametrize("path", ["/var/tmp/escape", "/etc/escape", "/escape"])
def test_writing_outside_tmp_fails(sandbox_image: str, path: str, make_runtime: RuntimeFactory,
                                   make_resource_list: ListFactory) -> None:
    with pytest.raises(FunctionError) as caught:
        make_runtime().run(FunctionRef(image=sandbox_image), make_resource_list("write", path=path))
    # /var/tmp is world-writable in the image: only the read-only root filesystem stops it.
    expected = "Read-only file system" if path == "/var/tmp/escape" else "write:"
    assert expected in caught.value.stderr


def test_writing_under_tmp_is_allowed(sandbox_image: str, make_runtime: RuntimeFactory,
                                      make_resource_list: ListFactory) -> None:
    scratch = make_resource_list("write", path="/tmp/scratch")
    run = make_runtime().run(FunctionRef(image=sandbox_image), scratch)
    assert run.output is not None and run.output.results[0].message == "wrote /tmp/scratch"


def test_function_past_its_timeout_is_killed(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    started = time.monotonic()
    with pytest.raises(FunctionError) as caught:
        make_runtime(timeout_seconds=2.0).run(FunctionRef(image=sandbox_image), make_resource_list("sleep"))
    elapsed = time.monotonic() - started
    assert sandbox_image in str(caught.value)
    assert "timed out after 2s" in str(caught.value)
    assert elapsed < 15


def test_function_that_closes_its_output_and_hangs_is_killed(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    started = time.monotonic()
    with pytest.raises(FunctionError, match="timed out after 3s and was killed"):
        make_runtime(timeout_seconds=3.0).run(FunctionRef(image=sandbox_image),
                                              make_resource_list("close-and-sleep"))
    assert time.monotonic() - started < 20


def test_function_over_its_memory_limit_is_killed(sandbox_image: str, make_runtime: RuntimeFactory,
        make_resource_list: ListFactory) -> None:
    with pytest.raises(FunctionError) as caught:
        make_runtime(memory_bytes=64 * 1024 * 1024).run(FunctionRef(image=sandbox_image),
                                                    make_resource_list("memory", chunks="16"))
    assert caught.value.exit_code == 137
    assert "out of memory" in caught.value.stderr


def test_pids_limit_stops_a_thread_storm(sandbox_image: str, make_runtime: RuntimeFactory,
                                         make_resource_list: ListFactory) -> None:
    with pytest.raises(FunctionError) as caught:
        make_runtime(pids=16).run(FunctionRef(image=sandbox_image), make_resource_list("threads", count="64"))
    assert "threads: can't start new thread" in caught.value.stderr
    # Control: under the default limit the same function starts them all.
    run = make_runtime().run(FunctionRef(image=sandbox_image), make_resource_list("threads", count="64"))
    assert run.output is not None and run.output.results[0].message == "started 64 threads"
