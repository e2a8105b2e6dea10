"""End to end in headless Chromium: log in, connect two phones, watch both legs live, on the
call's page and (an admin, in German) on its detail page, which shows each new leg state and
prompt without a reload, then the bill, and stops listening."""
from __future__ import annotations

import shutil
import time
import types
from pathlib import Path

import pytest

from gateway import users
from modems.sim import PhoneState
from tests.boxrig import FRIEND, USER, Rig, ensure_prompts
from tests.screenshots import shot

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
WAIT = 20_000     # milliseconds a page may take to show a leg's next state

# Keeps every EventSource a page opens in window.sources, to tell whether it listens.
RECORD_STREAMS = """
window.sources = [];
window.EventSource = class extends window.EventSource {
  constructor(url, options) { super(url, options); window.sources.push(this); }
};
"""

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")
if shutil.which(CHROMIUM) is None:
    pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)",
                allow_module_level=True)


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


@pytest.fixture
def box(network, tmp_path):
    from webui.app import make_app
    from webui.server import WebServer

    rig = Rig(network, tmp_path)
    rig.start(balance=1000)
    users.add_user("alice", "alice-secret", time.time())
    users.add_user("root", "admin-secret", time.time(), is_admin=True)
    services = types.SimpleNamespace(pool=rig.daemon.pool, calls=rig.daemon.calls, now=time.time)
    server = WebServer(make_app(rig.config, services), "127.0.0.1", 0)
    server.start()
    rig.url = f"http://127.0.0.1:{server.port}"
    yield rig
    server.stop()
    server.stop()          # safe twice
    rig.stop()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(page, url: str, name: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.fill("#name", name)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def wait_leg(page, leg: str, state: str) -> None:
    page.wait_for_selector(f'#leg-{leg} .state[data-state="{state}"]', timeout=WAIT)


def test_connect_two_shown_live_then_in_history(box, browser):
    page = browser.new_page(viewport={"width": 412, "height": 900})     # a phone's screen
    log_in(page, box.url, "alice", "alice-secret")
    assert "10.00 USD" in page.inner_text("#balance")
    page.click("text=Connect two numbers")
    assert page.input_value("#a") == USER                 # the first authorized caller ID
    assert "announces" in page.content() or "tells A" in page.content()
    page.fill("#b", FRIEND)
    admin = admin_in_german(browser, box.url)
    page.click("#start")
    page.wait_for_url("**/calls/*")
    page.evaluate("window.sameDocument = true")           # gone if the page reloads

    follow_detail(admin, box.url, page.url)
    assert box.user.wait_state(PhoneState.RINGING, timeout=10)
    wait_leg(page, "a", "alerting")
    box.user.answer()
    wait_leg(page, "a", "connected")
    shows(admin, '#leg-1 li[data-state="connected"]')
    assert box.friend.wait_state(PhoneState.RINGING, timeout=20)
    wait_leg(page, "b", "alerting")
    shows(admin, '#leg-2 li[data-state="alerting"]')
    shows(admin, "#heard tr.prompt")                   # what leg A heard, as it played
    assert "Ansage:" in admin.inner_text("#heard")
    box.friend.answer()
    wait_leg(page, "b", "connected")
    shows(admin, '#leg-2 li[data-state="connected"]')
    sync_api.expect(page.locator("#leg-b .seconds")).not_to_have_text("0", timeout=WAIT)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live_call.png"), full_page=True)
    box.friend.hangup()
    wait_leg(page, "b", "ended")
    wait_leg(page, "a", "ended")
    sync_api.expect(page.locator("#summary")).to_have_text("Ended, cost 0.24 USD", timeout=WAIT)
    detail_shows_the_bill_then_rests(admin)
    assert page.evaluate("window.sameDocument") is True
    assert page.is_disabled("#hangup")
    looks = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).cursor]"
    assert page.eval_on_selector("#hangup", looks) == ["rgb(201, 204, 210)", "not-allowed"]

    page.click("#detail")                      # the live page links the call's detail
    page.wait_for_url("**/detail")
    detail_shows_the_whole_call(page)

    page.goto(f"{box.url}/")
    history = page.inner_text("#history")
    assert FRIEND in history and USER in history and "0.24 USD" in history


def shows(page, selector: str) -> None:
    page.wait_for_selector(selector, state="attached", timeout=WAIT)


def admin_in_german(browser, url: str):
    """Gives a page of an admin logged in and reading German; every EventSource it opens
    is kept in window.sources."""
    admin = browser.new_context().new_page()
    admin.add_init_script(RECORD_STREAMS)
    log_in(admin, url, "root", "admin-secret")
    admin.goto(f"{url}/language/de?next=/admin/calls")
    admin.wait_for_url("**/admin/calls")
    return admin


def follow_detail(admin, url: str, call_page: str) -> None:
    """Opens the detail of the call on `call_page` on the admin's page, before leg A
    answers (it rings for 8 s: the page is ready and logged in before)."""
    call = int(call_page.rstrip("/").rsplit("/", 1)[1])
    admin.goto(f"{url}/calls/{call}/detail")
    assert admin.get_attribute("#call-live", "data-state") == "running"
    assert not admin.query_selector('#leg-1 li[data-state="connected"]')
    assert admin.query_selector("#bill") is None
    admin.evaluate("window.sameDocument = true")          # gone if the page reloads


