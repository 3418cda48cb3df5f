"""Where Porchbot keeps its configuration and state, read from the environment for every command.

Kept to os.environ on purpose: every CLI command reads these, and a settings library costs more start-up
time than the whole of ``rpkg get`` on a warm cache.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# The same defaults as bot/settings.py (the server's settings), so the CLI and the bot agree.
DEFAULT_CONFIG_DIR = Path("config")
DEFAULT_STATE_DIR = Path(".state")


@dataclass(frozen=True)
class LifecycleSettings:
    config_dir: Path
    state_dir: Path
    bot_name: str = "porchbot"
    bot_email: str = "porchbot@localhost"

    @property
    def repositories_file(self) -> Path:
        return self.config_dir / "repositories.yaml"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.yaml"

    @property
    def git_cache_dir(self) -> Path:
        return self.state_dir / "git"


def load_settings() -> LifecycleSettings:
    """Settings from ``PORCHBOT_CONFIG_DIR``, ``PORCHBOT_STATE_DIR``, ``PORCHBOT_BOT_NAME/EMAIL``."""
    env = os.environ
    return LifecycleSettings(
        config_dir=Path(env.get("PORCHBOT_CONFIG_DIR") or DEFAULT_CONFIG_DIR),
        state_dir=Path(env.get("PORCHBOT_STATE_DIR") or DEFAULT_STATE_DIR),
        bot_name=env.get("PORCHBOT_BOT_NAME", "porchbot"),
        bot_email=env.get("PORCHBOT_BOT_EMAIL", "porchbot@localhost"),
    )
