"""A small fleet made with the real CLI over bare git repositories: a blueprint package ``web`` published as
v1 and v2 (v2 adds deploy.yaml); in the deployment repository ``web-prod`` cloned from v1 and left as a Draft,
and ``web-staging`` cloned from v1, published, with an upgrade to v2 in flight (a Draft); the deployment
repository's main branch declares one PackageVariant (``web-qa``, not created yet)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.lifecycle import naming

VARIANT_YAML = """apiVersion: config.porch.kpt.dev/v1alpha1
kind: PackageVariant
metadata:
  name: web-qa
spec:
  upstream:
    repo: blueprints
    package: web
    revision: 2
  downstream:
    repo: deployments
    package: web-qa
"""

DEPLOY_YAML = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # the front end
spec:
  replicas: 3
"""


@dataclass(frozen=True)
class Fleet:
    root: Path
    env: dict[str, str]
    web_v1: str
    web_v2: str
    web_prod: str
    web_staging: str
    staging_upgrade: str

    def porchbot(self, *args: str) -> str:
        return porchbot(self.env, *args)


def porchbot(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"porchbot {' '.join(args)}: {done.stderr}"
    return done.stdout


def add_to_main(remote: Path, work: Path, files: dict[str, str]) -> None:
    """Commit ``files`` on the remote's main branch as a person would (clone, commit, push)."""
    subprocess.run(["git", "clone", "-q", str(remote), str(work)], check=True)
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    identity = ["-c", "user.name=Ada Lovelace", "-c", "user.email=ada@example.com"]
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", "declare variants"], cwd=work, check=True)
    subprocess.run(["git", "push", "-q", "origin", "HEAD:main"], cwd=work, check=True)


def make_fleet(root: Path) -> Fleet:
    env = {**os.environ, "PORCHBOT_CONFIG_DIR": str(root / "config"), "PORCHBOT_STATE_DIR": str(root / "state"),
           "GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com"}
    for name in ("blueprints", "deployments"):
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root / f"{name}.git")], check=True)
    porchbot(env, "repo", "register", str(root / "blueprints.git"), "--name", "blueprints")
    porchbot(env, "repo", "register", str(root / "deployments.git"), "--name", "deployments", "--deployment")
    web_v1 = porchbot(env, "rpkg", "init", "web", "--repository", "blueprints", "--workspace", "v1").split()[0]
    porchbot(env, "rpkg", "propose", web_v1)
    porchbot(env, "rpkg", "approve", web_v1)
    web_v2 = porchbot(env, "rpkg", "copy", web_v1, "--workspace", "v2").split()[0]
    work = root / "work"
    porchbot(env, "rpkg", "pull", web_v2, str(work))
    (work / "deploy.yaml").write_text(DEPLOY_YAML)
    porchbot(env, "rpkg", "push", web_v2, str(work))
    porchbot(env, "rpkg", "propose", web_v2)
    porchbot(env, "rpkg", "approve", web_v2)
    web_prod = porchbot(env, "rpkg", "clone", web_v1, "web-prod", "--repository", "deployments",
                        "--workspace", "v1").split()[0]
    web_staging = porchbot(env, "rpkg", "clone", web_v1, "web-staging", "--repository", "deployments",
                           "--workspace", "v1").split()[0]
    porchbot(env, "rpkg", "propose", web_staging)
    porchbot(env, "rpkg", "approve", web_staging)
    porchbot(env, "rpkg", "upgrade", web_staging, "--revision", "v2", "--workspace", "v2")
    staging_upgrade = naming.revision_name("deployments", "web-staging", "v2")
    add_to_main(root / "deployments.git", root / "variants-work", {"variants/web-qa.yaml": VARIANT_YAML})
    return Fleet(root, env, web_v1, web_v2, web_prod, web_staging, staging_upgrade)
