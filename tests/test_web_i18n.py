"""The web UI in the reader's language, called as a WSGI app: German from Accept-Language,
the switch's cookie over it, English for anything else; money and dates in German form;
and the German catalogue complete and compiled (webui/i18n.py, babel.cfg)."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import time
import types

import pytest

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations

from gateway import users
from gateway.care import voicetests
from gateway.care.models import ModemRequest
from gateway.money.ledger import Cdr, RateRecord, start_session
from gateway.sms import store as sms_store
from gateway.sms.models import SmsHealth, SmsOut
from gateway.sms.reports import status_words
from gateway.store.db import ModemStatusRecord, close_database
from webui import i18n
from webui.app import make_app
from webui.gateway_texts import TEXTS, js_table, translate
from webui.server import WebServer

from tests.sms_rig import SmsBox, wait_until
from tests.test_voicetest import simulated_test
from tests.webclient import Client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
NBSP = "\xa0"          # Babel (CLDR) puts a no-break space between amount and currency sign


def get(client, path, headers=GERMAN):
    return client.get(path, headers=headers)


def test_accept_language_is_read_with_its_q_values():
    assert i18n.accepted("de-AT, en;q=0.5, fr;q=0") == ["de-at", "en"]
    assert i18n.accepted("en;q=0.3, de;q=0.9") == ["de", "en"]
    assert i18n.accepted("") == [] and i18n.accepted(None) == []
    assert i18n.accepted("de;q=nonsense, en") == ["en"]      # a broken q refuses the tag
    assert i18n.choose(None, "fr-FR, de-CH;q=0.8, en;q=0.5") == "de"   # the first we have
    assert i18n.choose(None, "en;q=0.3, de;q=0.9") == "de"
    assert i18n.choose(None, "fr, es") == "en"                # none we have: English
    assert i18n.choose(None, "*") == "en"
    assert i18n.choose("en", "de") == "en"                    # the switch's cookie wins
    assert i18n.choose("xx", "de") == "de"                    # an unknown cookie is ignored


def test_german_pages_from_accept_language(app):
    client = Client(app)
    login = get(client, "/login").text
    assert '<html lang="de">' in login and "<h1>Anmelden</h1>" in login
    assert "Kontoname" in login and "Web-Passwort" in login and "Account name" not in login
    client.login("alice", "alice-secret")
    page = get(client, "/").text
    assert "Guthaben" in page and f"10,00{NBSP}€" in page and "Letzte Anrufe" in page
    assert "Freigeschaltete Rufnummern" in page and "Balance" not in page
    assert "alice abmelden" in page                            # the nav and its log-out
    admin = Client(app)
    admin.login("root", "admin-secret")
    modems = get(admin, "/admin/modems").text
    assert "<h1>Modems</h1>" in modems and "Hersteller / Modell" in modems
    assert "Sprachtest" in modems and "Vendor / model" not in modems
    missing = get(admin, "/no/such/page")
    assert missing.status == 404 and "Diese Seite gibt es nicht." in missing.text


def test_english_stays_the_default_and_unknown_languages_fall_back_to_it(app):
    client = Client(app)
    for header in ({}, {"Accept-Language": "tlh, xx-YY;q=0.9"}, {"Accept-Language": "de;q=0"}):
        page = client.get("/login", headers=header).text
        assert '<html lang="en">' in page and "<h1>Log in</h1>" in page, header
    client.cookies[i18n.COOKIE] = "klingon"                    # a forged cookie: ignored
    assert "<h1>Log in</h1>" in client.get("/login").text


def test_the_switch_sets_a_cookie_that_overrides_the_browser(app):
    client = Client(app)
    page = get(client, "/login?x=1").text
    # both languages offered on every page, as plain links (keyboard reachable), back here
    assert 'href="/language/en?next=%2Flogin%3Fx%3D1"' in page
    assert re.search(r'href="/language/de\?next=%2Flogin%3Fx%3D1"[^>]*aria-current="true"', page)
    reply = get(client, "/language/en?next=%2Flogin%3Fx%3D1")
    assert reply.status == 303 and reply.headers["Location"].endswith("/login?x=1")
    assert "callbox_lang=en" in reply.headers["Set-Cookie"]
    assert client.cookies[i18n.COOKIE] == "en"
    assert "<h1>Log in</h1>" in get(client, "/login").text      # German browser, English page
    get(client, "/language/de")
    assert "<h1>Anmelden</h1>" in client.get("/login").text     # and back, without the header


def test_the_switch_refuses_unknown_languages_and_other_sites(app):
    client = Client(app)
    for target in ("https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example%2F", "%2F%5Cevil",
                   "%2Flogin%0D%0ASet-Cookie%3A%20evil%3D1", "%2F%C3%A9vil"):
        reply = client.get(f"/language/de?next={target}")
        assert reply.status == 303 and reply.headers["Location"].endswith("/"), target
        assert "evil" not in reply.headers["Location"]
    unknown = get(client, "/language/xx")
    assert unknown.status == 404 and "Diese Sprache gibt es hier nicht." in unknown.text
    assert client.cookies[i18n.COOKIE] == "de"                  # the unknown one changed nothing


def test_money_and_dates_are_written_the_german_way(app):
    admin = Client(app)
    admin.login("root", "admin-secret")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', get(admin, "/admin/accounts").text)
    reply = admin.post(f"/admin/accounts/{app.alice.id}/topup",
                       {"csrf_token": csrf.group(1), "amount": "12.50", "note": "bar"},
                       headers=GERMAN)
    assert f"alice: 12,50{NBSP}€ gebucht, Guthaben jetzt 22,50{NBSP}€" in reply.text
    page = get(admin, f"/admin/accounts/{app.alice.id}").text
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]*)</td></tr>",
                      page)
    assert [row[1] for row in rows] == [f"12,50{NBSP}€", f"10,00{NBSP}€"]
    at = [row[0] for row in rows]
    assert all(re.fullmatch(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d", text) for text in at), at
    assert at[0].startswith(time.strftime("%d.%m.%Y", time.localtime(app.clock.now)))
    english = admin.get(f"/admin/accounts/{app.alice.id}").text   # English keeps its forms
    assert "12.50 EUR" in english and time.strftime("%Y-%m-%d", time.localtime(app.clock.now)) \
        in english


def test_the_json_api_stays_english_whatever_the_browser_speaks(app):
    client = Client(app)
    reply = get(client, "/api/account")
    assert reply.status == 401 and json.loads(reply.text)["error"].startswith("log in first")
    session = start_session("box", app.alice.id, "connect-two", "+4917012345678", app.clock.now)
    Cdr.create(box="box", session=session, account=app.alice.id, role="callback",
               direction="outgoing", number="+4917012345678", modem="m1",
               started_at=app.clock.now, ended_at=app.clock.now, cost=1250)
    client.login("alice", "alice-secret")
    calls = json.loads(get(client, "/api/calls").text)
    assert "12.50 EUR" in json.dumps(calls) and "12,50" not in json.dumps(calls)
    assert f"12,50{NBSP}€" in get(client, "/calls").text        # the page: German


def test_every_text_of_the_web_ui_is_in_the_german_catalogue_and_compiled():
    with open(os.path.join(ROOT, "babel.cfg")) as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {}
    for filename, line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map):
        found.setdefault(message, f"{filename}:{line}")
    assert len(found) > 250                                     # the extraction found them
    po_path = os.path.join(i18n.LOCALE_DIR, "de", "LC_MESSAGES", "messages.po")
    with open(po_path, "rb") as po:
        catalogue = read_po(po, locale="de")
    translated = {message.id for message in catalogue
                  if message.id and message.string and all(message.string)
                  and not message.fuzzy}
    missing = sorted(f"{where}: {message!r}" for message, where in found.items()
                     if message not in translated)
    assert not missing, ("texts without a German translation (run make translations and "
                         "translate them in the .po):\n" + "\n".join(missing))
    compiled = Translations.load(i18n.LOCALE_DIR, ["de"], i18n.DOMAIN)
    stale = []
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            shown = [compiled.ngettext(*message.id, count) for count in (1, 2)]
            if shown != list(message.string):
                stale.append(message.id)
        elif compiled.gettext(message.id) != message.string:
            stale.append(message.id)
    assert not stale, f"messages.mo is older than messages.po (make translations): {stale}"


def test_live_tables_carry_their_state_words_in_the_page_language(app):
    admin = Client(app)
    admin.login("root", "admin-secret")
    calls = get(admin, "/admin/calls").text
    states = json.loads(re.search(r'<table id="live" data-states="([^"]*)"', calls).group(1)
                        .replace("&quot;", '"'))
    assert states["connected"] == "verbunden" and states["no answer"] == "keine Antwort"
    modems = get(admin, "/admin/modems").text
    tests = json.loads(re.search(r'<table id="voicetests" data-states="([^"]*)"', modems)
                       .group(1).replace("&quot;", '"'))
    assert tests == {"queued": "wartet auf Ausführung", "running": "läuft", "done": "fertig",
                     "failed": tests["failed"], "expired": "abgelaufen"}
    assert tests["failed"] != "failed"


def test_gateways_refusals_are_shown_in_the_page_language(app):
    admin = Client(app)
    admin.login("root", "admin-secret")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     get(admin, "/admin/accounts").text).group(1)
    pin = admin.post(f"/admin/accounts/{app.alice.id}/pin", {"csrf_token": csrf, "pin": "12"},
                     headers=GERMAN)
    assert pin.status == 400 and "eine PIN hat 4 bis 8 Ziffern" in pin.text
    sessions = admin.post(f"/admin/accounts/{app.alice.id}/sessions",
                          {"csrf_token": csrf, "sessions": "0"}, headers=GERMAN)
    assert sessions.status == 400
    assert re.search(r"gleichzeitige Anrufe sind eine ganze Zahl von 1 bis \d+", sessions.text)
    english = admin.post(f"/admin/accounts/{app.alice.id}/pin",
                         {"csrf_token": csrf, "pin": "12"})
    assert "a PIN is 4 to 8 digits" in english.text
    assert translate("something gateway never said") == "something gateway never said"


GERMAN_TEXT = i18n.language_of("de", "EUR").gettext
# gateway's texts as the Modems page gets them (gateway/sms/health.py, gateway/care/usage.py,
# modems/recovery.py, gateway/calls/voicetest.py, gateway/care/voicetests.py) and in German
SAID = {
    "2 failures since the last clean read, last 5 min ago: refused (test); the SIM is full: "
    "new SMS wait at the network; 3 quarantined (see the SMS page)":
    "2 Fehler seit dem letzten fehlerfreien Lesen, zuletzt vor 5 min: refused (test); die SIM "
    "ist voll: neue SMS warten im Netz; 3 in Quarantäne (siehe die SMS-Seite)",
    "minutes today 37/120, calls 12/60, month 410/1000, SMS 3": (
        "Minuten heute 37/120, Anrufe 12/60, Monat 410/1000, SMS 3"),
    "reset: no answer to AT commands (ERROR) (back)":
    "Zurücksetzen: keine Antwort auf AT-Befehle (ERROR) (wieder da)",
    "reset 2, power-cycle 1": "Zurücksetzen 2, USB-Stromzyklus 1",
    "gave up: dead; 2 reset(s) did not help": "aufgegeben: dead; 2-mal Zurücksetzen half nicht",
    "at least 46.5 dB with the canceller (tail 128 ms, OFF for calls)":
    "mindestens 46,5 dB mit Echounterdrückung (Länge 128 ms, bei Anrufen AUS)",
    "3 (a frame late, the box being busy; taken out of the canceller's figure)":
    "3 (ein Block zu spät, weil die Box beschäftigt war; aus dem Wert der Echounterdrückung "
    "herausgenommen)",
    "The voice comes quiet: set rx_gain_db to about +7 for this modem.":
    "Die Stimme kommt zu leise an: setzen Sie rx_gain_db für dieses Modem auf etwa +7.",
    "calling +4917012345678 from m1": "ruft +4917012345678 von m1 an",
    "gave up: not registered on the network for 300 s (searching); 2 reset(s) and a USB power "
    "cycle did not help": "aufgegeben: seit 300 s nicht im Netz angemeldet (sucht); "
    "2-mal Zurücksetzen und ein USB-Stromzyklus halfen nicht",
    "recovering": "wird wiederhergestellt",
    "m1: m1 is in a call; test it when the call ends":
    "m1: m1 ist im Gespräch; testen Sie es, wenn das Gespräch endet",
    "stopped: the call was not answered (rejected)":
    "abgebrochen: der Anruf wurde nicht angenommen (rejected)",
    "something gateway never said; nor this": "something gateway never said; nor this",
}


def test_gateways_texts_are_translated_whole_or_piece_by_piece():
    for english, german in SAID.items():
        assert translate(english, GERMAN_TEXT, ",") == german
        assert translate(english, i18n.translations("en").gettext) == english
    for pattern, template in TEXTS:     # every text has its German, with the same values
        german = GERMAN_TEXT(template)
        assert german != template or template in ("SMS {used}", "Box", "Version", "Daemon",
                                                   "{modem}: {reason}"), template
        assert set(re.findall(r"{(\w+)}", german)) == set(pattern.groupindex), template


@pytest.fixture
def modems_app(network, tmp_path):
    """The web UI of a box whose two virtual modems are up, with m1's last voice test done."""
    rig = SmsBox(network, tmp_path)
    rig.config = dataclasses.replace(rig.config, gateway=dataclasses.replace(
        rig.config.gateway, box="box"))         # the box of the voice test row below
    try:
        rig.start()
        # the box's own database, opened once (opening it again under its running threads
        # would pull it from under them)
        users.add_user("root", "admin-secret", time.time(), is_admin=True)
        app = make_app(rig.config, types.SimpleNamespace(pool=rig.pool, calls=None,
                                                         now=time.time))
        wait_until(lambda: SmsHealth.select().where(SmsHealth.modem == "m1",
                                                    SmsHealth.read_at.is_null(False)).exists(),
                   what="m1's SIM read")
        row = ModemRequest.create(box="box", kind="voicetest", modem="m1",
                                  text="+4917012345678", state="running",
                                  created_at=time.time())
        report = voicetests.VoiceTestReport(row.id, "+4917012345678", time.time)
        report.progress("calling +4917012345678 from m1")
        report.finished(simulated_test(120, 20, 2, 30.0, 128), "")
        yield app
    finally:
        rig.stop()
        close_database()


