"""Which catalog images (and which of their tags) a builtin implementation reproduces.

Released tags behave differently (see conformance/functions/SPECS.md "Version deltas"), so a
builtin is registered per (name, tag set). ``lookup`` returns None for an image/tag we do not
reproduce, and ``--runtime auto`` then falls back to docker rather than giving different output.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from bot.render.functions import _releases
from bot.render.resourcelist import ResourceList

CATALOG_PREFIXES = ("gcr.io/kpt-fn/", "ghcr.io/kptdev/krm-functions-catalog/")
DEFAULT_IMAGE_PREFIX = "ghcr.io/kptdev/krm-functions-catalog"

BuiltinRun = Callable[[ResourceList], None]


@dataclass(frozen=True)
class BuiltinFunction:
    name: str  # catalog short name, e.g. "set-namespace"
    description: str
    # Tags reproduced: exact strings ("v0.4.1", "latest", "unstable") or regexes wrapped in ^...$.
    tags: tuple[str, ...]
    run: BuiltinRun
    # Optional: False when this call (its functionConfig and items) needs something the builtin lacks
    # (kubeval: a CRD schema only the image has), so ``--runtime auto`` runs the image instead.
    reproduces: Callable[[ResourceList], bool] | None = None

    def matches_tag(self, tag: str) -> bool:
        for pattern in self.tags:
            if pattern.startswith("^"):
                if re.match(pattern, tag):
                    return True
            elif pattern == tag:
                return True
        return False


@dataclass(frozen=True)
class ImageRef:
    name: str  # short name: last path segment without tag/digest
    tag: str  # "" when only a digest is given
    digest: str
    catalog: bool  # under a catalog prefix (or bare name)


def parse_image(image: str) -> ImageRef:
    rest = image
    digest = ""
    if "@" in rest:
        rest, digest = rest.split("@", 1)
    tag = ""
    last = rest.rsplit("/", 1)[-1]
    if ":" in last:
        tag = last.split(":", 1)[1]
        rest = rest[: len(rest) - len(tag) - 1]
    short = rest.rsplit("/", 1)[-1]
    catalog = "/" not in rest or any(rest + "/" == p + short + "/" or rest.startswith(p) for p in CATALOG_PREFIXES)
    if not tag and not digest:
        tag = "latest"
    return ImageRef(name=short, tag=tag, digest=digest, catalog=catalog)


def resolve_image(image: str, prefix: str = DEFAULT_IMAGE_PREFIX) -> str:
    """kpt's resolution: short names get the catalog prefix; no tag or digest gets ``:latest``."""
    resolved = image if "/" in image else f"{prefix}/{image}"
    last = resolved.rsplit("/", 1)[-1]
    if "@" not in resolved and ":" not in last:
        resolved += ":latest"
    return resolved


def short_tag_note(name: str, tags: tuple[str, ...]) -> str:
    """`` (also v0.4, v0 on gcr.io/kpt-fn)``: the short tags that pull one of ``tags`` today and are
    not listed among them, for the description ``fn list`` shows."""
    by_registry: dict[str, list[str]] = {}
    for release in tags:
        for entry in _releases.short_tags(name, release):
            registry, short = entry.rsplit(":", 1)
            if short not in tags:
                by_registry.setdefault(registry, []).append(short)
    grouped: dict[tuple[str, ...], list[str]] = {}
    for registry, shorts in by_registry.items():
        grouped.setdefault(tuple(shorts), []).append(registry)
    shown = [f"{', '.join(shorts)} on {' and '.join(registries)}" for shorts, registries in grouped.items()]
    return f" (also {'; '.join(shown)})" if shown else ""


# Module per catalog name where it is not the name with '-' -> '_' (a module called ``starlark``
# would shadow the starlark-pyo3 package).
_MODULE_NAMES = {"starlark": "starlark_fn"}


