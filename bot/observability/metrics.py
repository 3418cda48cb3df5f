"""Prometheus metrics, one registry for the process, and the helpers render, forge and queue code call.

Helpers rather than the metric objects are the interface: label names and outcome words stay in this
module, and a caller cannot make a label set that explodes the series count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry()
DELIVERIES = Counter("porchbot_deliveries_total", "Webhook deliveries by forge, event and outcome",
                     ["forge", "event", "outcome"], registry=REGISTRY)
JOB_SECONDS = Histogram("porchbot_job_duration_seconds", "Job durations by kind and outcome",
                        ["kind", "outcome"], registry=REGISTRY)
RENDER_SECONDS = Histogram("porchbot_render_duration_seconds", "Render durations by runtime",
                           ["runtime"], registry=REGISTRY)
FORGE_CALLS = Counter("porchbot_forge_api_calls_total", "Forge API calls by forge and outcome",
                      ["forge", "outcome"], registry=REGISTRY)
FORGE_ERRORS = Counter("porchbot_forge_api_errors_total", "Failed forge API calls by forge and error kind",
                       ["forge", "kind"], registry=REGISTRY)
QUEUE_DEPTH = Gauge("porchbot_queue_depth", "Jobs by status", ["status"], registry=REGISTRY)
QUEUE_MESSAGES = Gauge("porchbot_queue_messages", "Job ids waiting in the huey queue (duplicates included)",
                       registry=REGISTRY)

JOB_STATUSES = ("pending", "running", "done", "failed")  # always exported, 0 when empty


def observe_job(kind: str, outcome: str, seconds: float) -> None:
    """One job's run time; outcome is done, failed or released."""
    JOB_SECONDS.labels(kind, outcome).observe(seconds)


def observe_render(runtime: str, seconds: float) -> None:
    """One package render's time; runtime is builtin, docker, exec or auto."""
    RENDER_SECONDS.labels(runtime).observe(seconds)


@contextmanager
def render_timer(runtime: str) -> Iterator[None]:
    """``with render_timer("builtin"): ...`` times a render, failed ones included."""
    started = time.monotonic()
    try:
        yield
    finally:
        observe_render(runtime, time.monotonic() - started)


def record_forge_call(forge: str, error: BaseException | str | None = None) -> None:
    """Count one forge API call; an error also counts under its kind (the exception's class name)."""
    if error is None:
        FORGE_CALLS.labels(forge, "ok").inc()
        return
    kind = error if isinstance(error, str) else _error_kind(error)
    FORGE_CALLS.labels(forge, "error").inc()
    FORGE_ERRORS.labels(forge, kind).inc()


@contextmanager
def forge_call(forge: str) -> Iterator[None]:
    """``with forge_call("github"): ...`` counts the call and, when it raises, its error kind."""
    try:
        yield
    except BaseException as err:
        record_forge_call(forge, err)
        raise
    record_forge_call(forge)


def _error_kind(error: BaseException) -> str:
    # Class names are a bounded set; messages are not (they hold URLs and ids).
    name = type(error).__name__
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def start_metrics_server(port: int, host: str = "0.0.0.0") -> None:
    """Serve this process's registry on ``host:port`` (a ``porchbot worker`` has no web edge of its own;
    its job and render durations are only visible this way)."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=REGISTRY)


def render(job_counts: Callable[[], dict[str, int]], queued_messages: Callable[[], int]) -> tuple[bytes, str]:
    """The registry in Prometheus' text format, with the queue's gauges read from the two providers the
    web edge passes (the job store's counts per status, the broker's waiting messages) at scrape time."""
    counts = job_counts()
    for status in {*JOB_STATUSES, *counts}:
        QUEUE_DEPTH.labels(status).set(counts.get(status, 0))
    try:
        QUEUE_MESSAGES.set(queued_messages())
    except Exception:  # a scrape must answer even when the broker hiccups
        QUEUE_MESSAGES.set(float("nan"))
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
