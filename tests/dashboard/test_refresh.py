"""Never empty for no reason: the running app fetches at start, on its schedule and after a push its
workers handle, and a page shows what changed without anyone asking for ?refresh=true."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config.settings import Settings
from bot.forges.models import PushEvent, RepoRef, User
from bot.handlers import dispatch
from bot.handlers.context import BotContext
from bot.queue.jobqueue import Queue
from bot.web.app import create_app
from tests.dashboard.fleet_fixture import porchbot


def eventually(probe: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, str], str]:
    variables = {"PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    env = {**os.environ, **variables}
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "site.git")], check=True)
    porchbot(env, "repo", "register", str(tmp_path / "site.git"), "--name", "site")
    name = porchbot(env, "rpkg", "init", "web", "--repository", "site", "--workspace", "v1").split()[0]
    return env, name


def test_the_schedule_brings_a_change_made_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, name = setup(tmp_path, monkeypatch)
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                        dashboard_refresh_seconds=0.3)
    with TestClient(create_app(settings, Queue(settings))) as client:
        eventually(lambda: "Draft" in client.get("/repositories/site").text, "the fetch at start")
        porchbot(env, "rpkg", "propose", name)
        eventually(lambda: "lc-proposed" in client.get("/repositories/site").text, "the scheduled fetch")
        packages = client.get("/api/v1/packagerevisions").json()["items"]
        assert [item["spec"]["lifecycle"] for item in packages if not item["spec"].get("revision") == "main"] \
            == ["Proposed"]  # the API's listing reads the cache the dashboard keeps fetched


def test_a_push_refreshes_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env, name = setup(tmp_path, monkeypatch)
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                        dashboard_refresh_seconds=3600.0)  # the schedule would never come in this test
    app = create_app(settings, Queue(settings))
    with TestClient(app) as client:
        assert len(dispatch.PUSH_LISTENERS) == 1
        eventually(lambda: "Draft" in client.get("/repositories/site").text, "the fetch at start")
        porchbot(env, "rpkg", "propose", name)
        time.sleep(0.5)
        assert "lc-proposed" not in client.get("/repositories/site").text
        push = PushEvent(RepoRef("github", "acme/site", str(tmp_path / "site.git"), "main"),
                         "refs/heads/main", "0" * 40, "1" * 40, User("dev"))
        dispatch.route(BotContext(bot_login="porchbot"), push)  # what a worker does with a push delivery
        eventually(lambda: "lc-proposed" in client.get("/repositories/site").text, "the refresh after a push",
                   timeout=10)
    assert dispatch.PUSH_LISTENERS == []
