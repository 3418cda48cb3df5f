"""The settings table as a process sees it: parsing, defaults, refusals, and re-reading a changed environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config.settings import Secret, Settings, current_settings
from bot.errors import InvalidInput

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_values_are_typed_and_an_empty_variable_is_unset() -> None:
    settings = Settings.from_env({
        "PORCHBOT_STATE_DIR": "/srv/state", "PORCHBOT_WORKERS": "5", "PORCHBOT_SWEEP_SECONDS": "0.5",
        "PORCHBOT_GITHUB_TOKEN": "", "PORCHBOT_API_TOKEN": "t0k", "PORCHBOT_KPTFILE_STATUS": "no",
        "PORCHBOT_DEBUG": "1", "KPT_IMAGE_PREFIX": "registry.local/fn", "UNRELATED": "x",
    })
    assert settings.state_dir == Path("/srv/state") and settings.git_cache_dir == Path("/srv/state/git")
    assert settings.workers == 5 and settings.sweep_seconds == 0.5
    assert settings.github_token is None and settings.api_token == Secret("t0k")
    assert settings.kptfile_status is False and settings.debug is True
    assert settings.kpt_image_prefix == "registry.local/fn"
    assert settings.config_dir == Path("config") and settings.repositories_file == Path("config/repositories.yaml")
    assert Settings.from_env({"PORCHBOT_KPTFILE_STATUS": "AUTO"}).kptfile_status is None


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORCHBOT_WORKERS", "two", "PORCHBOT_WORKERS='two' is not a number"),
    ("PORCHBOT_JOB_LEASE_SECONDS", "1m", "PORCHBOT_JOB_LEASE_SECONDS='1m' is not a number"),
    ("PORCHBOT_DEBUG", "maybe", "PORCHBOT_DEBUG='maybe': expected true or false"),
    ("PORCHBOT_KPTFILE_STATUS", "sometimes", "PORCHBOT_KPTFILE_STATUS='sometimes': expected auto, true or false"),
])
def test_a_malformed_value_is_refused_by_name(name: str, value: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Settings.from_env({name: value})


def test_a_secret_never_shows() -> None:
    settings = Settings(github_webhook_secret="hush")  # type: ignore[arg-type]  # parsed like the variable
    assert isinstance(settings.github_webhook_secret, Secret)
    assert settings.github_webhook_secret.get_secret_value() == "hush"
    assert "hush" not in repr(settings) and "hush" not in str(settings)


def test_current_settings_follow_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PORCHBOT_STATE_DIR", str(tmp_path))
    first = current_settings()
    assert first.state_dir == tmp_path
    assert current_settings() is first  # unchanged environment: the parsed settings again
    monkeypatch.setenv("PORCHBOT_FORGE_USER", "octocat")
    assert current_settings().forge_user == "octocat" and current_settings().state_dir == tmp_path
    monkeypatch.delenv("PORCHBOT_FORGE_USER")
    assert current_settings().forge_user == ""


def test_the_cli_names_a_malformed_setting_without_a_traceback(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "PORCHBOT_CONFIG_DIR": str(tmp_path), "PORCHBOT_DEBUG": "perhaps"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "repo", "get"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr == "Error: PORCHBOT_DEBUG='perhaps': expected true or false (1/0, yes/no)\n"
