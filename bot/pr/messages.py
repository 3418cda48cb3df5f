"""Every sentence a person reads from Porchbot: replies, the sticky render comment, statuses, tags.

Handlers and the decision never format text; they call these. The sticky comment carries a hidden
marker so that the bot finds and edits its one comment instead of adding new ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.config.sandbox import POLICY_REFUSAL
from bot.forges.models import Annotation, PullRequest
from bot.pr.commands import help_text

if TYPE_CHECKING:  # the CLI imports this module; the render engine stays unloaded until a render runs
    from bot.lifecycle.upstream_changes import UpstreamChanges as UpstreamChangesLike
    from bot.render.render_types import RenderOutcome, StepOutcome
    from bot.render.resourcelist import Result
    from bot.upgrade.conflicts import Conflict as ConflictLike

STATUS_MARKER = "<!-- porchbot:status -->"
REPLY_MARKER = "<!-- porchbot:reply -->"  # keeps the parser off the bot's own replies
MAX_RESULTS_LISTED = 50


def _reply(text: str) -> str:
    return f"{REPLY_MARKER}\n{text}"


# -- command replies -------------------------------------------------------------------------------
def help_reply() -> str:
    return _reply(help_text())


def ok_to_render_not_needed() -> str:
    return _reply("`/ok-to-render` is not needed here: Porchbot renders this pull request already.")


def ok_to_render_granted(actor: str, head_sha: str) -> str:
    return _reply(f"@{actor} allowed rendering this pull request: Porchbot renders `{head_sha[:12]}` now, and "
                  "later pushes too. Only allowed function images run; exec functions stay refused.")


def refuse_ok_to_render(actor: str) -> str:
    return _reply(f"@{actor} cannot allow rendering: `/ok-to-render` needs write access to the repository or "
                  "an approver of the package. Ask one of them to comment `/ok-to-render`.")


def acknowledged_unknown(text: str) -> str:
    return _reply(text)


def refuse_closed(pull: PullRequest) -> str:
    return _reply(f"This pull request is {pull.state}, so there is nothing to do. "
                  "Open a new draft with `porchbot rpkg copy` to change the package again.")


def refuse_not_approver(actor: str) -> str:
    return _reply(f"@{actor} is not an approver of this package, so `/approve` was not applied. "
                  "Approvers are listed in the bot's `config/porchbot.yaml` or in an `OWNERS` file "
                  "(`approvers:`) of the package directory or a parent on the base branch; "
                  "ask one of them to comment `/approve`.")


def refuse_author(actor: str) -> str:
    return _reply(f"@{actor}, you opened this pull request, so you cannot approve it yourself. "
                  "Ask another approver to comment `/approve`.")


def refuse_not_proposed() -> str:
    return _reply("This draft is not proposed yet, so it cannot be approved. "
                  "Mark the pull request ready for review or comment `/propose` first.")


def refuse_not_ready(gates: tuple[str, ...]) -> str:
    names = ", ".join(f"`{gate}`" for gate in gates)
    return _reply(f"Readiness conditions not met: the Kptfile's readiness gate {names} is not `True` in "
                  "`status.conditions`, so this cannot be approved. Set the condition (push a change) and "
                  "approve again.")


def refuse_render(state: str | None) -> str:
    if state is None:
        return _reply("The package has no render result for the current head yet, so it cannot be approved. "
                      "Wait for the `porchbot/render` status, or comment `/render`.")
    return _reply(f"The `porchbot/render` status of the current head is **{state}**, so this cannot be "
                  "approved. Fix the package (see the render report above), push, and approve again once "
                  "the status is green.")


def refuse_approvals(have: int, required: int) -> str:
    return _reply(f"This repository needs {required} approvals from approvers other than the author; "
                  f"there are {have}. Ask another approver to review.")


def refuse_moved(seen: str, head: str) -> str:
    seen_text = f"`{seen[:12]}`" if seen else "the head you commented on"
    return _reply(f"The draft moved after your approval ({seen_text} → `{head[:12]}`), so nothing was merged. "
                  f"Review the new head and comment `/approve` again (or `/approve {head}` to name the "
                  "exact head you reviewed).")


def refuse_unmergeable() -> str:
    return _reply("The forge says this pull request cannot be merged (conflicts or branch protection). "
                  "Update the draft from the base branch and try again.")


def refuse_permission(actor: str, command: str) -> str:
    return _reply(f"@{actor} needs write access to this repository to use `/{command}`. "
                  "Ask a maintainer to run it.")


def proposed() -> str:
    return _reply("Proposed: this draft is now waiting for an approver's `/approve`.")


def already_proposed() -> str:
    return _reply("This draft is already proposed. An approver can comment `/approve`.")


def rejected() -> str:
    return _reply("Rejected: the proposal is back to Draft. Push changes to the draft branch, then `/propose`.")


def already_draft() -> str:
    return _reply("This pull request is already a draft. Comment `/propose` when it is ready.")


def already_published(tag: str | None, pull: PullRequest) -> str:
    where = f" and tagged `{tag}`" if tag else ""
    return _reply(f"Already done: this pull request was merged{where}. Nothing more to approve.")


def published(tag: str, merge_sha: str) -> str:
    return _reply(f"Approved and published as `{tag}` (merge commit `{merge_sha[:12]}`); "
                  "the draft branch was deleted.")


def command_failed(command: str, reason: str) -> str:
    return _reply(f"`/{command}` failed: {reason}")


def tag_message(tag: str, actor: str, pull: PullRequest, merged: bool) -> str:
    verb = "Merged" if merged else "Approved"
    return f"{tag}\n\n{verb} by {actor}\nPull request: {pull.url}\n"


def pull_title(package_path: str, workspace: str) -> str:
    return f"{package_path}: {workspace}"


def pull_body(package_path: str, workspace: str) -> str:
    return (f"Draft `{workspace}` of package `{package_path}`, managed by Porchbot.\n\n"
            "Mark it ready for review (or comment `/propose`) to propose it; an approver publishes it "
            "with `/approve`. Comment `/help` for all commands.")


# -- render report -----------------------------------------------------------------------------------
def status_description(ok: bool, changed: bool, error_message: str = "") -> str:
    if not ok and error_message.startswith(POLICY_REFUSAL):
        reasons = [line[2:] for line in error_message.splitlines() if line.startswith("- ")]
        return ("Refused by the function policy: " + (reasons[0] if reasons else ""))[:140]
    if not ok:
        return "The package's Kptfile pipeline failed"
    return "Rendered; the bot committed the output" if changed else "Rendered; nothing to change"


def _result_line(result: Result) -> str:
    severity = result.severity or "info"
    where = ""
    ref = result.resource_ref
    if ref is not None and ref.kind:
        where = f" `{ref.kind}/{ref.name}`"
    if result.file is not None and result.file.path:
        where += f" in `{result.file.path}`"
    message = " ".join(result.message.split())
    return f"- **{severity}**{where}: {message}"


def _step_lines(step: StepOutcome) -> list[str]:
    label = step.image or step.exec or step.name or "function"
    failed = bool(step.exit_code or step.execution_error)
    lines = [f"#### {'❌' if failed else '✅'} `{label}`"]
    lines += [_result_line(result) for result in step.results[:MAX_RESULTS_LISTED]]
    if len(step.results) > MAX_RESULTS_LISTED:
        lines.append(f"- … and {len(step.results) - MAX_RESULTS_LISTED} more results")
    if failed and step.stderr.strip():
        stderr = "\n".join(step.stderr.strip().splitlines()[-20:])
        lines += ["", "```", stderr, "```"]
    if step.execution_error:
        lines.append(f"- error: {' '.join(step.execution_error.split())}")
    return lines


def render_report(head_sha: str, outcome: RenderOutcome, changed: bool,
                  annotations: Sequence[Annotation] = (), list_annotations: bool = False) -> str:
    """The sticky comment: the head it is about, pass/fail, each function with its results."""
    verdict = "✅ **Render succeeded**" if outcome.ok else "❌ **Render failed**"
    lines = [STATUS_MARKER, f"### Porchbot render of `{head_sha[:12]}`", "", verdict]
    if changed:
        lines.append("The bot committed the rendered output as `Rendering package`.")
    if not outcome.ok and outcome.error_message.strip():
        lines += ["", "```", outcome.error_message.strip()[:2000], "```"]
    for step in outcome.steps:
        lines += ["", *_step_lines(step)]
    if list_annotations and annotations:
        lines += ["", "#### Findings"]
        lines += [f"- `{a.path}:{a.start_line}`: {' '.join(a.message.split())}" for a in annotations]
    if not outcome.ok:
        lines += ["", "Fix the package and push to the draft branch; Porchbot renders every push."]
    return "\n".join(lines) + "\n"


def waiting_status_description() -> str:
    return "Waiting for /ok-to-render from someone with write access"


def waiting_for_ok_to_render(head_sha: str, pull: PullRequest) -> str:
    """The sticky comment while an untrusted pull request waits (it carries the status marker)."""
    why = "comes from a fork" if pull.is_fork else f"is by @{pull.author.login}, who has no write access"
    return "\n".join([
        STATUS_MARKER, f"### Porchbot render of `{head_sha[:12]}`", "",
        f"⏸️ **Not rendered yet**: this pull request {why}, and rendering runs the functions its Kptfile "
        "names.", "",
        "Someone with write access (or an approver of the package) can comment `/ok-to-render` to let "
        "Porchbot render it."]) + "\n"


def job_failed(reason: str) -> str:
    return _reply(f"Porchbot could not finish its work on this pull request: {reason[:500]}\n\n"
                  "Push again or comment `/render` to retry.")


def check_run_summary(outcome: RenderOutcome) -> tuple[str, str]:
    title = "Render succeeded" if outcome.ok else "Render failed"
    count = sum(len(step.results) for step in outcome.steps)
    return title, f"{len(outcome.steps)} functions ran; {count} results."


def not_a_draft(branch: str) -> str:
    return _reply(f"Porchbot manages pull requests from `drafts/<package>/<workspace>` branches; "
                  f"`{branch}` is not one, so the command was not applied.")


# -- upgrades --------------------------------------------------------------------------------------------
UPGRADE_MARKER = "<!-- porchbot:upgrade -->"  # finds an upgrade PR's body; the conflicts follow as JSON
CONFLICTS_MARKER = "porchbot:conflicts"


def upgrade_title(package_path: str, old_upstream: str, new_upstream: str) -> str:
    return f"{package_path}: upgrade {old_upstream} → {new_upstream}"


def _listed(items: Sequence[str], none: str) -> list[str]:
    return [f"- {item}" for item in items] if items else [f"- {none}"]


def _shown(value: object) -> str:
    return "*(absent)*" if value is None else f"`{value}`"


def upgrade_body(package_path: str, workspace: str, old_upstream: str, new_upstream: str, strategy: str,
                 changes: UpstreamChangesLike, conflicts: Sequence[ConflictLike], conflicts_json: str) -> str:
    lines = [UPGRADE_MARKER,
             f"Upgrade of `{package_path}` from upstream `{old_upstream}` to `{new_upstream}` "
             f"(strategy `{strategy}`), as Draft `{workspace}`.", "",
             "### What changed upstream", "", "Added:", *_listed(changes.added, "nothing"),
             "", "Changed:", *_listed(changes.changed, "nothing"), "", "Removed:", *_listed(changes.removed, "nothing"),
             "", "### Conflicts: customisations upstream overrode or kept", ""]
    if not conflicts:
        lines.append("None: no customisation of this package was overwritten.")
    else:
        lines += ["| kind | file | resource | field | downstream | old upstream | new upstream |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {c.kind.value} | `{c.file}`{f':{c.line}' if c.line else ''} | {c.resource} | "
                  f"`{c.path or '-'}` | {_shown(c.downstream)} | {_shown(c.old_upstream)} | {_shown(c.new_upstream)} |"
                  for c in conflicts]
    lines += ["", "Review the diff, then mark it ready (or comment `/propose`); an approver publishes it with "
              "`/approve`.", f"<!-- {CONFLICTS_MARKER} {conflicts_json} -->"]
    return "\n".join(lines)


def upgrade_moved(old_upstream: str, new_upstream: str) -> str:
    return _reply(f"Upstream published `{new_upstream}`: Porchbot moved this upgrade from `{old_upstream}` to it "
                  "(the description lists the changes and conflicts again). Review the new diff.")
