"""``propagation: auto`` end to end on the emulated GitHub: the deployment repository's own
``.porchbot.yaml`` says auto and its OWNERS names the bot, so a release merges and tags the clean upgrade
by itself; the downstream whose customisation the upgrade overwrites keeps an open PR for a person."""

from __future__ import annotations

from pathlib import Path

from tests.bot.blueprint_support import add_blueprints, green_head, published_clones, release
from tests.bot.e2e_support import REPO, eventually, own_upstream, world


def test_a_clean_upgrade_merges_itself_and_a_conflicting_one_waits(tmp_path: Path) -> None:
    with world("github", tmp_path, own_upstream(tmp_path)) as w:
        emulator = w.emulator
        emulator.commit_files(REPO, "main", {".porchbot.yaml": "propagation: auto\n",
                                             "OWNERS": "approvers:\n  - alice\n  - porchbot\n"}, "owner",
                              "Upgrades merge themselves when clean")
        add_blueprints(w, "github")
        published_clones(w, tmp_path, ("ns-a", "ns-c"), customised="ns-c")

        release(w, tmp_path, 2)
        eventually(lambda: emulator.ref_target(REPO, "refs/tags/ns-a/v2"), "ns-a upgraded and tagged by itself",
                   timeout=120)
        merged = w.pull_for("drafts/ns-a/upgrade-to-v2")
        assert merged.merged and merged.merged_by.login == "porchbot"
        assert merged.labels == ["porchbot/upgrade"]
        eventually(lambda: w.replies_containing(merged.number, "Approved automatically"), "the bot saying so")
        assert "release: v2" in w.show("ns-a/v2", "ns-a/namespace.yaml")

        waiting = eventually(lambda: w.pull_for("drafts/ns-c/upgrade-to-v2"), "ns-c's upgrade PR")
        green_head(w, "drafts/ns-c/upgrade-to-v2")
        assert waiting.labels == ["porchbot/upgrade"] and "`bronze`" in waiting.body
        # Its render is green and reported; a person still has to decide (nothing merges it meanwhile).
        eventually(lambda: "deployments:ns-c: the upgrade reported conflicts" in w.log_path.read_text(),
                   "the bot leaving ns-c's upgrade to a person")
        assert emulator.pull(REPO, waiting.number).state == "open" and not emulator.pull(REPO, waiting.number).merged
        assert emulator.ref_target(REPO, "refs/tags/ns-c/v2") is None
        assert "Traceback" not in w.log_path.read_text()