def test_the_modems_page_gives_gateways_words_in_german(modems_app):
    admin = Client(modems_app)
    admin.login("root", "admin-secret")
    page = get(admin, "/admin/modems").text
    shown = re.sub(r'data-texts="[^"]*"', "", page)        # the scripts' table: English too
    assert re.search(r"0 von 20 auf der SIM<br><small>vor \d+ s gelesen</small>", shown)
    assert "<th>Umlaufverzögerung</th><td>160 ms</td>" in shown
    assert "dB ohne Echounterdrückung" in shown and "Tasten, die das Modem meldete" in shown
    assert re.search(r"[0-9],[0-9] dB ohne Echounterdrückung", shown)     # a German decimal
    assert "Das Echo kommt nach 160 ms zurück" in shown
    assert "Nach dem Ton war keine Sprache zu hören" in shown
    row = shown.split('<tr data-name="m1">', 1)[1].split("</tr>", 1)[0]
    assert "<td>bereit </td>" in row and "<td>Heimnetz</td>" in row    # state, registration
    for english in ("on the SIM", " ago", "round-trip delay", "the canceller", "The echo",
                    "No speech", "keys in-band", "noise floor"):
        assert english not in shown, english
    english = admin.get("/admin/modems").text
    assert "0 of 20 on the SIM" in english and "<th>round-trip delay</th>" in english
    csrf = admin.csrf("/admin/modems")
    refused = admin.post("/admin/modems/m1/voicetest", {"csrf_token": csrf, "number": "abc"},
                         headers=GERMAN)
    assert refused.status == 400
    assert re.search(r'id="notice">m1: [^<]*: geben Sie die Nummer an, die angerufen werden '
                     r'soll</p>', refused.text)
    credit = admin.post("/admin/modems/m1/balance", {"csrf_token": csrf}, headers=GERMAN)
    assert credit.status == 409
    assert re.search(r'id="notice">m1: SIM \d+ hat kein balance_ussd in einer \[\[sim\]\]-Tabelle',
                     credit.text)
    start = get(admin, "/admin/start").text       # the first-run page's modems
    assert ": bereit" in start and "Ton: serieller Sprachport" in start
    assert "SIM bereit" in start and ", Heimnetz;" in start
    assert "voice port" not in start and ": up" not in start and "SIM ready" not in start


