"""The bot image's offline base: Debian with python3 (venv + ensurepip), git and CA certificates.

The project's ``Dockerfile`` starts from the official Python image; its offline build passes
``BASE_IMAGE=porchbot/python-base:<codename>`` instead. No registry is reachable, so this module makes that
image locally the way ``tests/images/base.py`` makes the function base:
``mmdebstrap`` from the machine's own apt sources, then ``docker import``. Rebuilt only when the recipe
changes (its hash is a label on the image).

    python -m tests.images.bot_base          # build the base when missing or stale
"""

from __future__ import annotations

import time
from typing import Any

from tests.images.base import codename, ensure_rootfs_image
from tests.images.common import build_lock, docker_client, log

# python3-venv brings ensurepip's pip wheel: the Dockerfile makes a venv and installs the wheelhouse offline.
# git: the lifecycle works on real clones. ca-certificates: HTTPS to the forges.
# libstdc++6: google-re2 (under the CEL library the variants use) is a C++ extension.
PACKAGES = ("python3", "python3-venv", "git", "ca-certificates", "libstdc++6")
BOT_BASE_IMAGE = f"porchbot/python-base:{codename()}"


def ensure_bot_base_image(client: Any, *, force: bool = False) -> str:
    """Build ``porchbot/python-base:<codename>`` unless an image of the same recipe exists."""
    return ensure_rootfs_image(client, BOT_BASE_IMAGE, PACKAGES, role="bot-base", force=force)


if __name__ == "__main__":
    started = time.monotonic()
    with build_lock():
        ensure_bot_base_image(docker_client())
    log(f"{BOT_BASE_IMAGE} ready in {time.monotonic() - started:.1f}s")
