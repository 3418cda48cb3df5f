"""The bot image's offline base: Debian with python3 (venv + ensurepip), git and CA certificates.

The project's ``Dockerfile`` starts ``FROM porchbot/python-base:<codename>``. No registry is reachable,
so this module makes that image locally the way ``tests/images/base.py`` makes the function base:
``mmdebstrap`` from the machine's own apt sources, then ``docker import``. Rebuilt only when the recipe
changes (its hash is a label on the image).

    python -m tests.images.bot_base          # build the base when missing or stale
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.images.base import APT_OPTIONS, DPKG_OPTIONS, codename, debian_sources
from tests.images.common import (
    CACHE_DIR,
    LABEL_HASH,
    LABEL_ROLE,
    Hasher,
    build_lock,
    docker_client,
    image_labels,
    log,
)

# python3-venv brings ensurepip's pip wheel: the Dockerfile makes a venv and installs wheels offline.
# git: the lifecycle works on real clones. ca-certificates: HTTPS to the forges.
PACKAGES = ("python3", "python3-venv", "git", "ca-certificates")
IMPORT_CHANGES = ("ENV LANG=C.UTF-8", 'CMD ["python3"]')
BOT_BASE_IMAGE = f"porchbot/python-base:{codename()}"


def recipe_hash(sources: list[Path]) -> str:
    hasher = Hasher()
    hasher.add("suite", codename().encode())
    hasher.add("packages", " ".join(PACKAGES).encode())
    hasher.add("dpkg", " ".join(DPKG_OPTIONS).encode())
    hasher.add("changes", " ".join(IMPORT_CHANGES).encode())
    for path in sources:
        hasher.add(str(path), path.read_bytes())
    return hasher.hexdigest()


def ensure_bot_base_image(client: Any, *, force: bool = False) -> str:
    """Build ``porchbot/python-base:<codename>`` unless an image of the same recipe exists."""
    sources = debian_sources()
    wanted = recipe_hash(sources)
    labels = image_labels(client, BOT_BASE_IMAGE)
    if not force and labels is not None and labels.get(LABEL_HASH) == wanted:
        return BOT_BASE_IMAGE
    if shutil.which("mmdebstrap") is None:
        raise SystemExit("images: mmdebstrap is not installed (scripts/ensure-services.sh installs it)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix="bot-rootfs-") as tmp:
        tarball = Path(tmp) / "rootfs.tar"
        started = time.monotonic()
        _mmdebstrap(tarball, sources)
        log(f"mmdebstrap {BOT_BASE_IMAGE} took {time.monotonic() - started:.1f}s")
        changes = [*IMPORT_CHANGES, f"LABEL {LABEL_HASH}={wanted} {LABEL_ROLE}=bot-base"]
        repository, tag = BOT_BASE_IMAGE.split(":")
        client.api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=changes)
    return BOT_BASE_IMAGE


def _mmdebstrap(tarball: Path, sources: list[Path]) -> None:
    command = ["mmdebstrap", "--quiet", "--variant=essential", f"--include={','.join(PACKAGES)}"]
    command += [f"--aptopt={option}" for option in APT_OPTIONS]
    command += [f"--dpkgopt={option}" for option in DPKG_OPTIONS]
    command += [codename(), str(tarball), *(str(path) for path in sources)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"images: mmdebstrap failed ({result.returncode}):\n{result.stderr[-4000:]}")


if __name__ == "__main__":
    started = time.monotonic()
    with build_lock():
        ensure_bot_base_image(docker_client())
    log(f"{BOT_BASE_IMAGE} ready in {time.monotonic() - started:.1f}s")
