"""Publishing rules shared by every way a revision is approved: the next ``<pkgpath>/v<N>`` tag, the
approval commit's message, and finding the tag that already names a commit (publishing twice is a no-op).

Git-only approval (bot.lifecycle.transitions) and PR-mode approval (bot.pr) both read these, so the number a
revision gets does not depend on the front door that approved it.
"""

from __future__ import annotations

from bot.lifecycle import commits, naming
from bot.lifecycle.cache import RepositoryCache


def highest_published(cache: RepositoryCache, package_path: str) -> int:
    """The highest N of the package's ``<pkgpath>/v<N>`` tags: one narrow for-each-ref, not a listing."""
    prefix = f"refs/tags/{package_path}/"
    names = cache.git.run("for-each-ref", "--format=%(refname)", prefix).split()
    numbers = [naming.published_number(name[len(prefix):]) for name in names]
    return max((number for number in numbers if number is not None), default=0)


def next_published(cache: RepositoryCache, package_path: str) -> str:
    """The revision the next approval of ``package_path`` gets: ``v<N+1>``."""
    return f"v{highest_published(cache, package_path) + 1}"


def approval_message(package_path: str, workspace: str, published: str) -> str:
    """The approval (merge) commit's message with Porch's ``kpt:`` annotation line."""
    return commits.message(commits.approve_subject(package_path, published), package_path, workspace, published)


def published_tag_on(cache: RepositoryCache, package_path: str, commit: str) -> str | None:
    """The ``<pkgpath>/v<N>`` tag already naming ``commit`` (directly or peeled), if any."""
    prefix = f"refs/tags/{package_path}/"
    listing = cache.git.run("for-each-ref", "--format=%(objectname) %(*objectname) %(refname)", prefix)
    for line in listing.splitlines():
        target, peeled, ref = line.split(" ", 2) if line.count(" ") >= 2 else (line, "", "")
        if commit in (target, peeled) and naming.published_number(ref[len(prefix):]) is not None:
            return ref.removeprefix("refs/tags/")
    return None
