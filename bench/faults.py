"""Crash and burst faults against the real bot (issue 6): on demand, not in CI.

    python bench/faults.py [--json] [--kills 50] [--probability 0.12] [--in-flight 4] [--pushes 20]

Kills: one `porchbot worker` runs with every crashpoint armed (bot.queue.crashpoints, each hit with
--probability): it SIGKILLs itself at random points of renders and approvals, and is restarted each
time, until --kills deaths; then a clean worker finishes the rest. Meanwhile drafts go through the
whole lifecycle: created with a PR, pushed to twice, rendered, `/approve`d (merge, tag, branch deleted).
Figures: `kills`, `jobs_lost` (deliveries accepted with 202 whose job did not end done), `jobs_failed`,
`duplicate_render_commits` (render commits sharing a parent anywhere in the repository),
`force_pushes` (ref updates whose old head is not an ancestor of the new one, from the push webhooks),
`drafts_incomplete` (not tagged exactly once with the branch deleted), `duplicate_tags`.
Burst: --pushes fast-forward pushes to one draft within a second: `renders_of_final_head` (render
commits on the final head), `stale_statuses` (statuses put on an older head after the burst),
`burst_render_s` (last push to its rendered success status), `burst_spread_s` (first to last push).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from _common import figures_parser, print_figures

from bot.queue.crashpoints import ENV, PROBABILITY_ENV
from tests.reliability.support import REPO, Bot, bot_world, eventually, package_files

LEASE_SECONDS = 2.0


class Chaos:
    """The crashing worker: restarted after every death until enough kills, then replaced by a clean one."""

    def __init__(self, bot: Bot, kills_wanted: int, probability: float) -> None:
        self.bot = bot
        self.wanted = kills_wanted
        self.crash_env = {ENV: "*", PROBABILITY_ENV: str(probability)}
        self.kills = 0
        self.by_point: dict[str, int] = {}
        self.worker = bot.start_worker(self.crash_env)

    @property
    def done(self) -> bool:
        return self.kills >= self.wanted

    def tick(self) -> None:
        if self.worker.poll() is None:
            return
        if self.worker.returncode == -9:
            self.kills += 1
            log = self.bot.root / f"worker{self.bot.workers.index(self.worker)}.log"
            points = [json.loads(line).get("reason", "?") for line in log.read_text().splitlines()
                      if "crashpoint: SIGKILL" in line]
            point = points[-1] if points else "?"
            self.by_point[point] = self.by_point.get(point, 0) + 1
        self.worker = self.bot.start_worker(None if self.done else self.crash_env)


class Draft:
    def __init__(self, bot: Bot, number: int) -> None:
        self.bot, self.name = bot, f"app{number}"
        self.branch = f"drafts/{self.name}/v1"
        bot.commit(self.branch, package_files(self.name, 0))
        self.pull = bot.open_pull(self.branch)
        self.person_head = bot.commit(self.branch, package_files(self.name, 1))
        self.state = "rendering"

    def tick(self) -> None:
        if self.state == "rendering" and self.bot.rendered(self.branch, self.person_head):
            self.bot.comment(self.pull, "alice", "/approve")
            self.state = "approving"
        elif self.state == "approving" and self.bot.head(self.branch) is None and self.tags() == 1:
            self.state = "done"

    def tags(self) -> int:
        return len(self.bot.emulator.git(REPO, "tag", "--list", f"{self.name}/*").split())


def run_kills(bot: Bot, kills: int, probability: float, in_flight: int,
              timeout: float) -> dict[str, int | dict[str, int]]:
    chaos = Chaos(bot, kills, probability)
    drafts: list[Draft] = []
    deadline = time.monotonic() + timeout
    while not chaos.done or any(d.state != "done" for d in drafts):
        if time.monotonic() > deadline:
            raise TimeoutError(f"kills={chaos.kills} states={[d.state for d in drafts]} jobs={bot.jobs()}")
        chaos.tick()
        for draft in drafts:
            draft.tick()
        if not chaos.done and sum(d.state != "done" for d in drafts) < in_flight:
            drafts.append(Draft(bot, len(drafts)))
        time.sleep(0.2)
    counts = bot.wait_drained(timeout=120)
    accepted = sum(1 for d in bot.emulator.deliveries if d.status == 202)
    log = bot.emulator.git(REPO, "log", "--all", "--format=%P%x00%s").splitlines()
    render_parents = [line.split("\x00")[0] for line in log if line.endswith("\x00Rendering package")]
    return {
        "kills": chaos.kills, "kills_by_point": dict(sorted(chaos.by_point.items())), "drafts": len(drafts), "jobs_accepted": accepted,
        "jobs_lost": accepted - counts.get("done", 0) - counts.get("failed", 0),
        "jobs_failed": counts.get("failed", 0),
        "duplicate_render_commits": len(render_parents) - len(set(render_parents)),
        "force_pushes": bot.force_pushes(),
        "drafts_incomplete": sum(1 for d in drafts if d.tags() != 1 or bot.head(d.branch) is not None),
        "duplicate_tags": sum(max(0, d.tags() - 1) for d in drafts),
    }


def run_burst(bot: Bot, pushes: int) -> dict[str, float]:
    branch = "drafts/burst/v1"
    bot.quiet_setup(branch, package_files("burst", 0))
    shas = bot.burst(branch, [package_files("burst", n) for n in range(1, pushes + 1)])
    statused_then, ended = bot.statused_shas(), time.monotonic()
    bot.emulator.webhooks.drain()
    sent = [d.sent_at for d in bot.emulator.deliveries if d.event == "push" and d.payload.get("after") in shas]
    final = eventually(lambda: bot.rendered(branch, shas[-1]), "the burst's final head rendered", 120)
    took = time.monotonic() - ended
    bot.wait_drained()
    return {"pushes": len(shas), "burst_spread_s": round(max(sent) - min(sent), 2),
            "renders_of_final_head": bot.render_parents(branch).count(shas[-1]),
            "stale_statuses": len(bot.statused_shas() - statused_then - {final}),
            "burst_render_s": round(took, 2)}


def main() -> None:
    parser = figures_parser(__doc__)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--probability", type=float, default=0.12)
    parser.add_argument("--in-flight", type=int, default=4)
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=1200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="porchbot-faults-") as scratch:
        started = time.monotonic()
        with bot_world(Path(scratch), serve_workers=0, lease_seconds=LEASE_SECONDS) as bot:
            figures: dict[str, float | dict[str, int]] = dict(run_kills(bot, args.kills, args.probability, args.in_flight,
                                                       args.timeout))
            figures.update(run_burst(bot, args.pushes))
        figures["seconds"] = round(time.monotonic() - started, 1)
        figures["load_1m"] = round(os.getloadavg()[0], 2)
    print_figures(figures, args.json)


if __name__ == "__main__":
    main()
