"""The job queue: huey (SQLite under the state dir by default, Redis with PORCHBOT_REDIS_URL).

huey carries job ids; the rows themselves live in the JobStore so that nothing is lost when a
worker dies between dequeue and finish (a sweeper hands out rows with expired leases again).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey

from bot.config.settings import Settings
from bot.errors import RateLimited
from bot.observability import metrics
from bot.queue import crashpoints
from bot.queue.sqlite_store import SqliteJobStore
from bot.queue.store import COALESCED_KEY, Job, JobStore

log = logging.getLogger("porchbot.queue")

JobHandler = Callable[[Job], None]


class Queue:
    """Producer and consumer of jobs. ``handler`` is where a claimed job goes next (the bot wires
    ``bot.handlers.dispatch`` in through ``bot.web.wiring``); a producer-only queue has none."""

    def __init__(self, settings: Settings, handler: JobHandler | None = None) -> None:
        state_dir = Path(settings.state_dir)
        state_dir.mkdir(parents=True, exist_ok=True)
        self.huey: Huey
        if settings.redis_url:
            from bot.queue.redis_store import RedisJobStore

            self.huey = RedisHuey("porchbot", url=settings.redis_url)
            self.store: JobStore = RedisJobStore.from_url(settings.redis_url)
        else:
            # No fsync per enqueue: huey only carries job ids, the JobStore row is the durable record and
            # the sweeper hands out again any pending row whose id a crash lost (4 ms → 0.3 ms per delivery).
            self.huey = SqliteHuey("porchbot", filename=str(state_dir / "queue.db"), fsync=False)
            self.store = SqliteJobStore(state_dir / "jobs.db")
        self.lease_seconds = settings.job_lease_seconds
        self.sweep_seconds = settings.sweep_seconds
        self._handler = handler
        self._in_flight: dict[str, int] = {}  # job id → the attempt this process holds the lease of
        self._in_flight_lock = threading.Lock()
        self._task = self.huey.task(retries=0, name="porchbot.run_job")(self._run_job)

    # -- producer side ---------------------------------------------------
    def submit(self, job_id: str, kind: str, key: str, payload: dict[str, Any]) -> bool:
        """Store the job durably, then enqueue its id. False for a delivery id seen before."""
        if not self.store.add(job_id, kind, key, payload):
            return False
        self._task(job_id)
        return True

    # -- consumer side -----------------------------------------------------
    def _run_job(self, job_id: str) -> None:
        started_at = time.time()  # rows stored before this moment are older than the claim below
        job = self.store.claim(job_id, self.lease_seconds)
        if job is None:
            return  # done already, or another job of its key is running (handed out when that one ends)
        handler = self._handler
        if handler is None:
            self.store.release(job_id)
            raise RuntimeError("queue has no job handler in this process")
        crashpoints.reached("after_claim")
        with self._in_flight_lock:
            self._in_flight[job_id] = job.attempts
        started = time.monotonic()
        outcome = "done"
        try:
            handler(job)
        except RateLimited as err:
            outcome = "deferred"
            self._defer(job, err.retry_after)
            return
        except Exception:
            outcome = "failed"
            log.exception("job failed", extra={"job_id": job_id, "key": job.key})
            self.store.finish(job_id, failed=True)
            self._hand_out_next(job.key)
            return
        except BaseException:
            outcome = "released"  # interrupted (shutdown): give it back rather than wait for the lease
            self.store.release(job_id)
            raise
        finally:
            with self._in_flight_lock:
                self._in_flight.pop(job_id, None)
            metrics.observe_job(job.kind, outcome, time.monotonic() - started)
        crashpoints.reached("before_finish")
        self.store.finish(job_id)
        self._coalesce(job.key, started_at)
        self._hand_out_next(job.key)

    def _defer(self, job: Job, retry_after: float) -> None:
        """The forge said "come back later": the job waits that long instead of failing."""
        delay = max(1.0, retry_after)
        log.warning("job deferred: rate limited", extra={"job_id": job.job_id, "key": job.key,
                                                          "reason": f"retry in {delay:.0f}s"})
        self.store.defer(job.job_id, delay)  # still leased: the sweeper hands it out once the wait is over

    def _coalesce(self, key: str, started_at: float) -> None:
        # Only pushes are pure "look again" hints; a comment's commands must each run.
        if COALESCED_KEY in key:
            skipped = self.store.coalesce(key, started_at)
            if skipped:
                log.info("jobs coalesced", extra={"key": key, "reason": f"{skipped} older pushes"})

    def _hand_out_next(self, key: str) -> None:
        """The next pending job of this key runs now, not at the sweeper's next turn."""
        if (job_id := self.store.next_pending(key)) is not None:
            self._task(job_id)

    def release_in_flight(self) -> list[str]:
        """Give back the jobs still running here (a shutdown that cannot wait for them)."""
        with self._in_flight_lock:
            ids = sorted(self._in_flight)
        for job_id in ids:
            self.store.release(job_id)
        return ids

    def renew_leases(self) -> int:
        """Extend the leases of the jobs running here, so a long job is not handed out a second time
        while its worker is alive."""
        with self._in_flight_lock:
            held = dict(self._in_flight)
        renewed = 0
        for job_id, attempt in held.items():
            if self.store.renew(job_id, attempt, self.lease_seconds):
                renewed += 1
            elif job_id in self._in_flight:
                log.warning("lease lost: the job was handed out again", extra={"job_id": job_id})
        return renewed

    def sweep(self) -> int:
        """Hand out again the jobs whose worker died (expired lease) or that wait behind a busy key."""
        # Many workers sharing one Redis would each re-enqueue the whole backlog every period; a store
        # that can elect one sweeper per period (RedisJobStore.sweep_turn) keeps it to one.
        if not self.store.sweep_turn(self.sweep_seconds):
            return 0
        # A job stored within the last period is still in huey's queue: handing it out again would only
        # add a duplicate message per sweep for every job of a backlog.
        ids = self.store.expired() + self.store.pending_ids(older_than=self.sweep_seconds)
        for job_id in ids:
            self._task(job_id)
        return len(ids)


