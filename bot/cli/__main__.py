"""``python -m bot.cli``: the same entry point as the ``porchbot`` script."""

from __future__ import annotations

from bot.cli.main import main

main()
