"""What every image builder shares: the Docker client, the cache directory, a build lock, hashing."""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import sys
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
# Ignored by git (/.images/ in .gitignore): the rootfs tarball's temp space and pip's target dirs.
CACHE_DIR = Path(os.environ.get("PORCHBOT_IMAGE_CACHE", PROJECT_DIR / ".images"))

LABEL_ROLE = "porchbot.role"
LABEL_HASH = "porchbot.source-hash"


def log(message: str) -> None:
    print(f"images: {message}", file=sys.stderr, flush=True)


def docker_client() -> Any:
    """A Docker SDK client with a long timeout: imports and builds take longer than the default 60 s."""
    import docker

    return docker.from_env(timeout=900)


def image_labels(client: Any, name: str) -> dict[str, str] | None:
    """The image's labels ({} when it has none), or None when no image of that name exists."""
    import docker.errors

    try:
        attrs = client.api.inspect_image(name)
    except docker.errors.ImageNotFound:
        return None
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    return dict(labels)


def image_id(client: Any, name: str) -> str:
    return str(client.api.inspect_image(name)["Id"])


@contextmanager
def build_lock() -> Iterator[None]:
    """Serialise builders: pytest-xdist workers and scripts/test.sh may all ask for the same image."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with open(CACHE_DIR / "build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Hasher:
    """A sha256 over named parts, so that renaming a file changes the hash as much as editing it."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()

    def add(self, name: str, content: bytes) -> None:
        self._digest.update(f"{name}\0{len(content)}\0".encode())
        self._digest.update(content)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()[:16]


def dockerfile_context(dockerfile: str, files: dict[str, bytes] | None = None) -> io.BytesIO:
    """An in-memory build context: a Dockerfile plus a few small files (no directory to clean up)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in {"Dockerfile": dockerfile.encode(), **(files or {})}.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(content))
    buffer.seek(0)
    return buffer


def build_image(client: Any, context: io.BytesIO | str, tag: str, labels: dict[str, str]) -> str:
    """Build with no network at all (nothing is reachable anyway) and return the image id."""
    import docker.errors

    kwargs: dict[str, Any] = {"tag": tag, "labels": labels, "rm": True, "forcerm": True,
                              "network_mode": "none", "pull": False}
    if isinstance(context, str):
        kwargs["path"] = context
    else:
        kwargs["fileobj"] = context
        kwargs["custom_context"] = True
    try:
        image, _logs = client.images.build(**kwargs)
    except docker.errors.BuildError as err:
        output = "".join(str(chunk.get("stream", "")) for chunk in err.build_log)
        raise SystemExit(f"images: building {tag} failed: {err}\n{output}") from err
    return str(image.id)
