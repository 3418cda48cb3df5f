"""A forge-backed repository on the emulated GitHub: the dashboard shows each draft's pull request (link,
draft or open) and the render status the bot set on its head; a forge failure leaves the branches listed."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config.settings import Settings
from bot.forges import factory
from bot.forges.base import RENDER_STATUS_CONTEXT
from bot.lifecycle.repositories import get
from bot.queue.jobqueue import Queue
from bot.web.app import create_app
from tests.dashboard.fleet_fixture import porchbot
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator

REPO = "acme/deployments"


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    emulator = start_emulator("github", tmp_path / "forge")
    emulator.add_user("dev")
    emulator.grant(REPO, "dev", "write")
    yield emulator
    emulator.stop()


def test_drafts_show_their_pull_request_and_render_status(emulator: Emulator, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    variables = {"PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path / "state"),
                 "DEPLOYMENTS_TOKEN": emulator.user("dev").token, "GIT_CONFIG_GLOBAL": "/dev/null",
                 "GIT_CONFIG_NOSYSTEM": "1"}
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    env = {**os.environ, **variables}
    porchbot(env, "repo", "register", emulator.clone_url(REPO), "--name", "deployments", "--deployment",
             "--forge", "github", "--token-env", "DEPLOYMENTS_TOKEN")
    porchbot(env, "rpkg", "init", "web", "--repository", "deployments", "--workspace", "v1")
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config")
    forge = factory.forge_for(get(settings, "deployments"))
    pull = forge.find_pull_request("drafts/web/v1", "main")
    assert pull is not None and pull.draft
    forge.set_commit_status(pull.head_sha, "failure", RENDER_STATUS_CONTEXT, "set-namespace failed")

    client = TestClient(create_app(settings, Queue(settings)))
    listing = client.get("/repositories/deployments").text
    assert "<th scope=\"col\">Pull requests</th>" in listing
    assert f'<a href="{pull.url}">#{pull.number}</a>' in listing
    plain = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", listing))
    assert "v1 Draft render failed" in plain and f"#{pull.number} draft" in plain
    overview = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/").text))
    assert "deployments : web (v1): render failed forge status failure" in overview


def test_a_forge_that_fails_leaves_the_branches_listed(emulator: Emulator, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    variables = {"PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path / "state"),
                 "DEPLOYMENTS_TOKEN": emulator.user("dev").token, "GIT_CONFIG_GLOBAL": "/dev/null",
                 "GIT_CONFIG_NOSYSTEM": "1"}
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    env = {**os.environ, **variables}
    porchbot(env, "repo", "register", emulator.clone_url(REPO), "--name", "deployments", "--forge", "github",
             "--token-env", "DEPLOYMENTS_TOKEN")
    porchbot(env, "rpkg", "init", "web", "--repository", "deployments", "--workspace", "v1")
    emulator.faults.inject(r"/pulls", method="GET", times=100, status=401)
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config")
    listing = TestClient(create_app(settings, Queue(settings))).get("/repositories/deployments").text
    assert "pull requests not read" in listing
    assert '<span class="badge lc-draft">Draft</span>' in listing
