"""Every environment variable Porchbot reads, in one typed table: name, type, default and a line of doc.

Nothing else in ``bot/`` reads the environment (tests/config/test_settings_only.py holds that line); the
README's configuration table is generated from this table (``python -m bot.config.settings_table --markdown``).
A plain dataclass rather than pydantic-settings on purpose: every CLI command and every render reads
settings, and importing pydantic-settings costs more than ``fn render`` of a small package.

An empty variable counts as unset (compose writes ``${PORCHBOT_GITHUB_TOKEN:-}`` as an empty value).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple

from bot.errors import InvalidInput, PorchbotError

PREFIX = "PORCHBOT_"


class Secret:
    """A value that never shows in a repr, a log line or an error message."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('**********')"


def about(doc: str, *, env: str = "", public: bool = True, shown: str = "") -> dict[str, Any]:
    """A row's doc line; ``env`` when the variable is not ``PORCHBOT_<FIELD>``; ``public=False`` for test
    hooks (listed apart in the README); ``shown`` for a default that reads better in words."""
    return {"doc": doc, "env": env, "public": public, "shown": shown}


@dataclass(frozen=True)
class Settings:
    config_dir: Path = field(default=Path("config"), metadata=about(
        "folder of `porchbot.yaml`, `repositories.yaml`, `credentials.yaml`"))
    state_dir: Path = field(default=Path(".state"), metadata=about(
        "SQLite queue and job table, git caches (`git/`)"))
    redis_url: str = field(default="", metadata=about(
        "`redis://host:6379/0`: queue and job table on Redis, shared by every server and worker"))
    api_token: Secret | None = field(default=None, metadata=about(
        "when set, `GET /api/v1/*` and the dashboard at `/` need `Authorization: Bearer <token>` "
        "(`/healthz`, `/metrics` and the webhooks are unaffected)"))
    dashboard_refresh_seconds: float = field(default=60.0, metadata=about(
        "how often `porchbot serve` fetches every registered repository for the dashboard and the read API "
        "(also at start and after each push webhook)"))
    workers: int = field(default=2, metadata=about(
        "worker threads of `porchbot serve` (embedded; 0: none) and `porchbot worker`; "
        "`--workers N` overrides it"))
    job_lease_seconds: float = field(default=120.0, metadata=about(
        "how long a claimed job is a worker's; after that (a dead worker) it is handed out again"))
    sweep_seconds: float = field(default=5.0, metadata=about(
        "how often each worker re-hands expired and waiting jobs"))
    github_token: Secret | None = field(default=None, metadata=about(
        "the bot's GitHub token (wins over the App)"))
    github_app_id: str = field(default="", metadata=about(
        "GitHub App id (App authentication)"))
    github_app_private_key_file: Path | None = field(default=None, metadata=about(
        "path of the App's private key (PEM)"))
    github_webhook_secret: Secret | None = field(default=None, metadata=about(
        "HMAC secret of GitHub webhooks (required when GitHub is configured)"))
    gitlab_token: Secret | None = field(default=None, metadata=about(
        "the bot's GitLab token"))
    gitlab_webhook_secret: Secret | None = field(default=None, metadata=about(
        "GitLab webhook secret token (required when GitLab is configured)"))
    bot_login: str = field(default="porchbot", metadata=about(
        "the bot's forge login (its own comments are ignored)"))
    bot_name: str = field(default="porchbot", metadata=about(
        "committer name of the bot's commits"))
    bot_email: str = field(default="porchbot@localhost", metadata=about(
        "committer email of the bot's commits"))
    git_author_name: str = field(default="", metadata=about(
        "author name of CLI commits (git's own variable; wins over `PORCHBOT_AUTHOR_NAME`)",
        env="GIT_AUTHOR_NAME"))
    git_author_email: str = field(default="", metadata=about(
        "author email of CLI commits (git's own variable)", env="GIT_AUTHOR_EMAIL"))
    author_name: str = field(default="", metadata=about(
        "author name of CLI commits when `GIT_AUTHOR_NAME` is not set (default: the bot's identity)"))
    author_email: str = field(default="", metadata=about(
        "author email of CLI commits when `GIT_AUTHOR_EMAIL` is not set"))
    forge_user: str = field(default="", metadata=about(
        "overrides the forge login `rpkg approve` acts as (default: the token's owner, from `GET /user`)"))
    kpt_image_prefix: str = field(default="", metadata=about(
        "registry prefix of short function image names (kpt's variable; default: the catalog, "
        "`ghcr.io/kptdev/krm-functions-catalog`)", env="KPT_IMAGE_PREFIX"))
    kptfile_status: bool | None = field(default=None, metadata=about(
        "`true`: always write the Kptfile `status` (current kpt); `false`: never, and title function results "
        "`Results:` (kpt up to v1.0.0-beta.57); `auto`: not for `:unstable` pipelines nor an unchanged "
        "rendered package",
        shown="auto"))
    debug: bool = field(default=False, metadata=about(
        "`1`: show tracebacks of CLI errors"))
    porchctl: str = field(default="v4", metadata=about(
        "the porchctl the CLI speaks: `v4` (Porch v4: hash names, WORKSPACENAME column, drafts without a "
        "revision, `no longer proposed for approval`, Porch's clone Kptfile), `v4.1` (Porch v4.1 and later: "
        "names `<repo>.<pkg.path>.<workspace>`, integer revisions: 0 for drafts, -1 for the branch) or "
        "`kpt-alpha` (the kpt book's `kpt alpha rpkg`: six columns, a draft's workspace as its revision, "
        "`rejected`, `kpt pkg get`'s clone Kptfile)"))
    test_crashpoint: str = field(default="", metadata=about(
        "crash point names (`a,b` or `*`) where a worker kills itself", public=False))
    test_crash_mode: str = field(default="", metadata=about(
        "`pause`: sleep at the crash point instead", public=False))
    test_crash_pause_seconds: float = field(default=5.0, metadata=about(
        "how long `pause` sleeps", public=False))
    test_crash_probability: float = field(default=1.0, metadata=about(
        "chance that a reached crash point fires", public=False))
    test_job_handler: str = field(default="", metadata=about(
        "`module:callable` replacing the bot's job handler", public=False))

    def __post_init__(self) -> None:
        for variable in VARIABLES:  # Settings(state_dir="x"), as from the environment
            value = getattr(self, variable.field)
            if isinstance(value, str) and variable.parse is not _parse_str:
                object.__setattr__(self, variable.field, variable.parse(variable.env, value))

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """The settings a process with ``environ`` runs with; a malformed value is a clear error."""
        values = {v.field: v.parse(v.env, environ[v.env]) for v in VARIABLES if environ.get(v.env)}
        return cls(**values)

    @property
    def repositories_file(self) -> Path:
        return self.config_dir / "repositories.yaml"

    @property
    def credentials_file(self) -> Path:
        return self.config_dir / "credentials.yaml"

    @property
    def git_cache_dir(self) -> Path:
        return self.state_dir / "git"

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


