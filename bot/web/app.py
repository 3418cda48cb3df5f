"""The web edge: verify → parse once into a typed event (``bot.web.intake``) → store the job durably → 202.

Everything else happens in workers: the queue hands each job to the handler ``bot.web.wiring`` gave it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.config.settings import Settings
from bot.errors import InvalidInput
from bot.forges.models import event_to_json
from bot.observability import metrics
from bot.queue.jobqueue import Queue
from bot.web.intake import read_delivery
from bot.web.signatures import verify_github_signature, verify_gitlab_token

log = logging.getLogger("porchbot.app")

MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps payloads at 25 MB


def _reply(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"message": message, **extra}, status_code=status)


def _decode_body(body: bytes, content_type: str) -> dict[str, Any]:
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/x-www-form-urlencoded":
        fields = parse_qs(body.decode("utf-8", "replace"))
        if "payload" not in fields:
            raise InvalidInput("form body has no `payload` field")
        text = fields["payload"][0]
    elif media in ("application/json", ""):
        text = body.decode("utf-8")
    else:
        raise InvalidInput(f"unsupported content type {media!r}: send application/json")
    parsed = json.loads(text)
    if not isinstance(parsed, dict):
        raise InvalidInput("body is not a JSON object")
    return parsed


def create_app(settings: Settings, queue: Queue) -> FastAPI:
    app = FastAPI(title="porchbot", docs_url=None, redoc_url=None)
    from bot.web.read_api import create_router

    token = settings.api_token.get_secret_value() if settings.api_token else None
    app.include_router(create_router(token, settings))  # the JSON API and the dashboard

    def accept(forge: str, event: str, delivery: str, body: bytes, content_type: str) -> Response:
        try:
            payload = _decode_body(body, content_type)
            intake = read_delivery(forge, event, payload, delivery)
        except (InvalidInput, ValueError) as err:
            status = 415 if "content type" in str(err) else 400
            metrics.DELIVERIES.labels(forge, event or "-", "malformed").inc()
            log.warning("delivery refused", extra={"forge": forge, "event": event, "delivery": delivery,
                                                   "reason": str(err)[:200]})
            return _reply(status, f"malformed delivery: {str(err)[:200]}")
        if intake.event is None:
            metrics.DELIVERIES.labels(forge, event, "ignored").inc()
            return _reply(200, "ignored", reason=intake.reason)
        if not queue.submit(f"{forge}:{delivery}", forge, intake.key, event_to_json(intake.event)):
            metrics.DELIVERIES.labels(forge, event, "duplicate").inc()
            return _reply(200, "duplicate delivery", delivery=delivery)
        metrics.DELIVERIES.labels(forge, event, "queued").inc()
        log.info("delivery queued", extra={"forge": forge, "event": event, "delivery": delivery,
                                          "key": intake.key})
        return _reply(202, "queued", delivery=delivery)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "jobs": queue.store.counts()}

    @app.get("/metrics")
    def metrics_endpoint() -> Response:
        data, content_type = metrics.render(queue.store.counts, queue.huey.pending_count)
        return Response(content=data, media_type=content_type)

    @app.post("/webhooks/github")
    async def github_webhook(request: Request) -> Response:
        secret = settings.github_webhook_secret
        if secret is None:
            return _reply(403, "GitHub webhooks are not configured (PORCHBOT_GITHUB_WEBHOOK_SECRET)")
        body = await request.body()
        signature = request.headers.get("x-hub-signature-256")
        if not signature:
            return _reply(401, "missing X-Hub-Signature-256")
        if not verify_github_signature(secret.get_secret_value(), body, signature):
            return _reply(403, "bad signature")
        if len(body) > MAX_BODY_BYTES:
            return _reply(413, "payload too large")
        event = request.headers.get("x-github-event", "")
        if not event:
            return _reply(400, "missing X-GitHub-Event")
        delivery = request.headers.get("x-github-delivery") or hashlib.sha256(body).hexdigest()
        return accept("github", event, delivery, body, request.headers.get("content-type", ""))

    @app.post("/webhooks/gitlab")
    async def gitlab_webhook(request: Request) -> Response:
        secret = settings.gitlab_webhook_secret
        if secret is None:
            return _reply(403, "GitLab webhooks are not configured (PORCHBOT_GITLAB_WEBHOOK_SECRET)")
        token = request.headers.get("x-gitlab-token")
        if not token:
            return _reply(401, "missing X-Gitlab-Token")
        if not verify_gitlab_token(secret.get_secret_value(), token):
            return _reply(403, "bad token")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _reply(413, "payload too large")
        event = request.headers.get("x-gitlab-event", "")
        if not event:
            return _reply(400, "missing X-Gitlab-Event")
        delivery = (request.headers.get("idempotency-key") or request.headers.get("x-gitlab-webhook-uuid")
                    or hashlib.sha256(body).hexdigest())
        return accept("gitlab", event, delivery, body, request.headers.get("content-type", ""))

    return app
