"""The web edge: signature checks, and what a delivery becomes (a stored job holding one typed event)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bot.config.settings import Secret, Settings
from bot.forges.models import CommentEvent, event_from_json
from bot.queue.jobqueue import Queue
from bot.web.app import create_app
from bot.web.signatures import verify_github_signature, verify_gitlab_token

# GitHub's documented check value.
DOC_SECRET = "It's a Secret to Everybody"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_github_documented_example() -> None:
    assert verify_github_signature(DOC_SECRET, b"Hello, World!", DOC_SIGNATURE)


def test_github_rejects_wrong_secret_body_and_missing() -> None:
    assert not verify_github_signature("other", b"Hello, World!", DOC_SIGNATURE)
    assert not verify_github_signature(DOC_SECRET, b"Hello, World! ", DOC_SIGNATURE)
    assert not verify_github_signature(DOC_SECRET, b"Hello, World!", None)
    assert not verify_github_signature(DOC_SECRET, b"Hello, World!", "sha1=abc")
    assert not verify_github_signature(DOC_SECRET, b"Hello, World!", "sha256=\u00e9")


def test_gitlab_token() -> None:
    assert verify_gitlab_token("s3cret", "s3cret")
    assert not verify_gitlab_token("s3cret", "s3cre")
    assert not verify_gitlab_token("s3cret", None)
    assert not verify_gitlab_token("s3cret", "")


def _edge(tmp_path: Path) -> tuple[TestClient, Queue]:
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                        gitlab_webhook_secret=Secret("s3cret"))
    queue = Queue(settings)  # producer only: the job stays in the store for the test to read
    return TestClient(create_app(settings, queue)), queue


def _gitlab(client: TestClient, event: str, payload: dict[str, Any], delivery: str) -> tuple[int, dict[str, Any]]:
    response = client.post("/webhooks/gitlab", content=json.dumps(payload), headers={
        "Content-Type": "application/json", "X-Gitlab-Event": event, "X-Gitlab-Token": "s3cret",
        "Idempotency-Key": delivery})
    return response.status_code, response.json()


PROJECT = {"id": 9, "path_with_namespace": "acme/deployments", "git_http_url": "https://forge.example/a.git"}
ATTRIBUTES: dict[str, Any] = {"id": 5, "note": "/approve", "noteable_type": "MergeRequest", "system": False}
NOTE = {"object_kind": "note", "project": PROJECT, "user": {"username": "alice"}, "merge_request": {"iid": 4},
        "object_attributes": ATTRIBUTES}


def test_the_stored_job_carries_the_typed_event_not_the_body(tmp_path: Path) -> None:
    client, queue = _edge(tmp_path)
    assert _gitlab(client, "Note Hook", NOTE, "d-1")[0] == 202
    job = queue.store.claim("gitlab:d-1", 60)
    assert job is not None and job.key == "gitlab:acme/deployments:pr:4"
    assert "object_attributes" not in json.dumps(job.payload)  # the worker never sees the raw delivery
    event = event_from_json(job.payload)
    assert isinstance(event, CommentEvent) and (event.comment.body, event.delivery_id) == ("/approve", "d-1")


def test_system_notes_and_numeric_projects_stop_at_the_edge(tmp_path: Path) -> None:
    client, queue = _edge(tmp_path)
    system = {**NOTE, "object_attributes": {**ATTRIBUTES, "system": True}}
    assert _gitlab(client, "Note Hook", system, "d-2") == (200, {"message": "ignored",
                                                              "reason": "system note (GitLab's own, not a person's)"})
    status, body = _gitlab(client, "Note Hook", {**NOTE, "project": {"id": 9}}, "d-3")
    assert status == 400 and "project.path_with_namespace" in body["message"]
    assert queue.store.counts() == {}
