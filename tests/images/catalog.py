"""Our function image under the catalog's names, so pipelines run it unchanged.

Each builtin registration (one function and the tags whose behaviour it reproduces) becomes a tiny
image committed from ``porchbot/krm-fn:local`` that only sets ``PORCHBOT_FUNCTION`` and
``PORCHBOT_FUNCTION_TAG``; it is tagged ``gcr.io/kpt-fn/NAME:TAG`` and
``ghcr.io/kptdev/krm-functions-catalog/NAME:TAG`` for every tag that registration reproduces. Plain
``kpt fn render`` and our docker runtime then run real containers. A tag whose behaviour no builtin
reproduces gets no image (and a stale one is removed), so nothing silently gives different output.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.images.common import (
    CACHE_DIR,
    LABEL_HASH,
    LABEL_ROLE,
    PROJECT_DIR,
    Hasher,
    log,
)

REGISTRIES = ("gcr.io/kpt-fn", "ghcr.io/kptdev/krm-functions-catalog")
ROLE = "catalog-fn"
LABEL_FUNCTION = "porchbot.function"
LABEL_TAG = "porchbot.function-tag"

# Tags registered as regexes cannot be listed, so candidates are tried against the registry:
# floating tags, the catalog's release numbering, and whatever ../shared pipelines name.
FLOATING_TAGS = ("latest", "unstable")
RELEASE_TAGS = tuple(f"v0.{minor}" for minor in range(7)) + tuple(
    f"v0.{minor}.{patch}" for minor in range(7) for patch in range(10))
_IMAGE_RE = re.compile(r"(?:gcr\.io/kpt-fn|ghcr\.io/kptdev/krm-functions-catalog)/([a-z0-9-]+):([A-Za-z0-9._-]+)")


def shared_tags() -> set[tuple[str, str]]:
    """(name, tag) pairs the shared conformance cases and fixtures use, when ../shared is present."""
    shared = Path(os.environ.get("PORCHBOT_SHARED_DIR", PROJECT_DIR.parent / "shared"))
    found: set[tuple[str, str]] = set()
    for sub in ("conformance", "fixtures"):
        root = shared / sub
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix not in {".yaml", ".yml", ".sh", ""} or not path.is_file() or path.name == ".git":
                continue
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            found.update(_IMAGE_RE.findall(text))
    return found


def wanted_images() -> dict[tuple[str, str], list[str]]:
    """(function name, representative tag) -> every catalog image name that registration answers to."""
    from bot.render.functions.registry import all_functions, lookup

    extra = shared_tags()
    wanted: dict[tuple[str, str], list[str]] = {}
    for function in all_functions():
        candidates = {t for t in function.tags if not t.startswith("^")}
        candidates.update(FLOATING_TAGS, RELEASE_TAGS)
        candidates.update(tag for name, tag in extra if name == function.name)
        for tag in sorted(candidates):
            # Only the registration lookup() picks for this name may claim it (earlier ones win),
            # asked per registry in case gcr and ghcr builds of one tag ever differ.
            names = [f"{registry}/{function.name}:{tag}" for registry in REGISTRIES]
            names = [image for image in names if lookup(image) is function]
            if names:
                key = (function.name, _representative(function.tags, tag))
                wanted.setdefault(key, []).extend(names)
    return wanted


def wanted_images_isolated(function_hash: str) -> dict[tuple[str, str], list[str]]:
    """``wanted_images()`` computed in a fresh interpreter, cached per function-image hash.

    The builder may be called from inside a test process whose registry was narrowed or patched;
    asking that process would untag every function it cannot see.
    """
    hasher = Hasher()
    hasher.add("function-image", function_hash.encode())
    hasher.add("catalog.py", Path(__file__).read_bytes())
    cache = CACHE_DIR / f"catalog-{hasher.hexdigest()}.json"
    if not cache.is_file():
        result = subprocess.run([sys.executable, "-m", "tests.images.catalog"], cwd=PROJECT_DIR,
                                capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"images: listing the builtin registrations failed:\n{result.stderr[-3000:]}")
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        for older in CACHE_DIR.glob("catalog-*.json"):
            older.unlink(missing_ok=True)  # one per source change: keep only the current one
        cache.write_text(result.stdout)
    entries = json.loads(cache.read_text())
    return {(entry["name"], entry["tag"]): list(entry["images"]) for entry in entries}


def _representative(tags: tuple[str, ...], tag: str) -> str:
    exact = [t for t in tags if not t.startswith("^")]
    return exact[0] if exact else tag


def ensure_catalog_images(client: Any, function_hash: str, function_image: str) -> int:
    """Tag our image under every wanted catalog name; returns how many names were (re)made."""
    existing = _existing(client)
    made = 0
    wanted = wanted_images_isolated(function_hash)
    source_container = ""
    try:
        for (name, tag), image_names in sorted(wanted.items()):
            labels = {LABEL_ROLE: ROLE, LABEL_FUNCTION: name, LABEL_TAG: tag, LABEL_HASH: function_hash}
            current = [n for n in image_names if n in existing and _carries(existing[n][0], labels)]
            stale = [n for n in image_names if n not in current]
            if not stale:
                continue
            image = existing[current[0]][1] if current else ""
            if not image:
                # Committing one never-started container with new ENV/LABEL is a metadata-only image,
                # several times cheaper than a build per registration.
                source_container = source_container or str(client.api.create_container(function_image)["Id"])
                changes = [f"ENV PORCHBOT_FUNCTION={name} PORCHBOT_FUNCTION_TAG={tag}",
                           "LABEL " + " ".join(f"{key}={value}" for key, value in labels.items())]
                repository, image_tag = stale[0].rsplit(":", 1)
                image = str(client.api.commit(source_container, repository=repository, tag=image_tag,
                                              changes=changes)["Id"])
            for image_name in stale:
                repository, image_tag = image_name.rsplit(":", 1)
                client.api.tag(image, repository, image_tag, force=True)
                made += 1
    finally:
        if source_container:
            client.api.remove_container(source_container, force=True)
    keep = {n for names in wanted.values() for n in names}
    for image_name in sorted(set(existing) - keep):
        # A tag no builtin reproduces any more must not keep answering with our old behaviour.
        client.api.remove_image(image_name)
        log(f"removed stale {image_name}")
    return made


def _carries(labels: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in wanted.items())


def _existing(client: Any) -> dict[str, tuple[dict[str, str], str]]:
    """Catalog names we made earlier: name -> (labels, image id)."""
    found: dict[str, tuple[dict[str, str], str]] = {}
    for image in client.api.images(filters={"label": f"{LABEL_ROLE}={ROLE}"}):
        labels = dict(image.get("Labels") or {})
        for repo_tag in image.get("RepoTags") or []:
            if repo_tag == "<none>:<none>":
                continue
            found[repo_tag] = (labels, str(image["Id"]))
    return found


def main() -> None:
    entries = [{"name": name, "tag": tag, "images": images} for (name, tag), images in sorted(wanted_images().items())]
    print(json.dumps(entries, indent=1))


if __name__ == "__main__":
    main()
