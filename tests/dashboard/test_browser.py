"""The dashboard in a real browser: Playwright driving Debian's chromium against a real `porchbot serve`
over registered git repositories. Follows the links a person would, reads what they would read, checks
each page with axe-core (no serious or critical violation, light and dark), watches an approval made with
the CLI appear without a reload, and saves a screenshot of each page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.serve_process import serve_process
from tests.dashboard.browser import Shots, axe_violations, launch
from tests.dashboard.fleet_fixture import Fleet, make_fleet

pytestmark = pytest.mark.browser
TOKEN = "dashboard-test-token"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Fleet:
    return make_fleet(tmp_path_factory.mktemp("browser-fleet"))


@pytest.fixture(scope="module")
def server(fleet: Fleet) -> Iterator[str]:
    env = {"PORCHBOT_CONFIG_DIR": fleet.env["PORCHBOT_CONFIG_DIR"], "PORCHBOT_API_TOKEN": TOKEN,
           "PORCHBOT_DASHBOARD_REFRESH_SECONDS": "1", "PORCHBOT_WORKERS": "0"}
    with serve_process(Path(fleet.env["PORCHBOT_STATE_DIR"]), env, fleet.root / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def context(server: str) -> Iterator[Any]:
    for _browser, context in launch({"Authorization": f"Bearer {TOKEN}"}):
        yield context


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Shots:
    return Shots(tmp_path_factory.mktemp("screenshots"))


def check(page: Any, shots: Shots, name: str) -> None:
    """No serious accessibility violation in light or dark mode; a screenshot of each."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert axe_violations(page) == [], f"{name} ({scheme})"
        shots.take(page, f"{name}.png" if scheme == "light" else f"{name}-dark.png")
    page.emulate_media(color_scheme="light")


def test_a_person_follows_links_from_the_overview_to_a_diff_and_the_fleet(server: str, context: Any,
                                                                           shots: Shots, fleet: Fleet) -> None:
    page = context.new_page()
    page.goto(server + "/")
    page.wait_for_selector("text=deployments")
    overview = page.inner_text("main")
    assert "blueprints" in overview and "Ready" in overview
    assert "Ada Lovelace published web v2 in blueprints" in overview
    check(page, shots, "overview")

    page.keyboard.press("Tab")  # the first stop is the skip link, and it works
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.get_by_role("link", name="blueprints", exact=True).first.click()
    page.wait_for_url("**/repositories/blueprints")
    assert "1 package" in page.inner_text("main")
    check(page, shots, "repository")

    page.get_by_role("link", name="web", exact=True).click()
    page.wait_for_url("**/packages/web")
    timeline = page.inner_text("main")
    assert "Published" in timeline and "deployments/web-prod" in timeline
    check(page, shots, "blueprint")

    page.get_by_role("link", name="deployments/web-staging").click()  # a downstream, with an upgrade in flight
    page.wait_for_url("**/packages/web-staging")
    downstream = page.inner_text("main")
    assert "blueprints/web" in downstream and "v2 is out, 1 behind" in downstream and "Draft" in downstream
    check(page, shots, "package")
    page.go_back()
    page.wait_for_url("**/packages/web")

    page.get_by_role("link", name="v2", exact=True).first.click()
    page.wait_for_url(f"**/revisions/{fleet.web_v2}")
    assert "deploy.yaml" in page.inner_text("main")
    check(page, shots, "revision")

    page.get_by_role("link", name="Diff against v1").click()
    page.wait_for_url("**/diff?against=*")
    diff = page.inner_text("main")
    assert "+  replicas: 3" in diff and "deploy.yaml" in diff
    check(page, shots, "diff")

    page.get_by_role("link", name="Fleet", exact=True).click()
    page.wait_for_url("**/fleet")
    fleet_text = page.inner_text("main")
    assert "deployments/web-prod" in fleet_text and "downstream not created yet" in fleet_text
    check(page, shots, "fleet")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing is cut off, tables scroll
    page.goto(server + "/repositories/deployments/packages/web-prod")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shots.take(page, "package-narrow.png")
    page.close()


def test_an_approval_appears_without_a_reload(server: str, context: Any, fleet: Fleet, shots: Shots) -> None:
    page = context.new_page()
    page.goto(server + "/repositories/deployments/packages/web-prod")
    timeline = page.locator("#live table")
    assert "Draft" in timeline.inner_text()
    page.evaluate("window.__same_document = true")  # gone if the page were reloaded
    fleet.porchbot("rpkg", "propose", fleet.web_prod)
    page.wait_for_function("document.querySelector('#live table').innerText.includes('Proposed')", timeout=20000)
    fleet.porchbot("rpkg", "approve", fleet.web_prod)
    page.wait_for_function("document.querySelector('#live table').innerText.includes('Published')",
                           timeout=20000)
    assert page.evaluate("window.__same_document === true")
    assert "v1" in timeline.inner_text()
    shots.take(page, "package-live.png")
    page.close()
