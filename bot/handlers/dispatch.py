"""Job entry point for workers: turn a stored delivery into handler calls."""

from __future__ import annotations

import logging

from bot.jobs import Job

log = logging.getLogger("porchbot.handlers")


def handle_job(job: Job) -> None:
    payload = job.payload
    log.info("job received", extra={"forge": payload.get("forge"), "event": payload.get("event"),
                                    "delivery": payload.get("delivery"), "key": job.key})
