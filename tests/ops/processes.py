"""Real ``porchbot serve`` / ``porchbot worker`` processes for the operations tests, and signed POSTs."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.ops.redis_server import free_port

WEBHOOK_SECRET = "ops-test-secret"


def porchbot(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "PORCHBOT_GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET, **env}
    with log_path.open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], env=full_env, stdout=log,
                                stderr=subprocess.STDOUT)


def wait_healthy(base: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"porchbot serve did not start: {log_path.read_text()[-4000:]}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


@contextmanager
def serve(env: dict[str, str], log_path: Path, workers: int = 0) -> Iterator[str]:
    """``porchbot serve`` on a free loopback port; yields its base URL."""
    port = free_port()
    proc = porchbot(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                    env, log_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log_path)
        yield base
        assert proc.poll() is None, f"server died: {log_path.read_text()[-4000:]}"
    finally:
        stop(proc)


def post_github(base: str, event: str, delivery: str, payload: dict[str, Any]) -> int:
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(base + "/webhooks/github", data=body, method="POST", headers={
        "Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def push_payload(repo: str, ref: str, after: str) -> dict[str, Any]:
    """The fields of a GitHub push the edge reads (the handler re-reads the branch itself)."""
    return {"ref": ref, "before": "0" * 40, "after": after,
            "repository": {"full_name": repo, "name": repo.split("/")[-1], "owner": {"login": "acme"}},
            "pusher": {"name": "alice"}, "sender": {"login": "alice"}, "commits": []}


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return str(resp.read().decode())


def comment_payload(repo: str, number: int, body: str) -> dict[str, Any]:
    """The fields of a GitHub PR comment the edge reads: each one is a command that must run (never
    coalesced, unlike pushes)."""
    return {"action": "created", "issue": {"number": number, "pull_request": {}},
            "comment": {"id": number, "body": body, "user": {"login": "alice"}},
            "repository": {"full_name": repo, "name": repo.split("/")[-1], "owner": {"login": "acme"}},
            "sender": {"login": "alice"}}
