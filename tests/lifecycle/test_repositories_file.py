"""`repo register` / `repo unregister` edit a person's repositories.yaml: comments, order and layout stay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.errors import InvalidInput, NotFound
from bot.lifecycle import repositories_yaml
from tests.lifecycle.conftest import Cli

HAND_WRITTEN = """\
# Repositories of the platform team (kept by hand; `porchbot repo register` adds to it).
repositories:
  # Production: reviewed by two people.
  - url: https://git.example.com/platform/prod.git   # the mirror, not the primary
    name: prod
    deployment: true
    policies:
        approvers: [alice, bob]

  # Shared blueprints everyone starts from.
  - name: blueprints
    url: https://git.example.com/platform/blueprints.git
    branch: "main"
    deployment: false
# end of the list
"""


def _config_file(porchbot_env: dict[str, str]) -> Path:
    path = Path(porchbot_env["PORCHBOT_CONFIG_DIR"]) / "repositories.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_register_keeps_a_hand_written_comment(cli: Cli, porchbot_env: dict[str, str],
                                               bare_repo: Callable[[str], Path]) -> None:
    path = _config_file(porchbot_env)
    path.write_text(HAND_WRITTEN)
    remote = bare_repo("catalog")
    registered = cli("repo", "register", str(remote), "--directory", "/pkgs")
    assert registered.exit_code == 0, registered.stderr
    text = path.read_text()
    # Every line the person wrote is still there, in its place; the new entry follows the last one.
    last_entry_end = HAND_WRITTEN.index("# end of the list")
    assert text.startswith(HAND_WRITTEN[:last_entry_end])
    assert text.endswith("# end of the list\n")
    added = text[last_entry_end:text.index("# end of the list")]
    assert added == f"  - name: catalog\n    url: {remote}\n    branch: main\n    directory: pkgs\n" \
                    "    deployment: false\n    forge: none\n"
    # The porchctl-shaped listing is by name, whatever the file's order.
    names = [line.split()[0] for line in cli("repo", "get").stdout.splitlines()[1:]]
    assert names == ["blueprints", "catalog", "prod"]


def test_unregister_takes_the_entry_and_its_own_comment_only(cli: Cli, porchbot_env: dict[str, str]) -> None:
    path = _config_file(porchbot_env)
    path.write_text(HAND_WRITTEN)
    removed = cli("repo", "unregister", "prod")
    assert removed.exit_code == 0, removed.stderr
    assert path.read_text() == (
        "# Repositories of the platform team (kept by hand; `porchbot repo register` adds to it).\n"
        "repositories:\n"
        "  # Shared blueprints everyone starts from.\n"
        "  - name: blueprints\n"
        "    url: https://git.example.com/platform/blueprints.git\n"
        '    branch: "main"\n'
        "    deployment: false\n"
        "# end of the list\n"
    )
    again = cli("repo", "unregister", "prod")
    assert again.exit_code != 0 and "prod" in again.stderr and "Traceback" not in again.stderr


def test_unregistering_the_last_entry_leaves_the_ones_above_alone(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text(HAND_WRITTEN)
    repositories_yaml.remove(path, "blueprints")
    assert path.read_text() == HAND_WRITTEN.split("  # Shared blueprints")[0] + "# end of the list\n"


def test_pyyaml_layout_round_trips(tmp_path: Path) -> None:
    """The layout earlier versions wrote (dashes at the key's column) stays that layout."""
    path = tmp_path / "repositories.yaml"
    path.write_text("repositories:\n- name: a\n  url: /a\n  deployment: false\n")
    repositories_yaml.append(path, {"name": "b", "url": "/b", "policies": {"render": {"runtime": "builtin"}},
                                    "deployment": False})
    assert path.read_text() == ("repositories:\n- name: a\n  url: /a\n  deployment: false\n"
                                "- name: b\n  url: /b\n  policies:\n    render:\n      runtime: builtin\n"
                                "  deployment: false\n")
    repositories_yaml.remove(path, "a")
    assert yaml.safe_load(path.read_text())["repositories"][0]["name"] == "b"
    assert path.read_text().startswith("repositories:\n- name: b\n")


@pytest.mark.parametrize("start", ["", "# nothing registered yet\nrepositories:\n", "repositories: []\n"])
def test_first_entry_of_an_empty_registry(tmp_path: Path, start: str) -> None:
    path = tmp_path / "repositories.yaml"
    if start:
        path.write_text(start)
    repositories_yaml.append(path, {"name": "a", "url": "/a", "deployment": False})
    text = path.read_text()
    assert yaml.safe_load(text) == {"repositories": [{"name": "a", "url": "/a", "deployment": False}]}
    assert text.startswith(start.split("repositories")[0])  # a leading comment stays


def test_a_flow_list_is_edited_as_a_tree(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text("# mine\nrepositories: [{name: a, url: /a}]\n")
    repositories_yaml.append(path, {"name": "b", "url": "/b"})
    assert [entry["name"] for entry in yaml.safe_load(path.read_text())["repositories"]] == ["a", "b"]
    repositories_yaml.remove(path, "a")
    assert yaml.safe_load(path.read_text())["repositories"] == [{"name": "b", "url": "/b"}]
    assert path.read_text().startswith("# mine\n")


def test_bad_files_are_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "repositories.yaml"
    path.write_text("repositories: [unclosed\n")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        repositories_yaml.append(path, {"name": "a", "url": "/a"})
    path.write_text("- just a list\n")
    with pytest.raises(InvalidInput, match="expected a mapping"):
        repositories_yaml.remove(path, "a")
    path.write_text("repositories:\n- name: a\n  url: /a\n")
    with pytest.raises(NotFound):
        repositories_yaml.remove(path, "b")
    assert path.read_text() == "repositories:\n- name: a\n  url: /a\n"  # untouched
