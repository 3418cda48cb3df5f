"""The lifecycle decision: all state in, actions out. Pure: no forge, no git, no clock.

The caller gathers a `DraftState` (the PR as the forge has it now, the render status of its head, who
may approve) and an `Intent` (a slash command, a CLI verb, or a PR event); `decide` says what to do.
Refusals are `Reply` actions carrying the reason and the next step, rendered by `bot.pr.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.forges.models import Permission, PullRequest, StatusState
from bot.pr import messages

IntentKind = Literal["approve", "reject", "propose", "render", "help", "ok-to-render", "merged"]


@dataclass(frozen=True)
class DraftState:
    pull: PullRequest
    render_state: StatusState | None  # porchbot/render on the PR head; None when not reported yet
    approvers: frozenset[str] = frozenset()
    approvals: frozenset[str] = frozenset()  # logins with a current approval on the PR
    required_approvals: int = 0
    published_tag: str | None = None  # the tag already on the merge commit, when merged
    draft_branch_left: bool = False  # merged and tagged, but the draft branch is still there (a crash)
    needs_ok_to_render: bool = False  # from a fork or by an author without write access (bot.handlers.trust)
    unmet_gates: tuple[str, ...] = ()  # readiness gates of the head's Kptfile not True (bot.lifecycle.readiness)


@dataclass(frozen=True)
class Intent:
    kind: IntentKind
    actor: str
    permission: Permission = Permission.NONE
    seen_sha: str | None = None  # the head the actor saw (approve)
    moved_after_comment: bool = False  # the head changed after the actor commented


@dataclass(frozen=True)
class Reply:
    text: str
    refusal: bool = False


@dataclass(frozen=True)
class MarkReady:
    pass


@dataclass(frozen=True)
class ConvertToDraft:
    pass


@dataclass(frozen=True)
class Render:
    pass


@dataclass(frozen=True)
class MergeAndPublish:
    head_sha: str
    approver: str


@dataclass(frozen=True)
class Publish:
    merge_sha: str
    merged_by: str


Action = Reply | MarkReady | ConvertToDraft | Render | MergeAndPublish | Publish


def _refuse(text: str) -> list[Action]:
    return [Reply(text, refusal=True)]


def _can_write(intent: Intent, pull: PullRequest) -> bool:
    return intent.permission.at_least(Permission.WRITE) or intent.actor.lower() == pull.author.login.lower()


def decide_approve(state: DraftState, intent: Intent) -> list[Action]:
    pull, actor = state.pull, intent.actor.lower()
    if pull.merged:
        reply = Reply(messages.already_published(state.published_tag, pull))
        if (state.published_tag is None or state.draft_branch_left) and pull.merge_commit_sha:
            # Merged but never tagged (a worker died in between): finish the publication now.
            merged_by = pull.merged_by.login if pull.merged_by else intent.actor
            return [Publish(merge_sha=pull.merge_commit_sha, merged_by=merged_by), reply]
        return [reply]
    if not pull.is_open:
        return _refuse(messages.refuse_closed(pull))
    if actor not in state.approvers:
        return _refuse(messages.refuse_not_approver(intent.actor))
    if actor == pull.author.login.lower():
        return _refuse(messages.refuse_author(intent.actor))
    if pull.draft:
        return _refuse(messages.refuse_not_proposed())
    if state.render_state != "success":
        return _refuse(messages.refuse_render(state.render_state))
    if state.unmet_gates:
        return _refuse(messages.refuse_not_ready(state.unmet_gates))
    # The /approve itself counts, with the forge approvals of other approvers (never the author's).
    counted = ({login for login in state.approvals if login in state.approvers} | {actor}) - {
        pull.author.login.lower()}
    if len(counted) < state.required_approvals:
        return _refuse(messages.refuse_approvals(len(counted), state.required_approvals))
    if intent.moved_after_comment or (intent.seen_sha and intent.seen_sha != pull.head_sha):
        return _refuse(messages.refuse_moved(intent.seen_sha or "", pull.head_sha))
    if pull.mergeable is False:
        return _refuse(messages.refuse_unmergeable())
    return [MergeAndPublish(head_sha=intent.seen_sha or pull.head_sha, approver=intent.actor)]


def decide_ok_to_render(state: DraftState, intent: Intent) -> list[Action]:
    pull = state.pull
    if not pull.is_open:
        return _refuse(messages.refuse_closed(pull))
    if not state.needs_ok_to_render:
        return [Reply(messages.ok_to_render_not_needed())]
    if not (intent.permission.at_least(Permission.WRITE) or intent.actor.lower() in state.approvers) or \
            intent.actor.lower() == pull.author.login.lower():
        return _refuse(messages.refuse_ok_to_render(intent.actor))
    return [Reply(messages.ok_to_render_granted(intent.actor, pull.head_sha)), Render()]


def decide(state: DraftState, intent: Intent) -> list[Action]:
    pull = state.pull
    if intent.kind == "help":
        return [Reply(messages.help_reply())]
    if intent.kind == "ok-to-render":
        return decide_ok_to_render(state, intent)
    if intent.kind == "approve":
        return decide_approve(state, intent)
    if intent.kind == "merged":
        if not pull.merged or not pull.merge_commit_sha:
            return []
        if state.published_tag and not state.draft_branch_left:
            return []  # tagged already (the bot merged it, or this delivery came twice)
        return [Publish(merge_sha=pull.merge_commit_sha, merged_by=intent.actor)]
    if not pull.is_open:
        return _refuse(messages.refuse_closed(pull))
    if not _can_write(intent, pull):
        return _refuse(messages.refuse_permission(intent.actor, intent.kind))
    if intent.kind == "propose":
        return [MarkReady(), Reply(messages.proposed())] if pull.draft else [Reply(messages.already_proposed())]
    if intent.kind == "reject":
        return [ConvertToDraft(), Reply(messages.rejected())] if not pull.draft else [
            Reply(messages.already_draft())]
    return [Render()]
