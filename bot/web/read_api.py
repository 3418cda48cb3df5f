"""Read-only HTTP API and dashboard: the repositories and package revisions the CLI lists.

Listings read the per-repository caches; ``?refresh=true`` fetches first. A repository that
cannot be read is reported in ``errors`` and the others are still listed.
"""

from __future__ import annotations

import hmac
import html
import threading
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from bot.errors import PorchbotError

_lock = threading.Lock()  # caches are not safe to fetch from two threads at once


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


def list_repositories() -> list[dict[str, Any]]:
    from bot.lifecycle.resources import repository_object

    engine = _engine()
    # READY here is "registered and cached"; the CLI's `repo get` does the live ls-remote.
    return [repository_object(repo, True, "") for repo in engine.repositories().values()]


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


def create_router(token: str | None = None) -> APIRouter:
    router = APIRouter(dependencies=[Depends(bearer_check(token))])

    @router.get("/api/v1/repositories")
    def repositories() -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "List", "items": list_repositories()}

    @router.get("/api/v1/packagerevisions")
    def packagerevisions(refresh: bool = Query(False), repository: str | None = Query(None)) -> dict[str, Any]:
        items, errors = list_revisions(refresh, repository)
        return {"apiVersion": "v1", "kind": "List", "items": items, "errors": errors}

    @router.get("/", response_class=HTMLResponse)
    def dashboard() -> str:
        items, errors = list_revisions(False)
        return render_dashboard(items, errors)

    return router


def render_dashboard(items: list[dict[str, Any]], errors: list[str]) -> str:
    rows = []
    for item in items:
        spec = item["spec"]
        latest = item["metadata"].get("labels", {}).get("kpt.dev/latest-revision") == "true"
        cells = [item["metadata"]["name"], spec["packageName"], spec["revision"], "yes" if latest else "",
                 spec["lifecycle"], spec["repository"]]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells) + "</tr>")
    problems = "".join(f"<li>{html.escape(error)}</li>" for error in errors)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Porchbot</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>"
        "<h1>Porchbot package revisions</h1>"
        + (f"<ul class='errors'>{problems}</ul>" if problems else "")
        + "<table><tr><th>NAME</th><th>PACKAGE</th><th>REVISION</th><th>LATEST</th><th>LIFECYCLE</th>"
          "<th>REPOSITORY</th></tr>" + "".join(rows) + "</table></body></html>")
