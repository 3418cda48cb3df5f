"""The emulator itself: pushes over real git smart HTTP, signed deliveries to a real receiver, REST details
(201 + Location, 204, 422 bodies, pagination), people acting in the web UI, and the standalone runner."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT_DIR
from tests.forge_emulator import Emulator
from tests.forge_emulator.fixtures import start_emulator

from .conftest import REPO, git

ZERO = "0" * 40


class Receiver:
    """A webhook endpoint on loopback that keeps what it was sent and answers 202."""

    def __init__(self) -> None:
        received: list[tuple[dict[str, str], bytes]] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.stop()


@pytest.fixture(params=["github", "gitlab"])
def wired(request: pytest.FixtureRequest, tmp_path: Path, receiver: Receiver) -> Iterator[Emulator]:
    emulator = start_emulator(request.param, tmp_path / "forge", receiver.url, "s3cret")
    yield emulator
    emulator.stop()


def clone(emulator: Emulator, login: str, into: Path) -> Path:
    subprocess.run(["git", "clone", "-q", emulator.clone_url(REPO, login), str(into)], check=True,
                   capture_output=True)
    return into


def test_a_git_push_is_announced_with_a_signed_webhook(wired: Emulator, receiver: Receiver, tmp_path: Path) -> None:
    work = clone(wired, "owner", tmp_path / "work")
    before = git(work, "rev-parse", "HEAD")
    (work / "Kptfile").write_text("apiVersion: kpt.dev/v1\n")
    git(work, "add", "Kptfile")
    git(work, "commit", "-qm", "add a package")
    after = git(work, "rev-parse", "HEAD")
    git(work, "push", "-q", "origin", "HEAD:refs/heads/drafts/pkg/v1", "HEAD:main")
    assert wired.branch_sha(REPO, "main") == after

    pushes = wired.wait_for_webhook("push", count=2)
    by_ref = {d.payload["ref"]: d for d in pushes}
    assert (by_ref["refs/heads/main"].payload["before"], by_ref["refs/heads/main"].payload["after"]) == (before, after)
    assert by_ref["refs/heads/drafts/pkg/v1"].payload["before"] == ZERO
    assert all(d.status == 202 for d in pushes)

    headers, body = receiver.received[-1]
    if wired.kind == "github":
        expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["x-hub-signature-256"] == f"sha256={expected}"
        assert headers["x-github-event"] == "push" and headers["x-github-delivery"]
        commits = by_ref["refs/heads/main"].payload["commits"]
        assert [c["message"] for c in commits] == ["add a package"] and commits[0]["added"] == ["Kptfile"]
    else:
        assert headers["x-gitlab-token"] == "s3cret" and headers["x-gitlab-event"] == "Push Hook"
        assert headers["idempotency-key"]
        assert by_ref["refs/heads/main"].payload["user_username"] == "owner"
    assert json.loads(body)["ref"] in by_ref


def test_a_redelivery_repeats_the_delivery_id(wired: Emulator, receiver: Receiver) -> None:
    wired.commit_files(REPO, "main", {"x.txt": "x\n"}, "owner")
    first = wired.wait_for_webhook("push")[0]
    wired.webhooks.redeliver(first)
    wired.webhooks.drain()
    (headers_1, body_1), (headers_2, body_2) = receiver.received[-2:]
    assert body_1 == body_2
    key = "x-github-delivery" if wired.kind == "github" else "idempotency-key"
    assert headers_1[key] == headers_2[key]


def test_a_push_to_a_pull_request_head_synchronizes_it(wired: Emulator, tmp_path: Path) -> None:
    wired.commit_files(REPO, "drafts/pkg/v1", {"pkg/Kptfile": "a: 1\n"}, "owner")
    pull = wired.open_pull(REPO, "drafts/pkg/v1", "owner", draft=True)
    work = clone(wired, "owner", tmp_path / "work")
    git(work, "checkout", "-q", "drafts/pkg/v1")
    (work / "pkg" / "Kptfile").write_text("a: 2\n")
    git(work, "commit", "-qam", "edit")
    git(work, "push", "-q", "origin", "drafts/pkg/v1")
    head = git(work, "rev-parse", "HEAD")
    assert wired.pull(REPO, pull.number).head_sha == head
    if wired.kind == "github":
        sync = wired.wait_for_webhook("pull_request", "synchronize")[0].payload
        assert sync["after"] == head and sync["pull_request"]["head"]["sha"] == head
    else:
        update = wired.wait_for_webhook("merge_request", "update")[0].payload
        assert update["object_attributes"]["last_commit"]["id"] == head
        assert update["object_attributes"]["oldrev"] != head


def test_concurrent_pushes_are_each_announced_once(github_emulator: Emulator, tmp_path: Path) -> None:
    clones = []
    for n in range(4):
        work = clone(github_emulator, "owner", tmp_path / f"w{n}")
        (work / f"f{n}.txt").write_text(f"{n}\n")
        git(work, "add", ".")
        git(work, "commit", "-qm", f"change {n}")
        clones.append(work)
    pushers = [threading.Thread(target=git, args=(work, "push", "-q", "origin", f"HEAD:refs/heads/drafts/p{n}/v1"))
               for n, work in enumerate(clones)]
    for pusher in pushers:
        pusher.start()
    for pusher in pushers:
        pusher.join()
    pushes = github_emulator.wait_for_webhook("push", count=4)
    assert sorted(d.payload["ref"] for d in pushes) == [f"refs/heads/drafts/p{n}/v1" for n in range(4)]
    assert all(d.payload["created"] and len(d.payload["commits"]) == 1 for d in pushes)


def test_pushing_needs_a_token_with_write_access(wired: Emulator, tmp_path: Path) -> None:
    anonymous = tmp_path / "anon"
    subprocess.run(["git", "clone", "-q", wired.clone_url(REPO), str(anonymous)], check=True, capture_output=True)
    denied = subprocess.run(["git", "-C", str(anonymous), "push", "origin", "HEAD:refs/heads/x"],
                            capture_output=True, text=True, env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin"})
    assert denied.returncode != 0
    wired.add_user("reader")
    wired.grant(REPO, "reader", "read")
    work = clone(wired, "reader", tmp_path / "reader")
    refused = subprocess.run(["git", "-C", str(work), "push", "origin", "HEAD:refs/heads/x"], capture_output=True,
                             text=True)
    assert refused.returncode != 0 and "403" in refused.stderr
    assert wired.branch_sha(REPO, "x") is None


def test_people_in_the_web_ui_trigger_webhooks(wired: Emulator) -> None:
    wired.add_user("alice")
    wired.grant(REPO, "alice", "write")
    wired.commit_files(REPO, "drafts/pkg/v1", {"pkg/Kptfile": "a: 1\n"}, "alice")
    pull = wired.open_pull(REPO, "drafts/pkg/v1", "alice", draft=True, title="pkg v1")
    wired.set_draft(REPO, pull.number, "alice", False)
    wired.comment(REPO, pull.number, "owner", "/approve")
    wired.merge(REPO, pull.number, "owner")
    if wired.kind == "github":
        actions = [d.action for d in wired.wait_for_webhook("pull_request", count=3)]
        assert actions == ["opened", "ready_for_review", "closed"]
        merged = wired.wait_for_webhook("pull_request", "closed")[0].payload["pull_request"]
        assert merged["merged"] is True and merged["merged_by"]["login"] == "owner"
        comment = wired.wait_for_webhook("issue_comment", "created")[0].payload
        assert comment["issue"]["pull_request"]["html_url"].endswith(f"/pull/{pull.number}")
    else:
        actions = [d.action for d in wired.wait_for_webhook("merge_request", count=3)]
        assert actions == ["open", "update", "merge"]
        opened = wired.wait_for_webhook("merge_request", "open")[0].payload["object_attributes"]
        assert opened["title"] == "Draft: pkg v1" and opened["draft"] is True
        note = wired.wait_for_webhook("note")[0].payload
        assert note["object_attributes"]["note"] == "/approve" and note["merge_request"]["iid"] == pull.number


def request(url: str, token: str, kind: str, method: str = "GET", payload: Any = None) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"token {token}"} if kind == "github" else {"PRIVATE-TOKEN": token}
    data = json.dumps(payload).encode() if payload is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req) as response:
            body = response.read()
            return response.status, dict(response.headers), json.loads(body) if body else None
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read() or b"null")


def test_github_rest_conventions(github_emulator: Emulator) -> None:
    token = github_emulator.user("owner").token
    api = f"{github_emulator.api_url}/repos/{REPO}"
    github_emulator.commit_files(REPO, "drafts/pkg/v1", {"pkg/Kptfile": "a: 1\n"}, "owner")
    status, headers, created = request(f"{api}/pulls", token, "github", "POST",
                                       {"head": "drafts/pkg/v1", "base": "main", "title": "pkg v1"})
    assert status == 201 and headers["Location"] == created["url"] and headers["x-ratelimit-remaining"]
    status, _, error = request(f"{api}/pulls", token, "github", "POST",
                               {"head": "drafts/pkg/v1", "base": "main", "title": "again"})
    assert status == 422 and error["errors"] and error["documentation_url"]
    for n in range(5):
        github_emulator.comment(REPO, created["number"], "owner", f"comment {n}")
    status, headers, page = request(f"{api}/issues/{created['number']}/comments?per_page=2", token, "github")
    assert status == 200 and len(page) == 2
    assert 'rel="next"' in headers["Link"] and "page=3" in headers["Link"] and headers["Link"].count("/api/v3/") >= 2
    status, _, _ = request(f"{api}/issues/comments/{page[0]['id']}", token, "github", "DELETE")
    assert status == 204
    status, _, unparsable = request(f"{api}/issues/{created['number']}/comments", token, "github", "POST", ["x"])
    assert status == 400 and unparsable["message"] == "Problems parsing JSON"
    status, _, missing = request(f"{api}/pulls/99", token, "github")
    assert status == 404 and missing["message"] == "Not Found"
    status, _, bad = request(f"{api}/pulls/1", "wrong-token", "github")
    assert status == 401 and bad["message"] == "Bad credentials"


def test_gitlab_rest_conventions(gitlab_emulator: Emulator) -> None:
    token = gitlab_emulator.user("owner").token
    api = f"{gitlab_emulator.api_url}/api/v4/projects/{REPO.replace('/', '%2F')}"
    gitlab_emulator.commit_files(REPO, "drafts/pkg/v1", {"pkg/Kptfile": "a: 1\n"}, "owner")
    status, _, created = request(f"{api}/merge_requests", token, "gitlab", "POST",
                                 {"source_branch": "drafts/pkg/v1", "target_branch": "main", "title": "Draft: v1"})
    assert status == 201 and created["draft"] is True and created["title"] == "Draft: v1"
    for n in range(5):
        gitlab_emulator.comment(REPO, created["iid"], "owner", f"note {n}")
    status, headers, page = request(f"{api}/merge_requests/{created['iid']}/notes?per_page=2", token, "gitlab")
    assert (status, len(page), headers["X-Total"], headers["X-Next-Page"]) == (200, 2, "5", "2")
    assert 'rel="next"' in headers["Link"]
    status, _, _moved = request(f"{api}/merge_requests/{created['iid']}/merge", token, "gitlab", "PUT",
                               {"sha": "0" * 40})
    assert status == 405  # still a draft
    status, _, missing = request(f"{gitlab_emulator.api_url}/api/v4/projects/999", token, "gitlab")
    assert status == 404 and missing["message"].startswith("404")


def test_the_standalone_runner(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.forge_emulator", "--kind", "github", "--root", str(tmp_path / "forge"),
         "--user", "alice:tok_alice", "--repo", "acme/deployments:alice"],
        cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        assert started["users"] == {"alice": "tok_alice"}
        status, _, repo = request(f"{started['api_url']}/repos/acme/deployments", "tok_alice", "github")
        assert status == 200 and repo["full_name"] == "acme/deployments"
        listed = subprocess.run(["git", "ls-remote", started["repos"]["acme/deployments"]], capture_output=True,
                                text=True, check=True)
        assert "refs/heads/main" in listed.stdout
    finally:
        process.terminate()
        exit_code = process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    assert exit_code == 0
