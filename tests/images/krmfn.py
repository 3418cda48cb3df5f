"""``porchbot/krm-fn:local``: our builtin functions packaged as one KRM function image.

Only the modules the functions import are copied (see closure.py), plus wheels of the third-party
packages Debian does not provide (starlark-pyo3...), installed on the host with the venv's pip into
a directory the build copies: nothing inside the build touches the network. The image is labelled
with a hash of everything copied, so an edit under ``bot/render`` rebuilds it and nothing else does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.images.closure import function_roots, import_closure, requirements
from tests.images.common import (
    CACHE_DIR,
    LABEL_HASH,
    LABEL_ROLE,
    PROJECT_DIR,
    Hasher,
    build_image,
    image_id,
    image_labels,
    log,
)

FUNCTION_IMAGE = "porchbot/krm-fn:local"
# Import names the base image already has from Debian (python3-yaml carries libyaml's C extension).
PROVIDED_BY_BASE = {"yaml"}
INSTALL_DIR = "/opt/porchbot"

DOCKERFILE = f"""\
FROM {{base}}
COPY site/ {INSTALL_DIR}/site/
COPY lib/ {INSTALL_DIR}/lib/
ENV PYTHONPATH={INSTALL_DIR}/lib:{INSTALL_DIR}/site PYTHONDONTWRITEBYTECODE=1
# Bytecode compiled now: the root filesystem is read-only at run time, and compiling on every call
# would cost each function start tens of milliseconds. Then fail the build, not the first render,
# when a module the functions import is missing. (One RUN: each step costs a container.)
RUN python3 -m compileall -q --invalidation-mode unchecked-hash {INSTALL_DIR} \\
 && python3 -c "from bot.render.functions.registry import all_functions; import bot.render.fnmain; \\
print(len(all_functions()), 'builtin functions')"
USER nobody
ENTRYPOINT ["python3", "-m", "bot.render.fnmain"]
"""


def function_sources() -> tuple[list[Path], list[str]]:
    """The project files the image copies (relative paths) and the pinned third-party requirements."""
    closure = import_closure(PROJECT_DIR, function_roots(PROJECT_DIR))
    return sorted(closure.files), requirements(closure.third_party, PROVIDED_BY_BASE)


def package_data() -> list[tuple[Path, Path]]:
    """Data files of installed packages that builtins read without importing the package (kubeval's
    schemas): (file on this machine, path under site/). Only those files, not their packages."""
    import importlib.util

    from bot.render.functions._kubeval_baked import IMAGE_DATA

    found: list[tuple[Path, Path]] = []
    for package, rel in IMAGE_DATA:
        spec = importlib.util.find_spec(package)
        locations = list(spec.submodule_search_locations or []) if spec is not None else []
        source = next((Path(loc) / rel for loc in locations if (Path(loc) / rel).is_file()), None)
        if source is None:
            raise SystemExit(f"images: {package}/{rel} is not installed (pip install the project first)")
        found.append((source, Path(package) / rel))
    return found


def source_hash(client: Any, base_image: str) -> tuple[str, list[Path], list[str]]:
    files, pins = function_sources()
    hasher = Hasher()
    hasher.add("base", image_id(client, base_image).encode())
    hasher.add("Dockerfile", DOCKERFILE.encode())
    hasher.add("pins", "\n".join(pins).encode())
    for rel in files:
        hasher.add(str(rel), (PROJECT_DIR / rel).read_bytes())
    for source, target in package_data():
        hasher.add(str(target), source.read_bytes())
    return hasher.hexdigest(), files, pins


def ensure_function_image(client: Any, base_image: str, *, force: bool = False) -> str:
    """Build ``porchbot/krm-fn:local`` unless it is up to date; returns the source hash it carries."""
    wanted, files, pins = source_hash(client, base_image)
    labels = image_labels(client, FUNCTION_IMAGE)
    if not force and labels is not None and labels.get(LABEL_HASH) == wanted:
        return wanted
    started = time.monotonic()
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    site = _site_packages(client, base_image, pins)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix="krmfn-") as tmp:
        context = Path(tmp)
        shutil.copytree(site, context / "site")
        for source, target in package_data():
            (context / "site" / target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, context / "site" / target)
        for rel in files:
            target = context / "lib" / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(PROJECT_DIR / rel, target)
        (context / "Dockerfile").write_text(DOCKERFILE.format(base=base_image))
        build_image(client, str(context), FUNCTION_IMAGE, {LABEL_HASH: wanted, LABEL_ROLE: "krm-fn"})
    log(f"built {FUNCTION_IMAGE} in {time.monotonic() - started:.1f}s ({len(files)} files, "
        f"{len(pins)} requirements: {', '.join(pins) or 'none'})")
    return wanted


def _site_packages(client: Any, base_image: str, pins: list[str]) -> Path:
    """A directory holding ``pins`` installed for the base image's Python, cached by its contents."""
    if not pins:
        empty = CACHE_DIR / "site-empty"
        empty.mkdir(parents=True, exist_ok=True)
        return empty
    version = _image_python_version(client, base_image)
    hasher = Hasher()
    hasher.add("python", version.encode())
    hasher.add("pins", "\n".join(pins).encode())
    site = CACHE_DIR / f"site-{hasher.hexdigest()}"
    if site.is_dir():
        return site
    partial = site.with_name(site.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
               "--no-compile", "--only-binary=:all:", "--implementation", "cp",
               "--python-version", version, "--target", str(partial), *pins]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"images: pip could not fetch {', '.join(pins)}:\n{result.stderr[-3000:]}")
    partial.rename(site)
    for older in CACHE_DIR.glob("site-*"):
        if older != site and older.name != "site-empty":
            shutil.rmtree(older, ignore_errors=True)  # requirements changed: the old set is dead weight
    return site


def _image_python_version(client: Any, base_image: str) -> str:
    output = client.containers.run(
        base_image, ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        remove=True, network_mode="none")
    return bytes(output).decode().strip()
