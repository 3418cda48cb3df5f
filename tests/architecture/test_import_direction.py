"""bot/'s imports point one way: entry points (cli, web) → handlers → pr → forges → lifecycle → upgrade →
render, with queue, config, observability and errors beneath whoever needs them. Lazy imports count."""

from __future__ import annotations

import pytest

from tests.architecture.import_graph import cycles, import_graph

# Each package of bot/ and the packages it may import. Anything not listed is against the direction.
ALLOWED: dict[str, set[str]] = {
    "cli": {"web", "handlers", "pr", "forges", "lifecycle", "upgrade", "render", "queue", "config",
            "observability", "errors"},
    "web": {"handlers", "pr", "forges", "lifecycle", "render", "queue", "config", "observability", "errors"},
    "handlers": {"pr", "forges", "lifecycle", "upgrade", "render", "queue", "config", "observability", "errors"},
    "pr": {"forges", "lifecycle", "upgrade", "render", "queue", "config", "observability", "errors"},
    "forges": {"lifecycle", "config", "observability", "errors"},
    "lifecycle": {"upgrade", "render", "config", "observability", "errors"},
    "upgrade": {"render", "config", "observability", "errors"},
    "render": {"config", "observability", "errors"},
    "queue": {"config", "observability", "errors"},
    "observability": {"config", "errors"},
    "config": {"errors"},
    "errors": set(),
}


def _package(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def test_every_package_of_bot_has_a_declared_place() -> None:
    packages = {_package(module) for module in import_graph() if module != "bot"}
    assert packages <= set(ALLOWED), f"declare where these sit in ALLOWED: {sorted(packages - set(ALLOWED))}"


def test_no_import_cycles() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles in bot/:\n" + "\n".join(" <-> ".join(cycle) for cycle in found)


def test_imports_follow_the_declared_direction() -> None:
    against = sorted(
        f"{module} -> {target}"
        for module, targets in import_graph().items() if module != "bot"
        for target in targets
        if _package(target) != _package(module) and _package(target) not in ALLOWED.get(_package(module), set())
    )
    assert not against, "imports against the declared direction:\n" + "\n".join(against)


@pytest.mark.parametrize(("source", "imported"), [
    pytest.param("from bot.handlers.slash import parse_comment\n", "bot.handlers.slash", id="from-import"),
    pytest.param("def lazy():\n    import bot.handlers.slash\n", "bot.handlers.slash", id="lazy-import"),
    pytest.param("from bot.handlers import slash\n", "bot.handlers.slash", id="module-from-package"),
])
def test_the_graph_sees_every_form_of_import(tmp_path: object, source: str, imported: str) -> None:
    """The checker itself: an upward import of each form is found (else the direction test proves nothing)."""
    from pathlib import Path

    from tests.architecture import import_graph as graph_module

    modules = graph_module.bot_modules()
    probe = Path(str(tmp_path)) / "probe.py"
    probe.write_text(source)
    assert imported in graph_module.imports_of("bot.lifecycle.probe", probe, modules)
