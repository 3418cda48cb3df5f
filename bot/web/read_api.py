"""Read-only HTTP API and the dashboard's mount: the repositories and package revisions the CLI lists.

Listings read the per-repository caches, which the dashboard's refresher keeps fetched (at start, after a
push, on a schedule); ``?refresh=true`` fetches first. A repository that cannot be read is reported in
``errors`` and the others are still listed. READY is what the refresher's last fetch found.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from bot.config.settings import Settings
from bot.errors import PorchbotError
from bot.web.dashboard.store import CACHE_LOCK, DashboardStore

_lock = CACHE_LOCK  # caches are not safe to fetch from two threads at once (the dashboard fetches too)


def _engine() -> Any:
    from bot.lifecycle.engine import Engine

    return Engine()


def list_revisions(refresh: bool, repository: str | None = None) -> tuple[list[dict[str, Any]], list[str]]:
    from bot.lifecycle.resources import package_revision_objects

    engine = _engine()
    items: list[dict[str, Any]] = []
    errors: list[str] = []
    names = [repository] if repository else sorted(engine.repositories())
    with _lock:
        for name in names:
            try:
                revisions = engine.revisions(name, fetch=refresh)
                if engine.repository(name).forge_backed:
                    from bot.pr.proposals import with_pull_requests_all

                    revisions = with_pull_requests_all(engine, revisions, errors)
                items.extend(package_revision_objects(engine.cache, revisions))
            except PorchbotError as err:
                errors.append(f"{name}: {err}")
    return items, errors


def list_variants(refresh: bool) -> list[dict[str, Any]]:
    """``porchbot variants get``'s rows (bot.lifecycle.variants.status), PRs read with the bot's identity."""
    from bot.forges.factory import bot_forge
    from bot.pr.variants_status import rows_with_pulls

    with _lock:
        return [row.to_dict() for row in rows_with_pulls(_engine(), refresh, bot_forge)]


def list_repositories(store: DashboardStore | None = None) -> list[dict[str, Any]]:
    from bot.lifecycle.resources import repository_object

    engine = store.engine if store is not None else _engine()
    views = store.views() if store is not None else {}
    items = []
    for repo in engine.repositories().values():
        view = views.get(repo.name)
        # READY is what the last fetch found; a repository not fetched yet says so.
        ready, reason = (view.ready, view.reason) if view is not None else (False, "not fetched yet")
        items.append(repository_object(repo, ready, reason))
    return items


def bearer_check(token: str | None) -> Any:
    """A dependency refusing requests without ``Authorization: Bearer <token>`` (when a token is set)."""

    def check(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), f"Bearer {token}".encode()):
            raise HTTPException(status_code=401, detail="missing or wrong bearer token",
                                headers={"WWW-Authenticate": "Bearer"})

    return check


def create_router(token: str | None = None, settings: Settings | None = None) -> APIRouter:
    """The JSON API; with ``settings``, the dashboard's pages and refresher too (behind the same token)."""
    guard = Depends(bearer_check(token))
    router = APIRouter(dependencies=[guard])
    outer = APIRouter()
    store = None
    if settings is not None:
        from bot.web.dashboard import dashboard_routers

        dashboard, store = dashboard_routers(settings, [guard])
        outer.include_router(dashboard)

    @router.get("/api/v1/repositories")
    def repositories() -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "List", "items": list_repositories(store)}

    @router.get("/api/v1/packagerevisions")
    def packagerevisions(refresh: bool = Query(False), repository: str | None = Query(None)) -> dict[str, Any]:
        items, errors = list_revisions(refresh, repository)
        return {"apiVersion": "v1", "kind": "List", "items": items, "errors": errors}

    @router.get("/api/v1/variants")
    def variants(refresh: bool = Query(False)) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "List", "items": list_variants(refresh)}

    outer.include_router(router)
    return outer
