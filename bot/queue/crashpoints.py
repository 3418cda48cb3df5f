"""Named points in a job where the crash tests kill the worker (test-only; inert in production).

``PORCHBOT_TEST_CRASHPOINT=after_render_commit_push`` makes the worker SIGKILL itself when it reaches
that point (``name,name`` lists several; ``*`` is every point, which bench/faults.py uses with a
probability ``PORCHBOT_TEST_CRASH_PROBABILITY``); the test then starts a worker without it. ``PORCHBOT_TEST_CRASH_MODE=pause`` sleeps
there instead (``PORCHBOT_TEST_CRASH_PAUSE_SECONDS``), so a test can send SIGTERM mid-job.
With the variables unset, `reached` costs the settings' unchanged-environment check (microseconds).
"""

from __future__ import annotations

import logging
import os
import random
import signal
import time

from bot.config.settings import current_settings

# The variables (read by bot/config/settings.py), named here for the tests that set them.
ENV = "PORCHBOT_TEST_CRASHPOINT"
MODE_ENV = "PORCHBOT_TEST_CRASH_MODE"
PAUSE_ENV = "PORCHBOT_TEST_CRASH_PAUSE_SECONDS"
PROBABILITY_ENV = "PORCHBOT_TEST_CRASH_PROBABILITY"
# Where a job can die with effects half done; the tests name them.
POINTS = ("after_claim", "before_render_commit_push", "after_render_commit_push", "after_check_run",
          "after_status", "after_sticky", "after_merge", "after_tag", "before_finish")

log = logging.getLogger("porchbot.crashpoints")


def reached(name: str) -> None:
    settings = current_settings()
    if not settings.test_crashpoint:
        return
    names = settings.test_crashpoint.split(",")
    if name not in names and "*" not in names:
        return
    if settings.test_crash_probability < 1 and random.random() >= settings.test_crash_probability:
        return
    if settings.test_crash_mode == "pause":
        log.warning("crashpoint: pausing", extra={"reason": name})
        time.sleep(settings.test_crash_pause_seconds)
        return
    log.warning("crashpoint: SIGKILL", extra={"reason": name})
    os.kill(os.getpid(), signal.SIGKILL)
