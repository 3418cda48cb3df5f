"""A verified delivery → the typed event the job carries and its serialisation key, or why it is ignored.

This is the one place a webhook body is read: the worker rebuilds the event from the job
(``bot.forges.models.event_from_json``) and never sees the raw payload. A malformed body raises
``InvalidInput`` (the edge answers 400 with its message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import InvalidInput
from bot.forges.models import CommentEvent, Event, PullRequestEvent, PushEvent
from bot.queue.store import pull_key, ref_key
from bot.web.github_events import parse_github
from bot.web.gitlab_events import parse_gitlab
from bot.web.payload import Ignored


@dataclass(frozen=True)
class Intake:
    event: Event | None = None
    reason: str = ""  # why an ignored delivery is ignored

    @property
    def key(self) -> str:
        return "" if self.event is None else serialisation_key(self.event)


def serialisation_key(event: Event) -> str:
    """Jobs of one key run one at a time: a ref's pushes (which the queue may coalesce), or one PR's
    events and comments."""
    forge, repository = event.repo.forge, event.repo.full_name
    if isinstance(event, PushEvent):
        return ref_key(forge, repository, event.ref)
    if isinstance(event, PullRequestEvent):
        return pull_key(forge, repository, event.pull_request.number)
    if isinstance(event, CommentEvent):
        return pull_key(forge, repository, event.pull_number)
    raise TypeError(f"not an event: {event!r}")


def read_delivery(forge: str, event: str, payload: dict[str, Any], delivery: str | None = None) -> Intake:
    if forge == "github":
        parsed = parse_github(event, payload, delivery)
    elif forge == "gitlab":
        parsed = parse_gitlab(event, payload, delivery)
    else:
        raise InvalidInput(f"unknown forge {forge!r}")
    if isinstance(parsed, Ignored):
        return Intake(reason=parsed.reason)
    return Intake(event=parsed)
