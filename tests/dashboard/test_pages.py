"""The dashboard's pages over a real fleet of git repositories, through FastAPI's TestClient."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config.settings import Secret, Settings
from bot.queue.jobqueue import Queue
from bot.web.app import create_app
from tests.dashboard.fleet_fixture import VARIANT_YAML, Fleet, add_to_main, make_fleet, porchbot


def text(html: str) -> str:
    """What a person reads: tags dropped, entities and whitespace folded."""
    plain = re.sub(r"<[^>]+>", " ", html).replace("&#34;", '"').replace("&#39;", "'").replace("&gt;", ">")
    return re.sub(r"\s+", " ", plain)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    return make_fleet(tmp_path_factory.mktemp("fleet"))


@pytest.fixture
def client(fleet: Fleet, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    for key in ("PORCHBOT_CONFIG_DIR", "PORCHBOT_STATE_DIR"):
        monkeypatch.setenv(key, fleet.env[key])
    settings = Settings(state_dir=Path(fleet.env["PORCHBOT_STATE_DIR"]),
                        config_dir=Path(fleet.env["PORCHBOT_CONFIG_DIR"]))
    yield TestClient(create_app(settings, Queue(settings)))


def test_overview_lists_repositories_counts_and_activity(client: TestClient) -> None:
    page = text(client.get("/").text)
    assert "blueprints Ready last fetch succeeded no 1 0 0" in page  # not deployment, 1 package
    assert "deployments Ready last fetch succeeded yes 2 2 0" in page  # two open drafts
    assert "Draft 2 Proposed 0 Published 3 DeletionProposed 0" in page
    assert "Ada Lovelace published web v2 in blueprints" in page
    assert "Ada Lovelace draft updated web-prod v1 in deployments" in page


def test_repository_lists_packages_with_latest_and_in_flight(client: TestClient, fleet: Fleet) -> None:
    page = client.get("/repositories/deployments")
    assert page.status_code == 200
    assert f'href="/revisions/{fleet.web_prod}"' in page.text
    assert "web-prod — 0 v1 Draft render passed web at web/v1" in text(page.text)
    assert "web-staging v1 1 v2 Draft render passed web at web/v1" in text(page.text)
    assert "Pull requests" not in page.text  # no forge: no PR column
    assert "1 package Package Latest Published In flight Upstream web v2 2 —" in text(client.get("/repositories/blueprints").text)
    assert "0 packages" in text(client.get("/repositories/blueprints?q=nothing").text)


def test_package_timeline_upstream_and_downstreams(client: TestClient) -> None:
    web = text(client.get("/repositories/blueprints/packages/web").text)
    assert "v1 v1 Published Ada Lovelace" in web and "v2 latest v2 Published Ada Lovelace" in web
    assert "This package has no upstream." in web
    assert "deployments/web-prod locked to web/v1 , 1 behind" in web
    assert "deployments/web-staging locked to web/v1 , 1 behind" in web
    prod = text(client.get("/repositories/deployments/packages/web-prod").text)
    assert "Package blueprints/web Locked to web/v1 Newer revision yes : v2 is out, 1 behind" in prod
    staging = text(client.get("/repositories/deployments/packages/web-staging").text)
    assert "v1 latest v1 Published Ada Lovelace" in staging and "v2 v2 Draft Ada Lovelace render passed web at web/v2" in staging
    assert staging.index("v1 latest v1 Published") < staging.index("v2 v2 Draft Ada")  # a timeline: oldest first


def test_revision_shows_files_highlighted_and_the_pipeline(client: TestClient, fleet: Fleet) -> None:
    page = client.get(f"/revisions/{fleet.web_v2}").text
    assert '<span class="y-key">replicas</span>: <span class="y-num">3</span>' in page
    assert '<span class="y-comment"># the front end</span>' in page
    assert "The Kptfile declares no pipeline." in page
    assert f'href="/revisions/{fleet.web_v2}/diff?against={fleet.web_v1}"' in page  # default: previous


def test_diff_against_previous_published_by_default(client: TestClient, fleet: Fleet) -> None:
    page = text(client.get(f"/revisions/{fleet.web_v2}/diff").text)
    assert "From v1 (Published) to v2 (Published) · 1 file changed" in page
    assert "deploy.yaml added" in page and "+ replicas: 3" in page
    back = text(client.get(f"/revisions/{fleet.web_v1}/diff?against={fleet.web_v2}").text)
    assert "deploy.yaml removed" in back and "- replicas: 3" in back
    assert client.get(f"/revisions/{fleet.web_v1}/diff").status_code == 404  # v1 has nothing before it
    upgrade = text(client.get(f"/revisions/{fleet.staging_upgrade}/diff").text)  # a draft: against its base
    assert "From v1 (Published) to v2 (Draft)" in upgrade and "+ replicas: 3" in upgrade
    assert client.get(f"/revisions/{fleet.web_v1}/diff?against=nope").status_code == 404


def test_fleet_shows_downstreams_behind_and_the_variants(client: TestClient) -> None:
    page = text(client.get("/fleet").text)
    assert "blueprints/web newest v2" in page
    assert "deployments/web-prod v1 Draft v1 1 none" in page
    assert "deployments/web-staging v1 Published v1 1 v2 Draft render passed" in page  # the upgrade
    assert "web-qa deployments:variants/web-qa.yaml blueprints/web v2 deployments/web-qa downstream not created yet" \
        in page


def test_live_region_answers_204_until_something_changes(client: TestClient) -> None:
    page = client.get("/repositories/blueprints").text
    match = re.search(r'hx-get="([^"]+)"', page)
    assert match is not None
    url = match.group(1).replace("&amp;", "&")
    assert client.get(url).status_code == 204
    stale = re.sub(r"live=\d+", "live=-1", url)
    fragment = client.get(stale)
    assert fragment.status_code == 200 and fragment.text.startswith('<div id="live"')


def test_unknown_things_are_404_pages_not_tracebacks(client: TestClient) -> None:
    for url in ("/repositories/nope", "/repositories/blueprints/packages/nope", "/revisions/nope",
                "/dashboard/static/../../settings.py", "/dashboard/static/nope.js"):
        assert client.get(url).status_code == 404, url


def test_token_guards_pages_but_not_the_assets(fleet: Fleet) -> None:
    settings = Settings(state_dir=Path(fleet.env["PORCHBOT_STATE_DIR"]),
                        config_dir=Path(fleet.env["PORCHBOT_CONFIG_DIR"]), api_token=Secret("read-token"))
    client = TestClient(create_app(settings, Queue(settings)))
    for url in ("/", "/fleet", "/repositories/blueprints"):
        assert client.get(url).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer read-token"}).status_code == 200
    assert client.get("/dashboard/static/htmx.min.js").status_code == 200


def test_repositories_ready_reports_the_last_fetch(fleet: Fleet, tmp_path: Path) -> None:
    config = tmp_path / "config"
    env = {**fleet.env, "PORCHBOT_CONFIG_DIR": str(config), "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    from tests.dashboard.fleet_fixture import porchbot

    porchbot(env, "repo", "register", str(tmp_path / "gone.git"), "--name", "gone")
    settings = Settings(state_dir=tmp_path / "state", config_dir=config)
    client = TestClient(create_app(settings, Queue(settings)))
    item = client.get("/api/v1/repositories").json()["items"][0]
    condition = item["status"]["conditions"][0]
    assert condition["status"] == "False" and "gone.git" in condition["message"]
    assert "Not ready" in text(client.get("/").text)


FAILED_KPTFILE = """apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: bad
pipeline:
  mutators:
    - image: set-namespace:v0.4.1
      configMap:
        namespace: "Not A Label"
