"""Porch's names and ref layout, and validation of what users type for them (pure, no I/O)."""

from __future__ import annotations

import hashlib
import re

from bot.errors import InvalidInput

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
REVISION_TAG = re.compile(r"^v(\d+)$")
DRAFTS = "drafts/"
PROPOSED = "proposed/"
DELETION_PROPOSED = "deletionProposed/"


HASH_NAMES = "hash"  # Porch up to v4.0: <repo>-sha1(<repo>:<pkgpath>:<workspace>)
DOTTED_NAMES = "dotted"  # Porch v4.1 and later: <repo>.<pkg.path.with.dots>.<workspace>


def revision_name(repository: str, package_path: str, workspace: str, directory: str = "",
                  style: str | None = None) -> str:
    """A package revision's name. By default Porch's hash name: ``<repo>-`` +
    sha1(``<repo>:<pkgpath>:<workspace-or-branch>``), ``pkgpath`` from the git root. With Porch ≥ v4.1's
    names (``style`` ``dotted``, or ``PORCHBOT_PORCHCTL=v4.1``): ``<repo>.<package path under the
    repository's directory, dotted>.<workspace>``."""
    if (style or names_style()) == DOTTED_NAMES:
        relative = package_path[len(directory) + 1:] if directory and package_path.startswith(directory + "/") \
            else package_path
        return f"{repository}.{relative.replace('/', '.').strip('.')}.{workspace}"
    digest = hashlib.sha1(f"{repository}:{package_path}:{workspace}".encode()).hexdigest()
    return f"{repository}-{digest}"


def names_style() -> str:
    """The configured name style: ``dotted`` when the CLI speaks Porch v4.1's porchctl, else ``hash``."""
    from bot.config.settings import current_settings

    return DOTTED_NAMES if current_settings().porchctl == "v4.1" else HASH_NAMES


def validate_workspace(workspace: str) -> str:
    if len(workspace) > 63 or not DNS_LABEL.match(workspace):
        raise InvalidInput(
            f"invalid workspace/revision {workspace!r}: it must be a DNS label "
            "(lower-case letters, digits and '-', starting and ending with a letter or digit)"
        )
    return workspace


def validate_repository_name(name: str) -> str:
    if len(name) > 63 or not DNS_LABEL.match(name):
        raise InvalidInput(f"invalid repository name {name!r}: it must be a DNS label")
    return name


def normalize_directory(directory: str) -> str:
    """The repository's directory as a prefix without slashes at either end ('' for the root)."""
    cleaned = directory.strip().strip("/")
    if cleaned:
        validate_package_path(cleaned)
    return cleaned


def validate_package_path(package_path: str) -> str:
    """A package path relative to the git root: no '..', not absolute, no empty segments."""
    if not package_path or package_path.startswith("/") or package_path.startswith("\\"):
        raise InvalidInput(f"invalid package path {package_path!r}: it must be a relative path")
    parts = package_path.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise InvalidInput(f"invalid package path {package_path!r}: '.', '..' and empty segments are not allowed")
        if any(ch in part for ch in "\\:*?[~^\0 ") or part.endswith(".lock") or part.startswith("."):
            raise InvalidInput(f"invalid package path {package_path!r}: {part!r} cannot be part of a git ref")
    return package_path


def package_path_in(directory: str, package: str) -> str:
    """The git-root-relative path of ``package`` given under the repository's ``directory``."""
    validate_package_path(package)
    return f"{directory}/{package}" if directory else package


def published_number(revision: str) -> int | None:
    match = REVISION_TAG.match(revision)
    return int(match.group(1)) if match else None


def draft_branch(package_path: str, workspace: str) -> str:
    return f"refs/heads/{DRAFTS}{package_path}/{workspace}"


def proposed_branch(package_path: str, workspace: str) -> str:
    return f"refs/heads/{PROPOSED}{package_path}/{workspace}"


def deletion_branch(package_path: str, revision: str) -> str:
    return f"refs/heads/{DELETION_PROPOSED}{package_path}/{revision}"


def published_tag(package_path: str, revision: str) -> str:
    return f"refs/tags/{package_path}/{revision}"


def split_package_ref(rest: str) -> tuple[str, str] | None:
    """``<pkgpath>/<workspace>`` → (pkgpath, workspace); None when it has no package part."""
    package_path, sep, workspace = rest.rpartition("/")
    if not sep or not package_path or not workspace:
        return None
    return package_path, workspace


def split_draft_branch(branch: str) -> tuple[str, str]:
    """``drafts/<pkgpath>/<workspace>`` (with or without ``refs/heads/``) → (pkgpath, workspace)."""
    short = branch.removeprefix("refs/heads/")
    parts = split_package_ref(short.removeprefix(DRAFTS)) if short.startswith(DRAFTS) else None
    if parts is None:
        raise InvalidInput(f"{branch!r} is not a draft branch (drafts/<package path>/<workspace>)")
    return parts


def draft_parts(branch: str) -> tuple[str, str] | None:
    """``split_draft_branch`` for names nobody validated (webhooks, PR heads): None for any other branch,
    or for a package path or workspace the lifecycle would refuse."""
    try:
        package_path, workspace = split_draft_branch(branch)
        validate_package_path(package_path)
        validate_workspace(workspace)
    except InvalidInput:
        return None
    return package_path, workspace
