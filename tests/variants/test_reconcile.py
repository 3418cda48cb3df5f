"""The reconciler on git-only repositories (no forge): a variant's clone Draft with its spec applied,
found again (never made twice) by a redone job, updated when the spec changes, moved when its upstream
publishes, deleted when the variant goes; a file with a problem makes nothing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from bot.config import policy
from bot.config.settings import current_settings
from bot.lifecycle import repositories
from bot.lifecycle.create import clone
from bot.lifecycle.engine import Engine
from bot.lifecycle.git_proposals import git_only_lifecycle
from bot.lifecycle.repositories import Repository
from bot.lifecycle.variants.files import parse_documents
from bot.lifecycle.variants.spec import PackageVariant
from bot.lifecycle.variants.status import variant_rows
from bot.pr.variants_reconcile import Reconciled, reconcile_owner
from tests.bot.e2e_support import UPSTREAM_FILES

VARIANT = """\
apiVersion: config.porch.kpt.dev/v1alpha1
kind: PackageVariant
metadata:
  name: edge-ns
spec:
  upstream: {repo: blueprints, package: basens}
  downstream: {repo: edge, package: edge-ns}
  packageContext:
    data: {region: eu}
"""


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Dev",
           "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


class World:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.engine = Engine()
        for name, files in (("blueprints", UPSTREAM_FILES), ("edge", {"README.md": "edge\n"}),
                            ("config", {"README.md": "config\n"})):
            bare = root / f"{name}.git"
            git("init", "-q", "--bare", "-b", "main", str(bare))
            self.commit(name, files, tag="basens/v1" if name == "blueprints" else None)
            repositories.register(current_settings(), Repository(name=name, url=str(bare)))

    def commit(self, name: str, files: Mapping[str, str | None], tag: str | None = None) -> None:
        work = self.root / f"work-{name}"
        if not work.exists():
            git("clone", "-q", str(self.root / f"{name}.git"), str(work))
        for path, text in files.items():
            target = work / path
            if text is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git("add", "-A", cwd=work)
        git("commit", "-q", "--allow-empty", "-m", "change", cwd=work)
        refs = ["HEAD:refs/heads/main"]
        if tag:
            git("tag", tag, cwd=work)
            refs.append(f"refs/tags/{tag}")
        git("push", "-q", "origin", *refs, cwd=work)

    @contextmanager
    def locked(self, repository: Repository) -> Iterator[object]:
        cache = self.engine.cache(repository.name)
        with cache.exclusive():
            cache.fetched = False
            cache.fetch()
            yield cache

    def reconcile(self) -> Reconciled:
        def no_forge(repository: Repository) -> object:
            raise AssertionError(f"{repository.name} is git-only: no forge is asked")

        return reconcile_owner(self.engine, no_forge, self.locked, policy.BotConfig(), "config")  # type: ignore[arg-type]

    def drafts(self) -> dict[str, str]:
        out = git("--git-dir", str(self.root / "edge.git"), "for-each-ref", "--format=%(refname:short) %(objectname)",
                  "refs/heads/drafts/")
        return dict(line.split() for line in out.splitlines())

    def show(self, ref: str, path: str) -> str:
        return git("--git-dir", str(self.root / "edge.git"), "show", f"{ref}:{path}")


@pytest.fixture
def w(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    for key, value in (("PORCHBOT_CONFIG_DIR", tmp_path / "config"), ("PORCHBOT_STATE_DIR", tmp_path / "state"),
                       ("GIT_CONFIG_GLOBAL", "/dev/null"), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setenv(key, str(value))
    return World(tmp_path)


def _variant() -> PackageVariant:
    return parse_documents("config", {"variants/v.yaml": VARIANT}, {}).variants[0]


def test_a_variant_lives_its_life_on_git(w: World) -> None:
    w.commit("config", {"variants/v.yaml": VARIANT})
    first = w.reconcile()
    assert not first.errors and [o.action for o in first.outcomes] == ["created"], first.outcomes
    (branch, head), = w.drafts().items()
    assert branch == f"drafts/edge-ns/{_variant().workspace}"
    context = yaml.safe_load(w.show(branch, "edge-ns/package-context.yaml"))["data"]
    assert context == {"name": "example", "region": "eu"}  # (a deployment repository would name it edge-ns)
    assert "Applying package variant edge-ns" in git("--git-dir", str(w.root / "edge.git"), "log", "-1", branch)

    again = w.reconcile()  # redelivered: finds its own Draft, changes nothing
    assert [o.action for o in again.outcomes] == ["current"] and w.drafts() == {branch: head}

    w.commit("config", {"variants/v.yaml": VARIANT.replace("region: eu", "region: us")})
    assert [o.action for o in w.reconcile().outcomes] == ["updated"]
    assert yaml.safe_load(w.show(branch, "edge-ns/package-context.yaml"))["data"]["region"] == "us"

    w.commit("blueprints", {"basens/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: v2\n"},
             tag="basens/v2")
    assert [o.action for o in w.reconcile().outcomes] == ["moved"]
    assert "ref: basens/v2" in w.show(branch, "edge-ns/Kptfile")
    assert yaml.safe_load(w.show(branch, "edge-ns/package-context.yaml"))["data"]["region"] == "us"

    w.commit("config", {"variants/v.yaml": None})
    gone = w.reconcile()
    assert [o.action for o in gone.outcomes] == ["deleted"] and w.drafts() == {}


def test_a_job_killed_between_clone_and_apply_is_finished_by_the_next(w: World) -> None:
    w.commit("config", {"variants/v.yaml": VARIANT})
    upstream = next(r for r in w.engine.revisions("blueprints") if r.revision == "v1")
    clone(w.engine, upstream.name, "edge-ns", "edge", revision=_variant().workspace)
    done = w.reconcile()
    assert [o.action for o in done.outcomes] == ["updated"] and len(w.drafts()) == 1
    assert "region: eu" in w.show(next(iter(w.drafts())), "edge-ns/package-context.yaml")


def test_a_file_with_a_problem_makes_nothing(w: World) -> None:
    w.commit("config", {"variants/v.yaml": VARIANT.replace("repo: edge", "repo: elsewhere")})
    done = w.reconcile()
    assert [str(e) for e in done.errors] == ["config:variants/v.yaml: spec.downstream.repo: repository "
                                             "'elsewhere' is not registered (the downstream must be in a "
                                             "registered repository)"]
    assert not done.outcomes and w.drafts() == {}


def _publish(w: World, name: str) -> None:
    lifecycle = git_only_lifecycle()
    cache, revision = w.engine.find(name)
    lifecycle.propose(cache, revision)
    cache, revision = w.engine.find(name)
    lifecycle.approve(cache, revision)


def test_adoption_upgrade_and_deletion_of_a_published_downstream(w: World) -> None:
    upstream = next(r for r in w.engine.revisions("blueprints") if r.revision == "v1")
    _publish(w, clone(w.engine, upstream.name, "edge-ns", "edge", revision="v1").name)  # a person's own package
    w.commit("config", {"variants/v.yaml": VARIANT})
    assert [o.action for o in w.reconcile().outcomes] == ["not-adopted"] and w.drafts() == {}

    w.commit("config", {"variants/v.yaml": VARIANT.replace("  packageContext", "  adoptionPolicy: adoptExisting\n"
                                                                               "  packageContext")})
    assert [o.action for o in w.reconcile().outcomes] == ["created"]
    (branch, _), = w.drafts().items()
    assert branch.startswith(f"drafts/edge-ns/{_variant().workspace}-")  # a new Draft of the published package
    _publish(w, next(r.name for r in w.engine.revisions("edge") if r.ref == f"refs/heads/{branch}"))
    assert [o.action for o in w.reconcile().outcomes] == ["current"]  # adopted: its spec is applied

    w.commit("blueprints", {"basens/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: v2\n"},
             tag="basens/v2")
    assert [o.action for o in w.reconcile().outcomes] == ["upgrade:opened"]
    assert "drafts/edge-ns/upgrade-to-v2" in w.drafts()
    assert [o.action for o in w.reconcile().outcomes] == ["upgrade:opened"] and len(w.drafts()) == 1

    w.commit("config", {"variants/v.yaml": None})
    assert [o.action for o in w.reconcile().outcomes] == ["deletion-proposed"]
    listed = {r.revision: r.lifecycle for r in w.engine.revisions("edge") if r.package_path == "edge-ns"}
    assert listed.get("v2") == "DeletionProposed", listed
    assert [o.action for o in w.reconcile().outcomes] == []  # done: nothing left of it to remove


def test_variants_get_rows_say_what_each_variant_made(w: World) -> None:
    repositories.register(current_settings(), Repository(name="gone", url=str(w.root / "missing.git")))
    w.commit("config", {"variants/v.yaml": VARIANT + "---\n" + VARIANT.replace("name: edge-ns", "name: lost")
                        .replace("repo: edge", "repo: gone")})
    done = w.reconcile()
    assert sorted(o.action for o in done.outcomes) == ["created", "failed"]
    rows = {row.name: row for row in variant_rows(w.engine)}
    made = rows["edge-ns"]
    assert (made.lifecycle, made.tracks, made.locked, made.behind) == ("Draft", "basens/v1", "basens/v1", False)
    assert made.branch.startswith("drafts/edge-ns/variant-") and made.downstream == "edge/edge-ns"
    assert rows["lost"].error and "missing.git" in rows["lost"].error
    w.commit("blueprints", {"basens/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: v2\n"},
             tag="basens/v2")
    later = {row.name: row for row in variant_rows(w.engine)}["edge-ns"]
    assert (later.tracks, later.locked, later.behind) == ("basens/v2", "basens/v1", True)
