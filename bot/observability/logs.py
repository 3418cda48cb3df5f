"""JSON logs, one event per line, with the context fields bound at the edge. Never a token."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

_CONTEXT_FIELDS = ("forge", "event", "delivery", "repo", "pr", "head_sha", "command", "key", "job_id",
                   "reason", "draft", "outcome", "seconds")
_USERINFO = re.compile(r"(://)[^/@\s]+@")
_TOKEN = re.compile(r"gh[pousr]_[A-Za-z0-9]{20,}|glpat-[A-Za-z0-9_-]{10,}")


def redact(text: str) -> str:
    """``text`` without credentials: a URL's user-info is dropped (``https://user:token@host`` →
    ``https://host``), and forge tokens standing on their own are masked. Used for log lines and for
    every git error a person sees."""
    return _TOKEN.sub("***", _USERINFO.sub(r"\1", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": redact(record.getMessage()),
        }
        for name in _CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                # The webhook's event name must not overwrite the log line's own event name.
                key = "forge_event" if name == "event" else name
                entry[key] = redact(str(value)) if isinstance(value, str) else value
        if record.exc_info and record.exc_info[1] is not None:
            # One line with the error type and message: no traceback in the log stream.
            err = record.exc_info[1]
            entry["error"] = redact(f"{type(err).__name__}: {err}")[:500]
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
