"""The docker runtime's settings, as pure functions: pull policy, allowlist, mounts, env, stderr.

Kept apart from the engine calls in docker.py so they are tested without an engine.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any

from bot.config.sandbox import PULL_POLICIES
from bot.render.runtimes.base import FunctionError

CONTAINER_USER = "nobody"
TMPFS_OPTIONS = "rw,nosuid,nodev,noexec,size=64m,mode=1777"
# Lines the docker CLI mixes into a function's stderr while pulling; kpt drops the same ones.
_PULL_NOISE = (": Already exists", ": Pulling fs layer", ": Verifying Checksum", ": Download complete",
               ": Pulling from", ": Waiting", ": Pull complete", "Digest: sha256",
               "Status: Downloaded newer image", "Status: Image is up to date for", "Unable to find image")


def canonical_pull_policy(value: str) -> str | None:
    """The pull policy ``value`` names whatever its letter case (kpt's flag takes ``IfNotPresent``)."""
    lowered = value.lower()
    return next((policy for policy in PULL_POLICIES if policy.lower() == lowered), None)


def normalize_pull_policy(policy: str) -> str:
    normalized = canonical_pull_policy(policy.replace("-", "").replace("_", ""))
    if normalized is None:
        raise FunctionError(f"unknown image pull policy {policy!r}: use always, ifNotPresent or never",
                            execution_error=True)
    return normalized


def filter_stderr(text: str) -> str:
    """The function's stderr without pull-progress lines, lines joined as kpt joins them."""
    return "\n".join(line for line in text.splitlines() if not any(n in line for n in _PULL_NOISE))


def daemon_error(explanation: str, image: str) -> FunctionError:
    """An engine-side failure, recorded the way kpt records the docker CLI's exit code 125."""
    stderr = f"docker: Error response from daemon: {explanation}\n\nRun 'docker run --help' for more information"
    return FunctionError(f"{image}: {explanation}", exit_code=125, stderr=stderr)


def image_allowed(image: str, patterns: tuple[str, ...]) -> bool:
    """An empty allowlist allows every image; otherwise the image must match one fnmatch pattern."""
    return not patterns or any(fnmatch.fnmatchcase(image, pattern) for pattern in patterns)


def parse_mount(spec: str) -> Any:
    """A ``--mount`` value (``type=bind,src=DIR,dst=PATH[,rw=true]``) as a docker Mount, read-only
    unless ``rw=true``: kpt's default, since a function must not write the host's files."""
    from docker.types import Mount

    fields: dict[str, str] = {}
    for part in spec.split(","):
        key, _, value = part.partition("=")
        fields[key.strip().lower()] = value.strip()
    source = fields.get("src") or fields.get("source") or ""
    target = fields.get("dst") or fields.get("destination") or fields.get("target") or ""
    mount_type = fields.get("type", "bind")
    if mount_type not in {"bind", "volume", "tmpfs"} or not target or (mount_type != "tmpfs" and not source):
        raise FunctionError(f"invalid mount {spec!r}: expected type=bind,src=DIR,dst=PATH[,rw=true]",
                            execution_error=True)
    read_only = fields.get("rw", "false").lower() != "true" and fields.get("readonly", "true").lower() != "false"
    return Mount(target=target, source=source or None, type=mount_type, read_only=read_only)


def container_env(env: tuple[str, ...]) -> dict[str, str]:
    """``--env`` values: ``KEY=VALUE``, or ``KEY`` alone to pass this process's value (kpt's rule)."""
    result: dict[str, str] = {}
    for entry in env:
        key, sep, value = entry.partition("=")
        if sep:
            result[key] = value
        elif key in os.environ:
            result[key] = os.environ[key]
    return result
