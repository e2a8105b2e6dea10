"""The demo's Virtual phones page: its JSON API as WSGI, and the page live in headless Chromium."""
from __future__ import annotations

import json
import re
import shutil
import threading
import time
import types
from pathlib import Path

import pytest

from gateway import users
from modems.sim import PhoneState
from tests.boxrig import BOX, FRIEND, USER, Rig, ensure_prompts
from tests.sms_rig import wait_until
from tests.webclient import Client, make_test_app
from tests.screenshots import SCREENSHOTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
CAROL = "+4930123456"     # a landline, as in the demo
WAIT = 20_000     # milliseconds a page may take to show a phone's next state
ARTIFACTS = Path(__file__).parent / "artifacts"



@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()


# -- the API, called as WSGI: phones of a virtual network, no box needed -----------------

@pytest.fixture
def panel(network, tmp_path):
    network.add_modem(name="m1", number=BOX)
    phones = {"alice": network.add_phone(number=USER), "bob": network.add_phone(number=FRIEND)}
    app = make_test_app(tmp_path, types.SimpleNamespace(pool=None, calls=None, phones=phones))
    client = Client(app)
    client.token = client.login("bob", "bob-secret")
    client.phones = phones
    yield client
    app.web.stopping.set()          # ends the phones' listening threads


def post(client, path, data, token=None):
    return client.request("POST", path, json_body=data,
                          headers={"X-CSRF-Token": client.token if token is None else token})


def test_phones_api_moves_the_phones(panel):
    alice, bob = panel.phones["alice"], panel.phones["bob"]
    listing = json.loads(panel.get("/api/phones").text)
    assert listing["access_number"] == BOX
    assert [(p["name"], p["number"], p["state"]) for p in listing["phones"]] == [
        ("alice", USER, "idle"), ("bob", FRIEND, "idle")]
    assert post(panel, "/api/phones/alice/dial", {"number": "0170 98765432"}).status == 200
    assert bob.wait_state(PhoneState.RINGING)
    bob_row = json.loads(panel.get("/api/phones").text)["phones"][1]
    assert (bob_row["state"], bob_row["peer"]) == ("ringing", USER)
    assert post(panel, "/api/phones/bob/answer", {}).status == 200
    assert alice.wait_state(PhoneState.ACTIVE)
    assert post(panel, "/api/phones/alice/press", {"keys": "12#*a"}).status == 200
    assert bob.wait_dtmf(5)
    assert bob.heard_dtmf[:5] == list("12#*A")
    reply = post(panel, "/api/phones/bob/answer", {})
    refusal = json.loads(reply.text)
    assert reply.status == 409 and refusal == {"error": "There is no incoming call to answer.",
                                               "code": "no_call_to_answer"}
    assert post(panel, "/api/phones/bob/hangup", {}).status == 200
    assert alice.wait_state(PhoneState.IDLE)
    assert post(panel, "/api/phones/alice/sms", {"to": FRIEND, "text": "hello bob"}).status == 200
    assert bob.wait_sms()
    inbox = json.loads(panel.get("/api/phones").text)["phones"][1]["inbox"]
    assert [(sms["from"], sms["text"]) for sms in inbox] == [(USER, "hello bob")]


def test_each_call_is_its_own_group_with_its_keys(panel):
    alice, bob = panel.phones["alice"], panel.phones["bob"]
    assert post(panel, "/api/phones/alice/dial", {"number": FRIEND}).status == 200
    assert bob.wait_state(PhoneState.RINGING)
    assert post(panel, "/api/phones/bob/answer", {}).status == 200
    assert alice.wait_state(PhoneState.ACTIVE)
    assert post(panel, "/api/phones/alice/press", {"keys": "12"}).status == 200
    assert post(panel, "/api/phones/alice/press", {"keys": "#"}).status == 200
    assert post(panel, "/api/phones/alice/hangup", {}).status == 200
    assert bob.wait_state(PhoneState.IDLE)
    assert post(panel, "/api/phones/bob/dial", {"number": USER}).status == 200   # and back
    assert alice.wait_state(PhoneState.RINGING)
    assert post(panel, "/api/phones/alice/reject", {}).status == 200
    rows = {row["name"]: row for row in json.loads(panel.get("/api/phones").text)["phones"]}
    calls = [(call["number"], call["peer"], call["keys"]) for call in rows["alice"]["calls"]]
    assert calls == [(2, FRIEND, ""), (1, FRIEND, "12#")]        # newest first
    assert [call["number"] for call in rows["bob"]["calls"]] == [2, 1]
    assert rows["alice"]["calls"][0]["at"] >= rows["alice"]["calls"][1]["at"]


