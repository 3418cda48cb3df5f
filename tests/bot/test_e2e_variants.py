"""Issue 12 acceptance (variants), end to end on the emulated forge: a PackageVariantSet in a config
repository selects 20 registered repositories by label and each gets a clone PR with its own package
context; editing one target's context updates that Draft only; a new upstream release moves all 20; a
repository that loses its label has its Draft removed as the deletion policy says. Bad variant files on a
branch under review get a failed ``porchbot/variants`` status naming file, field and reason, and create
nothing."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config.settings import current_settings
from bot.lifecycle import repositories
from bot.lifecycle.repositories import Repository
from tests.bot.e2e_support import UPSTREAM_FILES, World, eventually, git, own_upstream, world

BLUEPRINTS = "acme/blueprints"
CONFIG = "acme/fleet-config"
SITES = [f"site-{n:02d}" for n in range(20)]

FLEET = """\
apiVersion: config.porch.kpt.dev/v1alpha2
kind: PackageVariantSet
metadata:
  name: fleet
spec:
  upstream: {repo: blueprints, package: basens}
  targets:
    - repositorySelector:
        matchLabels: {env: prod}
      template:
        downstream:
          packageExpr: "'ns-' + repository.labels['region']"
        annotations: {managed-by: fleet}
        packageContext:
          data: {team: platform}
          dataExprs:
            - key: site
              valueExpr: repoDefault
            - key: tier
              valueExpr: "repoDefault == 'site-03' ? 'TIER' : 'silver'"
