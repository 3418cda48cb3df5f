"""Classify a verified delivery: enqueue it (with its serialisation key), ignore it, or refuse its shape.

Pure functions over the parsed JSON body and the event header. Only what is needed to route and
serialise is read here; handlers parse the full payload into forge-neutral models in the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import InvalidInput

GITHUB_ACTED_ON = {"push", "pull_request", "issue_comment", "pull_request_review"}
GITLAB_ACTED_ON = {"Push Hook", "Merge Request Hook", "Note Hook"}


@dataclass(frozen=True)
class Intake:
    enqueue: bool
    key: str = ""
    reason: str = ""


def _need(payload: dict[str, Any], *path: str) -> Any:
    node: Any = payload
    for name in path:
        if not isinstance(node, dict) or name not in node:
            raise InvalidInput(f"payload has no `{'.'.join(path)}`")
        node = node[name]
    return node


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidInput(f"`{what}` has the wrong type")
    return str(value)


def classify_github(event: str, payload: dict[str, Any]) -> Intake:
    if event not in GITHUB_ACTED_ON:
        return Intake(False, reason=f"event {event!r} is not acted on")
    repo = _str(_need(payload, "repository", "full_name"), "repository.full_name")
    if event == "push":
        ref = _str(_need(payload, "ref"), "ref")
        _str(_need(payload, "after"), "after")
        return Intake(True, key=f"github:{repo}:ref:{ref}")
    if event in ("pull_request", "pull_request_review"):
        number = _str(_need(payload, "pull_request", "number"), "pull_request.number")
        _need(payload, "pull_request", "head")
        return Intake(True, key=f"github:{repo}:pr:{number}")
    number = _str(_need(payload, "issue", "number"), "issue.number")
    _str(_need(payload, "comment", "body"), "comment.body")
    return Intake(True, key=f"github:{repo}:pr:{number}")


def classify_gitlab(event: str, payload: dict[str, Any]) -> Intake:
    if event not in GITLAB_ACTED_ON:
        return Intake(False, reason=f"event {event!r} is not acted on")
    project = _need(payload, "project")
    if not isinstance(project, dict):
        raise InvalidInput("`project` has the wrong type")
    repo = _str(project.get("path_with_namespace") or project.get("id") or "", "project.path_with_namespace")
    if not repo:
        raise InvalidInput("payload has no `project.path_with_namespace`")
    if event == "Push Hook":
        ref = _str(_need(payload, "ref"), "ref")
        _str(_need(payload, "after"), "after")
        return Intake(True, key=f"gitlab:{repo}:ref:{ref}")
    attributes = _need(payload, "object_attributes")
    if not isinstance(attributes, dict):
        raise InvalidInput("`object_attributes` has the wrong type")
    if event == "Merge Request Hook":
        number = _str(_need(attributes, "iid"), "object_attributes.iid")
        return Intake(True, key=f"gitlab:{repo}:pr:{number}")
    if attributes.get("noteable_type") != "MergeRequest":
        return Intake(False, reason="note is not on a merge request")
    number = _str(_need(payload, "merge_request", "iid"), "merge_request.iid")
    _str(_need(attributes, "note"), "object_attributes.note")
    return Intake(True, key=f"gitlab:{repo}:pr:{number}")
