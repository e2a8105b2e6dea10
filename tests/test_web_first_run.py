"""The first-run page in headless Chromium: a fresh box (modems up, an empty database) walks
its admin through the steps, each done from the database, the last one live."""
from __future__ import annotations

from pathlib import Path
import time
import types

import pytest

from gateway import users
from gateway.money.ledger import RateRecord
from gateway.store.db import open_database
from modems.sim import PhoneState
from tests.boxrig import BOX, USER, Rig, ensure_prompts
from tests.test_web_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, WAIT, log_in, sync_api

SAMPLE = Path(__file__).resolve().parents[1] / "config" / "rates-sample.csv"


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def fresh_box(network, tmp_path):
    """A box whose modems are up and whose database has only an admin's login."""
    from webui.app import make_app
    from webui.server import WebServer

    rig = Rig(network, tmp_path)
    open_database(rig.config.gateway.database)
    rig.start_daemon()
    users.add_user("root", "admin-secret", time.time(), is_admin=True)
    services = types.SimpleNamespace(pool=rig.daemon.pool, calls=rig.daemon.calls, now=time.time)
    server = WebServer(make_app(rig.config, services), "127.0.0.1", 0)
    server.start()
    rig.url = f"http://127.0.0.1:{server.port}"
    yield rig
    server.stop()
    rig.stop()


@pytest.fixture
def page():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium.new_page(accept_downloads=True, viewport={"width": 1280, "height": 900})
        chromium.close()


def step(page, key: str, done: bool):
    """Waits until step `key` shows as done (or not); gives its element."""
    locator = page.locator(f'#step-{key}[data-done="{1 if done else 0}"]')
    sync_api.expect(locator).to_have_count(1, timeout=WAIT)
    return locator


def follow(page, key: str, link: str) -> None:
    """Clicks the link of step `key` named `link`."""
    page.locator(f"#step-{key}").get_by_role("link", name=link, exact=True).click()


def test_a_fresh_box_walks_its_admin_from_modems_to_a_test_callback(fresh_box, page):
    url = fresh_box.url
    log_in(page, url, "root", "admin-secret")
    page.wait_for_url("**/admin/start")
    modems = step(page, "modems", True).inner_text()
    assert "m1" in modems and "m2" in modems and "IMEI" in modems and "dBm" in modems
    for key in ("rates", "account", "callerid", "callback"):
        step(page, key, False)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "first_run.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})          # a phone: no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth "
                         "<= document.documentElement.clientWidth")
    page.screenshot(path=str(ARTIFACTS / "first_run_390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # rates: the sample downloaded from the page, uploaded on the Rates page it links to
    with page.expect_download() as download:
        page.click("#sample-rates")
    sample = download.value.path()
    assert Path(sample).read_bytes() == SAMPLE.read_bytes()
    follow(page, "rates", "Rates page")
    page.wait_for_url("**/admin/rates")
    page.set_input_files("#file", str(sample))
    page.click("button:has-text('Upload')")
    page.wait_for_load_state()
    stored = RateRecord.select().count()
    assert stored == len(SAMPLE.read_text().splitlines()) - 1
    page.goto(f"{url}/admin")                     # no account yet: still the first-run page
    page.wait_for_url("**/admin/start")
    assert f"{stored} rates stored" in step(page, "rates", True).inner_text()

    # the first account, then its holder's phone authorized on the account's page
    follow(page, "account", "Accounts page")
    for field, value in (("name", "alice"), ("pin", "2468"), ("balance", "10"),
                         ("password", "alice-secret-1")):
        page.fill(f"#new-{field}", value)
    page.click("button:has-text('Create')")
    page.wait_for_load_state()
    page.goto(f"{url}/admin/start")
    assert "the first alice" in step(page, "account", True).inner_text()
    follow(page, "callerid", "The account's page")
    page.wait_for_url("**/admin/accounts/*")
    page.fill("#number", USER)
    page.click("button:has-text('Authorize')")
    page.wait_for_load_state()
    page.goto(f"{url}/admin")                     # rates and an account: the usual landing
    page.wait_for_selector("#dashboard")

    # the test callback: the page, left open, turns the step to done by itself
    page.goto(f"{url}/admin/start")
    step(page, "callerid", True)
    assert "(m1)" in step(page, "callback", False).inner_text()
    page.evaluate("window.sameDocument = true")           # gone if the page reloads
    fresh_box.user.call(BOX)
    assert fresh_box.user.wait_state(PhoneState.RINGING, timeout=20), "no callback"
    fresh_box.user.answer()
    assert fresh_box.heard(fresh_box.user, "enter_destination", timeout=20)
    fresh_box.user.hangup()
    assert USER in step(page, "callback", True).inner_text()
    assert page.evaluate("window.sameDocument") is True
    page.screenshot(path=str(ARTIFACTS / "first_run_done.png"), full_page=True)
