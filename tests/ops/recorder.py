"""A job handler for process-level tests (named by PORCHBOT_TEST_JOB_HANDLER=tests.ops.recorder:record).

It appends ``<job id> <pid> <attempt>`` to the file named by PORCHBOT_TEST_RECORD_FILE once the job's
work is over (one short O_APPEND write per line, so concurrent processes never interleave), after
sleeping PORCHBOT_TEST_JOB_SLEEP seconds to stand for real work a SIGKILL can land in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.queue.store import Job

RECORD_ENV = "PORCHBOT_TEST_RECORD_FILE"
SLEEP_ENV = "PORCHBOT_TEST_JOB_SLEEP"


def record(job: Job) -> None:
    time.sleep(float(os.environ.get(SLEEP_ENV, "0")))
    line = f"{job.job_id} {os.getpid()} {job.attempts}\n".encode()
    fd = os.open(os.environ[RECORD_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_records(path: Path) -> list[tuple[str, int, int]]:
    """(job id, pid, attempt) per processed job, in the order they finished."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        job_id, pid, attempt = line.split(" ")
        rows.append((job_id, int(pid), int(attempt)))
    return rows
