"""Policy: the bot's config file and Prow-format OWNERS files read from the base branch."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.policy import BotConfig, approvers_for, load_config, owners_approvers, parse_config
from bot.errors import InvalidInput

EXAMPLE_CONFIG = Path(__file__).resolve().parents[2] / "config" / "porchbot.yaml"


def reader(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda path: files[path].encode() if path in files else None


def test_the_example_configuration_loads() -> None:
    config = load_config(EXAMPLE_CONFIG.parent)
    assert config.runtime == "builtin" and config.open_draft_pr
    assert config.policy("anything").required_approvals == 0


def test_missing_config_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == BotConfig()


def test_repository_entries_inherit_defaults() -> None:
    config = parse_config("defaults: {approvers: [Root], required_approvals: 1}\n"
                          "repositories:\n  deployments: {approvers: [alice]}\n  other: {}\n")
    assert config.policy("deployments").approvers == {"alice"}
    assert config.policy("deployments").required_approvals == 1
    assert config.policy("other").approvers == {"root"}
    assert config.policy("unlisted").approvers == {"root"}


@pytest.mark.parametrize("text", [
    "render: {runtime: podman}\n",
    "repositories: [deployments]\n",
    "repositories: {deployments: {required_approvals: -1}}\n",
    "repositories: {deployments: {approvers: alice}}\n",
    "- not a mapping\n",
    "render: [\n",
], ids=["unknown-runtime", "repositories-list", "negative-approvals", "approvers-string", "top-list", "bad-yaml"])
def test_bad_config_is_refused_with_a_message(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_config(text)


OWNERS = {
    "OWNERS": "approvers:\n  - root-owner\n",
    "apps/OWNERS": "approvers: [apps-lead]\nreviewers: [someone]\n",
    "apps/istions/OWNERS": "approvers:\n  - Istio-Lead\n",
    "isolated/OWNERS": "options:\n  no_parent_owners: true\napprovers: [solo]\n",
    "broken/OWNERS": "approvers: [\n",
}


@pytest.mark.parametrize(("package_path", "expected"), [
    ("apps/istions", {"istio-lead", "apps-lead", "root-owner"}),
    ("apps/other", {"apps-lead", "root-owner"}),
    ("istions", {"root-owner"}),
    ("isolated", {"solo"}),
    ("broken", {"root-owner"}),
], ids=["package-and-parents", "parent-only", "root-only", "no-parent-owners", "broken-file-grants-nothing"])
def test_owners_files(package_path: str, expected: set[str]) -> None:
    assert owners_approvers(reader(OWNERS), package_path) == expected


def test_config_and_owners_combine() -> None:
    config = parse_config("repositories: {deployments: {approvers: [alice]}}\n")
    assert approvers_for(config, "deployments", reader(OWNERS), "istions") == {"alice", "root-owner"}
    assert approvers_for(config, "deployments", reader({}), "istions") == {"alice"}


def test_serve_refuses_to_start_on_a_broken_config(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    (tmp_path / "porchbot.yaml").write_text("render: {runtime: podman}\n")
    env = {**os.environ, "PORCHBOT_CONFIG_DIR": str(tmp_path), "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--port", "0"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "render.runtime must be one of builtin, docker, auto" in result.stderr
    assert "Traceback" not in result.stderr
