"""The offline image builder: what goes into the function image, and that a rebuild is a no-op."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.render.functions.registry import all_functions, lookup
from tests.images.catalog import LABEL_FUNCTION, LABEL_TAG, wanted_images
from tests.images.closure import function_roots, import_closure
from tests.images.common import PROJECT_DIR


def test_closure_carries_the_entrypoint_and_every_function_module() -> None:
    closure = import_closure(PROJECT_DIR, function_roots(PROJECT_DIR))
    copied = {str(path) for path in closure.files}
    assert {"bot/__init__.py", "bot/render/fnmain.py", "bot/render/resourcelist_wire.py",
            "bot/render/functions/registry.py"} <= copied
    for module in (PROJECT_DIR / "bot" / "render" / "functions").glob("*.py"):
        assert str(module.relative_to(PROJECT_DIR)) in copied
    # The server side of the bot has no business in a function container.
    assert not any(path.startswith(("bot/forges/", "bot/lifecycle/", "bot/cli/")) for path in copied)


def test_closure_follows_lazy_and_relative_imports_but_not_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "bot"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "entry.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from .sub import helper\n"
        "if TYPE_CHECKING:\n    from bot import typing_only\n    import pydantic\n"
        "def run():\n    import bot.lazy\n    import yaml, starlark\n")
    (package / "sub" / "helper.py").write_text("import json\n")
    (package / "lazy.py").write_text("")
    (package / "typing_only.py").write_text("")
    closure = import_closure(tmp_path, ["bot.entry"])
    assert {str(p) for p in closure.files} == {"bot/__init__.py", "bot/entry.py", "bot/sub/__init__.py",
                                               "bot/sub/helper.py", "bot/lazy.py"}
    assert closure.third_party == {"yaml", "starlark"}


def test_every_catalog_name_answers_with_its_own_registration() -> None:
    wanted = wanted_images()
    assert {name for name, _tag in wanted} == {f.name for f in all_functions()}
    for (name, _tag), image_names in wanted.items():
        registrations = {id(lookup(image)) for image in image_names}
        assert len(registrations) == 1, f"{name}: names answered by different builtins: {image_names}"
        assert all(lookup(image) is not None for image in image_names)


@pytest.mark.docker
def test_rebuild_without_changes_is_fast_and_keeps_the_images(docker_engine: Any, built_images: None) -> None:
    from tests.images.base import BASE_IMAGE
    from tests.images.build import build_all
    from tests.images.krmfn import FUNCTION_IMAGE, source_hash

    # Others may edit bot/render while this runs (a real rebuild then): judge a quiet round only.
    for _attempt in range(3):
        hash_before = source_hash(docker_engine, BASE_IMAGE)[0]
        build_all(docker_engine)
        before = docker_engine.api.inspect_image(FUNCTION_IMAGE)["Id"]
        started = time.monotonic()
        build_all(docker_engine)
        elapsed = time.monotonic() - started
        if source_hash(docker_engine, BASE_IMAGE)[0] != hash_before:
            continue
        assert elapsed < 10
        assert docker_engine.api.inspect_image(FUNCTION_IMAGE)["Id"] == before
        return
    pytest.skip("bot/render kept changing during the test")


@pytest.mark.docker
def test_catalog_images_carry_the_function_they_run(docker_engine: Any, built_images: None) -> None:
    for (name, tag), image_names in wanted_images().items():
        for image_name in image_names:
            config = docker_engine.api.inspect_image(image_name)["Config"]
            assert config["Labels"][LABEL_FUNCTION] == name
            assert config["Labels"][LABEL_TAG] == tag
            assert f"PORCHBOT_FUNCTION={name}" in config["Env"]
            assert f"PORCHBOT_FUNCTION_TAG={tag}" in config["Env"]
