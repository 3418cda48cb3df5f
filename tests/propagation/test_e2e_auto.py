"""``propagation: auto`` end to end on the emulated GitHub: the deployment repository's own
``.porchbot.yaml`` says auto and its OWNERS names the bot, so a release merges and tags the clean upgrade
by itself; the downstream whose customisation the upgrade overwrites keeps an open PR for a person."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bot.e2e_support import REPO, UPSTREAM_FILES, eventually, own_upstream, world
from tests.bot.test_e2e_propagation import BLUEPRINTS, _approve, _release, _rendered


def test_a_clean_upgrade_merges_itself_and_a_conflicting_one_waits(tmp_path: Path) -> None:
    with world("github", tmp_path, own_upstream(tmp_path)) as w:
        emulator = w.emulator
        emulator.create_repo(BLUEPRINTS, "owner", files={"README.md": "blueprints\n", **UPSTREAM_FILES})
        for login, permission in (("dev", "write"), ("alice", "write"), ("porchbot", "maintain")):
            emulator.grant(BLUEPRINTS, login, permission)
        emulator.commit_files(REPO, "main", {".porchbot.yaml": "propagation: auto\n",
                                             "OWNERS": "approvers:\n  - alice\n  - porchbot\n"}, "owner",
                              "Upgrades merge themselves when clean")
        registered = w.cli("repo", "register", emulator.clone_url(BLUEPRINTS), "--name", "blueprints",
                           "--forge", "github", "--token-env", "DEPLOYMENTS_TOKEN")
        assert registered.returncode == 0, registered.stderr
        _release(w, tmp_path, 1)
        v1 = eventually(lambda: next((row.split()[0] for row in w.cli("rpkg", "get", "--no-headers").stdout
                                      .splitlines() if row.split()[1] == "basens" and "v1" in row.split()), None),
                        "basens v1 listed")
        for package in ("ns-a", "ns-c"):
            cloned = w.cli("rpkg", "clone", v1, package, "--repository=deployments")
            assert cloned.returncode == 0, cloned.stderr
            if package == "ns-c":
                head = _rendered(w, "drafts/ns-c/v1")
                text = w.show(head, "ns-c/namespace.yaml")
                w.git_push("drafts/ns-c/v1", {"ns-c/namespace.yaml": re.sub(
                    r"^(metadata:.*\n)", r"\1  labels:\n    tier: bronze\n", text, count=1, flags=re.M)},
                    "dev", "Our own tier")
            _approve(w, f"drafts/{package}/v1")
            tag = f"refs/tags/{package}/v1"
            eventually(lambda tag=tag: emulator.ref_target(REPO, tag), f"{package} v1 published")  # type: ignore[misc]

        _release(w, tmp_path, 2)
        eventually(lambda: emulator.ref_target(REPO, "refs/tags/ns-a/v2"), "ns-a upgraded and tagged by itself",
                   timeout=120)
        merged = w.pull_for("drafts/ns-a/upgrade-to-v2")
        assert merged.merged and merged.merged_by.login == "porchbot"
        assert merged.labels == ["porchbot/upgrade"]
        eventually(lambda: w.replies_containing(merged.number, "Approved automatically"), "the bot saying so")
        assert "release: v2" in w.show("ns-a/v2", "ns-a/namespace.yaml")

        waiting = eventually(lambda: w.pull_for("drafts/ns-c/upgrade-to-v2"), "ns-c's upgrade PR")
        _rendered(w, "drafts/ns-c/upgrade-to-v2")
        assert waiting.labels == ["porchbot/upgrade"] and "`bronze`" in waiting.body
        # Its render is green and reported; a person still has to decide (nothing merges it meanwhile).
        eventually(lambda: "deployments:ns-c: the upgrade reported conflicts" in w.log_path.read_text(),
                   "the bot leaving ns-c's upgrade to a person")
        assert emulator.pull(REPO, waiting.number).state == "open" and not emulator.pull(REPO, waiting.number).merged
        assert emulator.ref_target(REPO, "refs/tags/ns-c/v2") is None
        assert "Traceback" not in w.log_path.read_text()
