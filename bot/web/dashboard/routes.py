"""The dashboard's pages: overview, repository, package, revision, diff and fleet, read from the store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from bot.errors import NotFound
from bot.web.dashboard import fleet, overview, package
from bot.web.dashboard.highlight import highlight, is_yaml
from bot.web.dashboard.models import row
from bot.web.dashboard.pages import STATIC_DIR, render
from bot.web.dashboard.store import DashboardStore

STATIC_FILES = {"dashboard.css": "text/css", "htmx.min.js": "text/javascript"}


def static_router() -> APIRouter:
    """The vendored assets: public (nothing secret in them), cacheable for an hour."""
    router = APIRouter()

    @router.get("/dashboard/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC_FILES:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(STATIC_DIR / name, media_type=STATIC_FILES[name],
                            headers={"Cache-Control": "public, max-age=3600"})

    return router


def pages_router(store: DashboardStore, dependencies: list[Any]) -> APIRouter:
    router = APIRouter(dependencies=dependencies, include_in_schema=False)
    refresh = store.settings.dashboard_refresh_seconds

    def show(request: Request, template: str, context: dict[str, Any]) -> Response:
        return render(request, template, context, store.version, refresh)

    def missing(request: Request, err: NotFound) -> Response:
        return render(request, "error.html", {"title": "Not found", "message": str(err)}, store.version,
                      refresh, status_code=404)

    @router.get("/")
    def overview_page(request: Request) -> Response:
        context = store.remember("overview", overview.overview)
        return show(request, "overview.html", {"title": "Overview", "section": "overview", **context})

    @router.get("/repositories/{name}")
    def repository_page(request: Request, name: str, q: str = Query("")) -> Response:
        try:
            view = package.find_view(store.views(), name)
        except NotFound as err:
            return missing(request, err)
        return show(request, "repository.html", {
            "title": name, "name": name, "repo": overview.summary(view), "branch": view.repository.branch,
            "forge": view.repository.forge_backed, "query": q, "rows": overview.package_rows(view, q),
            "crumbs": [("Overview", "/"), (name, "")]})

    @router.get("/repositories/{name}/packages/{package_name:path}")
    def package_page(request: Request, name: str, package_name: str) -> Response:
        try:
            context = package.package_page(store.views(), name, package_name)
        except NotFound as err:
            return missing(request, err)
        return show(request, "package.html", {
            **context, "title": package_name, "forge": context["view"].repository.forge_backed,
            "crumbs": [("Overview", "/"), (name, f"/repositories/{name}"), (package_name, "")]})

    def revision_context(name: str) -> tuple[Any, Any, list[Any]]:
        view, revision = package.find_revision(store.views(), name)
        siblings = view.by_package()[revision.package]
        return view, revision, siblings

    @router.get("/revisions/{name}")
    def revision_page(request: Request, name: str) -> Response:
        try:
            view, revision, siblings = revision_context(name)
        except NotFound as err:
            return missing(request, err)
        files = store.files(view.repository.name, revision.commit, revision.package_path)
        shown = [{"path": path, "lines": None if text is None else highlight(text, is_yaml(path))}
                 for path, text in sorted(files.items(), key=lambda item: (item[0] != "Kptfile", item[0]))]
        current = row(view, revision)
        return show(request, "revision.html", {
            "title": f"{revision.package} {current.label}", "r": current, "facts": view.facts.get(revision.name),
            "files": shown, "anchors": {item["path"]: index for index, item in enumerate(shown, 1)},
            "base": package.default_base(siblings, revision),
            "others": [r for r in siblings if r.name != revision.name],
            "crumbs": _crumbs(view.repository.name, revision.package, current.label)})

    @router.get("/revisions/{name}/diff")
    def diff_page(request: Request, name: str, against: str = Query("")) -> Response:
        try:
            view, revision, siblings = revision_context(name)
            base = package.default_base(siblings, revision) if not against else \
                next((r for r in siblings if r.name == against), None)
            if base is None:
                raise NotFound(f"no revision to compare {revision.package} {revision.revision or revision.workspace}"
                               " with" + (f": {against!r} is not a revision of this package" if against else ""))
        except NotFound as err:
            return missing(request, err)
        repository = view.repository.name
        diffs = package.diff_files(store.files(repository, base.commit, base.package_path),
                                   store.files(repository, revision.commit, revision.package_path))
        label = revision.revision or revision.workspace
        return show(request, "diff.html", {
            "title": f"{revision.package}: {base.revision or base.workspace} → {label}", "old": base,
            "new": revision, "diffs": diffs,
            "crumbs": [*_crumbs(repository, revision.package, label)[:-1], (label, f"/revisions/{name}"),
                       ("diff", "")]})

    @router.get("/fleet")
    def fleet_page(request: Request) -> Response:
        return show(request, "fleet.html", {"title": "Fleet", "section": "fleet",
                                            "groups": store.remember("fleet", fleet.fleet),
                                            "variants": store.remember("variants", fleet.variants_status)})

    return router


def _crumbs(repository: str, package_name: str, label: str) -> list[tuple[str, str]]:
    return [("Overview", "/"), (repository, f"/repositories/{repository}"),
            (package_name, f"/repositories/{repository}/packages/{package_name}"), (label, "")]
