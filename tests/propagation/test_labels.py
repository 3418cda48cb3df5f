"""Forge.add_labels through both adapters against the emulated forges: the label shows in the PR's own
JSON (GitHub's pull and issue, GitLab's merge request), adding it twice keeps one."""

from __future__ import annotations

from tests.forge_emulator import Emulator
from tests.forges.conftest import REPO, make_forge


def test_labels_reach_the_pull_request_once(forge_emulator: Emulator) -> None:
    forge_emulator.add_user("porchbot")
    forge_emulator.grant(REPO, "porchbot", "maintain")
    forge = make_forge(forge_emulator, "porchbot")
    forge_emulator.commit_files(REPO, "drafts/ns-a/upgrade-to-v2", {"ns-a/Kptfile": "a: 1\n"}, "owner", "Up")
    pull = forge.open_pull_request("drafts/ns-a/upgrade-to-v2", "main", "ns-a upgrade", "body", draft=True)

    forge.add_labels(pull.number, ["porchbot/upgrade"])
    forge.add_labels(pull.number, ["porchbot/upgrade", "team/ops"])
    forge.add_labels(pull.number, [])

    assert forge_emulator.pull(REPO, pull.number).labels == ["porchbot/upgrade", "team/ops"]


def test_the_labels_are_in_the_forges_own_json(forge_emulator: Emulator) -> None:
    import json
    import urllib.request

    forge_emulator.add_user("porchbot")
    forge_emulator.grant(REPO, "porchbot", "maintain")
    forge = make_forge(forge_emulator, "porchbot")
    forge_emulator.commit_files(REPO, "drafts/ns-b/upgrade-to-v3", {"ns-b/Kptfile": "a: 1\n"}, "owner", "Up")
    pull = forge.open_pull_request("drafts/ns-b/upgrade-to-v3", "main", "ns-b upgrade", "", draft=True)
    forge.add_labels(pull.number, ["porchbot/upgrade"])

    token = forge_emulator.user("porchbot").token
    if forge_emulator.kind == "github":
        url = f"{forge_emulator.api_url}/repos/{REPO}/pulls/{pull.number}"
        headers = {"Authorization": f"token {token}"}
    else:
        url = f"{forge_emulator.api_url}/api/v4/projects/{REPO.replace('/', '%2F')}/merge_requests/{pull.number}"
        headers = {"PRIVATE-TOKEN": token}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        shown = json.load(response)["labels"]
    names = [label["name"] for label in shown] if forge_emulator.kind == "github" else shown
    assert names == ["porchbot/upgrade"]
