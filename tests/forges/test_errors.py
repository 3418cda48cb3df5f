"""The pure part of error handling: status → error type, Retry-After parsing, the retry loop."""

from __future__ import annotations

import email.utils

import pytest

from bot.errors import Conflict, Forbidden, InvalidInput, NotFound, NotMergeable, PorchbotError, RateLimited
from bot.forges.base import RetryPolicy
from bot.forges.failures import ForgeUnavailable, call_with_retry, classify_status, retry_after
from bot.forges.models import iso_utc


@pytest.mark.parametrize(("status", "message", "headers", "expected", "retryable"), [
    (409, "Head branch was modified", {}, Conflict, False),
    (405, "Pull Request is not mergeable", {}, NotMergeable, False),
    (406, "Branch cannot be merged", {}, NotMergeable, False),
    (403, "Must have push access", {}, Forbidden, False),
    (401, "Bad credentials", {}, Forbidden, False),
    (404, "Not Found", {}, NotFound, False),
    (422, "Validation Failed", {}, InvalidInput, False),
    (403, "API rate limit exceeded", {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "0"}, RateLimited, True),
    (403, "You have exceeded a secondary rate limit", {"Retry-After": "30"}, RateLimited, True),
    (429, "Too Many Requests", {}, RateLimited, True),
    (502, "Bad Gateway", {}, ForgeUnavailable, True),
], ids=["head-moved", "not-mergeable", "gitlab-conflicts", "no-push", "bad-token", "missing", "invalid",
        "primary-limit", "secondary-limit", "429", "5xx"])
def test_classify_status(status: int, message: str, headers: dict[str, str], expected: type[PorchbotError],
                         retryable: bool) -> None:
    failure = classify_status("GitHub", "merge pull request #1", status, message, headers)
    assert type(failure.error) is expected and failure.retryable is retryable
    assert str(failure.error).startswith("GitHub: could not merge pull request #1")


def test_a_503_with_retry_after_says_how_long() -> None:
    assert classify_status("GitLab", "read", 503, "", {"Retry-After": "7"}).wait == 7.0
    assert classify_status("GitLab", "read", 503, "", {}).wait is None


def test_retry_after_forms() -> None:
    assert retry_after({"Retry-After": "12"}) == 12.0
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert retry_after({"retry-after": date}, now=1_000_000) == pytest.approx(30, abs=1)
    assert retry_after({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000045"}, now=1_000_000) == 45
    assert retry_after({"RateLimit-Remaining": "0", "RateLimit-Reset": "1000005"}, now=1_000_000) == 5
    assert retry_after({"x-ratelimit-remaining": "12", "x-ratelimit-reset": "1000045"}, now=1_000_000) is None
    assert retry_after({}) is None


@pytest.mark.parametrize("raw", ["2024-05-01T12:00:00.123Z", "2024-05-01T14:00:00+02:00", "2024-05-01T12:00:00Z"])
def test_timestamps_are_normalised(raw: str) -> None:
    assert iso_utc(raw) == "2024-05-01T12:00:00Z"


def test_call_with_retry_passes_unknown_errors_through() -> None:
    def boom() -> None:
        raise KeyError("a bug, not a forge failure")

    with pytest.raises(KeyError):
        call_with_retry(boom, lambda exc: None, RetryPolicy(sleep=lambda s: None))


def test_call_with_retry_caps_the_backoff() -> None:
    waits: list[float] = []
    calls = iter(range(10))

    def flaky() -> int:
        if next(calls) < 5:
            raise OSError("connection reset")
        return 42

    policy = RetryPolicy(attempts=6, base_delay=1.0, max_delay=3.0, sleep=waits.append)
    failure = classify_status("GitLab", "read", 503, "", {})
    assert call_with_retry(flaky, lambda exc: failure, policy) == 42
    assert waits == [1.0, 2.0, 3.0, 3.0, 3.0]
