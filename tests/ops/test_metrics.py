"""GET /metrics from a running server, and the helpers render and forge code call."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from bot.errors import RateLimited
from bot.observability import metrics
from tests.ops.processes import get_text, post_github, push_payload, serve
from tests.ops.recorder import RECORD_ENV

FAMILIES = (
    "porchbot_deliveries_total",
    "porchbot_queue_depth",
    "porchbot_queue_messages",
    "porchbot_job_duration_seconds",
    "porchbot_render_duration_seconds",
    "porchbot_forge_api_calls_total",
    "porchbot_forge_api_errors_total",
)


@pytest.mark.timeout(120)
def test_metrics_endpoint_exposes_every_family(tmp_path: Path) -> None:
    env = {"PORCHBOT_STATE_DIR": str(tmp_path / "state"), "PORCHBOT_SWEEP_SECONDS": "0.2",
           "PORCHBOT_TEST_JOB_HANDLER": "tests.ops.recorder:record", RECORD_ENV: str(tmp_path / "rec.txt")}
    with serve(env, tmp_path / "serve.log", workers=1) as base:
        payload = push_payload("acme/deployments", "refs/heads/drafts/basens/v1", "a" * 40)
        assert post_github(base, "push", str(uuid.uuid4()), payload) == 202
        deadline = time.monotonic() + 30
        while 'porchbot_queue_depth{status="done"} 1.0' not in (text := get_text(base + "/metrics")):
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
    for family in FAMILIES:
        assert f"# TYPE {family} " in text, family
    assert 'porchbot_deliveries_total{event="push",forge="github",outcome="queued"} 1.0' in text
    assert 'porchbot_job_duration_seconds_count{kind="github",outcome="done"} 1.0' in text
    assert 'porchbot_queue_depth{status="pending"} 0.0' in text  # every status, zero included


def _sample(name: str, labels: dict[str, str]) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_render_timer_counts_failed_renders_too() -> None:
    before = _sample("porchbot_render_duration_seconds_count", {"runtime": "builtin"})
    with metrics.render_timer("builtin"):
        pass
    with pytest.raises(ValueError), metrics.render_timer("builtin"):
        raise ValueError("a failing function")
    assert _sample("porchbot_render_duration_seconds_count", {"runtime": "builtin"}) == before + 2


def test_forge_call_counts_calls_and_error_kinds() -> None:
    ok_before = _sample("porchbot_forge_api_calls_total", {"forge": "gitlab", "outcome": "ok"})
    err_before = _sample("porchbot_forge_api_errors_total", {"forge": "gitlab", "kind": "rate_limited"})
    with metrics.forge_call("gitlab"):
        pass
    with pytest.raises(RateLimited), metrics.forge_call("gitlab"):
        raise RateLimited("slow down", retry_after=3)
    metrics.record_forge_call("gitlab", "timeout")
    assert _sample("porchbot_forge_api_calls_total", {"forge": "gitlab", "outcome": "ok"}) == ok_before + 1
    assert _sample("porchbot_forge_api_errors_total", {"forge": "gitlab", "kind": "rate_limited"}) == err_before + 1
    assert _sample("porchbot_forge_api_errors_total", {"forge": "gitlab", "kind": "timeout"}) >= 1


def test_a_worker_can_serve_its_own_metrics() -> None:
    from tests.ops.redis_server import free_port

    port = free_port()
    metrics.start_metrics_server(port, host="127.0.0.1")
    metrics.observe_job("github", "done", 0.25)
    text = get_text(f"http://127.0.0.1:{port}/metrics")
    assert 'porchbot_job_duration_seconds_count{kind="github",outcome="done"}' in text
