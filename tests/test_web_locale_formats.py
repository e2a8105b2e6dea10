"""Dates, times and money in the page's language (webui/i18n.py Language, ui.js
`callbox.formats`): a German and an English admin see the same call, account and rate each
in their own forms, the JSON API keeps the house forms, and a German page's script writes a
refreshed value as the page served it (headless Chromium)."""
from __future__ import annotations

import dataclasses
import json
import shutil
import time
import types

import pytest

from gateway import users
from gateway.care.models import SimBalance, SimKeepalive
from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr, RateRecord, Session, start_session
from gateway.store.db import close_database
from webui import i18n
from webui.app import make_app
from webui.server import WebServer

from tests.sms_rig import SmsBox
from tests.webclient import Client, make_test_app

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}
NBSP = "\xa0"          # Babel and Intl put a no-break space between amount and sign


def german_time(stamp: float) -> str:
    return time.strftime("%d.%m.%Y, %H:%M:%S", time.localtime(stamp))


def english_time(stamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def a_call(app, cost: int = 123456, running: bool = False) -> tuple[int, float]:
    """Records one of alice's calls an hour ago (settled with two legs, or running);
    gives (its session id, when it started, whole seconds)."""
    started = float(int(app.clock.now) - 3600)
    session = start_session("box", app.alice.id, "connect-two", "+4917012345678", started)
    if running:
        return session, started
    for role, leg_cost in (("callback", cost - 456), ("destination", 456)):
        Cdr.create(box="box", session=session, account=app.alice.id, role=role,
                   direction="outgoing", number="+4917012345678", modem="m1",
                   started_at=started, answered_at=started + 5, ended_at=started + 65,
                   billed_seconds=60, cost=leg_cost)
    Session.update(state="settled", ended_at=started + 65).where(
        Session.id == session).execute()
    return session, started


@pytest.fixture
def admins(app):
    """(the German admin, the English admin), both logged in as root."""
    german, english = Client(app), Client(app)
    german.login("root", "admin-secret")
    english.login("root", "admin-secret")
    return german, english


def test_a_german_and_an_english_admin_see_the_same_things_in_their_own_forms(app, admins):
    german, english = admins
    session, started = a_call(app)
    _live, live_started = a_call(app, running=True)
    RateRecord.create(prefix="49", description="Germany", price_per_minute=1234,
                      connect_fee=5)
    pages = {"de": {}, "en": {}}
    for code, client, headers in (("de", german, GERMAN), ("en", english, ENGLISH)):
        for path in ("/admin/calls", f"/admin/accounts/{app.alice.id}", "/admin/rates"):
            reply = client.get(path, headers=headers)
            assert reply.status == 200, (code, path)
            pages[code][path] = reply.text
    calls_de, calls_en = pages["de"]["/admin/calls"], pages["en"]["/admin/calls"]
    # the legs of the call history: start, answer, end and cost
    assert f"<td>{german_time(started)}</td>" in calls_de
    assert f"<td>{german_time(started + 65)}</td>" in calls_de
    assert f"<td>1.230,00{NBSP}€</td>" in calls_de and f"<td>4,56{NBSP}€</td>" in calls_de
    assert f"<td>{english_time(started)}</td>" in calls_en
    assert "<td>1230.00 EUR</td>" in calls_en and "<td>4.56 EUR</td>" in calls_en
    assert english_time(started) not in calls_de and "EUR<" not in calls_de
    # the running call's start, in the table the script refreshes
    assert f'<td class="since">{german_time(live_started)}</td>' in calls_de
    assert f'<td class="since">{english_time(live_started)}</td>' in calls_en
    # the account's balance, held money and top-ups
    account_de = pages["de"][f"/admin/accounts/{app.alice.id}"]
    account_en = pages["en"][f"/admin/accounts/{app.alice.id}"]
    assert f'<strong id="balance">10,00{NBSP}€</strong>' in account_de
    assert '<strong id="balance">10.00 EUR</strong>' in account_en
    # a rate keeps the decimals it has (a thousandth of a cent), a fee the currency's two
    rates_de, rates_en = pages["de"]["/admin/rates"], pages["en"]["/admin/rates"]
    assert f"<td>0,01234{NBSP}€</td>" in rates_de and f"<td>0,05{NBSP}€</td>" in rates_de
    assert "<td>0.01234 EUR</td>" in rates_en and "<td>0.05 EUR</td>" in rates_en
    # the dashboard's figures
    dashboard = german.get("/admin", headers=GERMAN).text
    assert f'<dd id="revenue-24h">1.234,56{NBSP}€</dd>' in dashboard
    assert '<dd id="minutes-24h">2</dd>' in dashboard        # 120 billed seconds
    assert '<dd id="revenue-24h">1234.56 EUR</dd>' in english.get("/admin", headers=ENGLISH).text
    # the holder's history and the call's bill
    holder = Client(app)
    holder.login("alice", "alice-secret")
    history = holder.get("/calls", headers=GERMAN).text
    assert german_time(started)[:-3] in history and f"gesamt 1.234,56{NBSP}€" in history
    detail = holder.get(f"/calls/{session}/detail", headers=GERMAN).text
    assert f'<td id="bill-total">1.234,56{NBSP}€</td>' in detail
    assert german_time(started) in detail
    assert "1234.56 EUR" in holder.get(f"/calls/{session}/detail").text   # English: as ever


def test_the_json_api_keeps_its_house_forms_whatever_the_page_language(app, admins):
    german, _english = admins
    settled, _ = a_call(app)
    _session, started = a_call(app, running=True)
    live = json.loads(german.get("/admin/calls/live", headers=GERMAN).text)
    assert [call["started"] for call in live["sessions"]] == [english_time(started)]
    assert [call["started_at"] for call in live["sessions"]] == [started]
    holder = Client(app)
    holder.login("alice", "alice-secret")
    history = json.loads(holder.get("/api/calls", headers=GERMAN).text)
    costs = {call["id"]: call["cost_text"] for call in history["calls"]}
    assert costs[settled] == "1234.56 EUR"


def test_the_languages_write_figures_as_babel_does():
    german, english = i18n.language_of("de", "EUR"), i18n.language_of("en", "EUR")
    assert german.money(-1250) == f"-12,50{NBSP}€" and english.money(-1250) == "-12.50 EUR"
    assert german.price(120000) == f"1,20{NBSP}€" and english.price(120000) == "1.20 EUR"
    assert german.price(1) == f"0,00001{NBSP}€" and english.price(1) == "0.00001 EUR"
    assert german.figure(12.5) == "12,5" and english.figure(12.5) == "12.5"
    assert german.figure(1234) == "1.234" and english.figure(7) == "7"
    formats = german.script_formats(0)
    assert formats["locale"] == "de-DE" and formats["currency"] == "EUR"
    assert formats["offset"] == time.localtime(0).tm_gmtoff


@pytest.fixture
def credit_box(network, tmp_path):
    """The web UI of a box with two virtual modems up, m1's SIM in a [[sim]] table (credit
    check, keep-alive) with a credit read and a keep-alive sent an hour ago."""
    rig = SmsBox(network, tmp_path)
    iccid = rig.modems[0].iccid
    rig.config = dataclasses.replace(rig.config, sims=(SimConfig(
        iccid=iccid, balance_ussd="*100#", low_balance_minor=5000, keepalive_days=30,
        keepalive_to="+4917012345678"),))
    try:
        rig.start()
        at = float(int(time.time()) - 3600)
        users.add_user("root", "admin-secret", at, is_admin=True)
        SimBalance.create(box="box", iccid=iccid, modem="m1", at=at, amount_minor=1234,
                          answer="Your credit is 12.34 EUR")
        SimKeepalive.create(box="box", iccid=iccid, modem="m1", at=at + 60,
                            number="+4917012345678")
        app = make_app(rig.config, types.SimpleNamespace(pool=rig.pool, calls=None,
                                                         now=time.time))
        yield app, at
    finally:
        rig.stop()
        close_database()


def test_the_modems_pages_credit_in_the_page_language_and_the_api_as_ever(credit_box):
    app, at = credit_box
    admin = Client(app)
    admin.login("root", "admin-secret")
    german = admin.get("/admin/modems", headers=GERMAN).text
    cell = german.split('<tr data-name="m1">', 1)[1].split('<td class="credit">', 1)[1]
    cell = cell.split("</td>", 1)[0]
    assert f'<span class="trouble">12,34{NBSP}€ (niedrig)</span>' in cell
    assert f"<small>{german_time(at)}</small>" in cell
    assert f"<small>letzte Keep-alive-SMS {german_time(at + 60)}</small>" in cell
    english = admin.get("/admin/modems", headers=ENGLISH).text
    assert "12.34 EUR (low)" in english and f"<small>{english_time(at)}</small>" in english
    assert f"last keep-alive {english_time(at + 60)}" in english
    api = json.loads(admin.get("/api/modems", headers=GERMAN).text)
    credit = next(modem["credit"] for modem in api["modems"] if modem["name"] == "m1")
    assert credit == {"checkable": True, "amount": "12.34 EUR", "at": english_time(at),
                      "low": True, "error": "",
                      "keepalive": f"last keep-alive {english_time(at + 60)}"}


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def served(tmp_path):
    """The test app served over HTTP, and a headless Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the playwright package is missing")
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from tests.test_web_browser import CHROMIUM_ARGS
    app = make_test_app(tmp_path)
    server = WebServer(app, "127.0.0.1", 0)
    server.start()
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield app, f"http://127.0.0.1:{server.port}", chromium
            finally:
                chromium.close()
    finally:
        server.stop()
        close_database()


def test_a_german_pages_script_writes_a_refreshed_time_as_the_page_served_it(served):
    app, url, chromium = served
    _session, started = a_call(app, running=True)
    # a browser in another zone than the box's: the page still shows the box's clock
    page = chromium.new_page(locale="de-DE", timezone_id="Pacific/Kiritimati")
    page.goto(f"{url}/login")
    page.fill("#name", "root")
    page.fill("#password", "admin-secret")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{url}/admin/calls")
    served_text = page.inner_text("#live tbody td.since")
    assert served_text == german_time(started)
    page.evaluate("() => { document.querySelector('#live tbody tr').dataset.served = 1; }")
    page.wait_for_function(      # admin_calls.js rewrote the rows from /admin/calls/live (2 s)
        "() => { const row = document.querySelector('#live tbody tr');"
        " return row && !row.hasAttribute('data-served'); }", timeout=10_000)
    assert page.inner_text("#live tbody td.since") == served_text
    german = i18n.language_of("de", "EUR")
    written = page.evaluate("""() => { const f = window.callbox.formats;
        return [f.money(123456), f.money(-5), f.moneyText("0.01234 EUR"),
                f.whenText("2026-12-03 14:05:09"), f.clock(%d)]; }""" % started)
    assert written == [german.money(123456), german.money(-5), german.price(1234),
                       "03.12.2026, 14:05:09", german.clock(started)]
    page.goto(f"{url}/language/en?next=%2Fadmin%2Fcalls")       # the English page: as ever
    english = page.evaluate("""() => { const f = window.callbox.formats;
        return [f.when(%d), f.money(123456), f.moneyText("1234.56 EUR")]; }""" % started)
    assert english == [english_time(started), "1234.56 EUR", "1234.56 EUR"]
