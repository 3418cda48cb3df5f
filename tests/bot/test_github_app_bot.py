"""Issue 5 point 1, GitHub App auth end to end: a `porchbot serve` holding only App credentials (no token
of any kind) renders a push to a draft on the emulated GitHub, pushes its render commit over git HTTPS
with the installation token, and sets the status, all as ``porchbot[bot]``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.bot.e2e_support import BOT_CONFIG, PROJECT_DIR, REPO, WEBHOOK_SECRET, eventually
from tests.bot.serve_process import serve_process
from tests.forge_emulator.fixtures import start_emulator

APP_ID = 5151
INSTALLATION_ID = 8080
KPTFILE = """\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
    - image: gcr.io/kpt-fn/set-namespace:v0.4.1
      configMap:
        namespace: app
"""
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"


def app_key_files(root: Path) -> tuple[Path, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = root / "app-key.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return key_file, public


def register(config_dir: Path, root: Path, clone_url: str, token: str) -> None:
    """The operator registers the repository with their own token; the bot process never sees it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHBOT_")}
    env.update(PORCHBOT_CONFIG_DIR=str(config_dir), PORCHBOT_STATE_DIR=str(root / "cli"),
               GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1", DEPLOYMENTS_TOKEN=token)
    result = subprocess.run([sys.executable, "-m", "bot.cli", "repo", "register", clone_url, "--name",
                             "deployments", "--deployment", "--forge", "github", "--token-env",
                             "DEPLOYMENTS_TOKEN"], env=env, cwd=PROJECT_DIR, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr


def test_the_bot_renders_a_draft_with_github_app_credentials_only(tmp_path: Path) -> None:
    emulator = start_emulator("github", tmp_path / "forge")
    try:
        emulator.add_user("dev")
        emulator.grant(REPO, "dev", "write")
        key_file, public = app_key_files(tmp_path)
        emulator.register_app(APP_ID, public, INSTALLATION_ID, [REPO])
        config_dir = tmp_path / "config"
        config_dir.mkdir()
        (config_dir / "porchbot.yaml").write_text(BOT_CONFIG)
        register(config_dir, tmp_path, emulator.clone_url(REPO), emulator.user("dev").token)
        env = {k: "" for k in os.environ if k.startswith("PORCHBOT_") or k == "DEPLOYMENTS_TOKEN"}
        env.update({"PORCHBOT_CONFIG_DIR": str(config_dir), "PORCHBOT_GITHUB_WEBHOOK_SECRET": WEBHOOK_SECRET,
                    "PORCHBOT_GITHUB_APP_ID": str(APP_ID), "PORCHBOT_GITHUB_APP_PRIVATE_KEY_FILE": str(key_file),
                    "PORCHBOT_BOT_LOGIN": "porchbot", "GIT_CONFIG_GLOBAL": "/dev/null",
                    "GIT_CONFIG_NOSYSTEM": "1"})
        with serve_process(tmp_path / "bot-state", env, tmp_path / "serve.log") as bot_url:
            emulator.configure_webhook(f"{bot_url}/webhooks/github", WEBHOOK_SECRET)
            draft = "drafts/app/v1"
            head = emulator.commit_files(REPO, draft, {"app/Kptfile": KPTFILE, "app/cm.yaml": CONFIGMAP}, "dev")

            def rendered() -> str | None:
                now = emulator.branch_sha(REPO, draft)
                if now is None or now == head:
                    return None
                states = [s.state for s in emulator.statuses(REPO, now) if s.context == "porchbot/render"]
                return now if states and states[0] == "success" else None

            final = eventually(rendered, "the App-authenticated render commit and its status", timeout=90)
        log = (tmp_path / "serve.log").read_text()
        assert emulator.git(REPO, "log", "-1", "--format=%s%x00%P", final).strip() == f"Rendering package\0{head}"
        assert "namespace: app" in (emulator.file_at(REPO, final, "app/cm.yaml") or b"").decode()
        [status] = [s for s in emulator.statuses(REPO, final) if s.context == "porchbot/render"]
        assert status.creator.login == "porchbot[bot]"
        # The render commit came over git with the installation token: the push webhook names the app.
        pushes = [d for d in emulator.deliveries if d.event == "push" and d.payload.get("after") == final]
        assert pushes and pushes[0].payload["pusher"]["name"] == "porchbot[bot]"
        routes = {e.route for e in emulator.exchanges}
        assert "/api/v3/app/installations/{installation_id}/access_tokens" in routes
        assert "/api/v3/repos/{owner}/{repo}/installation" in routes
        tokens = list(emulator.store.installation_tokens)
        assert tokens and all(token not in log for token in tokens)
        assert "Traceback" not in log
    finally:
        emulator.stop()
