"""GitHub App installation auth: a JWT signed with the app's RSA key buys an installation token."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.config.settings import Secret, Settings
from bot.errors import Forbidden, InvalidInput, PorchbotError
from bot.forges import factory as forge_factory
from bot.forges.base import RetryPolicy
from bot.forges.github import GitHubForge
from bot.forges.github_app import InstallationTokens
from bot.lifecycle.repositories import Repository
from tests.forge_emulator import Emulator

from .conftest import REPO

APP_ID = 4242
INSTALLATION_ID = 777


@pytest.fixture(scope="module")
def app_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("known_installation", [True, False], ids=["installation-id", "looked-up"])
def test_app_installation_token_acts_as_the_bot(github_emulator: Emulator, app_key: rsa.RSAPrivateKey,
                                                known_installation: bool) -> None:
    github_emulator.register_app(APP_ID, public_pem(app_key), INSTALLATION_ID, [REPO])
    github_emulator.commit_files(REPO, "drafts/basens/v1", {"basens/Kptfile": "a: 1\n"}, "owner")
    forge = GitHubForge.with_app(REPO, APP_ID, pem(app_key), INSTALLATION_ID if known_installation else None,
                                 base_url=github_emulator.api_url, retry=RetryPolicy(sleep=lambda s: None))
    pr = forge.open_pull_request("drafts/basens/v1", "main", "basens v1", "", draft=True)
    comment = forge.create_comment(pr.number, "rendering")
    assert pr.author.login == "porchbot[bot]" and pr.author.is_bot
    assert comment.author.login == "porchbot[bot]"
    routes = {e.route for e in github_emulator.exchanges}
    assert "/api/v3/app/installations/{installation_id}/access_tokens" in routes
    assert ("/api/v3/repos/{owner}/{repo}/installation" in routes) is not known_installation
    sent = github_emulator.wait_for_webhook("pull_request", "opened")
    assert sent[0].payload["installation"]["id"] == INSTALLATION_ID


def test_a_key_the_app_does_not_have_is_refused(github_emulator: Emulator, app_key: rsa.RSAPrivateKey) -> None:
    github_emulator.register_app(APP_ID, public_pem(app_key), INSTALLATION_ID, [REPO])
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forge = GitHubForge.with_app(REPO, APP_ID, pem(other_key), INSTALLATION_ID,
                                 base_url=github_emulator.api_url, retry=RetryPolicy(sleep=lambda s: None))
    with pytest.raises(Forbidden, match="401"):
        forge.get_pull_request(1)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def test_installation_token_renewed_before_it_expires(github_emulator: Emulator, app_key: rsa.RSAPrivateKey) -> None:
    github_emulator.register_app(APP_ID, public_pem(app_key), INSTALLATION_ID, [REPO])
    clock = Clock()
    tokens = InstallationTokens(APP_ID, pem(app_key), base_url=github_emulator.api_url, refresh_margin=300,
                                clock=clock)
    first = tokens.token(REPO)
    assert tokens.token(REPO) == first  # cached while valid
    clock.now += 3600 - 300 - 5  # still more than the margin left
    assert tokens.token(REPO) == first
    clock.now += 10  # within the margin: renewed before GitHub would refuse it
    second = tokens.token(REPO)
    assert second != first
    routes = [e.route for e in github_emulator.exchanges]
    assert routes.count("/api/v3/app/installations/{installation_id}/access_tokens") == 2
    assert routes.count("/api/v3/repos/{owner}/{repo}/installation") == 1  # looked up once per repository


def test_the_forge_outlives_its_first_token(github_emulator: Emulator, app_key: rsa.RSAPrivateKey) -> None:
    github_emulator.register_app(APP_ID, public_pem(app_key), INSTALLATION_ID, [REPO])
    github_emulator.store.app_token_ttl = 3.0
    tokens = InstallationTokens(APP_ID, pem(app_key), base_url=github_emulator.api_url, refresh_margin=1.5)
    forge = GitHubForge.with_installation_tokens(REPO, tokens, base_url=github_emulator.api_url,
                                                 retry=RetryPolicy(sleep=lambda s: None))
    assert forge.get_branch_head("main") == github_emulator.branch_sha(REPO, "main")
    first = tokens.token(REPO)
    time.sleep(3.2)
    assert github_emulator.store.user_by_token(first) is None  # the emulator refuses an expired token
    assert forge.get_branch_head("main") == github_emulator.branch_sha(REPO, "main")
    assert tokens.token(REPO) != first


def test_the_bot_acts_as_the_app_only_without_a_token(github_emulator: Emulator, app_key: rsa.RSAPrivateKey,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    github_emulator.register_app(APP_ID, public_pem(app_key), INSTALLATION_ID, [REPO])
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem(app_key))
    repository = Repository("deployments", github_emulator.clone_url(REPO), forge="github", auth="token",
                            token_env="UNSET_DEPLOYMENTS_TOKEN")
    monkeypatch.delenv(forge_factory.GITHUB_TOKEN_ENV, raising=False)
    monkeypatch.setenv(forge_factory.GITHUB_APP_ID_ENV, str(APP_ID))
    monkeypatch.setenv(forge_factory.GITHUB_APP_KEY_ENV, str(key_file))
    credential = forge_factory.bot_git_credential(repository)
    assert credential is not None and credential.username == "x-access-token"
    assert github_emulator.store.user_by_token(credential.password) == github_emulator.user("porchbot[bot]")
    forge = forge_factory.bot_forge(repository)
    assert forge.get_permission("porchbot[bot]").name == "MAINTAIN"
    # the forge and git share one installation token
    assert forge_factory.bot_git_credential(repository) == credential
    monkeypatch.setenv(forge_factory.GITHUB_APP_KEY_ENV, str(tmp_path / "missing.pem"))
    monkeypatch.setenv(forge_factory.GITHUB_APP_ID_ENV, "999")
    with pytest.raises(InvalidInput, match="private key"):
        forge_factory.bot_forge(repository)
    monkeypatch.setenv(forge_factory.GITHUB_TOKEN_ENV, "a-token")  # a token wins over the app
    assert forge_factory.bot_git_credential(repository) is None


def test_serve_refuses_an_app_without_its_key(tmp_path: Path) -> None:
    settings = Settings(github_app_id=str(APP_ID), github_app_private_key_file=tmp_path / "missing.pem",
                        github_webhook_secret=Secret("s"))
    with pytest.raises(PorchbotError, match="PRIVATE_KEY_FILE"):
        settings.check_serve()
    (tmp_path / "missing.pem").write_text("key")
    assert settings.check_serve()  # hints only
