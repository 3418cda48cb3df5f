"""``porchbot serve`` and ``porchbot worker``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str = "127.0.0.1", port: int = 8080) -> None:
        """Run the webhook server with an embedded worker."""
        typer.echo("porchbot serve: not implemented yet", err=True)
        raise typer.Exit(1)

    @app.command()
    def worker() -> None:
        """Run queue workers only (scale-out)."""
        typer.echo("porchbot worker: not implemented yet", err=True)
        raise typer.Exit(1)