def test_the_at_consoles_states_and_refusals_in_german(modems_app):
    admin = Client(modems_app)
    admin.login("root", "admin-secret")
    page = get(admin, "/admin/console?modem=m1").text
    assert re.search(r'<option value="m1" selected>m1 \(bereit\)</option>', page)
    csrf = admin.csrf("/admin/console")
    refused = admin.post("/admin/console", {"csrf_token": csrf, "modem": "m1", "command": "AT&F"},
                         headers=GERMAN)
    assert refused.status == 409
    assert "Achtung: AT&amp;F macht die Modem-Einrichtung der Box rückgängig" in refused.text
    assert "Trotzdem senden: ich bin Experte" in refused.text and "an expert" not in refused.text
    empty = admin.post("/admin/console", {"csrf_token": csrf, "modem": "m1", "command": ""},
                       headers=GERMAN)
    assert empty.status == 400 and "geben Sie einen Befehl ein, z. B. AT+CSQ" in empty.text


def test_the_admin_pages_forms_and_facts_in_german(app):
    admin = Client(app)
    admin.login("root", "admin-secret")
    system = get(admin, "/admin/system").text
    assert '<th scope="row">Laufzeit</th><td>Weboberfläche läuft seit' in system
    assert re.search(r"\(1 / 5 / 15 min\) auf \d+ Kernen", system)
    assert re.search(r"<th scope=\"row\">Festplatte</th><td>[0-9]+,[0-9] [MG]B frei von", system)
    for english in ("Uptime", "CPU load", "Memory", "free of", "cores"):
        assert english not in system, english
    accounts = get(admin, "/admin/accounts").text
    assert "PIN (4 bis 8 Ziffern, für Anrufe)" in accounts and "Anfangsguthaben" in accounts
    assert "Opening balance" not in accounts and "at least 8 characters" not in accounts
    calls = get(admin, "/admin/calls").text
    assert "Vom Tag" in calls and '<option value="not answered">nicht angenommen</option>' in calls
    assert "From day" not in calls and ">answered<" not in calls
    account = get(admin, f"/admin/accounts/{app.alice.id}").text      # its opening top-up
    assert "<td>Anfangsguthaben</td>" in account and "opening balance" not in account
    assert "<td>opening balance</td>" in admin.get(f"/admin/accounts/{app.alice.id}").text
    rates = get(admin, "/admin/rates").text
    assert "Noch keine Tarife: laden Sie unten eine CSV-Datei hoch." in rates
    assert "The box" not in rates and "No rates yet" not in rates
    assert "<th scope=\"row\">Uptime</th>" in admin.get("/admin/system").text   # English