status:
  conditions:
    - type: Rendered
      status: "False"
      reason: RenderFailed
  renderStatus:
    mutationSteps:
      - image: set-namespace:v0.4.1
        exitCode: 1
        results:
          - message: namespace is not a DNS label
            severity: error
            resourceRef: {apiVersion: v1, kind: Namespace, name: bad}
            field: {path: metadata.name}
            file: {path: ns.yaml, index: 0}
    errorSummary: 1 error(s) in set-namespace
"""


def test_a_red_render_is_shown_with_its_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A draft head whose Kptfile records a failed render (as kpt writes it): overview, listing, findings."""
    work, remote = tmp_path / "work", tmp_path / "site.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    identity = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"]
    subprocess.run(["git", *identity, "commit", "-q", "--allow-empty", "-m", "start"], cwd=work, check=True)
    (work / "bad").mkdir()
    (work / "bad" / "Kptfile").write_text(FAILED_KPTFILE)
    (work / "bad" / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bad\n")
    subprocess.run(["git", "add", "-A"], cwd=work, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", "bad draft"], cwd=work, check=True)
    subprocess.run(["git", "push", "-q", str(remote), "HEAD~1:refs/heads/main", "HEAD:refs/heads/drafts/bad/v1"],
                   cwd=work, check=True)
    variables = {"PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    porchbot({**os.environ, **variables}, "repo", "register", str(remote), "--name", "site")
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config")
    client = TestClient(create_app(settings, Queue(settings)))
    assert "site : bad (v1): render failed" in text(client.get("/").text)
    listing = client.get("/repositories/site").text
    assert "render failed" in text(listing)
    name = re.search(r'href="/revisions/([^"]+)"', listing).group(1)  # type: ignore[union-attr]
    page = client.get(f"/revisions/{name}").text
    assert "1 error(s) in set-namespace" in page
    assert "set-namespace:v0.4.1 error namespace is not a DNS label ns.yaml Namespace/bad metadata.name" \
        in text(page)
    assert '<a href="#f-2">ns.yaml</a>' in page  # the finding links to the file shown below
    assert "<li><span class=\"stage\">mutator</span> <code>set-namespace:v0.4.1</code></li>" in page


def test_a_broken_variant_file_is_named_with_its_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    remote = tmp_path / "site.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    broken = VARIANT_YAML.replace("  downstream:", "  downstreams:")
    add_to_main(remote, tmp_path / "work", {"variants/web-qa.yaml": broken})
    variables = {"PORCHBOT_CONFIG_DIR": str(tmp_path / "config"), "PORCHBOT_STATE_DIR": str(tmp_path / "state")}
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    porchbot({**os.environ, **variables}, "repo", "register", str(remote), "--name", "site")
    settings = Settings(state_dir=tmp_path / "state", config_dir=tmp_path / "config")
    client = TestClient(create_app(settings, Queue(settings)))
    fleet_page = text(client.get("/fleet").text)
    assert "site:variants/web-qa.yaml: spec" in fleet_page and "downstreams" in fleet_page
    assert "site : variant: site:variants/web-qa.yaml" in text(client.get("/").text)  # needs attention
