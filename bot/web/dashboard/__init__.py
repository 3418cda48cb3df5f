"""The dashboard (issue 13): server-rendered pages over the same cached discovery the CLI uses.

``dashboard_routers`` gives the guarded pages and the public static assets, and a lifespan that starts the
refresher (a fetch at start, after each push this process's workers handle, and on a schedule).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from bot.config.settings import Settings
from bot.web.dashboard.store import DashboardStore


def dashboard_routers(settings: Settings, dependencies: list[Any],
                      store: DashboardStore | None = None) -> tuple[APIRouter, DashboardStore]:
    """One router (pages behind ``dependencies``, static assets open) and its store."""
    from bot.handlers import dispatch
    from bot.web.dashboard.routes import pages_router, static_router

    store = store or DashboardStore(settings)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        dispatch.PUSH_LISTENERS.append(store.on_push)
        store.start()
        try:
            yield
        finally:
            dispatch.PUSH_LISTENERS.remove(store.on_push)
            store.stop()

    router = APIRouter(lifespan=lifespan)
    router.include_router(static_router())
    router.include_router(pages_router(store, dependencies))
    return router, store