def test_the_sms_help_page_says_what_each_command_does_in_german(app):
    client = Client(app)
    client.login("alice", "alice-secret")
    page = get(client, "/sms-help").text
    table = page.split('<table id="sms-commands">', 1)[1].split("</table>", 1)[0]
    assert "<td>ruf mich zurück</td>" in table and "die Liste der Befehle, per SMS" in table
    assert "call me back" not in table and "by SMS" not in table
    # what the box texts back stays in the account's language (alice's: the box's, English)
    assert "Sie haben kein API-Token." in get(client, "/api-token").text
    assert "<td>call me back</td>" in client.get("/sms-help").text


@pytest.fixture
def browser():
    """Headless Chromium (the test skips where there is none: tests/test_web_browser.py)."""
    from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS, sync_api
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_modems_script_writes_gateways_words_in_the_page_language(modems_app, browser):
    server = WebServer(modems_app, "127.0.0.1", 0)
    server.start()
    try:
        page = browser.new_page(locale="de-DE")
        page.goto(f"http://127.0.0.1:{server.port}/login")
        page.fill("#name", "root")
        page.fill("#password", "admin-secret")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"http://127.0.0.1:{server.port}/admin/modems")
        page.evaluate("() => { document.querySelector('#modems tr[data-name=m1]')"
                      ".dataset.served = 1; }")
        page.wait_for_function(      # modems.js rewrote the rows from /api/modems (2 s)
            "() => !document.querySelector('#modems tr[data-name=m1]')"
            ".hasAttribute('data-served')")
        cell = page.inner_text("#modems tr[data-name=m1] td.sms")
        assert re.fullmatch(r"0 von 20 auf der SIM\s*vor \d+ s gelesen", cell), cell
        # the script's table writes each text as the page does
        written = page.evaluate("""([table, texts]) => {
            const said = window.callbox.gatewayTexts(table);
            return texts.map(said); }""", [js_table(GERMAN_TEXT, ","), list(SAID)])
        assert written == list(SAID.values())
    finally:
        server.stop()


