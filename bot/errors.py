"""Error roots. Every message on a PorchbotError is safe to show a user (no secrets, no tracebacks)."""

from __future__ import annotations


class PorchbotError(Exception):
    """Root of every error we expect and report; ``str(err)`` is the user-facing message."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(PorchbotError):
    """The user gave us something we refuse (bad path, bad name, malformed file)."""


class NotFound(PorchbotError):
    pass


class Conflict(PorchbotError):
    """The thing we meant to change moved underneath us (branch head, PR head)."""


class NotMergeable(PorchbotError):
    pass


class Forbidden(PorchbotError):
    pass


class RateLimited(PorchbotError):
    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after