class FunctionRegistry:
    """Builtins by catalog name and tag: what the builtin runtime, ``--runtime auto`` and the function
    image's entrypoint look images up in.

    ``CATALOG`` (below) is the one they use unless given another: each function module adds its
    builtins with ``register`` when imported, and a lookup imports only the module of the name looked
    up (``porchbot fn render`` should not pay for all of them). A test passes a registry of its own:
    ``CATALOG.only(name, ...)`` or ``FunctionRegistry([...])``.
    """

    def __init__(self, functions: Iterable[BuiltinFunction] = (), *, imports_modules: bool = False) -> None:
        self._functions = list(functions)
        self._imports_modules = imports_modules
        self._loaded_all = False
        self._loaded_modules: set[str] = set()  # marked once imported: a thread that sees the mark finds them
        # Held while a module is imported: the bot renders in several threads at once, and a thread that
        # found a module marked before its builtins registered ran the step on docker (or failed) instead.
        self._loading = threading.RLock()

    def add(self, function: BuiltinFunction) -> BuiltinFunction:
        self._functions.append(function)
        return function

    def all(self) -> list[BuiltinFunction]:
        self._load_all()
        return list(self._functions)

    def only(self, *names: str) -> FunctionRegistry:
        """A registry of just these catalog names' builtins (only their modules are imported)."""
        for name in names:
            self._load_module_for(name)
        return FunctionRegistry(f for f in self._functions if f.name in names)

    def lookup(self, image: str) -> BuiltinFunction | None:
        """The builtin reproducing ``image``. A short tag (``v0.4``) the registrations do not list is
        read as the registry reads it: the newest ``v0.4.Z`` on the registry the name pulls from."""
        ref = parse_image(image)
        if not ref.catalog or not ref.tag:
            return None
        self._load_module_for(ref.name)
        found = self._matching(ref.name, ref.tag)
        if found is None and _releases.is_short_tag(ref.tag):
            release = _releases.resolve_short_tag(ref.name, ref.tag, _releases.registry_of(image))
            found = self._matching(ref.name, release) if release else None
        return found

    def _matching(self, name: str, tag: str) -> BuiltinFunction | None:
        for function in self._functions:
            if function.name == name and function.matches_tag(tag):
                return function
        return None

    def _load_module_for(self, name: str) -> None:
        """Import only the module of one function (importing it registers its builtins here)."""
        if not self._imports_modules or self._loaded_all:
            return
        module = _MODULE_NAMES.get(name, name.replace("-", "_"))
        if module in self._loaded_modules or not module.replace("_", "").isalnum():
            return
        with self._loading:
            if module in self._loaded_modules:
                return  # another thread imported it while this one waited
            import importlib.util

            qualified = f"bot.render.functions.{module}"
            if importlib.util.find_spec(qualified) is not None:
                importlib.import_module(qualified)
            self._loaded_modules.add(module)

    def _load_all(self) -> None:
        """Import every module in bot.render.functions so each registers itself."""
        if not self._imports_modules or self._loaded_all:
            return
        with self._loading:
            if self._loaded_all:
                return
            import importlib
            import pkgutil

            import bot.render.functions as package

            for module in pkgutil.iter_modules(package.__path__):
                if module.name not in {"registry"} and not module.name.startswith("_"):
                    importlib.import_module(f"bot.render.functions.{module.name}")
                    self._loaded_modules.add(module.name)
            self._loaded_all = True


CATALOG = FunctionRegistry(imports_modules=True)


def register(function: BuiltinFunction) -> BuiltinFunction:
    """What a function module calls at import for each (name, tag set) it implements."""
    note = short_tag_note(function.name, function.tags)
    if note:
        function = replace(function, description=function.description + note)
    return CATALOG.add(function)


def register_releases(name: str, releases: Iterable[tuple[tuple[str, ...], str, BuiltinRun]]) -> None:
    """One function whose release lines behave differently: each (tags, description, run), in order."""
    for tags, description, run in releases:
        register(BuiltinFunction(name=name, description=description, tags=tags, run=run))


def all_functions() -> list[BuiltinFunction]:
    return CATALOG.all()


def lookup(image: str) -> BuiltinFunction | None:
    return CATALOG.lookup(image)
