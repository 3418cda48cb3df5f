"""``porchbot downstreams reindex|get`` as a real process over real repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.propagation.support import Fleet, kptfile, make_fleet

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _porchbot(fleet: Fleet, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHBOT_")}
    env.update(PORCHBOT_CONFIG_DIR=str(fleet.settings.config_dir), PORCHBOT_STATE_DIR=str(fleet.settings.state_dir),
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    return subprocess.run([sys.executable, "-m", "bot.cli", "downstreams", *args], capture_output=True, text=True,
                          env=env, cwd=PROJECT_DIR, timeout=120, check=False)


def test_reindex_then_get_in_every_format(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path)
    blueprints = fleet.root / "blueprints.git"
    fleet.repository("blueprints", {"basens/Kptfile": "apiVersion: kpt.dev/v1\nkind: Kptfile\n"})
    fleet.repository("deployments", {"ns-a/Kptfile": kptfile("ns-a", upstream_url=str(blueprints)),
                                     "ns-b/Kptfile": kptfile("ns-b", upstream_url=str(blueprints), ref="basens/v2"),
                                     "ext/Kptfile": kptfile("ext")})

    empty = _porchbot(fleet, "get")
    assert empty.returncode == 0 and "porchbot downstreams reindex" in empty.stdout

    reindexed = _porchbot(fleet, "reindex")
    assert reindexed.returncode == 0, reindexed.stderr
    assert reindexed.stdout == "3 downstream packages indexed in 2 repositories\n"

    listed = _porchbot(fleet, "get")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()]
    assert rows == [["UPSTREAM", "DOWNSTREAM", "LOCKED"],  # by downstream repository and package
                    ["forge.example/acme/blueprints:basens", "deployments:ext", "basens/v1"],
                    ["blueprints:basens", "deployments:ns-a", "basens/v1"],
                    ["blueprints:basens", "deployments:ns-b", "basens/v2"]]

    items = json.loads(_porchbot(fleet, "get", "-o", "json").stdout)["items"]
    ns_b = next(item for item in items if item["downstream"]["package"] == "ns-b")
    assert ns_b["upstream"]["repository"] == "blueprints" and ns_b["upstream"]["package"] == "basens"
    assert ns_b["lockedRef"] == "basens/v2" and ns_b["lockedRevision"] == 2
    assert yaml.safe_load(_porchbot(fleet, "get", "-o", "yaml").stdout)["items"] == items


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    fleet = make_fleet(tmp_path)
    wrong = _porchbot(fleet, "get", "-o", "wide")
    assert wrong.returncode != 0 and "unknown output format 'wide'" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    from bot.lifecycle import repositories
    from bot.lifecycle.repositories import Repository

    repositories.register(fleet.settings, Repository(name="gone", url=str(tmp_path / "missing.git"), branch="main"))
    failed = _porchbot(fleet, "reindex")
    assert failed.returncode != 0 and "gone" in failed.stderr and "Traceback" not in failed.stderr
