"""Where a job goes next: the queue the web edge fills and the workers drain, wired to the handlers.

``porchbot serve`` and ``porchbot worker`` both build their queue here, so the path of a delivery reads
in one place: ``bot.web.app`` (verify, ``bot.web.intake`` parses it into a typed event) → ``Queue.submit``
→ a worker claims the job → ``bot.handlers.dispatch.handle_job`` → one handler.
"""

from __future__ import annotations

import importlib

from bot.config.settings import Settings
from bot.handlers import dispatch
from bot.handlers.context import BotContext
from bot.queue.jobqueue import JobHandler, Queue


def job_handler(settings: Settings) -> JobHandler:
    """The bot's dispatch on one context for this process, or the test hook named by
    PORCHBOT_TEST_JOB_HANDLER (``module:callable``: process-level tests swap in a recorder)."""
    if settings.test_job_handler:
        module_name, _, attribute = settings.test_job_handler.partition(":")
        handler: JobHandler = getattr(importlib.import_module(module_name), attribute)
        return handler
    return dispatch.job_handler(BotContext(bot_login=settings.bot_login))


def bot_queue(settings: Settings) -> Queue:
    return Queue(settings, handler=job_handler(settings))