@pytest.mark.parametrize("action, data, field", [
    ("dial", {"number": "+49 170 ATD;"}, "number"),
    ("dial", {"number": 4917012345678}, "number"),
    ("press", {"keys": "1;2"}, "keys"),
    ("press", {"keys": ""}, "keys"),
    ("press", {"keys": "1" * 33}, "keys"),
    ("sms", {"text": "x" * 481}, "text"),
    ("sms", {"text": "  "}, "text"),
    ("sms", {"text": "BAL\x1a"}, "text"),
    ("sms", {"text": "BAL", "to": "0800-CALLBOX"}, "to"),
])
def test_phone_inputs_are_validated(panel, action, data, field):
    reply = post(panel, f"/api/phones/alice/{action}", data)
    assert reply.status == 400, reply.text
    assert field in json.loads(reply.text)["fields"]
    assert all(phone.state is PhoneState.IDLE for phone in panel.phones.values())


def test_phones_need_a_login_and_the_csrf_token(panel):
    assert post(panel, "/api/phones/alice/dial", {}, token="forged").status == 403
    assert post(panel, "/api/phones/carol/dial", {}).status == 404
    assert post(panel, "/api/phones/alice/explode", {}).status == 404
    assert panel.phones["alice"].state is PhoneState.IDLE
    stranger = Client(panel.app)
    assert stranger.get("/api/phones").status == 401
    assert stranger.get("/phones").status == 303
    page = panel.get("/phones").text
    assert 'href="/phones"' in page and 'id="phone-alice"' in page and BOX in page


def test_transcript_finds_each_prompt_once_per_hearing(network):
    from audio.player import load_prompt
    from audio.prompts import LANGUAGES
    from webui.phones import Ears

    phone = network.add_phone(number=USER)
    names = ("enter_destination", "your_balance_is", "goodbye")
    needles = {name: load_prompt(name) for name in names}
    ears = Ears("alice", phone, {"en": needles}, {"en": LANGUAGES["en"].texts},
                threading.Event(), "en")
    silence = bytes(16000)
    balance = needles["your_balance_is"]
    # a frame in 25 lost on the way, as a busy box may lose them
    gappy = b"".join(balance[at:at + 320] for at in range(0, len(balance), 320) if at % 8000)
    # the box's sound 160 ms late inside a prompt (a busy machine): a break in it
    half = len(balance) // 4 * 2
    stalled = balance[:half] + bytes(2560) + balance[half:]
    heard = (silence + needles["enter_destination"] + silence + needles["enter_destination"]
             + bytes(4000) + gappy + silence + stalled + silence * 3)
    for start in range(0, len(heard), 16000):          # the audio arrives as in a call
        with network.lock:                             # as the network's clock holds it
            phone.downlink(heard[start:start + 16000])
        ears.listen()
    assert [item["prompt"] for item in ears.transcript()] == [
        "enter_destination", "enter_destination", "your_balance_is", "your_balance_is"]