def test_the_connect_forms_problems_and_refusals_in_german(app):
    """The holder's connect-two form said what was wrong in English on a German page."""
    client = Client(app)
    client.login("alice", "alice-secret")

    def connect(a: str, b: str) -> str:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', get(client, "/connect").text)
        reply = client.post("/connect", {"csrf_token": csrf.group(1), "a": a, "b": b},
                            headers=GERMAN)
        assert reply.status == 400
        return reply.text

    page = connect("", "112")
    assert 'id="a-error">geben Sie eine Telefonnummer ein<' in page
    assert ('id="b-error">eine Notrufnummer: Wählen Sie sie von Ihrem eigenen Telefon; die '
            'Box vermittelt keine Notrufe<') in page
    page = connect("12", "12ab")
    assert 'id="a-error">keine Telefonnummer: zu kurz: schreiben Sie sie mit Vorwahl<' in page
    assert ('id="b-error">keine Telefonnummer: eine Telefonnummer hat nur Ziffern und vorne '
            'eventuell ein +<') in page
    page = connect("+4917012345678", "+4917012345678")
    assert 'id="b-error">Teilnehmer B muss eine andere Nummer als Teilnehmer A haben<' in page
    refusal = re.search(r'id="form-error">([^<]+)<', connect("+4917012345678", "+4930123456"))
    assert refusal and refusal.group(1) == "auf dieser Box läuft kein Anrufdienst"


