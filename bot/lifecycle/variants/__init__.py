"""Porch's PackageVariant and PackageVariantSet, declared as YAML files in git and reconciled by the bot.

Forge-neutral: parsing and validation (spec, sets, validate), reading the files from a repository's branch
(files), the changes a variant makes to a downstream package (mutate, injection), and the git side of the
reconciler (reconcile). PRs, statuses and the trigger live in bot/pr/variants_*.py and
bot/handlers/variants_handler.py.
"""
