"""Every real webhook fixture, POSTed to a running `porchbot serve`, gets a 2xx when signed and a
401/403 when not; the server keeps running and logs neither a traceback nor a secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.bot.serve_process import serve_process
from tests.conftest import shared_path

GITHUB_SECRET = "gh-hook-secret-\u00e9-test"
GITLAB_SECRET = "gl-hook-token-test"


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def _github_fixtures() -> list[tuple[Path, str]]:
    root = shared_path("fixtures", "github")
    found: list[tuple[Path, str]] = []
    for folder in ("webhooks", "webhooks-derived", "webhooks-thirdparty"):
        for entry in json.loads((root / folder / "manifest.json").read_text()):
            event = entry.get("event") or entry.get("x_github_event")
            found.append((root / folder / entry["file"], event))
    return found


def _gitlab_fixtures() -> list[tuple[Path, str]]:
    root = shared_path("fixtures", "gitlab")
    found: list[tuple[Path, str]] = []
    for folder in ("webhooks", "webhooks-derived"):
        for entry in json.loads((root / folder / "manifest.json").read_text()):
            found.append((root / folder / entry["file"], entry["x_gitlab_event"]))
    return found


def _sign(body: bytes) -> str:
    return "sha256=" + hmac.new(GITHUB_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_every_fixture_is_accepted_signed_and_refused_unsigned(tmp_path: Path) -> None:
    github = _github_fixtures()
    gitlab = _gitlab_fixtures()
    assert len(github) > 60 and len(gitlab) > 15
    env = {"PORCHBOT_GITHUB_WEBHOOK_SECRET": GITHUB_SECRET, "PORCHBOT_GITLAB_WEBHOOK_SECRET": GITLAB_SECRET,
           "PORCHBOT_CONFIG_DIR": str(tmp_path / "config")}
    log_path = tmp_path / "serve.log"
    with serve_process(tmp_path / "state", env, log_path) as base:
        for path, event in github:
            body = path.read_bytes()
            headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()),
                       "User-Agent": "GitHub-Hookshot/test"}
            status = _post(base + "/webhooks/github", body, {**headers, "X-Hub-Signature-256": _sign(body)})
            assert 200 <= status < 300, (path.name, status)
            bad = _post(base + "/webhooks/github", body, {**headers, "X-Hub-Signature-256": _sign(body + b" ")})
            assert bad in (401, 403), (path.name, bad)
            missing = _post(base + "/webhooks/github", body, headers)
            assert missing in (401, 403), (path.name, missing)
        for path, event in gitlab:
            body = path.read_bytes()
            headers = {"X-Gitlab-Event": event, "Idempotency-Key": str(uuid.uuid4())}
            status = _post(base + "/webhooks/gitlab", body, {**headers, "X-Gitlab-Token": GITLAB_SECRET})
            assert 200 <= status < 300, (path.name, status)
            bad = _post(base + "/webhooks/gitlab", body, {**headers, "X-Gitlab-Token": "wrong"})
            assert bad in (401, 403), (path.name, bad)
        with urllib.request.urlopen(base + "/healthz", timeout=5) as resp:
            assert resp.status == 200
    log = log_path.read_text()
    assert "Traceback" not in log
    assert GITHUB_SECRET not in log and GITLAB_SECRET not in log


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    (b"not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b'{"zen": "x"}', "text/plain", 415),
    (b'{"ref": 5}', "application/json", 400),
], ids=["not-json", "not-object", "wrong-content-type", "wrong-shape"])
def test_malformed_bodies_are_400(tmp_path: Path, body: bytes, content_type: str, expected: int) -> None:
    env = {"PORCHBOT_GITHUB_WEBHOOK_SECRET": GITHUB_SECRET}
    with serve_process(tmp_path / "state", env, tmp_path / "serve.log") as base:
        status = _post(base + "/webhooks/github", body, {
            "Content-Type": content_type, "X-GitHub-Event": "push", "X-GitHub-Delivery": "d-1",
            "X-Hub-Signature-256": _sign(body)})
        assert status == expected
        # A delivery id is only remembered once accepted; an unknown event is acknowledged, not acted on.
        ping = b'{"zen": "Keep it simple.", "hook_id": 1}'
        assert _post(base + "/webhooks/github", ping, {"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-2",
                                                        "X-Hub-Signature-256": _sign(ping)}) == 200