def test_the_holders_password_pin_and_caller_id_forms_in_german(app):
    """Their problems came in English on a German page (those of gateway and of the
    caller ID module); the page's own were German already."""
    client = Client(app)
    client.login("alice", "alice-secret")

    def post(path: str, form: dict) -> list[str]:
        page = "/callerids" if path.startswith("/callerids") else path
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', get(client, page).text)
        reply = client.post(path, {"csrf_token": csrf.group(1), **form}, headers=GERMAN)
        assert reply.status == 400
        return re.findall(r'class="error"[^>]*>([^<]+)<', reply.text)

    assert post("/password", {"current": "alice-secret", "new": "short", "repeat": "short"}) \
        == ["ein Passwort hat mindestens 8 Zeichen"]
    assert post("/pin", {"current": "alice-secret", "pin": "12", "repeat": "12"}) \
        == ["eine PIN hat 4 bis 8 Ziffern"]
    assert post("/callerids", {"number": "12ab"}) == [
        "keine Telefonnummer: eine Telefonnummer hat nur Ziffern und vorne eventuell ein +"]
    assert post("/callerids", {"number": "+4917012345678"}) == [
        "+4917012345678 ist für Ihr Konto schon freigeschaltet"]
    assert post("/callerids/verify", {"code_id": "1", "code": "12"}) == [
        "der Code sind die 6 Ziffern aus der SMS"]


def test_the_admins_forms_say_what_is_wrong_in_german(app):
    """Account, top-up, debit, caller ID, lock, rates and the calls' filters: their
    problems were English on a German page (found by going through every form)."""
    admin = Client(app)
    admin.login("root", "admin-secret")

    def problems(reply) -> list[str]:
        assert reply.status == 400
        return re.findall(r'class="error"[^>]*>\s*(?:<li>)?([^<]+)<', reply.text)

    def form(path: str, page: str, fields: dict, **kwargs) -> list[str]:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', get(admin, page).text).group(1)
        return problems(admin.post(path, {"csrf_token": csrf, **fields}, headers=GERMAN,
                                   **kwargs))

    account = f"/admin/accounts/{app.alice.id}"
    assert form("/admin/accounts", "/admin/accounts",
                {"name": "alice", "pin": "1234", "balance": "abc", "password": "short"}) == [
        "ein Konto dieses Namens gibt es schon",
        "geben Sie einen Betrag wie 10 oder 12.50 ein",
        "ein Passwort hat mindestens 8 Zeichen"]
    assert form(f"{account}/topup", "/admin/accounts", {"amount": "0"}) == [
        "eine Aufladung bringt Geld: geben Sie einen Betrag über 0 ein (um Geld zu nehmen, "
        "nutzen Sie Abbuchen auf der Seite des Kontos, mit Grund)"]
    assert form(f"{account}/debit", account, {"amount": "0", "reason": "x"}) == [
        "eine Belastung nimmt Geld: geben Sie einen Betrag über 0 ein"]
    assert form(f"{account}/callerids", account, {"number": ""}) == [
        "keine Telefonnummer: leer"]
    assert form(f"{account}/lock", account, {"locked": "abc"}) == [
        "locked ist 1 (Konto sperren) oder 0 (entsperren)"]
    assert form("/admin/rates", "/admin/rates", {},
                files={"file": ("rates.csv", b"49x,Germany,0.1,0,60,60\n")}) == [
        "1 fehlerhafte Zeile(n): nichts wurde gespeichert",
        "Zeile 1: prefix &#039;49x&#039; hat nicht 1 bis 15 Ziffern"]     # escaped
    assert problems(get(admin, "/admin/calls?account=abc&from=abc")) == [
        "wählen Sie ein Konto aus der Liste", "geben Sie einen Tag wie 2026-11-26 ein"]
    audit = get(admin, "/admin/audit?account=nobody")
    assert audit.status == 404 and "kein Konto &#039;nobody&#039;" in audit.text


