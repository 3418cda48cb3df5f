"""The checks a variant needs beyond its own file: its repositories are registered, its upstream exists
(the package has the published revision it asks for), no two variants make one downstream, and no variant
is (through others) its own upstream. Each problem names the file and the field."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.lifecycle.variants.fields import VariantError
from bot.lifecycle.variants.files import VariantFiles
from bot.lifecycle.variants.spec import PackageVariant

# (repository, package) → the published revision numbers of that package ([] when it has none)
PublishedLookup = Callable[[str, str], list[int]]


def _cycle(variants: Iterable[PackageVariant]) -> PackageVariant | None:
    """A variant on a cycle of upstream → downstream edges (a self-loop included), or None."""
    edges: dict[tuple[str, str], list[PackageVariant]] = {}
    for variant in variants:
        edges.setdefault((variant.upstream_repo, variant.upstream_package), []).append(variant)
    state: dict[tuple[str, str], int] = {}  # 1: on the current path, 2: done

    def visit(node: tuple[str, str]) -> PackageVariant | None:
        state[node] = 1
        for variant in edges.get(node, []):
            child = (variant.downstream_repo, variant.downstream_package)
            if state.get(child) == 1:
                return variant
            if child not in state:
                found = visit(child)
                if found is not None:
                    return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found is not None:
                return found
    return None


def check(files: VariantFiles, registered: Iterable[str], published: PublishedLookup) -> list[VariantError]:
    """Every problem of ``files`` (its parse errors first); [] when it can be reconciled."""
    errors = list(files.errors)
    names = set(registered)
    seen_names: dict[str, str] = {}
    seen_downstreams: dict[tuple[str, str], str] = {}
    usable = []
    for variant in files.variants:
        if variant.name in seen_names:
            errors.append(VariantError(variant.file, "metadata.name",
                                       f"{variant.name!r} is also declared in {seen_names[variant.name]}"))
            continue
        seen_names[variant.name] = variant.file
        field = "spec.template.downstream" if variant.from_set else "spec.downstream"
        if variant.downstream_repo not in names:
            errors.append(VariantError(variant.file, f"{field}.repo", f"repository {variant.downstream_repo!r} "
                                       "is not registered (the downstream must be in a registered repository)"))
            continue
        downstream = (variant.downstream_repo, variant.downstream_package)
        if downstream in seen_downstreams:
            errors.append(VariantError(variant.file, f"{field}.package", f"{variant.downstream_repo}/"
                                       f"{variant.downstream_package} is already the downstream of "
                                       f"{seen_downstreams[downstream]}"))
            continue
        seen_downstreams[downstream] = variant.name
        if variant.upstream_repo not in names:
            errors.append(VariantError(variant.file, "spec.upstream.repo",
                                       f"upstream repository {variant.upstream_repo!r} is not registered"))
            continue
        usable.append(variant)
    cyclic = _cycle(usable)
    if cyclic is not None:
        errors.append(VariantError(cyclic.file, "spec.upstream", f"cycle: {cyclic.downstream_repo}/"
                                   f"{cyclic.downstream_package} would be its own upstream (variant {cyclic.name})"))
        return errors
    for variant in usable:
        numbers = published(variant.upstream_repo, variant.upstream_package)
        if not numbers:
            errors.append(VariantError(variant.file, "spec.upstream.package", f"upstream package "
                                       f"{variant.upstream_package!r} has no published revision in "
                                       f"repository {variant.upstream_repo!r}"))
        elif variant.upstream_revision and variant.upstream_revision not in numbers:
            errors.append(VariantError(variant.file, "spec.upstream.revision", f"upstream package "
                                       f"{variant.upstream_package!r} has no revision v{variant.upstream_revision}"))
    return errors
