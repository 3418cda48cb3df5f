"""When variants are reconciled: on every push to a registered repository's branch (its variant files may
have changed, or a repository's labels since the last time), and after every upstream release. A push to
any other branch that is not a Draft — a person's change under review — gets its variant files checked: a
``porchbot/variants`` status on its head (failed with ``file: field: why``, and a comment on its PR), and
nothing is created from a branch under review."""

from __future__ import annotations

import logging

from bot.errors import PorchbotError
from bot.handlers.context import BotContext
from bot.lifecycle.repositories import Repository
from bot.lifecycle.variants.files import folder_tree
from bot.lifecycle.variants.state import load_known
from bot.pr import variants_messages as text
from bot.pr.variants_reconcile import Reconciled, load, reconcile_owner, retrying

log = logging.getLogger("porchbot.variants")


def _report(ctx: BotContext, repository: Repository, done: Reconciled) -> None:
    for outcome in done.outcomes:
        if outcome.action == "failed":
            log.warning("variant not reconciled", extra={"repo": repository.name,
                                                        "reason": f"{outcome.variant}: {outcome.reason}"[:300]})
    for error in done.errors:
        log.warning("variant file refused", extra={"repo": repository.name, "reason": str(error)[:300]})
    if repository.forge_backed and done.commit and (done.count or done.errors):
        ctx.forge(repository).set_commit_status(done.commit, "failure" if done.errors else "success",
                                                text.STATUS_CONTEXT,
                                                text.status_description(done.errors, done.count))


def reconcile_repository(ctx: BotContext, repository: Repository) -> Reconciled:
    done = reconcile_owner(ctx.engine, ctx.forge, ctx.git, ctx.config, repository.name)
    _report(ctx, repository, done)
    return done


def reconcile_on_push(ctx: BotContext, repository: Repository) -> Reconciled | None:
    """After a push to the repository's own branch: its variants, if it declares (or declared) any."""
    def probe() -> bool:
        with ctx.git(repository) as cache:
            return folder_tree(cache, cache.git.rev_parse(f"refs/heads/{repository.branch}")) is not None

    has_folder = retrying(probe)
    if not has_folder and not load_known(ctx.engine, repository.name):
        return None
    return reconcile_repository(ctx, repository)


def reconcile_after_release(ctx: BotContext) -> list[Reconciled]:
    """Every repository that holds reconciled variants: an upstream may have moved under them."""
    done = []
    for name, repository in sorted(ctx.engine.repositories().items()):
        if load_known(ctx.engine, name):
            try:
                done.append(reconcile_repository(ctx, repository))
            except PorchbotError as err:  # one repository's failure does not stop the others
                log.warning("variants not reconciled", extra={"repo": name, "reason": str(err)[:300]})
    return done


def check_branch(ctx: BotContext, repository: Repository, branch: str) -> bool | None:
    """Check the variant files a branch under review changes; None when it changes none."""
    def changed() -> str | None:
        with ctx.git(repository) as cache:
            head = cache.git.rev_parse(f"refs/heads/{branch}")
            base = cache.git.rev_parse(f"refs/heads/{repository.branch}")
            return None if head is None or folder_tree(cache, head) == folder_tree(cache, base) else head

    head = retrying(changed)
    if head is None:
        return None
    files, errors, _ = retrying(lambda: load(ctx.engine, ctx.git, repository.name, head))
    if not repository.forge_backed:
        return not errors
    forge = ctx.forge(repository)
    already = forge.get_combined_status(head).get(text.STATUS_CONTEXT)
    forge.set_commit_status(head, "failure" if errors else "success", text.STATUS_CONTEXT,
                            text.status_description(errors, len(files.variants)))
    pull = forge.find_pull_request(branch, repository.branch)
    if errors and pull is not None and (already is None or already.state != "failure"):
        forge.create_comment(pull.number, text.errors_comment(errors))
    log.info("variant files checked", extra={"repo": repository.name, "reason": f"{branch}: {len(errors)} problems"})
    return not errors