def _parse_str(name: str, text: str) -> str:
    return text


def _parse_number(kind: Callable[[str], Any]) -> Callable[[str, str], Any]:
    def parse(name: str, text: str) -> Any:
        try:
            return kind(text)
        except ValueError:
            raise InvalidInput(f"{name}={text!r} is not a number") from None

    return parse


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _parse_bool(name: str, text: str) -> bool:
    if text.strip().lower() in _TRUE + _FALSE:
        return text.strip().lower() in _TRUE
    raise InvalidInput(f"{name}={text!r}: expected true or false (1/0, yes/no)")


def _parse_bool_or_auto(name: str, text: str) -> bool | None:
    if text.strip().lower() == "auto":
        return None
    if text.strip().lower() in _TRUE + _FALSE:
        return text.strip().lower() in _TRUE
    raise InvalidInput(f"{name}={text!r}: expected auto, true or false")


# Annotations are strings (``from __future__ import annotations``): one parser per spelling used above.
_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "str": _parse_str,
    "Path": lambda name, text: Path(text),
    "Path | None": lambda name, text: Path(text),
    "Secret | None": lambda name, text: Secret(text),
    "int": _parse_number(int),
    "float": _parse_number(float),
    "bool": _parse_bool,
    "bool | None": _parse_bool_or_auto,
}


class Variable(NamedTuple):
    field: str
    env: str
    type: str
    default: Any
    doc: str
    public: bool
    shown: str
    parse: Callable[[str, str], Any]


VARIABLES: tuple[Variable, ...] = tuple(
    Variable(f.name, f.metadata["env"] or PREFIX + f.name.upper(), str(f.type), f.default, f.metadata["doc"],
             f.metadata["public"], f.metadata["shown"], _PARSERS[str(f.type)])
    for f in fields(Settings)
)
_ENV_NAMES = tuple(v.env for v in VARIABLES)
_current: tuple[tuple[str | None, ...], Settings] | None = None


def current_settings() -> Settings:
    """This process's settings. Re-read when a variable of the table changed (tests set them between calls);
    otherwise the parsed settings of the last call: ~30 dictionary lookups."""
    global _current
    key = tuple(map(os.environ.get, _ENV_NAMES))
    current = _current
    if current is None or current[0] != key:
        environ = {name: value for name, value in zip(_ENV_NAMES, key, strict=True) if value is not None}
        current = _current = (key, Settings.from_env(environ))
    return current[1]


def environment_value(name: str) -> str:
    """A variable whose name is data, not code: a repository's ``token_env`` in ``repositories.yaml``."""
    return os.environ.get(name, "")


def shell_completion_requested() -> bool:
    """click's completion protocol: ``_<PROG>_COMPLETE`` set means argv belongs to typer's completion."""
    return any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ)