class EmbeddedWorker:
    """huey's consumer on threads inside this process, plus the sweeper."""

    def __init__(self, queue: Queue, workers: int = 2, sweep_seconds: float | None = None,
                 shutdown_grace: float = 30.0) -> None:
        self._queue = queue
        # Past the grace a stop gives the jobs in flight back (release) instead of waiting on them.
        self._consumer = queue.huey.create_consumer(workers=workers, worker_type="thread",
                                                    check_worker_health=False, periodic=False,
                                                    shutdown_timeout=shutdown_grace)
        self._sweep_seconds = queue.sweep_seconds if sweep_seconds is None else sweep_seconds
        self._stopping = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="porchbot-sweeper", daemon=True)
        self._renewer = threading.Thread(target=self._renew_loop, name="porchbot-lease-renewer", daemon=True)

    def start(self) -> None:
        # huey's consumer.start() installs signal handlers meant for its own run() loop, which we do not
        # use: keep the process's own (the worker's SIGTERM → graceful stop, uvicorn's in serve).
        saved = _signal_handlers() if threading.current_thread() is threading.main_thread() else {}
        self._consumer.start()
        for signum, handler in saved.items():
            signal.signal(signum, handler)
        self._sweeper.start()
        self._renewer.start()

    def stop(self) -> None:
        self._stopping.set()
        self._consumer.stop(graceful=True)
        released = self._queue.release_in_flight()
        if released:
            log.warning("shutdown released jobs in flight", extra={"reason": ",".join(released)})

    def _sweep_loop(self) -> None:
        while not self._stopping.wait(self._sweep_seconds):
            try:
                self._queue.sweep()
            except Exception:  # the sweeper must outlive a passing database error
                log.exception("sweep failed")
            time.sleep(0)

    def _renew_loop(self) -> None:
        # Three renewals per lease: one slow round trip does not cost the lease.
        while not self._stopping.wait(self._queue.lease_seconds / 3):
            try:
                self._queue.renew_leases()
            except Exception:
                log.exception("lease renewal failed")


def _signal_handlers() -> dict[int, Any]:
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    return {int(getattr(signal, name)): signal.getsignal(getattr(signal, name))
            for name in names if hasattr(signal, name)}
