"""Process settings, validated at start-up (pydantic-settings; ``PORCHBOT_*`` environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import PorchbotError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHBOT_", extra="ignore")

    config_dir: Path = Path("config")
    state_dir: Path = Path(".state")
    redis_url: str = ""
    github_webhook_secret: SecretStr | None = None
    gitlab_webhook_secret: SecretStr | None = None
    github_token: SecretStr | None = None
    github_app_id: str = ""
    github_app_private_key_file: Path | None = None
    github_api_url: str = "https://api.github.com"
    gitlab_token: SecretStr | None = None
    gitlab_url: str = "https://gitlab.com"
    bot_login: str = "porchbot"
    # When set, /api/v1/* and the dashboard need `Authorization: Bearer <token>`.
    api_token: SecretStr | None = None
    workers: int = 2
    # A claimed job whose worker died comes back after its lease; the sweeper looks every sweep_seconds.
    job_lease_seconds: float = 120.0
    sweep_seconds: float = 5.0

    @property
    def github_configured(self) -> bool:
        return bool(self.github_token or self.github_app_id)

    @property
    def gitlab_configured(self) -> bool:
        return bool(self.gitlab_token)

    def check_serve(self) -> list[str]:
        """Refuse to serve a forge without its webhook secret; return hints for what is not set up."""
        if self.github_configured and not self.github_webhook_secret:
            raise PorchbotError("GitHub is configured but PORCHBOT_GITHUB_WEBHOOK_SECRET is not set: "
                                "refusing to accept unsigned webhooks")
        if self.github_app_id and not self.github_token and not (
                self.github_app_private_key_file and self.github_app_private_key_file.is_file()):
            raise PorchbotError("PORCHBOT_GITHUB_APP_ID is set but PORCHBOT_GITHUB_APP_PRIVATE_KEY_FILE does not "
                                "name a readable key file: the GitHub App cannot authenticate")
        if self.gitlab_configured and not self.gitlab_webhook_secret:
            raise PorchbotError("GitLab is configured but PORCHBOT_GITLAB_WEBHOOK_SECRET is not set: "
                                "refusing to accept webhooks without a token")
        hints: list[str] = []
        if not self.github_configured and not self.gitlab_configured:
            hints.append("no forge configured: set PORCHBOT_GITHUB_TOKEN (or PORCHBOT_GITHUB_APP_ID and "
                         "PORCHBOT_GITHUB_APP_PRIVATE_KEY_FILE) or PORCHBOT_GITLAB_TOKEN")
        if not self.github_webhook_secret:
            hints.append("POST /webhooks/github refuses deliveries until PORCHBOT_GITHUB_WEBHOOK_SECRET is set")
        if not self.gitlab_webhook_secret:
            hints.append("POST /webhooks/gitlab refuses deliveries until PORCHBOT_GITLAB_WEBHOOK_SECRET is set")
        hints.append(f"register repositories with `porchbot repo register URL --forge github|gitlab` "
                     f"(config dir {self.config_dir})")
        return hints


def load_settings() -> Settings:
    return Settings()
