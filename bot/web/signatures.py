"""Webhook authenticity: pure functions over the raw body bytes and header values."""

from __future__ import annotations

import hashlib
import hmac


def verify_github_signature(secret: str, body: bytes, signature_header: str | None) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>``, compared in constant time."""
    if not signature_header or not signature_header.startswith("sha256="):
        return False
    expected = "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), signature_header.strip().encode("utf-8", "replace"))


def verify_gitlab_token(secret: str, token_header: str | None) -> bool:
    """GitLab sends the secret verbatim in ``X-Gitlab-Token``; compare in constant time."""
    if not token_header:
        return False
    return hmac.compare_digest(secret.encode("utf-8"), token_header.encode("utf-8", "replace"))
