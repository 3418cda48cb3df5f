"""GitHub App installation auth: a JWT signed with the app's RSA key buys an installation token."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.errors import Forbidden
from bot.forges.base import RetryPolicy
from bot.forges.github import GitHubForge
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
