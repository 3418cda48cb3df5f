"""``porchbot``: the porchctl-style CLI. Sub-command groups live in bot/commands/, one module each.

Only the group named on the command line is imported (``porchbot fn render`` must not pay for the
lifecycle, forge and web modules), and heavy libraries are imported inside commands.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from bot.errors import PorchbotError

GROUPS = {
    "fn": "Render and evaluate KRM functions.",
    "repo": "Register and list package repositories.",
    "rpkg": "Manage package revisions.",
}
SERVER_COMMANDS = ("serve", "worker")


def build_app(argv: list[str] | None = None) -> typer.Typer:
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
            module = importlib.import_module(f"bot.commands.{name}")
            app.add_typer(module.app, name=name, help=GROUPS[name])
    if any(name in SERVER_COMMANDS for name in wanted):
        from bot.commands import server

        server.register(app)
    return app


def main() -> None:
    try:
        build_app(sys.argv[1:])(standalone_mode=True)
    except PorchbotError as err:
        sys.stderr.write(f"Error: {err}\n")
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # never a traceback for a user; PORCHBOT_DEBUG=1 shows it
        if os.environ.get("PORCHBOT_DEBUG"):
            raise
        sys.stderr.write(f"Error: internal error: {type(err).__name__}: {err}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
