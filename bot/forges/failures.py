"""Forge failures → `bot.errors`, and the bounded retry loop both adapters share.

Adapters only translate a library exception into (HTTP status, message, headers); everything after that
— which error type, whether to retry and how long to wait — is decided here, once for both forges.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound, NotMergeable, PorchbotError, RateLimited

from .base import RetryPolicy

T = TypeVar("T")


class ForgeUnavailable(PorchbotError):
    """The forge kept failing (5xx, timeouts, connection errors) after our retries."""


@dataclass(frozen=True)
class Failure:
    error: PorchbotError
    retryable: bool
    wait: float | None = None  # what the forge asked for; None means "use our backoff"


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or an exhausted x-ratelimit-reset."""
    lower = {k.lower(): v for k, v in headers.items()}
    now = time.time() if now is None else now
    value = lower.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - now)
    remaining = lower.get("x-ratelimit-remaining", lower.get("ratelimit-remaining"))
    reset = lower.get("x-ratelimit-reset", lower.get("ratelimit-reset"))
    if remaining == "0" and reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


def is_rate_limited(status: int, message: str, headers: Mapping[str, str]) -> bool:
    if status == 429:
        return True
    if status != 403:
        return False
    lower = {k.lower(): v for k, v in headers.items()}
    return ("retry-after" in lower or lower.get("x-ratelimit-remaining") == "0"
            or "rate limit" in message.lower())


def classify_status(forge: str, operation: str, status: int, message: str,
                    headers: Mapping[str, str]) -> Failure:
    """The failure for an HTTP error answer; `message` must already be safe to show (no tokens)."""
    prefix = f"{forge}: could not {operation}"
    if is_rate_limited(status, message, headers):
        wait = retry_after(headers)
        seconds = 60.0 if wait is None else wait
        return Failure(RateLimited(f"{prefix}: rate limited, retry in {seconds:.0f}s", seconds), True, wait)
    if status >= 500:
        # A 503 may say when to come back; otherwise our own backoff decides.
        return Failure(ForgeUnavailable(f"{prefix}: the forge answered HTTP {status}; try again later"), True,
                       retry_after(headers))
    if status == 401:
        return Failure(Forbidden(f"{prefix}: the token was rejected (HTTP 401); check the forge credentials"),
                       False)
    if status == 403:
        return Failure(Forbidden(f"{prefix}: permission denied ({message})"), False)
    if status == 404:
        return Failure(NotFound(f"{prefix}: not found"), False)
    if status == 409:
        return Failure(Conflict(f"{prefix}: it changed underneath us ({message})"), False)
    if status in (405, 406):
        return Failure(NotMergeable(f"{prefix}: not mergeable ({message})"), False)
    return Failure(InvalidInput(f"{prefix}: rejected with HTTP {status} ({message})"), False)


def network_failure(forge: str, operation: str, err: Exception) -> Failure:
    kind = "timed out" if "timeout" in type(err).__name__.lower() else "could not connect"
    return Failure(ForgeUnavailable(f"{forge}: could not {operation}: the request {kind}"), True)


def call_with_retry(fn: Callable[[], T], classify: Callable[[Exception], Failure | None],
                    policy: RetryPolicy) -> T:
    """Run `fn`; retry what `classify` calls retryable, up to `policy.attempts` tries in all."""
    attempt = 0
    while True:
        try:
            return fn()
        except Exception as exc:
            failure = classify(exc)
            if failure is None:
                raise
            attempt += 1
            if not failure.retryable or attempt >= policy.attempts:
                raise failure.error from exc
            wait = failure.wait if failure.wait is not None else policy.backoff(attempt - 1)
            if wait > policy.max_wait:
                raise failure.error from exc
            policy.sleep(wait)
