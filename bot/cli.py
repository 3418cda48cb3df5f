"""``porchbot``: the porchctl-style CLI. Sub-command groups live in bot/commands/, one module each.

Heavy libraries (docker, forges, web app) are imported inside commands so that ``porchbot fn render``
starts fast.
"""

from __future__ import annotations

import os
import sys

import typer

from bot.commands import fn, repo, rpkg, server
from bot.errors import PorchbotError

app = typer.Typer(
    name="porchbot",
    help="Porch-style package orchestration for kpt packages, as a GitOps bot.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(fn.app, name="fn", help="Render and evaluate KRM functions.")
app.add_typer(repo.app, name="repo", help="Register and list package repositories.")
app.add_typer(rpkg.app, name="rpkg", help="Manage package revisions.")
server.register(app)


def main() -> None:
    try:
        app(standalone_mode=True)
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
