"""`porchbot fn list`: every builtin with the images and tags it reproduces, a one-line description,
and whether the docker runtime is usable here (run as a user runs it: a real process)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from typing import Any

import pytest
import yaml

from bot.render.functions.registry import CATALOG_PREFIXES, all_functions


def porchbot(*args: str, docker_host: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("PORCHBOT_DEBUG", None)
    if docker_host is not None:
        env["DOCKER_HOST"] = docker_host
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


@pytest.fixture(scope="module")
def closed_docker_host() -> str:
    """A loopback port nothing listens on: the engine "address" answers with connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def listing(closed_docker_host: str) -> dict[str, Any]:
    result = porchbot("fn", "list", "-o", "json", docker_host=closed_docker_host)
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def registered() -> list[tuple[str, list[str]]]:
    return sorted((f.name, list(f.tags)) for f in all_functions())


def test_json_lists_every_builtin_with_its_tags_images_and_description(listing: dict[str, Any]) -> None:
    functions = listing["functions"]
    assert sorted((row["name"], row["tags"]) for row in functions) == registered()
    for row in functions:
        assert row["runtime"] == "builtin"
        assert row["images"] == [f"{prefix}{row['name']}" for prefix in CATALOG_PREFIXES]
        assert row["description"].strip() and "\n" not in row["description"], row


def test_yaml_says_the_same_as_json(listing: dict[str, Any], closed_docker_host: str) -> None:
    result = porchbot("fn", "list", "-o", "yaml", docker_host=closed_docker_host)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout) == listing


def test_table_has_one_row_per_builtin_and_the_docker_state(closed_docker_host: str) -> None:
    result = porchbot("fn", "list", docker_host=closed_docker_host)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "RUNTIME", "TAGS", "DESCRIPTION"]
    rows = lines[1:1 + len(all_functions())]
    expected = sorted(all_functions(), key=lambda f: f.name)
    for line, function in zip(rows, expected, strict=True):
        assert line.split()[:2] == [function.name, "builtin"]
        assert ", ".join(function.tags) in line and line.rstrip().endswith(function.description)
    assert "docker runtime" in lines[-1] and "not usable: " in lines[-1]


def test_an_unreachable_engine_is_reported_as_not_usable_with_the_reason(
        listing: dict[str, Any], closed_docker_host: str) -> None:
    docker = listing["docker"]
    assert docker["usable"] is False
    assert "no Docker engine answers" in docker["reason"] and "refused" in docker["reason"]


def test_a_malformed_docker_host_is_a_reason_not_a_traceback() -> None:
    result = porchbot("fn", "list", docker_host="not a url at all")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "not usable: " in result.stdout.splitlines()[-1]


@pytest.mark.docker
def test_a_running_engine_is_usable() -> None:
    from bot.render.runtimes.docker import docker_status

    usable, reason = docker_status()
    if not usable:
        pytest.skip(reason)
    result = porchbot("fn", "list", "-o", "json")
    assert result.returncode == 0, result.stderr
    docker = json.loads(result.stdout)["docker"]
    assert docker["usable"] is True and docker["reason"].startswith("Docker engine ")


def test_an_unknown_output_format_is_one_clear_error() -> None:
    result = porchbot("fn", "list", "-o", "xml")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: --output must be table, yaml or json (got 'xml')"
    assert result.stdout == ""
