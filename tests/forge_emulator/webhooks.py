"""Signed webhook deliveries, sent in order from one thread and recorded for tests to read."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Delivery:
    event: str  # X-GitHub-Event value, or the GitLab object_kind
    payload: dict[str, Any]
    body: bytes
    headers: dict[str, str]
    url: str | None
    status: int | None = None  # the receiver's answer; None when nothing is configured or it failed
    error: str | None = None
    sent_at: float = field(default_factory=time.time)

    @property
    def action(self) -> str | None:
        if "object_attributes" in self.payload:
            value = self.payload["object_attributes"].get("action")
            return str(value) if value is not None else None
        value = self.payload.get("action")
        return str(value) if value is not None else None


GITLAB_EVENTS = {"push": "Push Hook", "tag_push": "Tag Push Hook", "merge_request": "Merge Request Hook",
                 "note": "Note Hook"}


def github_headers(event: str, body: bytes, secret: str) -> dict[str, str]:
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    legacy = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return {
        "Content-Type": "application/json", "User-Agent": "GitHub-Hookshot/emulator",
        "X-GitHub-Event": event, "X-GitHub-Delivery": str(uuid.uuid4()), "X-GitHub-Hook-ID": "1",
        "X-GitHub-Hook-Installation-Target-Type": "repository", "X-GitHub-Hook-Installation-Target-ID": "1",
        "X-Hub-Signature-256": f"sha256={signature}", "X-Hub-Signature": f"sha1={legacy}",
    }


def gitlab_headers(event: str, secret: str, instance: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json", "User-Agent": "GitLab/18.6.0",
        "X-Gitlab-Event": GITLAB_EVENTS.get(event, "System Hook"), "X-Gitlab-Token": secret,
        "X-Gitlab-Instance": instance, "X-Gitlab-Webhook-UUID": str(uuid.uuid4()),
        "X-Gitlab-Event-UUID": str(uuid.uuid4()), "Idempotency-Key": str(uuid.uuid4()),
    }


class WebhookSender:
    def __init__(self, kind: str, instance_url: str) -> None:
        self.kind = kind
        self.instance_url = instance_url
        self.url: str | None = None
        self.secret = "emulator-secret"
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)
        self._thread.start()

    def configure(self, url: str | None, secret: str | None = None) -> None:
        self.url = url
        if secret is not None:
            self.secret = secret

    def send(self, event: str, payload: dict[str, Any]) -> Delivery:
        body = json.dumps(payload).encode()
        headers = (github_headers(event, body, self.secret) if self.kind == "github"
                   else gitlab_headers(event, self.secret, self.instance_url))
        delivery = Delivery(event, payload, body, headers, self.url)
        self._queue.put(delivery)
        return delivery

    def redeliver(self, delivery: Delivery) -> Delivery:
        """Send a delivery again, byte for byte with the same headers (delivery id / Idempotency-Key):
        what GitHub's "Redeliver" button and GitLab's automatic retries do."""
        again = Delivery(delivery.event, delivery.payload, delivery.body, dict(delivery.headers), self.url)
        self._queue.put(again)
        return again

    def _run(self) -> None:
        while True:
            delivery = self._queue.get()
            if delivery is None:
                return
            if delivery.url:
                request = urllib.request.Request(delivery.url, data=delivery.body, method="POST",
                                                 headers=delivery.headers)
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        delivery.status = response.status
                except urllib.error.HTTPError as err:
                    delivery.status = err.code
                except OSError as err:
                    delivery.error = str(err)
            with self._cond:
                self.deliveries.append(delivery)
                self._cond.notify_all()
            self._queue.task_done()

    def wait_for(self, event: str | None = None, action: str | None = None, count: int = 1,
                 timeout: float = 10.0, since: int = 0) -> list[Delivery]:
        """Block until `count` deliveries of this event (and action) after index `since` were sent."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [d for d in self.deliveries[since:]
                         if (event is None or d.event == event) and (action is None or d.action == action)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(d.event, d.action) for d in self.deliveries[since:]]
                    raise TimeoutError(f"no {count}x {event}/{action} webhook within {timeout}s; sent: {seen}")
                self._cond.wait(remaining)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait until everything queued so far has been delivered."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
