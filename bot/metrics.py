"""Prometheus metrics, one registry for the process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

if TYPE_CHECKING:
    from bot.queue import Queue

REGISTRY = CollectorRegistry()
DELIVERIES = Counter("porchbot_deliveries_total", "Webhook deliveries by forge, event and outcome",
                     ["forge", "event", "outcome"], registry=REGISTRY)
JOB_SECONDS = Histogram("porchbot_job_duration_seconds", "Job durations by kind and outcome",
                        ["kind", "outcome"], registry=REGISTRY)
RENDER_SECONDS = Histogram("porchbot_render_duration_seconds", "Render durations by runtime",
                           ["runtime"], registry=REGISTRY)
FORGE_CALLS = Counter("porchbot_forge_api_calls_total", "Forge API calls by forge and outcome",
                      ["forge", "outcome"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("porchbot_queue_depth", "Jobs by status", ["status"], registry=REGISTRY)


def render(queue: Queue) -> tuple[bytes, str]:
    for status, count in queue.store.counts().items():
        QUEUE_DEPTH.labels(status).set(count)
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
