"""PackageRevision status (upstreamLock, publishedBy, publishTimestamp) read in batches.

Two git processes per repository whatever the number of revisions: one ``cat-file --batch`` for the
Kptfiles and one ``for-each-ref`` for who published each tag and when.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from typing import Any

import yaml

from bot.lifecycle.cache import RepositoryCache
from bot.lifecycle.discovery import DELETION_PROPOSED, PUBLISHED, PackageRevision
from bot.lifecycle.packagefiles import KPTFILE

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PUBLISHED_FORMAT = ("%(refname)%09%(taggeremail)%09%(taggerdate:unix)%09%(*committeremail)%09"
                     "%(*committerdate:unix)%09%(committeremail)%09%(committerdate:unix)")


def read_statuses(cache: RepositoryCache, revisions: list[PackageRevision]) -> dict[str, dict[str, Any]]:
    """name -> status for ``revisions`` (all of one repository)."""
    kptfiles = _kptfiles(cache, {(r.commit, f"{r.package_path}/{KPTFILE}") for r in revisions})
    published = _published(cache) if any(r.lifecycle in (PUBLISHED, DELETION_PROPOSED) for r in revisions) \
        else {}
    statuses: dict[str, dict[str, Any]] = {}
    for revision in revisions:
        status: dict[str, Any] = {}
        lock = _upstream_lock(kptfiles.get((revision.commit, f"{revision.package_path}/{KPTFILE}")))
        if lock:
            status["upstreamLock"] = lock
        if revision.lifecycle in (PUBLISHED, DELETION_PROPOSED) and revision.ref in published:
            email, stamp = published[revision.ref]
            status["publishedBy"] = email
            if stamp:
                status["publishTimestamp"] = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        statuses[revision.name] = status
    return statuses


def _kptfiles(cache: RepositoryCache, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    ordered = sorted(wanted)
    if not ordered:
        return {}
    request = "".join(f"{commit}:{path}\n" for commit, path in ordered).encode()
    output = subprocess.run(["git", f"--git-dir={cache.git_dir}", "cat-file", "--batch"], input=request,
                            capture_output=True, check=True, env=cache.git.env).stdout
    found: dict[tuple[str, str], str] = {}
    position = 0
    for key in ordered:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        position = header_end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            found[key] = output[position:position + size].decode("utf-8", "replace")
            position += size + 1
    return found


def _upstream_lock(kptfile: str | None) -> Any:
    if not kptfile or "upstreamLock:" not in kptfile:
        return None
    try:
        document = yaml.load(kptfile, Loader=_LOADER)
    except yaml.YAMLError:
        return None
    return document.get("upstreamLock") if isinstance(document, dict) else None


def _published(cache: RepositoryCache) -> dict[str, tuple[str, int]]:
    """ref -> (email, unix time): the tagger of an annotated tag, else the tagged commit's committer."""
    output = cache.git.run("for-each-ref", f"--format={_PUBLISHED_FORMAT}", "refs/tags",
                           f"refs/heads/{cache.repository.branch}")
    result: dict[str, tuple[str, int]] = {}
    for line in output.splitlines():
        ref, *fields = line.split("\t")
        for index in range(0, len(fields) - 1, 2):
            if fields[index] and fields[index + 1]:
                result[ref] = (fields[index].strip("<>"), int(fields[index + 1]))
                break
    return result
