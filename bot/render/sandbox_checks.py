"""The sandbox policy enforced on a package before any of its functions runs: symlinks that escape it,
oversized files, exec functions, and function images outside the allowlist (bot.config.sandbox holds the
policy as configured; this module applies it with the render engine's Kptfile reader and image resolver).
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from bot.config.sandbox import (
    MAX_FILE_BYTES,
    MAX_PACKAGE_BYTES,
    MAX_PREFLIGHT_KPTFILES,
    POLICY_REFUSAL,
    SandboxConfig,
)
from bot.errors import InvalidInput, PorchbotError
from bot.render.functions.registry import resolve_image
from bot.render.kptfile import read_kptfile
from bot.render.runtimes.base import RuntimeOptions


def runtime_options(sandbox: SandboxConfig) -> RuntimeOptions:
    """The render runtime's options under ``sandbox``'s pull policy, exec switch and container limits."""
    # The allowlist is enforced by `preflight` over every Kptfile before anything runs (digest pins
    # included), not by the docker runtime's plain glob match, so the two cannot disagree.
    return RuntimeOptions(image_pull_policy=sandbox.image_pull_policy, allow_exec=sandbox.allow_exec,
                          limits=sandbox.limits)


def image_allowed(image: str, patterns: tuple[str, ...]) -> bool:
    """``image`` (resolved: registry/path:tag[@sha256:...]) against glob patterns.

    A pattern pinned to a digest (``...@sha256:<hex>``) allows only that digest, with or without a tag
    in the image reference; an unpinned pattern matches the reference as written.
    """
    if not image or any(c.isspace() for c in image) or ".." in image:
        return False
    name_digest = image
    if "@" in image:
        name, digest = image.split("@", 1)
        last = name.rsplit("/", 1)[-1]
        if ":" in last:  # drop the tag: a digest names the image on its own
            name = name[: len(name) - len(last)] + last.split(":", 1)[0]
        name_digest = f"{name}@{digest}"
    for pattern in patterns:
        if "@" in pattern:
            if name_digest == pattern or image == pattern:
                return True
        elif fnmatch.fnmatchcase(image, pattern):
            return True
    return False


def _kptfiles(package_dir: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirectories, files in os.walk(package_dir, followlinks=False):
        subdirectories[:] = [d for d in subdirectories if d != ".git"]
        if "Kptfile" in files:
            found.append(Path(directory) / "Kptfile")
            if len(found) > MAX_PREFLIGHT_KPTFILES:
                raise InvalidInput(f"the package holds more than {MAX_PREFLIGHT_KPTFILES} Kptfiles")
    return found


def escaping_symlinks(package_dir: Path) -> list[str]:
    """Symlinks in the package that point outside it (or anywhere absolute)."""
    root = package_dir.resolve()
    escaping = []
    for directory, subdirectories, files in os.walk(package_dir, followlinks=False):
        for name in [*subdirectories, *files]:
            path = Path(directory) / name
            if not path.is_symlink():
                continue
            target = os.readlink(path)
            resolved = (path.parent / target).resolve()
            if os.path.isabs(target) or not resolved.is_relative_to(root):
                escaping.append(path.relative_to(package_dir).as_posix())
    return sorted(escaping)


def oversized(package_dir: Path) -> list[str]:
    """Files over MAX_FILE_BYTES, or a note when the package is over MAX_PACKAGE_BYTES in all."""
    found: list[str] = []
    total = 0
    for directory, subdirectories, files in os.walk(package_dir, followlinks=False):
        subdirectories[:] = [d for d in subdirectories if d != ".git"]
        for name in files:
            path = Path(directory) / name
            size = path.lstat().st_size
            total += size
            if size > MAX_FILE_BYTES:
                found.append(f"`{path.relative_to(package_dir).as_posix()}` is {size / 2**20:.0f} MiB, over the "
                             f"{MAX_FILE_BYTES // 2**20} MiB a file may have")
    if total > MAX_PACKAGE_BYTES:
        found.append(f"the package is {total / 2**20:.0f} MiB, over the {MAX_PACKAGE_BYTES // 2**20} MiB "
                     "Porchbot renders")
    return found


def preflight(package_dir: Path, allowed_images: tuple[str, ...], allow_exec: bool) -> str | None:
    """Why this package must not be rendered under the policy, or None. Read before any function runs."""
    refused = [f"`{link}` is a symlink pointing outside the package" for link in escaping_symlinks(package_dir)]
    refused += oversized(package_dir)
    for kptfile in _kptfiles(package_dir):
        try:
            parsed = read_kptfile(kptfile.parent)
        except PorchbotError:
            continue  # the render reports a broken Kptfile in kpt's words
        where = kptfile.relative_to(package_dir).as_posix()
        for function in [*parsed.mutators, *parsed.validators]:
            if function.exec and not allow_exec:
                refused.append(f"{where}: exec function `{function.exec}` (exec functions named by repository "
                               "content are not run; use a function image)")
            elif function.image and not image_allowed(resolve_image(function.image), allowed_images):
                refused.append(f"{where}: function image `{function.image}` is not in the allowed images "
                               f"({', '.join(allowed_images) or 'none'})")
    if refused:
        return f"{POLICY_REFUSAL} this package:\n" + "\n".join(f"- {r}" for r in refused[:20])
    return None
