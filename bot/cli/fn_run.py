"""The bodies of ``porchbot fn render`` and ``fn eval``, free of typer.

Both the typer commands (bot/cli/fn.py) and the argv fast path (bot/cli/argv_fastpath.py) call
these, so the two front doors cannot drift apart in what a flag means.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.errors import InvalidInput


def pull_policy(value: str) -> str:
    from bot.render.runtimes.docker_config import canonical_pull_policy

    policy = canonical_pull_policy(value)
    if policy is None:
        raise InvalidInput(f"--image-pull-policy must be one of always, ifNotPresent, never (got {value!r})")
    return policy


def bool_flag(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("true", "1", "t", "yes"):
        return True
    if lowered in ("false", "0", "f", "no"):
        return False
    raise InvalidInput(f"{name} must be true or false (got {value!r})")


def run_render(pkg_dir: str, runtime: str, allow_exec: bool, image_pull_policy: str, results_dir: str,
               truncate_output: str, output: str, allow_network: bool, allow_wasm: bool) -> int:
    """``fn render``; returns the exit code."""
    from bot.render.render_package import render_package
    from bot.render.render_types import RenderOptions
    from bot.render.runtimes.base import RuntimeOptions

    options = RenderOptions(
        runtime=runtime,
        runtime_options=RuntimeOptions(image_pull_policy=pull_policy(image_pull_policy),
                                       allow_exec=allow_exec, allow_network=allow_network,
                                       allow_wasm=allow_wasm),
        results_dir=Path(results_dir) if results_dir else None,
        truncate_output=bool_flag("--truncate-output", truncate_output),
        output=output or None,
    )
    outcome = render_package(Path(pkg_dir), options, sys.stderr)
    sys.stderr.flush()
    sys.stdout.write(outcome.stdout)
    return outcome.exit_code


SELECTOR_FIELDS = ("api_version", "kind", "name", "namespace", "annotations", "labels")


def selector_flags(values: dict[str, object], prefix: str) -> dict[str, object]:
    """kpt's ``--match-*`` / ``--exclude-*`` values (dests ``match_kind``, ...) as Selector fields."""
    fields: dict[str, object] = {}
    for name in SELECTOR_FIELDS:
        value = values.get(f"{prefix}_{name}")
        if name in ("annotations", "labels"):
            pairs: dict[str, str] = {}
            for entry in value or []:  # type: ignore[attr-defined]
                for part in str(entry).split(","):
                    key, sep, text = part.partition("=")
                    if not sep or not key:
                        raise InvalidInput(f"--{prefix}-{name} {entry!r}: expected KEY=VALUE")
                    pairs[key] = text
            if pairs:
                fields[name] = pairs
        elif value:
            fields[name] = str(value)
    return fields


def run_eval(pkg_dir: str, args: list[str], image: str, exec_path: str, fn_config: str, runtime: str,
             allow_exec: bool, image_pull_policy: str, results_dir: str, output: str, truncate_output: str,
             allow_network: bool, mount: list[str], env: list[str],
             selection: dict[str, object] | None = None) -> int:
    """``fn eval``; ``args`` are the function's ``key=value`` arguments; ``selection`` the ``--match-*`` and
    ``--exclude-*`` values by dest. Returns the exit code."""
    from bot.render.fn_eval import EvalOptions, eval_function
    from bot.render.kptfile import Selector
    from bot.render.runtimes.base import RuntimeOptions

    match = selector_flags(selection or {}, "match")
    exclude = selector_flags(selection or {}, "exclude")

    options = EvalOptions(
        image=image, exec=exec_path, fn_config=Path(fn_config) if fn_config else None,
        args=list(args), runtime=runtime,
        runtime_options=RuntimeOptions(image_pull_policy=pull_policy(image_pull_policy),
                                       allow_exec=allow_exec, allow_network=allow_network,
                                       mounts=tuple(mount), env=tuple(env)),
        results_dir=Path(results_dir) if results_dir else None, output=output or None,
        truncate_output=bool_flag("--truncate-output", truncate_output),
        selectors=[Selector(**match)] if match else [],  # type: ignore[arg-type]
        exclude=[Selector(**exclude)] if exclude else [],  # type: ignore[arg-type]
    )
    outcome = eval_function(pkg_dir, options, sys.stderr, sys.stdin.read)
    sys.stdout.write(outcome.stdout)
    return outcome.exit_code
