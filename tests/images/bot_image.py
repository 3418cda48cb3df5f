"""Build the bot image from the project's ``Dockerfile`` with no network inside the build.

The Dockerfile's defaults (the official Python image, the package index) need a registry; the offline
build gives it two build arguments instead: ``BASE_IMAGE``, the base made locally (``bot_base``), and
``WHEELHOUSE``, a folder of the wheels ``requirements.lock`` pins, downloaded on the host (hash-checked)
for the base's Python, plus the build backend Porchbot's own install needs. Then
``docker build --network none`` tagged ``porchbot/porchbot:<source hash>`` and ``porchbot/porchbot:<version>``.
Nothing is rebuilt when an image for the current source hash exists.

    python -m tests.images.bot_image [--force]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from typing import Any

from tests.images.bot_base import BOT_BASE_IMAGE, ensure_bot_base_image
from tests.images.common import (
    CACHE_DIR,
    LABEL_HASH,
    PROJECT_DIR,
    Hasher,
    build_lock,
    docker_client,
    image_labels,
    log,
)

BOT_REPOSITORY = "porchbot/porchbot"
WHEELHOUSE = PROJECT_DIR / "wheelhouse"
LOCK = PROJECT_DIR / "requirements.lock"
# What the image is made of: the build recipe and everything Porchbot is installed from.
RECIPE_FILES = ("Dockerfile", ".dockerignore", "config/porchbot.yaml", "pyproject.toml", "README.md",
                "requirements.lock")


def project_version() -> str:
    return str(tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]["version"])


def build_args() -> list[str]:
    """``docker build`` arguments of the offline build: the local base and the wheelhouse."""
    return ["--build-arg", f"BASE_IMAGE={BOT_BASE_IMAGE}",
            "--build-arg", f"WHEELHOUSE={WHEELHOUSE.relative_to(PROJECT_DIR)}"]


def source_hash() -> str:
    hasher = Hasher()
    for name in RECIPE_FILES:
        hasher.add(name, (PROJECT_DIR / name).read_bytes())
    for path in sorted((PROJECT_DIR / "bot").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.add(str(path.relative_to(PROJECT_DIR)), path.read_bytes())
    return hasher.hexdigest()


def _pip(args: list[str]) -> None:
    command = [sys.executable, "-m", "pip", *args, "--quiet", "--disable-pip-version-check"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"images: pip {args[0]} failed:\n{result.stderr[-4000:]}")


def target_python_version() -> str:
    """The base image's Python (bookworm: 3.11.2), whose markers can ask for more than the host's."""
    result = subprocess.run(["docker", "run", "--rm", "--network", "none", BOT_BASE_IMAGE, "python3", "-c",
                             "import platform; print(platform.python_version())"],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def locked_for(version: str, lock_text: str) -> list[str]:
    """The lock's entries (pin and hashes) whose markers hold for Python ``version`` on Linux.

    pip evaluates markers for the interpreter it runs in; the image's differs (redis wants async-timeout
    below 3.11.3), so the markers are evaluated here and the wheels fetched with ``--no-deps``.
    """
    from packaging.markers import default_environment
    from packaging.requirements import Requirement

    environment: dict[str, str] = {key: str(value) for key, value in default_environment().items()}
    environment.update(python_full_version=version, python_version=".".join(version.split(".")[:2]),
                       sys_platform="linux", platform_system="Linux", extra="")
    entries = []
    for entry in lock_text.replace("\\\n", " ").splitlines():
        if not entry.strip() or entry.startswith(("#", " ")):
            continue
        requirement_text, *hashes = entry.split(" --hash=")
        requirement = Requirement(requirement_text)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            pin = f"{requirement.name}{requirement.specifier}"
            entries.append(" ".join([pin, *(f"--hash={value.strip()}" for value in hashes)]))
    return entries


def ensure_wheelhouse() -> None:
    """``wheelhouse/``: every wheel the lock pins for the base's Python, and the build backend."""
    backend = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["build-system"]["requires"]
    version = target_python_version()
    hasher = Hasher()
    hasher.add("requirements.lock", LOCK.read_bytes())
    hasher.add("python", version.encode())
    hasher.add("backend", " ".join(backend).encode())
    wanted = hasher.hexdigest()
    stamp = WHEELHOUSE / ".lock-hash"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    shutil.rmtree(WHEELHOUSE, ignore_errors=True)
    WHEELHOUSE.mkdir(parents=True)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.NamedTemporaryFile("w", dir=CACHE_DIR, prefix="lock-", suffix=".txt") as pins:
        pins.write("\n".join(locked_for(version, LOCK.read_text())) + "\n")
        pins.flush()
        _pip(["download", "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", pins.name,
              "-d", str(WHEELHOUSE)])
    _pip(["download", "--only-binary=:all:", "-d", str(WHEELHOUSE), *backend])
    stamp.write_text(wanted)
    log(f"wheelhouse for Python {version} ready in {time.monotonic() - started:.1f}s")


def ensure_bot_image(client: Any | None = None, *, force: bool = False) -> str:
    """The bot image for the current sources (built when missing); returns its hash tag."""
    client = client or docker_client()
    wanted = source_hash()
    tag = f"{BOT_REPOSITORY}:{wanted}"
    with build_lock():
        labels = image_labels(client, tag)
        if not force and labels is not None and labels.get(LABEL_HASH) == wanted:
            return tag
        ensure_bot_base_image(client)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        ensure_wheelhouse()
        log(f"wheelhouse ready in {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        command = ["docker", "build", "--network", "none", *build_args(), "--label", f"{LABEL_HASH}={wanted}",
                   "-t", tag, "-t", f"{BOT_REPOSITORY}:{project_version()}", "."]
        result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"images: docker build failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}")
        log(f"docker build {tag} took {time.monotonic() - started:.1f}s")
    return tag


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.images.bot_image", description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the image is up to date")
    args = parser.parse_args(argv)
    print(ensure_bot_image(force=args.force))


if __name__ == "__main__":
    main()
