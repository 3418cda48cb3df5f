"""Jinja2 rendering of the pages, and the live fragment each page polls (htmx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
POLL_SECONDS = 3
_ENV = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                   trim_blocks=False, lstrip_blocks=False, auto_reload=False)


def _static(name: str) -> str:
    return f"/dashboard/static/{name}"


_ENV.globals["static"] = _static
# The macros are globals: a live region is rendered as a block alone, without the page's own imports.
_MACROS = _ENV.get_template("_macros.html").module
_ENV.globals.update({name: getattr(_MACROS, name) for name in ("lifecycle", "render_badge", "pull_link",
                                                                 "package_href")})


def live_url(request: Request, version: int) -> str:
    query = [(key, value) for key, value in request.query_params.multi_items() if key != "live"]
    return f"{request.url.path}?{urlencode([*query, ('live', str(version))])}"


def render(request: Request, template_name: str, context: dict[str, Any], version: int,
           refresh_seconds: float, status_code: int = 200) -> Response:
    """The page, or with ``?live=N`` only its live region (204 when nothing changed since version N)."""
    template = _ENV.get_template(template_name)
    live = request.query_params.get("live")
    full = {**context, "refresh_seconds": f"{refresh_seconds:g}"}
    block = template.blocks.get("live")
    region = ""
    if block is not None:
        if live is not None and live == str(version):
            return Response(status_code=204)
        inner = "".join(block(template.new_context(full)))
        region = (f'<div id="live" hx-get="{Markup.escape(live_url(request, version))}" '
                  f'hx-trigger="every {POLL_SECONDS}s" hx-swap="outerHTML">{inner}</div>')
        if live is not None:
            return HTMLResponse(region)
    full["live_region"] = Markup(region)
    return HTMLResponse(template.render(full), status_code=status_code)