def test_error_pages_in_german(app):
    """Their headings were English ("404 Not Found"); a 400 or 405 was Bottle's own English
    page, not the box's."""
    admin = Client(app)
    admin.login("root", "admin-secret")
    missing = get(admin, "/admin/accounts/999")
    assert missing.status == 404 and "<h1>404 Nicht gefunden</h1>" in missing.text
    bad = get(admin, "/admin/calls.csv?from=abc")
    assert bad.status == 400 and "<h1>400 Ungültige Anfrage</h1>" in bad.text
    assert "from: geben Sie einen Tag wie 2026-11-26 ein" in bad.text
    wrong = get(admin, "/admin/modems/m1/reset")
    assert wrong.status == 405 and "<h1>405 Methode nicht erlaubt</h1>" in wrong.text
    assert "Diese Adresse nimmt keine GET-Anfrage an" in wrong.text
    english = admin.get("/admin/modems/m1/reset")              # English without the header
    assert "<h1>405 Method Not Allowed</h1>" in english.text
    api_wrong = admin.get("/api/logout")                        # the API answers in JSON
    assert api_wrong.status == 405
    assert json.loads(api_wrong.text) == {"error": "GET is not allowed here"}


def test_a_calls_kind_and_end_cause_in_german(app):
    """They were shown as stored ('connect-two', 'no answer') on every calls page."""
    session = start_session("box", app.alice.id, "connect-two", "+4917012345678", app.clock.now)
    Cdr.create(box="box", session=session, account=app.alice.id, role="callback",
               direction="outgoing", number="+4917012345678", modem="m1",
               started_at=app.clock.now, ended_at=app.clock.now, cause="no answer")
    holder = Client(app)
    holder.login("alice", "alice-secret")
    history = get(holder, "/calls").text
    assert "zwei Nummern verbinden" in history and "<td>keine Antwort</td>" in history
    assert "connect-two" not in history
    admin = Client(app)
    admin.login("root", "admin-secret")
    calls = get(admin, "/admin/calls").text
    assert "<td>keine Antwort</td>" in calls and ">no answer<" not in calls
    assert "<td>no answer</td>" in admin.get("/admin/calls").text          # English
    assert "connect-two" in get(holder, "/api/calls").text    # the API keeps the stored words
    sms_store.enqueue("box", "+4917012345678", "hello", app.clock.now, kind="code")
    failed = sms_store.enqueue("box", "+4917012345678", "bye", app.clock.now, kind="reply")
    SmsOut.update(state="sent", delivery="failed", delivery_status=status_words(0x41)).where(
        SmsOut.id == failed).execute()
    outbox = get(admin, "/admin/sms?show=out").text
    assert "<td>Code</td>" in outbox and 'data-state="queued">wartet auf Versand<' in outbox
    assert ("fehlgeschlagen: fehlgeschlagen: unpassendes Ziel (gibt es die Nummer?) (Status "
            "0x41)</td>") in outbox                      # was "failed: incompatible ..."


def test_the_dashboards_modems_in_german(app):
    """Its modem list said "up" and "port vanished (...)" where the Modems page says
    "bereit" and German reasons."""
    box = app.web.config.gateway.box
    ModemStatusRecord.create(box=box, name="m1", state="up", updated_at=app.clock.now)
    ModemStatusRecord.create(box=box, name="m2", state="down", reason="reset by an admin",
                             updated_at=app.clock.now)
    RateRecord.create(prefix="49", description="Germany", price_per_minute=100,
                      connect_fee=0, initial_increment=60, increment=60)
    admin = Client(app)
    admin.login("root", "admin-secret")
    page = get(admin, "/admin").text
    assert '<li data-state="up"><strong>m1</strong> bereit</li>' in page
    assert '<strong>m2</strong> ausgefallen: von einem Admin zurückgesetzt</li>' in page
