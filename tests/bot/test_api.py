"""The read-only API and dashboard over a real git-only repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config.settings import Secret, Settings
from bot.queue.jobqueue import Queue
from bot.web.app import create_app


def _porchbot(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    import os

    remote = tmp_path / "deployments.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    env = {**os.environ, "PORCHBOT_CONFIG_DIR": str(tmp_path / "config"),
           "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    for key in ("PORCHBOT_CONFIG_DIR", "PORCHBOT_STATE_DIR"):
        monkeypatch.setenv(key, env[key])
    _porchbot(env, "repo", "register", str(remote), "--name", "deployments", "--deployment")
    _porchbot(env, "rpkg", "init", "web", "--repository", "deployments", "--revision", "v1")
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config")
    return TestClient(create_app(settings, Queue(settings)))


def test_api_lists_repositories_and_revisions(client: TestClient) -> None:
    repositories = client.get("/api/v1/repositories").json()
    assert [item["metadata"]["name"] for item in repositories["items"]] == ["deployments"]
    revisions = client.get("/api/v1/packagerevisions?refresh=true").json()
    assert revisions["errors"] == []
    web = [item for item in revisions["items"] if item["spec"]["packageName"] == "web"]
    # A draft has a workspace and no revision until approved (Porch v4: spec.revision absent).
    assert [(item["spec"]["workspaceName"], item["spec"].get("revision"), item["spec"]["lifecycle"])
            for item in web] == [("v1", None, "Draft")]
    assert web[0]["apiVersion"] == "porch.kpt.dev/v1alpha1"


def test_dashboard_shows_revisions_escaped(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert '<a href="/repositories/deployments">deployments</a>' in page.text  # the dashboard (tests/dashboard)
    listing = client.get("/repositories/deployments").text
    assert '">web</a></th>' in listing and '<span class="badge lc-draft">Draft</span>' in listing


def test_unknown_repository_is_reported_not_raised(client: TestClient) -> None:
    body = client.get("/api/v1/packagerevisions?repository=nope").json()
    assert body["items"] == [] and "nope" in body["errors"][0]


def test_api_token_guards_the_read_only_api(tmp_path: Path) -> None:
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                        api_token=Secret("read-token"))
    client = TestClient(create_app(settings, Queue(settings)))
    assert client.get("/api/v1/repositories").status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/api/v1/repositories", headers={"Authorization": "Bearer read-token"})
    assert ok.status_code == 200 and ok.json()["items"] == []
    assert client.get("/healthz").status_code == 200  # probes stay open
