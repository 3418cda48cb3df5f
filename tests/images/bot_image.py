"""Build the bot image from the project's ``Dockerfile`` with no network inside the build.

Steps: the offline base (``bot_base``), wheels built on the host into ``wheelhouse/`` (dependencies
once per ``pyproject.toml``; Porchbot's own wheel per source change), then ``docker build --network none .``
tagged ``porchbot/porchbot:<source hash>`` and ``porchbot/porchbot:<version>``. Nothing is rebuilt when an
image for the current source hash exists.

    python -m tests.images.bot_image [--force]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
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
# What the image is made of: the build recipe and everything that goes into Porchbot's wheel.
RECIPE_FILES = ("Dockerfile", ".dockerignore", "config/porchbot.yaml", "pyproject.toml", "README.md")


def project_version() -> str:
    import tomllib

    return str(tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["project"]["version"])


def source_hash() -> str:
    hasher = Hasher()
    for name in RECIPE_FILES:
        hasher.add(name, (PROJECT_DIR / name).read_bytes())
    for path in sorted((PROJECT_DIR / "bot").rglob("*.py")):
        hasher.add(str(path.relative_to(PROJECT_DIR)), path.read_bytes())
    return hasher.hexdigest()


def _project_copy(target: Path) -> Path:
    """The files a wheel is built from, apart from the working tree (whose build/ and egg-info others use)."""
    source = target / "porchbot"
    shutil.copytree(PROJECT_DIR / "bot", source / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_DIR / name, source / name)
    return source


def _pip_wheel(args: list[str]) -> None:
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"images: pip wheel failed:\n{result.stderr[-4000:]}")


def target_python_version() -> str:
    """The base image's Python (bookworm: 3.11.2), whose markers can ask for more than the host's."""
    result = subprocess.run(["docker", "run", "--rm", "--network", "none", BOT_BASE_IMAGE, "python3", "-c",
                             "import platform; print(platform.python_version())"],
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def _add_target_only_wheels(deps: Path) -> None:
    """Wheels the image's Python needs but the host's does not (redis wants async-timeout below 3.11.3).

    pip resolves markers for the interpreter it runs in; the image's differs in its patch level, so every
    Requires-Dist is re-evaluated for the image and what is missing is built too, until nothing is.
    """
    import zipfile

    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    version = target_python_version()
    environment: dict[str, str] = {key: str(value) for key, value in default_environment().items()}
    environment.update(python_full_version=version, python_version=".".join(version.split(".")[:2]), extra="")
    while True:
        have = {canonicalize_name(wheel.name.split("-")[0]) for wheel in deps.glob("*.whl")}
        missing: set[str] = set()
        for wheel in deps.glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
                lines = archive.read(metadata).decode().splitlines()
            for line in lines:
                if not line.startswith("Requires-Dist:"):
                    continue
                requirement = Requirement(line.split(":", 1)[1].strip())
                wanted = requirement.marker is None or requirement.marker.evaluate(environment)
                if wanted and canonicalize_name(requirement.name) not in have:
                    missing.add(str(requirement.name) + str(requirement.specifier))
        if not missing:
            return
        log(f"wheels for the image's Python {version}: {', '.join(sorted(missing))}")
        _pip_wheel(["-w", str(deps), *sorted(missing)])


def ensure_wheelhouse() -> None:
    deps, app = WHEELHOUSE / "deps", WHEELHOUSE / "app"
    deps_stamp = deps / ".pyproject-hash"
    hasher = Hasher()
    hasher.add("pyproject.toml", (PROJECT_DIR / "pyproject.toml").read_bytes())
    wanted = hasher.hexdigest()
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix="wheel-src-") as tmp:
        source = _project_copy(Path(tmp))
        if not deps_stamp.exists() or deps_stamp.read_text() != wanted:
            shutil.rmtree(deps, ignore_errors=True)
            deps.mkdir(parents=True)
            started = time.monotonic()
            _pip_wheel([str(source), "-w", str(deps)])
            _add_target_only_wheels(deps)
            deps_stamp.write_text(wanted)
            log(f"dependency wheels built in {time.monotonic() - started:.1f}s")
        for own in deps.glob("porchbot-*.whl"):
            own.unlink()
        shutil.rmtree(app, ignore_errors=True)
        app.mkdir(parents=True)
        _pip_wheel(["--no-deps", str(source), "-w", str(app)])


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
        command = ["docker", "build", "--network", "none", "--label", f"{LABEL_HASH}={wanted}",
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
