"""What the queue needs of a job store: the job row, its statuses, and the Protocol both stores implement
(``SqliteJobStore`` under the state directory, ``RedisJobStore`` for workers on many machines).

Every method ``Queue`` calls is listed here, so a store missing one is a type error, not a feature
silently switched off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATUSES = (PENDING, RUNNING, DONE, FAILED)
# A job the forge rate-limits is deferred (not failed) this many times before it fails for good.
RATE_LIMIT_ATTEMPTS = 5
# In a push job's key: a finished one covers every older pending push of the same ref (coalescing).
COALESCED_KEY = ":ref:"


def ref_key(forge: str, repository: str, ref: str) -> str:
    """The serialisation key of a push: one ref's jobs run one at a time and coalesce."""
    return f"{forge}:{repository}{COALESCED_KEY}{ref}"


def pull_key(forge: str, repository: str, number: int) -> str:
    """The serialisation key of a PR's events and comments: they run one at a time, each of them."""
    return f"{forge}:{repository}:pr:{number}"


@dataclass(frozen=True)
class Job:
    job_id: str
    kind: str  # "github" | "gitlab" | "internal"
    key: str  # serialisation key: forge:repo:subject
    payload: dict[str, Any]  # for webhook jobs: the typed event (bot.forges.models.event_to_json)
    attempts: int
    created: float


class JobStore(Protocol):
    def add(self, job_id: str, kind: str, key: str, payload: dict[str, Any]) -> bool:
        """Store a job; False when this id was seen before (a redelivery)."""

    def claim(self, job_id: str, lease_seconds: float) -> Job | None:
        """Lease a pending (or lease-expired) job; None when it is done, or its key is busy elsewhere."""

    def finish(self, job_id: str, *, failed: bool = False) -> None: ...

    def release(self, job_id: str) -> None:
        """Give a claimed job back (graceful shutdown)."""

    def defer(self, job_id: str, delay: float) -> None:
        """Keep a claimed job but hand it out again only after ``delay`` (a forge's Retry-After)."""

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        """Extend the lease of this claim of a running job; False when the claim is no longer ours."""

    def next_pending(self, key: str) -> str | None:
        """The oldest pending job of ``key``."""

    def coalesce(self, key: str, created_before: float) -> int:
        """Mark done the pending jobs of ``key`` stored before ``created_before``; how many."""

    def sweep_turn(self, period_seconds: float) -> bool:
        """Whether this caller sweeps this period (one sweeper per period across processes)."""

    def expired(self, now: float | None = None) -> list[str]: ...

    def pending_ids(self, older_than: float = 0.0) -> list[str]: ...

    def counts(self) -> dict[str, int]: ...