def test_heard_in_the_language_the_box_spoke(network):
    from audio.player import load_prompt
    from audio.prompts import LANGUAGES
    from webui.phones import Ears, prompt_needles

    phone = network.add_phone(number=USER)
    texts = {lang: LANGUAGES[lang].texts for lang in ("en", "de", "ar")}
    ears = Ears("alice", phone, prompt_needles(texts), texts, threading.Event(), "en")

    def hears(*prompts):
        for lang, name in prompts:
            with network.lock:
                phone.downlink(bytes(8000) + load_prompt(name, lang) + bytes(8000))
            ears.listen()

    # German, not the box's language: its opening (the balance) tells the call's
    # language, then its other prompts are found too, and only its prompts are looked for
    german = [("de", "your_balance_is"), ("de", "enter_destination"), ("de", "goodbye")]
    searched = len(ears.searched())
    hears(*german)
    assert ears.lang == "de" and len(ears.searched()) == len(ears.needles["de"]) < searched
    hears(("ar", "enter_pin"))                          # not in this call's language
    # a new call: the box's language until its first prompt, here Arabic
    friend = network.add_phone(number=FRIEND)
    phone.call(FRIEND)
    wait_until(lambda: friend.state is PhoneState.RINGING)
    ears.listen()
    assert ears.lang == "en" and len(ears.searched()) == searched
    arabic = [("ar", "enter_pin"), ("ar", "wrong_pin")]
    hears(*arabic)
    assert [(item["lang"], item["prompt"], item["text"]) for item in ears.transcript()] == [
        (lang, name, LANGUAGES[lang].texts[name]) for lang, name in german + arabic]
    assert ears.transcript()[0]["text"] == "Ihr Guthaben beträgt"
    assert ears.lang == "ar"


def test_no_phones_page_without_virtual_phones(tmp_path):
    client = Client(make_test_app(tmp_path))
    client.login("bob", "bob-secret")
    assert client.get("/phones").status == 404
    assert client.get("/api/phones").status == 404
    assert 'href="/phones"' not in client.get("/").text


# -- the page, live in headless Chromium, on a whole box -----------------------------------

@pytest.fixture
def box(network, tmp_path):
    from webui.app import make_app
    from webui.server import WebServer

    rig = Rig(network, tmp_path)
    rig.start(balance=1000)
    users.add_user("alice", "alice-secret", time.time())
    services = types.SimpleNamespace(pool=rig.daemon.pool, calls=rig.daemon.calls, now=time.time,
                                     phones={"alice": rig.user, "bob": rig.friend,
                                             "carol": network.add_phone(number=CAROL)})
    server = WebServer(make_app(rig.config, services), "127.0.0.1", 0)
    server.start()
    rig.url = f"http://127.0.0.1:{server.port}"
    yield rig
    server.stop()
    rig.stop()


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is missing")
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium, sync_api.expect
        chromium.close()


