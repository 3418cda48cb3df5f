"""A KRM function that misbehaves on request: it runs inside ``porchbot/sandbox-fn:local``.

The ResourceList's functionConfig (a ConfigMap) picks what it does through ``data.mode``; the tests
in tests/render/docker/ use it to prove what the docker runtime's sandbox allows and forbids. It has
only the base image's Python and PyYAML, and prints a ResourceList like any catalog function.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from typing import Any

import yaml


def respond(resource_list: dict[str, Any], items: list[dict[str, Any]], message: str) -> None:
    resource_list["items"] = items
    resource_list["results"] = [{"message": message, "severity": "info"}]
    sys.stdout.write(yaml.safe_dump(resource_list, sort_keys=False))


def fail(message: str, code: int = 1) -> None:
    sys.stderr.write(message + "\n")
    sys.exit(code)


def report(data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sandbox-report"}, "data": data}


def main() -> None:
    resource_list = yaml.safe_load(sys.stdin.read()) or {}
    config = (resource_list.get("functionConfig") or {}).get("data") or {}
    items = list(resource_list.get("items") or [])
    mode = str(config.get("mode", "echo"))
    if mode == "echo":
        respond(resource_list, items, "echo")
    elif mode == "whoami":
        identity = {"uid": str(os.getuid()), "euid": str(os.geteuid()), "gid": str(os.getgid())}
        respond(resource_list, [*items, report(identity)], "whoami")
    elif mode == "read":
        with open(str(config["path"])) as handle:
            respond(resource_list, [*items, report({"content": handle.read()})], "read")
    elif mode == "env":
        names = str(config.get("names", "")).split(",")
        respond(resource_list, [*items, report({n: os.environ.get(n, "<unset>") for n in names})], "env")
    elif mode == "connect":
        try:
            with socket.create_connection((str(config["host"]), int(config["port"])), timeout=5):
                pass
        except OSError as err:
            fail(f"connect: {err}")
        respond(resource_list, items, "connected")
    elif mode == "write":
        try:
            with open(str(config["path"]), "w") as handle:
                handle.write("escaped the sandbox\n")
        except OSError as err:
            fail(f"write: {err}")
        respond(resource_list, items, f"wrote {config['path']}")
    elif mode == "sleep":
        time.sleep(float(config.get("seconds", 3600)))
        respond(resource_list, items, "slept")
    elif mode == "close-and-sleep":
        os.close(1)
        os.close(2)
        time.sleep(float(config.get("seconds", 3600)))
    elif mode == "garbage":
        sys.stdout.write("this: is: not a ResourceList: [\n")
    elif mode == "stderr":
        sys.stderr.write("Unable to find image 'x' locally\nsomething went wrong\n")
        fail("giving up", code=int(config.get("code", 3)))
    elif mode == "threads":
        import threading

        stop = threading.Event()
        started = []
        try:
            for _ in range(int(config.get("count", 64))):
                thread = threading.Thread(target=stop.wait)
                thread.start()
                started.append(thread)
        except RuntimeError as err:
            stop.set()
            fail(f"threads: {err} after {len(started)}")
        stop.set()
        respond(resource_list, items, f"started {len(started)} threads")
    elif mode == "memory":
        hog = [bytearray(16 * 1024 * 1024) for _ in range(int(config.get("chunks", 64)))]
        respond(resource_list, items, f"allocated {len(hog) * 16} MiB")
    else:
        fail(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
