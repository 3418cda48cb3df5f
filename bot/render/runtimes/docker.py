"""The docker runtime: each function call in a fresh, locked-down container, through the docker SDK.

Every knob in one place (as kpt's container runtime keeps them): no network unless allowed (then the
host's, as kpt does), user ``nobody``, read-only root filesystem with a tmpfs on /tmp, no new
privileges, no capabilities, memory / CPU / pids limits, and a timeout after which the container is
killed. Pull policy ``always | ifNotPresent | never``. A failure the engine reports (missing image,
failed pull) is shaped like the docker CLI's (exit code 125, ``docker: Error response from
daemon: ...``) because that is what kpt records for it.

Latency: the container is created, attached and started through the low-level API and the
ResourceList streamed over the attach socket; that avoids the CLI and a second round trip for logs.
The ``docker`` package is imported on first use so the CLI starts fast.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from typing import Any

from bot.render.resourcelist import ResourceList
from bot.render.resourcelist_wire import WireError, decode_resource_list, encode_resource_list
from bot.render.runtimes.base import FunctionError, FunctionRef, FunctionRun, RuntimeOptions, partial_output
from bot.render.runtimes.docker_config import (
    CONTAINER_USER,
    TMPFS_OPTIONS,
    container_env,
    daemon_error,
    filter_stderr,
    image_allowed,
    normalize_pull_policy,
    parse_mount,
)

_STDOUT, _STDERR = 1, 2

def docker_status() -> tuple[bool, str]:
    """Whether a Docker engine answers here, with its version or the reason it does not."""
    try:
        import docker

        client = docker.from_env(timeout=5)
        version = client.version().get("Version", "?")
        client.close()
    except Exception as err:  # any failure means "not usable", and the reason is shown as is
        return False, f"no Docker engine answers: {err}"
    return True, f"Docker engine {version}"


class DockerRuntime:
    name = "docker"

    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        self.pull_policy = normalize_pull_policy(options.image_pull_policy)
        self._api: Any = None

    def reproduces(self, function: FunctionRef, resource_list: ResourceList) -> bool:
        return True  # it runs the image itself

    def run(self, function: FunctionRef, resource_list: ResourceList) -> FunctionRun:
        image = function.image
        if not image:
            raise FunctionError("the docker runtime runs images only", execution_error=True)
        if not image_allowed(image, self.options.allowed_images):
            allowed = ", ".join(self.options.allowed_images)
            raise FunctionError(f"image {image} is not in the allowed images ({allowed})", execution_error=True)
        stdin = encode_resource_list(resource_list).encode("utf-8")
        stdout, stderr, exit_code = self._run_container(image, stdin)
        stderr_text = filter_stderr(stderr.decode("utf-8", errors="replace"))
        stdout_text = stdout.decode("utf-8", errors="replace")
        if exit_code != 0:
            raise FunctionError(f"function {image} exited with code {exit_code}", exit_code=exit_code,
                                stderr=stderr_text, output=partial_output(stdout_text))
        try:
            output = decode_resource_list(stdout_text)
        except WireError as err:
            raise FunctionError(f"function {image} printed malformed output: {err}", exit_code=1,
                                stderr=stderr_text, execution_error=True) from err
        return FunctionRun(output=output, stderr=stderr_text, exit_code=0)

    def _run_container(self, image: str, stdin: bytes) -> tuple[bytes, bytes, int]:
        import docker.errors
        import requests.exceptions

        try:
            container = self._create(self._container_image(image))
            try:
                return self._attach_and_run(container, stdin, image)
            finally:
                self._remove(container)
        except docker.errors.APIError as err:
            # e.g. the image has no user "nobody" or no command: the engine refuses to start it.
            raise daemon_error(str(err.explanation or err), image) from err
        except (requests.exceptions.RequestException, OSError) as err:
            raise FunctionError(f"function {image}: lost the Docker engine mid-call: {err}",
                                execution_error=True) from err

    def _container_image(self, image: str) -> str:
        """The container twin of a catalog wasm build, when wasm is allowed and the twin is here.

        kpt runs ``.../wasm/NAME:TAG`` in its own wasm runtime, never in a container; the wasm builds
        are compiled from the same sources as the images, so (as the builtin runtime does) we run
        ``NAME:TAG``, or ``NAME:latest`` when that tag has no container image here.
        """
        if not (self.options.allow_wasm and "/wasm/" in image):
            return image
        from bot.render.functions.registry import DEFAULT_IMAGE_PREFIX, parse_image

        ref = parse_image(image)
        if not ref.catalog:
            return image
        for candidate in (f"{DEFAULT_IMAGE_PREFIX}/{ref.name}:{ref.tag}", f"{DEFAULT_IMAGE_PREFIX}/{ref.name}:latest"):
            if self._has_image(candidate):
                return candidate
        return image

    # -- engine calls -------------------------------------------------------------------------

    def _has_image(self, image: str) -> bool:
        import docker.errors

        try:
            self._client().inspect_image(image)
        except docker.errors.ImageNotFound:
            return False
        return True

    def _client(self) -> Any:
        if self._api is None:
            try:
                import docker

                self._api = docker.APIClient(**docker.utils.kwargs_from_env(), timeout=60)
                self._api.ping()
            except Exception as err:  # the SDK raises several unrelated types for "no engine"
                self._api = None
                raise FunctionError(f"the docker runtime needs a Docker engine and none answers: {err}",
                                    execution_error=True) from err
        return self._api

    def _create(self, image: str) -> str:
        import docker.errors

        if self.pull_policy == "always":
            self._pull(image)
        try:
            return self._create_container(image)
        except docker.errors.ImageNotFound as err:
            if self.pull_policy == "never":
                raise daemon_error(f"No such image: {image}", image) from err
        self._pull(image)
        try:
            return self._create_container(image)
        except docker.errors.APIError as err:
            raise daemon_error(str(err.explanation or err), image) from err

    def _create_container(self, image: str) -> str:
        import docker.errors

        api = self._client()
        limits = self.options.limits
        host_config = api.create_host_config(
            mounts=[parse_mount(spec) for spec in self.options.mounts],
            network_mode="host" if self.options.allow_network else "none",
            read_only=True,
            tmpfs={"/tmp": TMPFS_OPTIONS},
            security_opt=["no-new-privileges"],
            cap_drop=["ALL"],
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            nano_cpus=limits.nano_cpus,
            pids_limit=limits.pids,
        )
        try:
            created = api.create_container(
                image, user=CONTAINER_USER, stdin_open=True, detach=False, tty=False,
                environment=container_env(self.options.env), host_config=host_config, labels={"porchbot.runtime": "docker"})
        except docker.errors.ImageNotFound:
            raise
        except docker.errors.APIError as err:
            raise daemon_error(str(err.explanation or err), image) from err
        return str(created["Id"])

    def _pull(self, image: str) -> None:
        import docker.errors

        repository, tag = _split_image(image)
        try:
            self._client().pull(repository, tag=tag or None)
        except docker.errors.APIError as err:
            raise daemon_error(str(err.explanation or err), image) from err

    def _attach_and_run(self, container: str, stdin: bytes, image: str) -> tuple[bytes, bytes, int]:
        import requests.exceptions

        api = self._client()
        timeout = self.options.limits.timeout_seconds
        deadline = time.monotonic() + timeout
        attached = api.attach_socket(container, params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
        sock: socket.socket = getattr(attached, "_sock", attached)
        try:
            api.start(container)
            writer = threading.Thread(target=_send_stdin, args=(sock, stdin), daemon=True)
            writer.start()
            try:
                stdout, stderr = _read_frames(sock, deadline)
            except TimeoutError:
                self._kill(container)
                raise FunctionError(f"function {image} timed out after {timeout:g}s and was killed",
                                    execution_error=True) from None
        finally:
            attached.close()
        remaining = max(deadline - time.monotonic(), 1.0)
        try:
            status = api.wait(container, timeout=remaining)
        except requests.exceptions.ReadTimeout:
            # It closed its output but kept running past the deadline.
            self._kill(container)
            raise FunctionError(f"function {image} timed out after {timeout:g}s and was killed",
                                execution_error=True) from None
        exit_code = int(status.get("StatusCode", 1))
        if exit_code == 137 and api.inspect_container(container)["State"].get("OOMKilled"):
            mib = self.options.limits.memory_bytes // (1024 * 1024)
            stderr += f"\nkilled: the function ran out of memory (limit {mib} MiB)".encode()
        return stdout, stderr, exit_code

    def _kill(self, container: str) -> None:
        import docker.errors

        try:
            self._client().kill(container)
        except docker.errors.APIError:
            pass  # it may have exited on its own meanwhile; removal below is forced anyway

    def _remove(self, container: str) -> None:
        import docker.errors

        try:
            self._client().remove_container(container, force=True)
        except docker.errors.APIError:
            pass  # already gone: nothing left to clean


def _split_image(image: str) -> tuple[str, str]:
    if "@" in image:
        return image, ""
    last = image.rsplit("/", 1)[-1]
    if ":" in last:
        repository, tag = image.rsplit(":", 1)
        return repository, tag
    return image, "latest"


def _send_stdin(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
        # Half-close: with StdinOnce (stdin_open and not detached) the engine then closes the function's stdin (EOF).
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass  # the function exited without reading everything; its exit code tells the story


def _read_frames(sock: socket.socket, deadline: float) -> tuple[bytes, bytes]:
    """Demultiplex the attach stream (8-byte headers: stream id, size) until the function exits."""
    streams = {_STDOUT: bytearray(), _STDERR: bytearray()}
    buffer = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(65536)  # TimeoutError (socket.timeout) when the deadline passes
        if not chunk:
            break
        buffer += chunk
        while len(buffer) >= 8:
            stream, size = struct.unpack(">BxxxL", bytes(buffer[:8]))
            if len(buffer) < 8 + size:
                break
            streams.setdefault(stream, bytearray()).extend(buffer[8:8 + size])
            del buffer[:8 + size]
    return bytes(streams[_STDOUT]), bytes(streams[_STDERR])
