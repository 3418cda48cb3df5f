"""Generated packages and git repositories for update tests and the benchmark.

``build_world`` lays out what ``kpt pkg update`` expects: a bare upstream repository with the package
at ``pkg/`` tagged ``pkg/v1`` and ``pkg/v2``, and a downstream git work tree holding the package as
``kpt pkg get`` leaves it at v1 (merge comments, Kptfile upstream and lock), edited and committed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
}

Files = dict[str, str]


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip()


def write_tree(root: Path, files: Files) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


@dataclass
class World:
    upstream: Path  # bare repository
    downstream: Path  # work tree
    package: Path  # downstream/pkg
    commits: tuple[str, str]


def kptfile(name: str, repo: str = "", ref: str = "", commit: str = "") -> str:
    text = f"apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: {name}\n"
    if repo:
        text += (f"upstream:\n  type: git\n  git:\n    repo: {repo}\n    directory: /pkg\n    ref: {ref}\n"
                 f"  updateStrategy: resource-merge\nupstreamLock:\n  type: git\n  git:\n    repo: {repo}\n"
                 f"    directory: /pkg\n    ref: pkg/{ref}\n    commit: {commit}\n")
    return text + "info:\n  description: generated package\n"


def build_world(tmp: Path, original: Files, updated: Files, edit: Callable[[Path], None]) -> World:
    """``edit`` changes the downstream package (in place) before it is committed."""
    from bot.upgrade.package_io import add_merge_comments_in_dir

    tmp.mkdir(parents=True, exist_ok=True)
    bare, work = tmp / "upstream.git", tmp / "upstream-work"
    git(tmp, "init", "-q", "--bare", "-b", "main", str(bare))
    git(tmp, "init", "-q", "-b", "main", str(work))
    commits = []
    for version, files in (("v1", original), ("v2", updated)):
        write_tree(work / "pkg", {"Kptfile": kptfile("upstream"), **files})
        git(work, "add", "-A")
        git(work, "commit", "-q", "--allow-empty", "-m", version)
        git(work, "tag", f"pkg/{version}")
        commits.append(git(work, "rev-parse", "HEAD"))
    git(work, "push", "-q", str(bare), "main", "--tags")
    shutil.rmtree(work)
    down = tmp / "downstream"
    git(tmp, "init", "-q", "-b", "main", str(down))
    package = down / "pkg"
    write_tree(package, {"Kptfile": kptfile("pkg", str(bare), "v1", commits[0]), **original})
    add_merge_comments_in_dir(package)
    edit(package)
    git(down, "add", "-A")
    git(down, "commit", "-q", "-m", "downstream")
    return World(bare, down, package, (commits[0], commits[1]))


# ---- a generated application package ---------------------------------------------------------------
def deployment(i: int, image: str = "nginx:1.25", replicas: int = 2, env: str = "info") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  labels:
    app: app-{i}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: app-{i}
  template:
    metadata:
      labels:
        app: app-{i}
    spec:
      containers:
      - name: main
        image: {image}
        ports:
        - containerPort: 8080
        env:
        - name: LOG_LEVEL
          value: {env}
"""


def generated_package(resources: int = 1000, files: int = 100, changed: set[int] = frozenset()) -> Files:  # type: ignore[assignment]
    """``resources`` Deployments spread over ``files`` files; ``changed`` ones get upstream's v2 edit."""
    per_file = max(1, resources // files)
    out: Files = {}
    for f in range(files):
        docs = [deployment(i, image="nginx:1.26" if i in changed else "nginx:1.25",
                           replicas=3 if i in changed else 2)
                for i in range(f * per_file, min(resources, (f + 1) * per_file))]
        if docs:
            out[f"apps/app-{f:03d}.yaml"] = "---\n".join(docs)
    return out


def edit_replicas(indices: set[int], replicas: int = 5) -> Callable[[Path], None]:
    """A downstream edit: ``replicas`` of the given Deployments (the same field upstream changes)."""
    def edit(package: Path) -> None:
        for path in sorted((package / "apps").glob("*.yaml")):
            text = path.read_text()
            for i in indices:
                marker = f"  name: app-{i}\n"
                at = text.find(marker)
                if at >= 0:
                    spot = text.find("  replicas: ", at)
                    end = text.find("\n", spot)
                    text = text[:spot] + f"  replicas: {replicas}" + text[end:]
            path.write_text(text)
    return edit


def pick(count: int, total: int, seed: int) -> set[int]:
    return set(random.Random(seed).sample(range(total), count))
