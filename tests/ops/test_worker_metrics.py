"""A `porchbot worker` (no web edge of its own) can expose its metrics on a port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.bot.serve_process import free_port


def test_worker_serves_metrics(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PORCHBOT_STATE_DIR": str(tmp_path / "state"),
           "PORCHBOT_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("PORCHBOT_REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--workers", "1",
                             "--metrics-port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as resp:
                    body = resp.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                time.sleep(0.2)
        assert "porchbot_job_duration_seconds" in body
    finally:
        proc.terminate()
        assert proc.wait(timeout=40) == 0