def test_phones_page_shows_a_callback_and_an_sms_reply_live(box, browser):
    chromium, expect = browser
    page = chromium.new_page(viewport={"width": 412, "height": 900})     # a phone's screen
    page.goto(f"{box.url}/login")
    page.fill("#name", "alice")
    page.fill("#password", "alice-secret")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    menu = page.locator("header button.menu")                 # the nav is a menu here
    expect(page.locator("#menu")).to_be_hidden()
    menu.focus()
    page.keyboard.press("Enter")                              # by keyboard alone
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.click("#menu >> text=Virtual phones")
    page.wait_for_url("**/phones")
    page.evaluate("window.sameDocument = true")           # gone if the page reloads
    alice = page.locator("#phone-alice")
    expect(alice.locator("button[data-action=hangup]")).to_be_disabled()   # idle
    expect(alice.locator(".keypad button").first).to_be_disabled()

    page.fill("#alice-number", "0170 12ab")
    alice.locator("button[data-action=dial]").click()
    expect(page.locator("#alice-number-error")).to_be_visible(timeout=WAIT)
    expect(page.locator("#alice-number")).to_have_attribute("aria-invalid", "true")
    assert box.user.state is PhoneState.IDLE

    page.fill("#alice-number", BOX)
    alice.locator("button[data-action=dial]").click()
    assert box.user.wait_state(PhoneState.RINGING, timeout=15), "the box did not call back"
    expect(alice.locator(".state")).to_have_attribute("data-state", "ringing", timeout=WAIT)
    expect(alice.locator(".detail")).to_have_text(f"incoming call from {BOX}")
    expect(alice.locator(".calls > li")).to_have_count(2)      # her call the box rejected, its
                                                               # callback
    alice.locator("button[data-action=answer]").click()
    expect(page.locator("#toast")).to_have_text("alice answered.", timeout=WAIT)
    expect(alice.locator(".state")).to_have_text("in call", timeout=WAIT)
    expect(alice.locator(".timer")).to_have_text(re.compile(r"^0:0[1-9]$"), timeout=WAIT)
    expect(alice.locator('.transcript li[data-prompt="your_balance_is"]')).to_have_count(
        1, timeout=WAIT)
    expect(alice.locator('.transcript li[data-prompt="your_balance_is"] time')).to_have_text(
        re.compile(r"^\d\d:\d\d:\d\d"))
    alice.locator(".keypad button[data-key='4']").click()
    alice.locator(".keypad button[data-key='2']").click()
    expect(alice.locator(".typed")).to_have_text("42", timeout=WAIT)
    alice.locator("button[data-action=hangup]").click()
    expect(alice.locator(".state")).to_have_attribute("data-state", "idle", timeout=WAIT)
    expect(alice.locator("button[data-action=hangup]")).to_be_disabled()
    expect(alice.locator(".typed")).to_have_text("")
    alice.locator("button[data-action=dial]").click()         # a second call: a new group
    assert box.user.wait_state(PhoneState.RINGING, timeout=15), "no second callback"
    expect(alice.locator(".calls > li")).to_have_count(4, timeout=WAIT)
    expect(alice.locator(".calls > li").first).to_have_class("current")
    expect(alice.locator(".calls > li").first.locator(".transcript li")).to_have_count(0)
    alice.locator("button[data-action=reject]").click()
    expect(alice.locator(".state")).to_have_attribute("data-state", "idle", timeout=WAIT)
    alice.locator("button[data-action=reject]").evaluate("button => button.disabled = false")
    alice.locator("button[data-action=reject]").click()       # as if the page were behind
    expect(page.locator("#alice-error")).to_have_text("There is no incoming call to reject.",
                                                      timeout=WAIT)

    bob = page.locator("#phone-bob")
    page.fill("#bob-text", "HELP")
    held = []                                  # the request waits here: the button is busy
    page.route("**/api/phones/bob/sms", lambda route: held.append(route))
    send = bob.locator("button[data-action=sms]")
    send.click()
    expect(send).to_have_attribute("aria-busy", "true")
    expect(send).to_be_disabled()
    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/api/phones/bob/sms")
    expect(send).not_to_have_attribute("aria-busy", "true", timeout=WAIT)
    expect(send).to_be_enabled()
    expect(page.locator("#bob-text")).to_have_value("", timeout=WAIT)    # sent: cleared
    expect(bob.locator(".inbox li")).to_contain_text("Commands:", timeout=WAIT)
    expect(bob.locator(".inbox li .from")).to_have_text(BOX)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "virtual_phones.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})       # the README's picture
    expect(page.locator("#phone-carol")).to_be_in_viewport()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "virtual_phones_calls_1280.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size < 200_000
    assert page.evaluate("window.sameDocument") is True


def test_phones_page_writes_its_live_words_in_german(box, browser):
    from webui import i18n
    german = i18n.translations("de").gettext
    chromium, expect = browser
    page = chromium.new_page(locale="de-DE", extra_http_headers={"Accept-Language": "de-DE"})
    page.goto(f"{box.url}/login")
    page.fill("#name", "alice")
    page.fill("#password", "alice-secret")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{box.url}/phones")
    alice, bob = page.locator("#phone-alice"), page.locator("#phone-bob")
    expect(alice.locator(".state")).to_have_text(german("idle"), timeout=WAIT)
    assert german("idle") != "idle"
    box.user.call(box.friend.number)          # a call between the two phones, no box
    assert box.friend.wait_state(PhoneState.RINGING, timeout=15)
    # written by phones.js from GET /api/phones (English words), in the page's language
    expect(bob.locator(".state")).to_have_text(german("ringing"), timeout=WAIT)
    expect(bob.locator(".detail")).to_have_text(
        german("incoming call from {peer}").format(peer=box.user.number))
    box.friend.reject()
    ended = german("last call ended: {cause}").format(cause=german("rejected"))
    assert "rejected" not in ended
    expect(alice.locator(".detail")).to_have_text(ended, timeout=WAIT)
