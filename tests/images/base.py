"""The offline base image: a minimal Debian root filesystem with python3 and PyYAML (libyaml).

``mmdebstrap`` builds it from the machine's own apt sources (the only package source these machines
reach) and ``docker import`` turns the tarball into ``porchbot/base:<codename>``. It is rebuilt only
when the recipe (suite, packages, sources) changes: the recipe's hash is a label on the image.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.images.common import CACHE_DIR, LABEL_HASH, LABEL_ROLE, Hasher, image_labels, log

# python3-yaml brings libyaml's C extension, which our YAML parser needs for speed.
PACKAGES = ("python3", "python3-yaml")
# Documentation, manuals and translations are a third of a minimal rootfs and nothing reads them.
DPKG_OPTIONS = (
    "path-exclude=/usr/share/doc/*",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
    "path-include=/usr/share/locale/locale.alias",
)
# Snapshot mirrors serve Release files whose Valid-Until has passed; the host's apt accepts them too.
APT_OPTIONS = ('Acquire::Check-Valid-Until "false"',)
IMPORT_CHANGES = ("ENV LANG=C.UTF-8", 'CMD ["python3"]')


def codename() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("VERSION_CODENAME="):
                return line.split("=", 1)[1].strip().strip('"') or "bookworm"
    except OSError:
        pass
    return "bookworm"


BASE_IMAGE = f"porchbot/base:{codename()}"


def debian_sources() -> list[Path]:
    """The host's enabled apt source files that point at Debian (third-party repositories left out)."""
    apt_dir = Path("/etc/apt")
    candidates = [apt_dir / "sources.list"]
    candidates += sorted((apt_dir / "sources.list.d").glob("*.list"))
    candidates += sorted((apt_dir / "sources.list.d").glob("*.sources"))
    found: list[Path] = []
    for path in candidates:
        try:
            lines = [ln for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        except OSError:
            continue
        if any("debian" in ln.lower() for ln in lines):
            found.append(path)
    return found


def recipe_hash(sources: list[Path], packages: tuple[str, ...] = PACKAGES) -> str:
    hasher = Hasher()
    hasher.add("suite", codename().encode())
    hasher.add("packages", " ".join(packages).encode())
    hasher.add("dpkg", " ".join(DPKG_OPTIONS).encode())
    hasher.add("changes", " ".join(IMPORT_CHANGES).encode())
    for path in sources:
        hasher.add(str(path), path.read_bytes())
    return hasher.hexdigest()


def ensure_base_image(client: Any, *, force: bool = False) -> str:
    """Build ``porchbot/base:<codename>`` unless an image of the same recipe exists; returns its name."""
    return ensure_rootfs_image(client, BASE_IMAGE, PACKAGES, role="base", force=force)


def ensure_rootfs_image(
    client: Any, image: str, packages: tuple[str, ...], *, role: str, force: bool = False
) -> str:
    """Make ``image`` (``repository:tag``) from a Debian rootfs with ``packages``, unless an image of the
    same recipe exists; returns its name. Shared by the function base and the bot's python base."""
    sources = debian_sources()
    wanted = recipe_hash(sources, packages)
    labels = image_labels(client, image)
    if not force and labels is not None and labels.get(LABEL_HASH) == wanted:
        return image
    if shutil.which("mmdebstrap") is None:
        raise SystemExit("images: mmdebstrap is not installed (scripts/ensure-services.sh installs it)")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix=f"{role}-rootfs-") as tmp:
        tarball = Path(tmp) / "rootfs.tar"
        started = time.monotonic()
        _mmdebstrap(tarball, packages, sources)
        log(f"mmdebstrap {image} took {time.monotonic() - started:.1f}s")
        started = time.monotonic()
        changes = [*IMPORT_CHANGES, f"LABEL {LABEL_HASH}={wanted} {LABEL_ROLE}={role}"]
        repository, tag = image.split(":")
        client.api.import_image_from_file(str(tarball), repository=repository, tag=tag, changes=changes)
        log(f"docker import {image} took {time.monotonic() - started:.1f}s")
    return image


def host_apt_proxies() -> list[str]:
    """The host apt's proxy settings: mmdebstrap's apt reads its own configuration, not the host's."""
    options: list[str] = []
    if shutil.which("apt-config") is None:
        return options
    for key in ("Acquire::http::Proxy", "Acquire::https::Proxy"):
        result = subprocess.run(["apt-config", "dump", key], capture_output=True, text=True, check=False)
        for line in result.stdout.splitlines():
            if line.startswith(f"{key} ") and line.rstrip().endswith(";"):
                options.append(line.rstrip()[:-1])
    return options


def _mmdebstrap(tarball: Path, packages: tuple[str, ...], sources: list[Path]) -> None:
    command = ["mmdebstrap", "--quiet", "--variant=essential", f"--include={','.join(packages)}"]
    command += [f"--aptopt={option}" for option in (*APT_OPTIONS, *host_apt_proxies())]
    command += [f"--dpkgopt={option}" for option in DPKG_OPTIONS]
    # Without sources mmdebstrap would fall back to Debian's default mirror, which may not be this machine's.
    command += [codename(), str(tarball), *(str(path) for path in sources)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"images: mmdebstrap failed ({result.returncode}):\n{result.stderr[-4000:]}")
