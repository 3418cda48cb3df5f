"""Per-repository policy: who may approve, how many approvals, which render runtime.

Two sources, never the PR under review: the bot's ``config/porchbot.yaml`` and Prow-format ``OWNERS``
files (``approvers:``) in the package directory or any parent, read from the BASE branch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config.sandbox import SandboxConfig, parse_sandbox
from bot.errors import InvalidInput

CONFIG_FILE = "porchbot.yaml"
OWNERS_FILE = "OWNERS"
RUNTIMES = ("builtin", "docker", "auto")
# What the bot does when a package's upstream publishes: nothing, an upgrade PR, or an upgrade PR that it
# approves itself once its render is green and the merge reported no conflict.
PROPAGATION_MODES = ("off", "pr", "auto")

ReadFile = Callable[[str], bytes | None]  # path on the base branch → bytes, None when absent


@dataclass(frozen=True)
class RepositoryPolicy:
    approvers: frozenset[str] = frozenset()
    required_approvals: int = 0
    propagation: str = "pr"


@dataclass(frozen=True)
class BotConfig:
    runtime: str = "builtin"
    open_draft_pr: bool = True
    defaults: RepositoryPolicy = RepositoryPolicy()
    repositories: dict[str, RepositoryPolicy] = field(default_factory=dict)
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)  # function images, exec, container limits (bot.config.sandbox)

    def policy(self, repository: str) -> RepositoryPolicy:
        return self.repositories.get(repository, self.defaults)


def _logins(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise InvalidInput(f"{where}: approvers must be a list of logins")
    return frozenset(str(v).lower() for v in value)


def _policy(entry: Any, where: str, base: RepositoryPolicy) -> RepositoryPolicy:
    if entry is None:
        return base
    if not isinstance(entry, dict):
        raise InvalidInput(f"{where}: expected a mapping")
    required = entry.get("required_approvals", base.required_approvals)
    if not isinstance(required, int) or isinstance(required, bool) or required < 0:
        raise InvalidInput(f"{where}: required_approvals must be a whole number >= 0")
    approvers = _logins(entry["approvers"], where) if "approvers" in entry else base.approvers
    propagation = _mode(entry.get("propagation", base.propagation))
    if propagation not in PROPAGATION_MODES:
        raise InvalidInput(f"{where}: propagation must be one of {', '.join(PROPAGATION_MODES)}")
    return RepositoryPolicy(approvers=approvers, required_approvals=required, propagation=propagation)


def parse_config(text: str, where: str = CONFIG_FILE) -> BotConfig:
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise InvalidInput(f"{where}: not valid YAML: {err}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{where}: expected a mapping at the top")
    render = document.get("render") or {}
    runtime = str(render.get("runtime", "builtin")) if isinstance(render, dict) else "builtin"
    if runtime not in RUNTIMES:
        raise InvalidInput(f"{where}: render.runtime must be one of {', '.join(RUNTIMES)}")
    pulls = document.get("pull_requests") or {}
    defaults = _policy(document.get("defaults"), f"{where}: defaults", RepositoryPolicy())
    entries = document.get("repositories") or {}
    if not isinstance(entries, dict):
        raise InvalidInput(f"{where}: repositories must be a mapping of repository name to policy")
    repositories = {str(name): _policy(entry, f"{where}: repositories.{name}", defaults)
                    for name, entry in entries.items()}
    return BotConfig(runtime=runtime, open_draft_pr=bool(pulls.get("open_draft_pr", True)) if isinstance(
        pulls, dict) else True, defaults=defaults, repositories=repositories,
        sandbox=parse_sandbox(render, entries, where))


def load_config(config_dir: Path) -> BotConfig:
    path = config_dir / CONFIG_FILE
    if not path.is_file():
        return BotConfig()
    return parse_config(path.read_text(), str(path))


def owners_approvers(read_file: ReadFile, package_path: str) -> frozenset[str]:
    """Approvers from OWNERS files in the package directory and its parents (Prow: ancestors count too,
    unless a file sets ``options: {no_parent_owners: true}``)."""
    parts = [p for p in package_path.strip("/").split("/") if p]
    found: set[str] = set()
    for depth in range(len(parts), -1, -1):
        path = "/".join([*parts[:depth], OWNERS_FILE])
        raw = read_file(path)
        if raw is None:
            continue
        try:
            document = yaml.safe_load(raw.decode("utf-8", "replace")) or {}
        except yaml.YAMLError:
            continue  # a broken OWNERS file grants nothing
        if not isinstance(document, dict):
            continue
        try:
            found |= _logins(document.get("approvers"), path)
        except InvalidInput:
            continue
        options = document.get("options")
        if isinstance(options, dict) and options.get("no_parent_owners"):
            break
    return frozenset(found)


def approvers_for(config: BotConfig, repository: str, read_file: ReadFile, package_path: str) -> frozenset[str]:
    return config.policy(repository).approvers | owners_approvers(read_file, package_path)


def _mode(value: Any) -> str:
    """A propagation mode as written: YAML reads a bare ``off`` as false."""
    return "off" if value is False else str(value)


def package_propagation(config: BotConfig, repository: str, read_file: ReadFile, package_path: str) -> str:
    """The propagation mode for one package: the repository's own ``.porchbot.yaml`` on its base branch may
    set ``propagation:`` (repository-wide) and ``packages: {<path>: {propagation: ...}}``; else the bot's
    config for the repository."""
    mode = config.policy(repository).propagation
    raw = read_file(".porchbot.yaml")
    if raw is None:
        return mode
    try:
        document = yaml.safe_load(raw) or {}
    except yaml.YAMLError:
        return mode  # the render of a PR that breaks this file reports it; propagation keeps the bot's mode
    if not isinstance(document, dict):
        return mode
    packages = document.get("packages")
    entry = packages.get(package_path) if isinstance(packages, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    candidate = _mode(entry.get("propagation", document.get("propagation", mode)))
    return candidate if candidate in PROPAGATION_MODES else mode
