"""Which vX.Y.Z releases each catalog registry holds, so short tags resolve as the registry resolves them.

The catalog's release job pushes every ``vX.Y.Z`` image also as ``vX.Y`` and ``vX``; each push
moves those short tags to the release just made, so on a registry a short tag names the newest
release of its line. The two registries hold different lines:

* ``gcr.io/kpt-fn`` got the releases up to the catalog's move to ghcr in 2025 (the catalog's own
  git tags ``<fn>/vX.Y.Z`` of that time) and nothing since, so ``set-namespace:v0.4`` there is
  still v0.4.1 and ``starlark:v0.5`` is v0.5.0.
* ``ghcr.io/kptdev/krm-functions-catalog`` carries the same old releases (blueprints pin
  ``.../set-namespace:v0.4.1`` there) plus everything released since: ``set-namespace:v0.4``
  there is the newest v0.4.x that Porch's own function configuration names (v0.4.5).

Only the newest release of a line matters for resolution; older entries are listed so that
``short_tags`` can say which short tags a given release answers to (nothing, once superseded).
"""

from __future__ import annotations

import re

from bot.config.settings import current_settings

GCR = "gcr.io/kpt-fn"
GHCR = "ghcr.io/kptdev/krm-functions-catalog"

_SHORT_TAG = re.compile(r"^v(\d+)(?:\.(\d+))?$")
_FULL_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


def _versions(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Releases published to gcr.io/kpt-fn: the catalog's release tags before its 2025 move.
GCR_RELEASES: dict[str, tuple[str, ...]] = {
    "set-namespace": _versions("v0.1.0 v0.1.1 v0.1.2 v0.1.3 v0.1.4 v0.2.0 v0.3.0 v0.3.1 v0.3.2 v0.3.3 "
                               "v0.3.4 v0.4.0 v0.4.1"),
    "starlark": _versions("v0.1.0 v0.1.1 v0.1.2 v0.2.0 v0.2.1 v0.2.2 v0.3.0 v0.4.0 v0.4.1 v0.4.2 v0.4.3 v0.5.0"),
    "set-labels": _versions("v0.1.3 v0.1.4 v0.1.5 v0.2.0"),
    "set-annotations": _versions("v0.1.3 v0.1.4"),
    "apply-replacements": _versions("v0.1.0 v0.1.1"),
    "search-replace": _versions("v0.1.0 v0.1.1 v0.2.0"),
    "set-image": _versions("v0.1.0 v0.1.1"),
    "ensure-name-substring": _versions("v0.1.0 v0.1.1 v0.2.0"),
    "apply-setters": _versions("v0.1.0 v0.1.1 v0.2.0"),
    "create-setters": _versions("v0.1.0"),
    "set-enforcement-action": _versions("v0.1.0"),
    "upsert-resource": _versions("v0.1.0 v0.2.0"),
    "kubeval": _versions("v0.1.0 v0.1.1 v0.1.2 v0.2.0 v0.2.1 v0.3.0"),
}

# Releases made on ghcr after the move, newest known per function (kubeval was not moved).
_GHCR_ONLY: dict[str, tuple[str, ...]] = {
    "set-namespace": _versions("v0.4.2 v0.4.3 v0.4.5"),
    "starlark": _versions("v0.5.1 v0.5.2"),
    "set-labels": _versions("v0.2.1 v0.2.2 v0.2.5"),
    "set-annotations": _versions("v0.1.5"),
    "apply-replacements": _versions("v0.1.2 v0.1.3"),
    "search-replace": _versions("v0.2.1"),
    "set-image": _versions("v0.1.2"),
    "ensure-name-substring": _versions("v0.2.1"),
    "apply-setters": _versions("v0.2.1 v0.2.2"),
    "create-setters": _versions("v0.1.1"),
    "set-enforcement-action": _versions("v0.1.1"),
    "upsert-resource": _versions("v0.2.1"),
}

GHCR_RELEASES: dict[str, tuple[str, ...]] = {
    name: GCR_RELEASES.get(name, ()) + _GHCR_ONLY.get(name, ()) for name in {*GCR_RELEASES, *_GHCR_ONLY}
    if name != "kubeval"
}

REGISTRIES: dict[str, dict[str, tuple[str, ...]]] = {GCR: GCR_RELEASES, GHCR: GHCR_RELEASES}


def registry_of(image: str) -> str:
    """The registry an image name pulls from: its own prefix, or kpt's prefix for a bare name."""
    rest = image.split("@", 1)[0]
    if "/" not in rest:
        prefix = current_settings().kpt_image_prefix or GHCR
        return prefix.rstrip("/")
    for registry in REGISTRIES:
        # Only NAME right under the registry: other paths there (``wasm/NAME``) are other images.
        if rest.startswith(registry + "/") and "/" not in rest[len(registry) + 1:]:
            return registry
    return ""


def _key(tag: str) -> tuple[int, int, int]:
    matched = _FULL_TAG.match(tag)
    assert matched is not None
    return int(matched.group(1)), int(matched.group(2)), int(matched.group(3))


def is_short_tag(tag: str) -> bool:
    return _SHORT_TAG.match(tag) is not None


def resolve_short_tag(name: str, tag: str, registry: str) -> str | None:
    """The release a short tag (``vX`` or ``vX.Y``) names on ``registry``; None when it names none."""
    matched = _SHORT_TAG.match(tag)
    releases = REGISTRIES.get(registry, {}).get(name, ())
    if matched is None or not releases:
        return None
    major, minor = int(matched.group(1)), matched.group(2)
    line = [r for r in releases if _key(r)[0] == major and (minor is None or _key(r)[1] == int(minor))]
    return max(line, key=_key) if line else None


def short_tags(name: str, release: str) -> list[str]:
    """``registry:short-tag`` names under which ``release`` is pulled today (for ``fn list``)."""
    found: list[str] = []
    if _FULL_TAG.match(release) is None:
        return found
    major, minor, _patch = _key(release)
    for registry in REGISTRIES:
        for short in (f"v{major}.{minor}", f"v{major}"):
            if resolve_short_tag(name, short, registry) == release:
                found.append(f"{registry}:{short}")
    return found
