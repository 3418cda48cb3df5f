"""One unreachable repository does not hide the others in `rpkg get`."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.lifecycle.conftest import Cli


def test_listing_survives_an_unreachable_repository(cli: Cli, packages_repo: Path, tmp_path: Path) -> None:
    spare = tmp_path / "spare.git"
    shutil.copytree(packages_repo, spare)
    assert cli("repo", "register", str(packages_repo)).exit_code == 0
    assert cli("repo", "register", str(spare), "--name", "spare").exit_code == 0
    shutil.rmtree(spare)  # the remote goes away after registration
    result = cli("rpkg", "get")
    assert result.exit_code == 0, result.stderr
    assert "blueprints" in result.stdout and "app" in result.stdout
    assert "warning: repository 'spare' not listed" in result.stderr
    only_spare = cli("rpkg", "get", "--repository", "spare")
    assert only_spare.exit_code == 1 and "Traceback" not in only_spare.stderr
