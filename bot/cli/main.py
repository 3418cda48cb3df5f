"""``porchbot``: the porchctl-style CLI. Sub-command groups live in bot/cli/, one module each.

Only the group named on the command line is imported (``porchbot fn render`` must not pay for the
lifecycle, forge and web modules), and heavy libraries are imported inside commands. ``fn render|eval``
and the ``rpkg`` transitions, given well-formed argv, skip typer altogether (bot/cli/argv_fastpath.py):
typer's import alone costs more than a small render. Everything else, help and usage errors included,
goes to typer.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
from typing import TYPE_CHECKING

from bot.errors import PorchbotError

if TYPE_CHECKING:
    import typer

GROUPS = {
    "fn": "Render and evaluate KRM functions.",
    "repo": "Register and list package repositories.",
    "rpkg": "Manage package revisions.",
    "pkg": "Work on local package directories (kpt pkg).",
    "downstreams": "The downstream index propagation reads: reindex, get.",
    "variants": "PackageVariants and PackageVariantSets declared in git, and what they made.",
}
SERVER_COMMANDS = ("serve", "worker")


def build_app(argv: list[str] | None = None) -> typer.Typer:
    import typer

    app = typer.Typer(
        name="porchbot",
        help="Porch-style package orchestration for kpt packages, as a GitOps bot.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    first = next((arg for arg in (argv or []) if not arg.startswith("-")), None)
    wanted = [first] if first in GROUPS or first in SERVER_COMMANDS else [*GROUPS, *SERVER_COMMANDS]
    for name in wanted:
        if name in GROUPS:
            module = importlib.import_module(f"bot.cli.{name}")
            app.add_typer(module.app, name=name, help=GROUPS[name])
    if any(name in SERVER_COMMANDS for name in wanted):
        from bot.cli import server

        server.register(app)
    return app


def _run_fast(argv: list[str]) -> int | None:
    """The fast path's exit code, with typer's handling of a closed pipe; None when typer must run."""
    if not argv or argv[0] not in ("fn", "rpkg", "pkg"):
        return None
    if argv[0] == "pkg":
        from bot.cli.pkg_argv import run as run_fast
    else:
        from bot.cli.argv_fastpath import run as run_fast

    try:
        return run_fast(argv)
    except OSError as err:
        if err.errno != errno.EPIPE:
            raise
        # As click does on a closed pipe: no second EPIPE while Python flushes at exit.
        sys.stdout = open(os.devnull, "w")
        sys.stderr = open(os.devnull, "w")
        return 1


def _debug() -> bool:
    from bot.config.settings import current_settings

    try:
        return current_settings().debug
    except PorchbotError:
        return False  # a malformed setting must not hide the error being reported


def main() -> None:
    from bot.cli import cobra
    from bot.config.settings import current_settings

    argv = sys.argv[1:]
    porchctl_verb = bool(argv) and argv[0] in cobra.GROUPS
    try:
        current_settings()  # a malformed setting is porchbot's error (plain form), found before any command
    except PorchbotError as err:
        sys.stderr.write(f"Error: {err}\n")
        sys.exit(err.exit_code)
    try:
        argv = cobra.normalize(argv)
        exit_code = _run_fast(argv)
        if exit_code is not None:
            sys.exit(exit_code)
        build_app(argv)(args=argv, standalone_mode=True)
    except cobra.Refused as refused:
        sys.stderr.write(refused.line + "\n")
        sys.exit(1)
    except PorchbotError as err:
        # porchctl's verbs end their error line as porchctl does ("Error: %s \n"); fn and server are kpt's
        # and porchbot's own.
        ending = " \n" if porchctl_verb else "\n"
        sys.stderr.write(f"Error: {err}{ending}")
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # never a traceback for a user; PORCHBOT_DEBUG=1 shows it
        if _debug():
            raise
        sys.stderr.write(f"Error: internal error: {type(err).__name__}: {err}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
