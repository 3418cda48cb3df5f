"""The entrypoint of our KRM function image: ``python3 -m bot.render.fnmain``.

The image is tagged under catalog names (``gcr.io/kpt-fn/set-namespace:v0.4.1``...), each tag a tiny
derived image whose environment says which builtin to run: ``PORCHBOT_FUNCTION`` (the catalog short
name) and ``PORCHBOT_FUNCTION_TAG`` (the tag, since released tags behave differently). It speaks the
KRM function protocol exactly as the catalog image does: a ResourceList on stdin, the ResourceList
with results on stdout, and on failure the function's own stderr text and its exit code.
"""

from __future__ import annotations

import os
import sys
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from bot.render.functions.registry import FunctionRegistry

ENV_FUNCTION = "PORCHBOT_FUNCTION"
ENV_TAG = "PORCHBOT_FUNCTION_TAG"


def run(stdin: TextIO, stdout: TextIO, stderr: TextIO, environ: dict[str, str] | os._Environ[str],
        builtins: FunctionRegistry | None = None) -> int:
    """One function call; ``builtins`` is the registry to find the function in (the catalog's by default)."""
    from bot.errors import PorchbotError
    from bot.render.functions.registry import CATALOG, DEFAULT_IMAGE_PREFIX
    from bot.render.resourcelist_wire import decode_resource_list, encode_resource_list
    from bot.render.runtimes.base import FunctionError

    registry = builtins or CATALOG
    name = environ.get(ENV_FUNCTION, "")
    tag = environ.get(ENV_TAG, "") or "latest"
    if not name:
        names = ", ".join(sorted({f.name for f in registry.all()}))
        stderr.write(f"{ENV_FUNCTION} is not set: this image runs one of: {names}\n")
        return 1
    function = registry.lookup(f"{DEFAULT_IMAGE_PREFIX}/{name}:{tag}")
    if function is None:
        stderr.write(f"no builtin reproduces {name}:{tag} in this image\n")
        return 1
    try:
        resource_list = decode_resource_list(stdin.read())
    except PorchbotError as err:
        stderr.write(f"failed to read the input ResourceList: {err}\n")
        return 1
    try:
        with _container_context(function.run):
            function.run(resource_list)
    except FunctionError as err:
        # The catalog functions still print the list (with its error results) before exiting.
        stdout.write(encode_resource_list(err.output or resource_list))
        # Only the stderr the builtin models: a catalog image that fails with results alone prints none.
        if err.stderr:
            _write_line(stderr, err.stderr)
        return err.exit_code or 1
    except Exception as err:  # a bug in a builtin: the same stderr the builtin runtime records
        stdout.write(encode_resource_list(resource_list))
        _write_line(stderr, f"{type(err).__name__}: {err}")
        return 1
    stdout.write(encode_resource_list(resource_list))
    # What the function printed although it succeeded (starlark's print()): kpt keeps it.
    if resource_list.stderr:
        _write_line(stderr, resource_list.stderr)
    return 0


def _write_line(stream: TextIO, text: str) -> None:
    stream.write(text if text.endswith("\n") else text + "\n")


def _container_context(run_function: object) -> AbstractContextManager[object]:
    """A function module may declare what it sees inside a container (``CONTAINER_MOUNTS`` given to
    its ``mounted()``): docker did the mounting, so the whole container filesystem is fair game."""
    module = sys.modules.get(getattr(run_function, "__module__", "") or "")
    mounts = getattr(module, "CONTAINER_MOUNTS", None)
    mounted = getattr(module, "mounted", None)
    if mounts is not None and callable(mounted):
        context: AbstractContextManager[object] = mounted(mounts)
        return context
    return nullcontext()


def main() -> None:
    sys.exit(run(sys.stdin, sys.stdout, sys.stderr, os.environ))


if __name__ == "__main__":
    main()