"""

BAD = {
    "unknown-field": ("kind: PackageVariant\nmetadata: {name: x}\nspec:\n  upstream: {repo: blueprints, package: basens}"
                      "\n  downstream: {repo: site-00, package: other}\n  adoptPolicy: adoptNone\n",
                      "spec.adoptPolicy: unknown field"),
    "missing-upstream": ("kind: PackageVariant\nmetadata: {name: x}\nspec:\n  downstream: {repo: site-00, package: x}\n",
                         "spec.upstream: required"),
    "outside": ("kind: PackageVariant\nmetadata: {name: x}\nspec:\n  upstream: {repo: blueprints, package: basens}\n"
                "  downstream: {repo: nowhere, package: x}\n", "spec.downstream.repo: repository 'nowhere' is not "
                "registered"),
    "cycle": ("kind: PackageVariant\nmetadata: {name: x}\nspec:\n  upstream: {repo: blueprints, package: basens}\n"
              "  downstream: {repo: blueprints, package: basens}\n", "spec.upstream: cycle"),
}


def _release(w: World, root: Path, number: int) -> None:
    work = root / f"blueprint-v{number}"
    git("clone", "-q", w.emulator.clone_url(BLUEPRINTS, "alice"), str(work))
    namespace = work / "basens" / "namespace.yaml"
    text = re.sub(r"\n  annotations:\n(    .*\n)*", "\n", namespace.read_text())
    namespace.write_text(text.rstrip("\n") + f"\n  annotations:\n    release: v{number}\n")
    git("commit", "-q", "-am", f"basens v{number}", cwd=work)
    git("tag", "-a", "-m", f"basens v{number}", f"basens/v{number}", cwd=work)
    git("push", "-q", "origin", "main", f"basens/v{number}", cwd=work)


def _register(w: World, full_name: str, name: str, *labels: str) -> None:
    args = ["repo", "register", w.emulator.clone_url(full_name), "--name", name, "--forge", w.emulator.kind,
            "--token-env", "DEPLOYMENTS_TOKEN"]
    done = w.cli(*args, *[f"--label={label}" for label in labels])
    assert done.returncode == 0, done.stderr


def _register_quickly(w: World, monkeypatch: pytest.MonkeyPatch, sites: list[str]) -> None:
    """What `repo register --label` writes (the CLI itself is run for the first site), in-process: twenty
    CLI processes would cost twenty interpreter starts."""
    monkeypatch.setenv("PORCHBOT_CONFIG_DIR", str(w.config_dir))
    settings = current_settings()
    for site in sites:
        repositories.register(settings, Repository(
            name=site, url=w.emulator.clone_url(f"acme/{site}"), forge=w.emulator.kind, auth="token",
            token_env="DEPLOYMENTS_TOKEN", labels={"env": "prod", "region": _region(site)}))


def _variant_pulls(w: World, state: str = "open") -> dict[str, Any]:
    found = {}
    for site in SITES:
        pulls = [p for p in w.emulator.pulls(f"acme/{site}") if "/variant-" in p.head_branch and p.state == state]
        if pulls:
            found[site] = pulls[-1]
    return found


def _context(w: World, site: str, pull: Any) -> dict[str, str]:
    path = pull.head_branch.split("/")[1] + "/package-context.yaml"
    raw = w.emulator.file_at(f"acme/{site}", f"refs/heads/{pull.head_branch}", path)
    return dict(yaml.safe_load(raw)["data"]) if raw else {}


def _region(site: str) -> str:
    return "eu" if int(site[-2:]) % 2 == 0 else "us"


def _status(w: World, full_name: str, sha: str) -> Any:
    found = [s for s in w.emulator.statuses(full_name, sha) if s.context == "porchbot/variants"]
    return found[-1] if found else None


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_a_variant_set_fans_out_to_twenty_repositories(kind: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with world(kind, tmp_path, own_upstream(tmp_path)) as w:
        emulator = w.emulator
        emulator.create_repo(BLUEPRINTS, "owner", files={"README.md": "blueprints\n", **UPSTREAM_FILES})
        emulator.create_repo(CONFIG, "owner", files={"README.md": "fleet\n"})
        for name in (BLUEPRINTS, CONFIG, *[f"acme/{site}" for site in SITES]):
            if name.startswith("acme/site-"):
                emulator.create_repo(name, "owner", files={"README.md": f"{name}\n"})
            for login, permission in (("dev", "write"), ("alice", "write"), ("porchbot", "maintain")):
                emulator.grant(name, login, permission)
        _register(w, BLUEPRINTS, "blueprints")
        _register(w, CONFIG, "fleet-config")
        _register(w, "acme/site-00", "site-00", "env=prod", f"region={_region('site-00')}")
        _register_quickly(w, monkeypatch, SITES[1:])
        assert "region: us" in (w.config_dir / "repositories.yaml").read_text()
        _release(w, tmp_path, 1)
        eventually(lambda: "basens/v1" in w.cli("rpkg", "get", "--no-headers").stdout
                   or any(r.split()[1:2] == ["basens"] and "v1" in r.split()
                          for r in w.cli("rpkg", "get", "--no-headers").stdout.splitlines()), "basens v1 listed")

        # Bad files on branches under review: a failed status with file, field and reason; nothing made.
        for branch, (text, reason) in BAD.items():
            head = emulator.commit_files(CONFIG, branch, {f"variants/{branch}.yaml":
                                                          "apiVersion: config.porch.kpt.dev/v1alpha1\n" + text}, "dev")
            emulator.open_pull(CONFIG, branch, "dev", title=f"variants: {branch}")
            status = eventually(lambda head=head: _status(w, CONFIG, head), f"the variants status of {branch}")
            assert status.state in ("failure", "failed"), status
            assert f"fleet-config:variants/{branch}.yaml: {reason}" in status.description, status.description
        assert not _variant_pulls(w) and not [b for b in emulator.git("acme/site-00", "branch").split()
                                              if b.startswith("drafts/")]

        # The set lands on the config repository's branch: one clone PR per selected repository.
        emulator.commit_files(CONFIG, "main", {"variants/fleet.yaml": FLEET}, "dev", "Fleet of namespaces")
        pulls = eventually(lambda: (found := _variant_pulls(w)) and len(found) == 20 and found, "20 clone PRs",
                           timeout=300)
        for site, pull in pulls.items():
            assert pull.head_branch.startswith(f"drafts/ns-{_region(site)}/variant-")
            assert "variant fleet-" in pull.title and "basens/v1" in pull.title and "porchbot/variant" in pull.labels
            context = _context(w, site, pull)
            assert context["site"] == site and context["team"] == "platform", context
            assert context["tier"] == ("TIER" if site == "site-03" else "silver")
        before = {site: emulator.branch_sha(f"acme/{site}", p.head_branch) for site, p in pulls.items()}

        # One target's context edited: that Draft alone gets a commit (and a comment saying why).
        emulator.commit_files(CONFIG, "main", {"variants/fleet.yaml": FLEET.replace("'TIER'", "'gold'")}, "dev")
        eventually(lambda: _context(w, "site-03", pulls["site-03"]).get("tier") == "gold", "site-03 updated",
                   timeout=180)
        eventually(lambda: any("spec of package variant" in c.body for c in emulator.comments(
            "acme/site-03", pulls["site-03"].number)), "a comment on site-03's PR saying why")
        for site, pull in pulls.items():
            if site != "site-03":
                assert emulator.branch_sha(f"acme/{site}", pull.head_branch) == before[site], site

        # A new upstream release moves every variant's Draft to it (same PRs, retitled).
        _release(w, tmp_path, 2)
        moved = eventually(lambda: (found := _variant_pulls(w)) and len(found) == 20 and all(
            "basens/v2" in p.title for p in found.values()) and found, "20 Drafts at basens/v2", timeout=300)
        assert {s: p.number for s, p in moved.items()} == {s: p.number for s, p in pulls.items()}
        listed = w.cli("variants", "get", "-o", "json")
        assert listed.returncode == 0, listed.stderr
        rows = {row["downstream"]: row for row in json.loads(listed.stdout)["items"]}
        assert len(rows) == 20 and all(row["tracks"] == "basens/v2" and row["lifecycle"] == "Draft"
                                       and not row["behind"] and row["pull"] for row in rows.values()), rows
        api = json.loads(urllib.request.urlopen(f"{w.bot_url}/api/v1/variants", timeout=60).read())
        assert sorted(row["downstream"] for row in api["items"]) == sorted(rows)
        assert "site-07/ns-us" in w.cli("variants", "get").stdout
        assert _context(w, "site-05", moved["site-05"])["site"] == "site-05"  # the context survives the upgrade

        # site-19 loses its label: its variant is gone, deletionPolicy delete closes its Draft.
        assert w.cli("repo", "unregister", "site-19").returncode == 0
        _register(w, "acme/site-19", "site-19", f"region={_region('site-19')}")
        emulator.commit_files(CONFIG, "main", {"README.md": "fleet, site-19 retired\n"}, "dev")
        eventually(lambda: emulator.pull("acme/site-19", pulls["site-19"].number).state == "closed",
                   "site-19's Draft closed", timeout=180)
        eventually(lambda: emulator.branch_sha("acme/site-19", pulls["site-19"].head_branch) is None,
                   "site-19's Draft branch deleted")
        assert len(_variant_pulls(w)) == 19
        assert "Traceback" not in w.log_path.read_text()
