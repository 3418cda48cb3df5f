"""`porchbot repo register --label k=v`: the labels a PackageVariantSet's repositorySelector reads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config.settings import Settings
from bot.lifecycle import repositories

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PORCHBOT_")},
           "PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env,
                          cwd=PROJECT_DIR, timeout=120, check=False)


def test_labels_are_kept_and_bad_ones_refused(tmp_path: Path) -> None:
    done = _cli(tmp_path, "repo", "register", str(tmp_path / "a.git"), "--name", "a", "--label", "env=prod",
                "--label", "region = eu")
    assert done.returncode == 0, done.stderr
    assert _cli(tmp_path, "repo", "register", str(tmp_path / "b.git"), "--name", "b").returncode == 0
    refused = _cli(tmp_path, "repo", "register", str(tmp_path / "c.git"), "--name", "c", "--label", "env")
    assert refused.returncode == 1 and refused.stderr == "Error: --label 'env': expected key=value \n"
    loaded = repositories.load(Settings(config_dir=tmp_path / "config", state_dir=tmp_path / "state"))
    assert loaded["a"].labels == {"env": "prod", "region": "eu"} and loaded["b"].labels == {}
    assert "c" not in loaded
