"""docker-compose.yaml: its shape, and every variable it sets is a setting Porchbot reads.

``docker compose`` may not be installed, so the file is checked as data (and with ``docker compose
config`` when the plugin is there).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config.settings import VARIABLES

PROJECT_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yaml"


def known_settings() -> set[str]:
    """The variables Porchbot reads: bot/config/settings.py's table, the only place that reads any."""
    return {variable.env for variable in VARIABLES}


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    return document


def test_services_and_profiles() -> None:
    services = _compose()["services"]
    assert set(services) == {"bot", "redis", "worker"}
    assert "profiles" not in services["bot"]  # `docker compose up` starts the bot alone
    assert services["redis"]["profiles"] == ["redis"] and services["worker"]["profiles"] == ["redis"]
    assert services["bot"]["build"] == "."
    assert services["bot"]["command"][:2] == ["porchbot", "serve"]
    assert services["worker"]["command"][:2] == ["porchbot", "worker"]
    assert services["worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert all(port.startswith("127.0.0.1:") for port in services["bot"]["ports"])  # not on every interface
    images = {services[name]["image"] for name in ("bot", "worker")}
    assert images == {"porchbot/porchbot:0.1.0"}


def test_every_variable_is_a_known_setting() -> None:
    known = known_settings()
    assert "PORCHBOT_JOB_LEASE_SECONDS" in known and "PORCHBOT_BOT_EMAIL" in known
    for name, service in _compose()["services"].items():
        for variable in service.get("environment") or {}:
            assert variable in known, f"{name}: {variable} is not a Porchbot setting"


def test_worker_shares_the_redis_queue_and_no_secret_is_inline() -> None:
    services = _compose()["services"]
    assert services["worker"]["environment"]["PORCHBOT_REDIS_URL"].endswith("redis://redis:6379/0}")
    for service in services.values():
        for variable, value in (service.get("environment") or {}).items():
            if any(word in variable for word in ("TOKEN", "SECRET")):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+:-\}", str(value)), f"{variable} must come from outside"


def test_docker_compose_accepts_it(tmp_path: Path) -> None:
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True,
                                        check=False).returncode != 0:
        pytest.skip("docker compose plugin not installed")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE_FILE), "--profile", "redis", "config", "-q"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
