"""Image-name helpers the render engine shares with the console and status output."""

from __future__ import annotations

import os

from bot.render.functions.registry import DEFAULT_IMAGE_PREFIX, parse_image, resolve_image


def function_short_name(image: str) -> str:
    return parse_image(image).name if image else ""


def resolved_image(image: str) -> str:
    """kpt's resolution: ``$KPT_IMAGE_PREFIX`` (or the catalog) for short names, ``:latest`` when untagged."""
    return resolve_image(image, os.environ.get("KPT_IMAGE_PREFIX") or DEFAULT_IMAGE_PREFIX)
