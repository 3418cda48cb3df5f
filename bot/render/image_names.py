"""Image-name helpers the render engine shares with the console and status output."""

from __future__ import annotations

from bot.config.settings import current_settings
from bot.render.functions.registry import DEFAULT_IMAGE_PREFIX, FunctionRegistry, parse_image, resolve_image


def function_short_name(image: str) -> str:
    return parse_image(image).name if image else ""


def resolved_image(image: str) -> str:
    """kpt's resolution: ``$KPT_IMAGE_PREFIX`` (or the catalog) for short names, ``:latest`` when untagged."""
    return resolve_image(image, current_settings().kpt_image_prefix or DEFAULT_IMAGE_PREFIX)


def _local_image_tags(repository: str) -> list[str]:
    try:
        import docker

        client = docker.from_env()
        images = client.images.list(name=repository)
    except Exception:
        return []
    tags: list[str] = []
    for image in images:
        for ref in image.tags:
            repo, _, tag = ref.rpartition(":")
            if repo == repository:
                tags.append(tag)
    return tags


def step_image(image: str, tag_constraint: str, runtime: str, builtins: FunctionRegistry) -> str:
    """The image a step runs: ``tag:`` (a semver constraint) resolved against the tags we can run
    (``builtins``' registrations, and the images docker has)."""
    from bot.render.render_errors import PlainError
    from bot.render.semver import best_tag

    if not tag_constraint:
        return resolved_image(image)
    base = resolved_image(image)
    repository = base.rsplit(":", 1)[0] if ":" in base.rsplit("/", 1)[-1] else base
    tags: list[str] = []
    if runtime in ("auto", "builtin"):
        short = function_short_name(repository)
        tags.extend(t for f in builtins.all() if f.name == short for t in f.tags if not t.startswith("^"))
    if runtime in ("auto", "docker"):
        tags.extend(_local_image_tags(repository))
    best = best_tag(tag_constraint, tags)
    if best is None:
        raise PlainError(f"no tag of {repository} satisfies the constraint {tag_constraint!r}")
    return f"{repository}:{best}"
