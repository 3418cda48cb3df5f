"""Run ``porchbot fn render|eval`` and ``rpkg propose|approve|reject|del|propose-delete`` without typer.

Importing typer (which pulls in click's vendored copy, pydantic and rich) costs more CPU than a whole
render of a small package, and these are the commands Porch-style tooling runs after every change.
This module parses argv with click's rules for exactly the flags the typer commands declare
(bot/cli/fn.py, rpkg.py; tests/render/test_fastpath.py holds the tables in step) and returns None for
anything it does not accept cleanly — ``--help``, an unknown flag, a missing value, a stray argument,
shell completion — so typer handles that argv and prints its own help or error, byte for byte.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.cli.fn_run import SELECTOR_FIELDS
from bot.config.settings import shell_completion_requested

FLAG, VALUE, MULTI = "flag", "value", "multi"


class OptionSpec(NamedTuple):
    dest: str
    names: tuple[str, ...]
    kind: str  # FLAG | VALUE | MULTI
    default: object


class CommandSpec(NamedTuple):
    options: tuple[OptionSpec, ...]
    extra_args: bool  # click's allow_extra_args: positionals after DIR become the function's args


RENDER = CommandSpec(
    options=(
        OptionSpec("runtime", ("--runtime",), VALUE, "auto"),
        OptionSpec("allow_exec", ("--allow-exec",), FLAG, False),
        OptionSpec("image_pull_policy", ("--image-pull-policy",), VALUE, "ifNotPresent"),
        OptionSpec("results_dir", ("--results-dir",), VALUE, ""),
        OptionSpec("truncate_output", ("--truncate-output",), VALUE, "true"),
        OptionSpec("output", ("--output", "-o"), VALUE, ""),
        OptionSpec("allow_network", ("--allow-network",), FLAG, False),
        OptionSpec("allow_wasm", ("--allow-alpha-wasm",), FLAG, False),
    ),
    extra_args=False,
)

EVAL = CommandSpec(
    options=(
        OptionSpec("image", ("--image", "-i"), VALUE, ""),
        OptionSpec("exec_path", ("--exec",), VALUE, ""),
        OptionSpec("fn_config", ("--fn-config",), VALUE, ""),
        OptionSpec("runtime", ("--runtime",), VALUE, "auto"),
        OptionSpec("allow_exec", ("--allow-exec",), FLAG, False),
        OptionSpec("image_pull_policy", ("--image-pull-policy",), VALUE, "ifNotPresent"),
        OptionSpec("results_dir", ("--results-dir",), VALUE, ""),
        OptionSpec("output", ("--output", "-o"), VALUE, ""),
        OptionSpec("truncate_output", ("--truncate-output",), VALUE, "true"),
        OptionSpec("allow_network", ("--allow-network", "--network"), FLAG, False),
        OptionSpec("mount", ("--mount",), MULTI, []),
        OptionSpec("env", ("--env", "-e"), MULTI, []),
        # Hidden, accepted for kpt compatibility, and unused.
        OptionSpec("include_meta_resources", ("--include-meta-resources", "-m"), FLAG, True),
        # kpt's selector flags: the --match-* values form one selector, the --exclude-* values another,
        # each over the same fields (KEY=VALUE lists for annotations and labels).
        *(OptionSpec(f"{side}_{name}", (f"--{side}-{name.replace('_', '-')}",),
                     *((MULTI, []) if name in ("annotations", "labels") else (VALUE, "")))
          for side in ("match", "exclude") for name in SELECTOR_FIELDS),
    ),
    extra_args=True,
)

COMMANDS = {"render": RENDER, "eval": EVAL}


class _Unhandled(Exception):
    """This argv is typer's to parse (help, or an error typer words itself)."""


