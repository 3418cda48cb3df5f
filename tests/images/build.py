"""Build every image the tests use, offline; fast and silent when nothing changed.

    python -m tests.images.build            # base, function image, catalog tags, sandbox image
    python -m tests.images.build --force    # rebuild all (mmdebstrap included)
    python -m tests.images.build --only krm-fn

scripts/test.sh runs this before pytest; scripts/build-function-image.sh runs it for users.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from tests.images.base import ensure_base_image
from tests.images.catalog import ensure_catalog_images
from tests.images.common import LABEL_ROLE, build_lock, docker_client, log
from tests.images.krmfn import FUNCTION_IMAGE, ensure_function_image
from tests.images.sandbox import ensure_sandbox_image

TARGETS = ("base", "krm-fn", "sandbox")


def build_all(client: Any | None = None, *, force: bool = False, only: tuple[str, ...] = TARGETS) -> None:
    client = client or docker_client()
    with build_lock():
        base = ensure_base_image(client, force=force)
        if "krm-fn" in only:
            function_hash = ensure_function_image(client, base, force=force)
            started = time.monotonic()
            made = ensure_catalog_images(client, function_hash, FUNCTION_IMAGE)
            if made:
                log(f"tagged {made} catalog image names in {time.monotonic() - started:.1f}s")
        if "sandbox" in only:
            ensure_sandbox_image(client, base, force=force)
        # Images every name moved away from are dangling now; only ours are touched (by their label).
        for role in ("base", "krm-fn", "catalog-fn", "sandbox-fn"):
            client.api.prune_images(filters={"dangling": True, "label": f"{LABEL_ROLE}={role}"})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.images.build", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the labels say up to date")
    parser.add_argument("--only", action="append", choices=TARGETS, help="build only these (base always)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    build_all(force=args.force, only=tuple(args.only or TARGETS))
    log(f"images ready in {time.monotonic() - started:.1f}s")


if __name__ == "__main__":
    main()