def detail_shows_the_bill_then_rests(admin) -> None:
    """The admin's detail page, once the call has ended: the bill in German, its stream
    closed, and what it shows the same as the page served afresh, which opens no stream."""
    sync_api.expect(admin.locator("#call-live")).to_have_attribute("data-state", "settled",
                                                                   timeout=WAIT)
    assert "0,24\u00a0$" in admin.inner_text("#bill-total")
    assert admin.evaluate("window.sameDocument") is True
    assert admin.evaluate("window.sources.length") == 1
    sync_api.expect(admin.locator("#bill td[data-label='Kosten']")).to_have_count(2)  # ui.js
    admin.wait_for_function("window.sources.every(source => source.readyState === 2)",
                            timeout=WAIT)                 # closed: it listens no more
    followed = admin.inner_text("#call-live")
    admin.reload()
    assert admin.inner_text("#call-live") == followed
    assert admin.evaluate("window.sources.length") == 0   # an ended call's page: no stream


def detail_shows_the_whole_call(page) -> None:
    """The detail of the finished connect-two: both legs from dialling to their end, what
    leg A heard, the bill; screenshots of it for the README."""
    for leg in ("leg-1", "leg-2"):                # the timeline is written off the call
        page.wait_for_function(f"document.querySelector('#{leg} [data-state=\"ended\"]')",
                               timeout=WAIT)
    for leg in ("leg-1", "leg-2"):
        states = page.eval_on_selector_all(f"#{leg} .timeline li",
                                           "items => items.map(item => item.dataset.state)")
        assert states == ["dialing", "alerting", "connected", "ended"], (leg, states)
    assert USER in page.inner_text("#leg-1") and FRIEND in page.inner_text("#leg-2")
    assert "connecting you to" in page.inner_text("#heard")
    assert "0.24 USD" in page.inner_text("#bill-total")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.querySelector('main').scrollWidth "
                             "<= document.querySelector('main').clientWidth"), width
        shot(page, f"call_detail_{width}.png")


def test_admin_sees_modem_signal(box, browser):
    page = browser.new_page()
    log_in(page, box.url, "root", "admin-secret")
    page.wait_for_url("**/admin")                  # the dashboard: an admin's landing page
    page.goto(f"{box.url}/admin/modems")
    sync_api.expect(page.locator("#modems .signal", has_text="dBm")).to_have_count(2, timeout=WAIT)
    rows = page.inner_text("#modems tbody")
    assert "m1" in rows and "m2" in rows and "\u25ae" in rows
    # modems.js redraws the rows from /api/modems, each SIM's use against its limits too
    page.evaluate("document.querySelectorAll('#modems tbody tr')"
                  ".forEach(function (tr) { tr.dataset.served = '1'; })")
    sync_api.expect(page.locator("#modems tbody tr[data-served]")).to_have_count(0, timeout=WAIT)
    sync_api.expect(page.locator("#modems .sim-use", has_text="minutes today 0, calls 0"))\
        .to_have_count(2, timeout=WAIT)
    page.goto(f"{box.url}/language/de?next=/admin/modems")      # redrawn in the page's words
    page.evaluate("document.querySelectorAll('#modems tbody tr')"
                  ".forEach(function (tr) { tr.dataset.served = '1'; })")
    sync_api.expect(page.locator("#modems tbody tr[data-served]")).to_have_count(0, timeout=WAIT)
    sync_api.expect(page.locator("#modems button.reset")).to_have_text(["Zurücksetzen"] * 2)
    in_call = page.locator("#modems tbody td[data-label='Im Gespräch']")    # labelled by ui.js
    sync_api.expect(in_call).to_have_text(["nein", "nein"])


def test_hang_up_button_ends_the_call(box, browser):
    page = browser.new_page(viewport={"width": 412, "height": 900})
    log_in(page, box.url, "alice", "alice-secret")
    page.goto(f"{box.url}/connect")
    page.fill("#b", FRIEND)
    page.click("#start")
    page.wait_for_url("**/calls/*")
    assert box.user.wait_state(PhoneState.RINGING, timeout=10)
    box.user.answer()
    wait_leg(page, "a", "connected")
    assert box.friend.wait_state(PhoneState.RINGING, timeout=20)
    box.friend.answer()
    wait_leg(page, "b", "connected")
    hangup = page.locator("#hangup")
    assert hangup.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(176, 0, 32)"
    page.click("#hangup")
    sync_api.expect(page.locator("#toast")).to_have_text("Hung up: the call ends.", timeout=WAIT)
    sync_api.expect(hangup).to_be_disabled()
    sync_api.expect(page.locator("#summary")).to_contain_text("Ended", timeout=WAIT)
    assert box.user.wait_state(PhoneState.IDLE, timeout=10)
    assert box.friend.wait_state(PhoneState.IDLE, timeout=10)
    assert not page.is_visible("#call-error")
