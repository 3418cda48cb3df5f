"""Commit messages as Porch writes them: a subject, a blank line, and the ``kpt:`` annotation line."""

from __future__ import annotations

import json
from typing import Any

from bot.config.settings import Settings
from bot.lifecycle.gitaccess import Identity

INIT_SUBJECT = "Creating new empty revision"
CLONE_SUBJECT = "Creating new revision by cloning"
COPY_SUBJECT = "Creating new revision by copying previous revision"
UPGRADE_SUBJECT = "Upgrading revision"
RENDER_SUBJECT = "Rendering package"
UPDATE_SUBJECT = "Intermediate commit"


def approve_subject(package_path: str, revision: str) -> str:
    return f"Approving package revision {package_path}/{revision}"


def message(subject: str, package_path: str, workspace: str, revision: str,
            task: dict[str, Any] | None = None) -> str:
    annotation: dict[str, Any] = {"package": package_path, "workspaceName": workspace, "revision": revision}
    if task is not None:
        annotation["task"] = task
    return f"{subject}\n\nkpt:{go_json(annotation)}\n"


def go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it (Porch is Go): compact, UTF-8, HTML characters escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def committer(settings: Settings) -> Identity:
    return Identity(settings.bot_name, settings.bot_email)


def author(settings: Settings) -> Identity:
    """The person behind a CLI action when the environment says who (git's own variables), else the bot."""
    name = settings.git_author_name or settings.author_name
    email = settings.git_author_email or settings.author_email
    if name and email:
        return Identity(name, email)
    return committer(settings)
