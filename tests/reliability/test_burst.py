"""Issue 6 point 3: 20 pushes to one draft within a second → the final head is rendered, once.

Intermediate heads may be skipped; the queue coalesces the pushes a finished job has covered and hands
the draft's next job out at once (not at the sweeper's next turn). No status lands on an old head
after the burst, and the bot never pushes over the person's commits.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.pr.messages import STATUS_MARKER
from tests.reliability.support import REPO, Bot, bot_world, eventually, package_files

pytestmark = pytest.mark.timeout(300)
DRAFT = "drafts/app/v1"
PUSHES = 20
BURST_SECONDS = 2.5


def burst(bot: Bot, pushes: int = PUSHES) -> tuple[str, set[str], float]:
    """``pushes`` commits within a second; the last head, the statused shas then, the time it ended."""
    shas = bot.burst(DRAFT, [package_files("app", n) for n in range(1, pushes + 1)])
    bot.emulator.webhooks.drain()
    pushed = [d.sent_at for d in bot.emulator.deliveries if d.event == "push" and d.payload.get("after") in shas]
    # Within a second on a quiet machine; the emulator builds each push's webhook with git, which takes
    # longer when the shared machine is loaded, so the bound allows for that.
    assert len(pushed) == pushes and max(pushed) - min(pushed) < BURST_SECONDS, "not a burst"
    return shas[-1], bot.statused_shas(), time.monotonic()


def test_twenty_pushes_in_a_second_render_the_final_head_once(tmp_path: Path) -> None:
    with bot_world(tmp_path, serve_workers=2) as bot:
        bot.quiet_setup(DRAFT, package_files("app", 0))
        number = bot.emulator.pulls(REPO, DRAFT)[-1].number
        last, statused_during_burst, ended = burst(bot)
        final = eventually(lambda: bot.rendered(DRAFT, last), "the final head rendered", timeout=60)
        latency = time.monotonic() - ended
        counts = bot.wait_drained()
        assert "failed" not in counts and counts["done"] >= PUSHES
        parents = bot.render_parents(DRAFT)
        assert parents.count(last) == 1 and len(parents) == len(set(parents))
        assert bot.render_state(final) == "success"
        stale = bot.statused_shas() - statused_during_burst - {final}
        assert stale == set(), "a status went on an old head after the burst"
        assert bot.force_pushes() == 0
        assert len(bot.comments(number, STATUS_MARKER)) == 1
        assert final[:12] in bot.comments(number, STATUS_MARKER)[0].body
        # Coalesced and handed out at once: far less than 20 renders x the 0.5 s sweeper period.
        assert latency < 20, latency
