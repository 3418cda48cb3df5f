"""What a person reads about package variants: the PR of a variant's Draft, its comments, the status on a
change to variant files."""

from __future__ import annotations

from collections.abc import Sequence

from bot.lifecycle.variants.fields import VariantError
from bot.lifecycle.variants.spec import PackageVariant
from bot.pr.messages import REPLY_MARKER

VARIANT_MARKER = "<!-- porchbot:variant"
STATUS_CONTEXT = "porchbot/variants"
LABEL = "porchbot/variant"


def pull_title(variant: PackageVariant, package_path: str, upstream_tag: str) -> str:
    return f"{package_path}: variant {variant.name} of {upstream_tag}"


def pull_body(variant: PackageVariant, package_path: str, workspace: str, upstream_tag: str, spec: str) -> str:
    context = ", ".join(f"`{k}={v}`" for k, v in sorted(variant.context_data.items())) or "none"
    lines = [f"{VARIANT_MARKER} {variant.key} -->",
             f"Package variant **{variant.name}** (declared in `{variant.file}`"
             f"{f', set `{variant.from_set}`' if variant.from_set else ''}): `{package_path}` in repository "
             f"`{variant.downstream_repo}` from upstream `{upstream_tag}`, as Draft `{workspace}`.", "",
             f"- package context: {context}",
             f"- removed context keys: {', '.join(variant.context_remove) or 'none'}",
             f"- labels: {', '.join(f'`{k}={v}`' for k, v in sorted(variant.labels.items())) or 'none'}",
             f"- annotations: {', '.join(f'`{k}={v}`' for k, v in sorted(variant.annotations.items())) or 'none'}",
             f"- pipeline functions added: {len(variant.mutators)} mutators, {len(variant.validators)} validators",
             f"- injectors: {', '.join(i.name for i in variant.injectors) or 'none'}",
             f"- spec: `{spec}`", "",
             "Porchbot keeps this Draft in step with the variant: edit the variant file to change it. Review the "
             "diff, then mark it ready (or comment `/propose`); an approver publishes it with `/approve`."]
    return "\n".join(lines)


def spec_applied(variant: PackageVariant, spec: str) -> str:
    return f"{REPLY_MARKER}\nThe spec of package variant **{variant.name}** changed (`{variant.file}`): " \
           f"Porchbot applied it to this Draft (spec `{spec}`)."


def upstream_moved(variant: PackageVariant, old: str, new: str) -> str:
    return f"{REPLY_MARKER}\nUpstream published `{new}`: Porchbot moved this Draft of package variant " \
           f"**{variant.name}** from `{old}` to it."


def variant_removed(name: str, file: str, policy: str) -> str:
    what = "closed this Draft and deleted its branch" if policy == "delete" else "left this Draft (orphan)"
    return f"{REPLY_MARKER}\nPackage variant **{name}** is no longer declared (`{file}`): following its " \
           f"deletionPolicy `{policy}`, Porchbot {what}."


def status_description(errors: Sequence[VariantError], count: int) -> str:
    if not errors:
        return f"{count} package variant{'s' if count != 1 else ''}: valid"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{errors[0]}{more}"[:140]


def errors_comment(errors: Sequence[VariantError]) -> str:
    lines = [f"{REPLY_MARKER}\n{VARIANT_MARKER} errors -->", "Porchbot cannot reconcile these variant files; "
             "nothing was created:", ""]
    lines += [f"- `{e.file}`: `{e.field or '-'}`: {e.why}" for e in errors]
    return "\n".join(lines)