def parse(argv: list[str], spec: CommandSpec) -> dict[str, object] | None:
    """Keyword arguments for the command (``pkg_dir``, each option's dest, and ``args``), or None."""
    by_name = {name: option for option in spec.options for name in option.names}
    values: dict[str, object] = {o.dest: (list(o.default) if o.kind == MULTI else o.default)  # type: ignore[call-overload]
                                 for o in spec.options}
    pending = list(argv)
    positionals: list[str] = []
    try:
        while pending:
            token = pending.pop(0)
            if token == "--":
                positionals.extend(pending)
                break
            if token[:1] == "-" and len(token) > 1:
                _option(token, pending, by_name, values)
            else:
                positionals.append(token)
    except _Unhandled:
        return None
    if len(positionals) > 1 and not spec.extra_args:
        return None
    values["pkg_dir"] = positionals[0] if positionals else "."
    values["args"] = positionals[1:]
    return values


def _option(token: str, pending: list[str], by_name: dict[str, OptionSpec], values: dict[str, object]) -> None:
    """One option token, following click's parser: long match first (``--x=v``), then short clusters."""
    name, has_value, explicit = token.partition("=")
    option = by_name.get(name) if (name.startswith("--") or len(name) > 2) else None
    if option is not None:
        if option.kind == FLAG:
            if has_value:
                raise _Unhandled
            _store(option, None, values)
            return
        if has_value:
            pending.insert(0, explicit)
        _store(option, _take(pending), values)
        return
    if token[:2] == "--":
        raise _Unhandled
    for index in range(1, len(token)):  # a cluster of short options: -mo FILE, -oFILE
        option = by_name.get("-" + token[index])
        if option is None:
            raise _Unhandled
        if option.kind == FLAG:
            _store(option, None, values)
            continue
        rest = token[index + 1:]
        if rest:
            pending.insert(0, rest)
        _store(option, _take(pending), values)
        return


def _take(pending: list[str]) -> str:
    if not pending:
        raise _Unhandled
    return pending.pop(0)


def _store(option: OptionSpec, value: str | None, values: dict[str, object]) -> None:
    if option.kind == FLAG:
        values[option.dest] = True  # click's flag_value for a bool flag, whatever its default
    elif option.kind == MULTI:
        values[option.dest].append(value)  # type: ignore[attr-defined]
    else:
        values[option.dest] = value


def _completion_requested() -> bool:
    return shell_completion_requested()


def parse_names(argv: list[str]) -> list[str] | None:
    """The NAME... of a transition verb (a required variadic argument, no options), or None."""
    names: list[str] = []
    for index, token in enumerate(argv):
        if token == "--":
            names.extend(argv[index + 1:])
            break
        if token[:1] == "-" and len(token) > 1:
            return None  # --help, or an option typer refuses in its own words
        names.append(token)
    return names or None


def run(argv: list[str]) -> int | None:
    """The exit code of the command run without typer, or None: let typer run this argv."""
    if len(argv) < 2 or _completion_requested():
        return None
    if argv[0] == "rpkg":
        return _run_transition(argv[1], argv[2:])
    if argv[0] != "fn" or argv[1] not in COMMANDS:
        return None
    values = parse(argv[2:], COMMANDS[argv[1]])
    if values is None:
        return None
    from bot.cli import fn_run as fn_impl

    if argv[1] == "render":
        return fn_impl.run_render(
            str(values["pkg_dir"]), str(values["runtime"]), bool(values["allow_exec"]),
            str(values["image_pull_policy"]), str(values["results_dir"]), str(values["truncate_output"]),
            str(values["output"]), bool(values["allow_network"]), bool(values["allow_wasm"]))
    return fn_impl.run_eval(
        str(values["pkg_dir"]), list(values["args"]), str(values["image"]),  # type: ignore[call-overload]
        str(values["exec_path"]), str(values["fn_config"]), str(values["runtime"]), bool(values["allow_exec"]),
        str(values["image_pull_policy"]), str(values["results_dir"]), str(values["output"]),
        str(values["truncate_output"]), bool(values["allow_network"]),
        list(values["mount"]), list(values["env"]),  # type: ignore[call-overload]
        {key: value for key, value in values.items() if key.startswith(("match_", "exclude_"))})


def _run_transition(verb: str, argv: list[str]) -> int | None:
    from bot.cli import rpkg_transitions as rpkg_impl

    names = parse_names(argv) if verb in rpkg_impl.TRANSITIONS else None
    if names is None:
        return None
    rpkg_impl.each(names, verb)
    return 0
