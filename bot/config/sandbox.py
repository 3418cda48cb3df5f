"""The function sandbox policy: which function images a render may run, exec, container limits.

A pull request names the functions its Kptfile runs, so what may run is decided by sources the PR
cannot change: the bot's ``config/porchbot.yaml`` and a ``.porchbot.yaml`` on the repository's BASE
branch (changing that needs a merged PR, i.e. a trusted person). Exec functions (a binary named by
repository content) are refused unless the bot's own config allows them; the base branch cannot.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.errors import InvalidInput

# The catalog, as kpt resolves short names; a config list replaces this.
DEFAULT_ALLOWED_IMAGES = ("gcr.io/kpt-fn/*", "ghcr.io/kptdev/krm-functions-catalog/*")
BASE_POLICY_FILE = ".porchbot.yaml"
PULL_POLICIES = ("always", "ifNotPresent", "never")
_QUANTITY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?|[kmgt]i?|[bB])?\s*$")
_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12,
          "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40}
POLICY_REFUSAL = "Porchbot's function policy refused"  # bot.pr.messages keys the status text on it
MAX_PREFLIGHT_KPTFILES = 500  # a package with more Kptfiles than this is refused rather than walked
# A function gets the whole package in memory (several times over as YAML nodes): far larger packages
# are configuration nobody reviews, and a worker must not be taken down by one.
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_PACKAGE_BYTES = 32 * 1024 * 1024

ReadFile = Callable[[str], bytes | None]


@dataclass(frozen=True)
class Limits:
    """Container limits as the config states them; the function runtimes apply these very values."""

    memory_bytes: int = 512 * 1024 * 1024
    cpus: float = 1.0
    pids: int = 256
    timeout_seconds: float = 300.0

    @property
    def nano_cpus(self) -> int:
        return int(self.cpus * 1e9)  # the unit docker's HostConfig takes


@dataclass(frozen=True)
class SandboxConfig:
    allowed_images: tuple[str, ...] = DEFAULT_ALLOWED_IMAGES
    allow_exec: bool = False
    image_pull_policy: str = "ifNotPresent"
    limits: Limits = Limits()
    repositories: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per-repository allowlists

    def allowed_for(self, repository: str, base_patterns: tuple[str, ...] = ()) -> tuple[str, ...]:
        return self.repositories.get(repository, self.allowed_images) + base_patterns


# -- configuration ---------------------------------------------------------------------------------
def parse_quantity(value: Any, where: str) -> int:
    """``536870912``, ``512Mi``, ``1G`` → bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _QUANTITY.match(str(value)) if isinstance(value, str | float) else None
    if match is None or float(match.group(1)) <= 0:
        raise InvalidInput(f"{where}: expected a size such as 512Mi or 1G, got {value!r}")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "").lower()])


def _positive(value: Any, where: str, kind: type[int] | type[float]) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InvalidInput(f"{where}: expected a number > 0, got {value!r}")
    return kind(value)


def parse_patterns(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InvalidInput(f"{where}: expected a list of image patterns such as gcr.io/kpt-fn/*")
    return tuple(v.strip() for v in value)


def _limits(value: Any, where: str) -> Limits:
    if value is None:
        return Limits()
    if not isinstance(value, dict):
        raise InvalidInput(f"{where}: expected a mapping (memory, cpus, pids, timeout_seconds)")
    default = Limits()
    return Limits(
        memory_bytes=parse_quantity(value["memory"], f"{where}.memory") if "memory" in value
        else default.memory_bytes,
        cpus=_positive(value.get("cpus", default.cpus), f"{where}.cpus", float),
        pids=_positive(value.get("pids", default.pids), f"{where}.pids", int),
        timeout_seconds=_positive(value.get("timeout_seconds", default.timeout_seconds),
                                  f"{where}.timeout_seconds", float))


def parse_sandbox(render: Any, repositories: Any, where: str) -> SandboxConfig:
    """The ``render:`` section (and ``repositories.<name>.allowed_images``) of porchbot.yaml."""
    render = render if isinstance(render, dict) else {}
    allowed = parse_patterns(render["allowed_images"], f"{where}: render.allowed_images") \
        if "allowed_images" in render else DEFAULT_ALLOWED_IMAGES
    allow_exec = render.get("allow_exec", False)
    if not isinstance(allow_exec, bool):
        raise InvalidInput(f"{where}: render.allow_exec must be true or false")
    pull_policy = str(render.get("image_pull_policy", "ifNotPresent"))
    if pull_policy not in PULL_POLICIES:
        raise InvalidInput(f"{where}: render.image_pull_policy must be one of {', '.join(PULL_POLICIES)}")
    per_repository: dict[str, tuple[str, ...]] = {}
    for name, entry in (repositories or {}).items() if isinstance(repositories, dict) else ():
        if isinstance(entry, dict) and "allowed_images" in entry:
            per_repository[str(name)] = parse_patterns(entry["allowed_images"],
                                                       f"{where}: repositories.{name}.allowed_images")
    return SandboxConfig(allowed_images=allowed, allow_exec=allow_exec, image_pull_policy=pull_policy,
                         limits=_limits(render.get("limits"), f"{where}: render.limits"),
                         repositories=per_repository)


def base_branch_patterns(read_file: ReadFile) -> tuple[str, ...]:
    """``render.allowed_images`` from ``.porchbot.yaml`` on the base branch (added to the config's list)."""
    raw = read_file(BASE_POLICY_FILE)
    if raw is None:
        return ()
    try:
        document = yaml.safe_load(raw[:256 * 1024].decode("utf-8", "replace"))
        render = document.get("render") if isinstance(document, dict) else None
        if isinstance(render, dict) and "allowed_images" in render:
            return parse_patterns(render["allowed_images"], BASE_POLICY_FILE)
    except (yaml.YAMLError, InvalidInput):
        pass  # a broken policy file on the base branch grants nothing
    return ()
