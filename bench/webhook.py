"""Webhook acknowledgement latency and push-to-status time against a real `porchbot serve`.

    python bench/webhook.py [--json] [--rate 200] [--duration 30] [--pushes 10]

ack_p50_ms / ack_p99_ms: signed GitHub push deliveries sent open-loop at --rate per second for --duration
seconds (latency counted from each request's scheduled time, so a stall is not hidden by the client
waiting); every one is signature-checked and stored durably before the 202. push_to_status_p50_s: a
person's commit to a draft on the emulated GitHub, until the bot's `Rendering package` commit is the
branch head with a `porchbot/render` success status (builtin functions). The machine is shared: the
1-minute load average is printed with the figures.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import figures_parser, print_figures

from tests.bot.e2e_support import UPSTREAM_FILES
from tests.bot.serve_process import serve_process
from tests.forge_emulator.fixtures import start_emulator

SECRET = "bench-webhook-secret"
REPO = "acme/deployments"
BRANCH = "drafts/bench/v1"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure_ack(base_url: str, rate: float, duration: float) -> dict[str, float]:
    host, port = base_url.removeprefix("http://").split(":")
    local = threading.local()

    def send(scheduled: float, body: bytes) -> tuple[float, float]:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(host, int(port), timeout=10)
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-GitHub-Event": "push",
                   "X-GitHub-Delivery": str(uuid.uuid4()), "X-Hub-Signature-256": signature}
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sent = time.perf_counter()
        try:
            connection.request("POST", "/webhooks/github", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.connection = None
            return -1.0, -1.0
        done = time.perf_counter()
        return ((done - scheduled) * 1000.0, (done - sent) * 1000.0) if status == 202 else (-1.0, -1.0)

    total = int(rate * duration)
    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = []
        for index in range(total):
            # An unregistered repository: the worker drops it at once, so this measures the edge.
            body = json.dumps({"ref": "refs/heads/main", "before": "0" * 40, "after": f"{index:040x}",
                               "repository": {"full_name": f"bench/r{index % 50}"},
                               "sender": {"login": "bench"}}).encode()
            futures.append(pool.submit(send, start + index / rate, body))
        latencies = [f.result() for f in futures]
    ok = [value for value, _ in latencies if value >= 0]
    # From the actual send: without the client's own scheduling lag (on a loaded machine the client
    # thread itself wakes up late, and that lateness is in ack_p99_ms).
    service = [value for _, value in latencies if value >= 0]
    return {"ack_p50_ms": round(statistics.median(ok), 2), "ack_p99_ms": round(_percentile(ok, 0.99), 2),
            "ack_service_p99_ms": round(_percentile(service, 0.99), 2),
            "ack_requests": total, "ack_errors": total - len(ok)}


def measure_push_to_status(root: Path, pushes: int) -> dict[str, float]:
    emulator = start_emulator("github", root / "forge")
    try:
        for login, permission in (("dev", "write"), ("porchbot", "maintain")):
            emulator.add_user(login)
            emulator.grant(REPO, login, permission)
        config = root / "config"
        config.mkdir()
        (config / "porchbot.yaml").write_text("render: {runtime: builtin}\n")
        (config / "repositories.yaml").write_text(json.dumps({"repositories": [{
            "name": "deployments", "url": emulator.clone_url(REPO), "deployment": True, "forge": "github",
            "auth": "token", "token_env": "DEPLOYMENTS_TOKEN"}]}))
        token = emulator.user("porchbot").token
        env = {"PORCHBOT_CONFIG_DIR": str(config), "PORCHBOT_GITHUB_WEBHOOK_SECRET": SECRET,
               "PORCHBOT_GITHUB_TOKEN": token, "DEPLOYMENTS_TOKEN": token, "GIT_CONFIG_GLOBAL": "/dev/null"}
        files = {name.replace("basens/", "bench/"): text for name, text in UPSTREAM_FILES.items()}
        with serve_process(root / "state", env, root / "serve.log") as base_url:
            emulator.configure_webhook(f"{base_url}/webhooks/github", SECRET)
            bare = emulator.store.repo(REPO).bare
            timings: list[float] = []
            for index in range(pushes + 1):
                context = files["bench/package-context.yaml"].replace("name: example", f"name: bench{index}")
                started = time.perf_counter()
                pushed = emulator.commit_files(REPO, BRANCH, {**files, "bench/package-context.yaml": context},
                                               "dev", f"edit {index}")
                deadline = started + 60
                while time.perf_counter() < deadline:
                    head = emulator.branch_sha(REPO, BRANCH)
                    if head and head != pushed and bare.git("log", "-1", "--format=%s", head).strip() == \
                            "Rendering package" and any(s.context == "porchbot/render" and s.state == "success"
                                                        for s in emulator.statuses(REPO, head)):
                        break
                    time.sleep(0.01)
                else:
                    raise RuntimeError(f"no rendered commit with a success status for push {index}")
                if index:  # the first push pays the bot's one-time costs (first clone, imports)
                    timings.append(time.perf_counter() - started)
                time.sleep(0.3)  # let the bot's own push settle before the next edit
        return {"push_to_status_p50_s": round(statistics.median(timings), 3),
                "push_to_status_max_s": round(max(timings), 3), "pushes": pushes}
    finally:
        emulator.stop()


def main() -> None:
    parser = figures_parser(__doc__)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--pushes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="porchbot-bench-") as scratch:
        root = Path(scratch)
        env = {"PORCHBOT_GITHUB_WEBHOOK_SECRET": SECRET, "PORCHBOT_CONFIG_DIR": str(root / "empty-config")}
        with serve_process(root / "ack-state", env, root / "ack.log") as base_url:
            figures: dict[str, float] = measure_ack(base_url, args.rate, args.duration)
        figures.update(measure_push_to_status(root / "push", args.pushes))
    figures["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print_figures(figures, args.json)


if __name__ == "__main__":
    main()
