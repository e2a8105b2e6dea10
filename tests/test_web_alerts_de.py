"""The Alerts page in the reader's language, called as a WSGI app: every alert text of
gateway (gateway/care/alert_kinds.py) has its German in the compiled catalogue, a German
admin reads titles, subjects, what happened, advice, recoveries, delivery and notices in
German, an English one in English, and the JSON API stays English (webui/alert_texts.py)."""
from __future__ import annotations

from datetime import datetime
import json
import os
import re
import time
import types

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from bottle import html_escape

from gateway.care import alert_kinds, credit
from gateway.care.sims import SimLimits
from gateway.config import parse
from gateway.config.sims import SimConfig
from gateway.money import accounts
from gateway.money.ledger import AuthFailure, Cdr
from gateway.sms.models import SmsIn
from gateway.sms.store import quarantine
from gateway.store.alerts import COUNTED, RAISED, Alert, raise_alert, recover
from gateway.store.db import close_database
from webui import alert_texts, i18n
from modems.events import SmsReceived
from modems.pool import ModemStatus
from modems.signal import Health
from modems.sim import sms_pdu
from webui.gateway_texts import translate

from tests.sms_rig import SmsBox, wait_until
from tests.webclient import Client, make_test_app

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
ICCID = "89490200001234567890"
SENDER = "+4917012345678"
LIMITED = "8949000000000000001"
STRANGER, PROBER = "+4917055500001", "+4917055500002"
UNDECODABLE = "00F101010C0000000000"     # a PDU no phone sends (tests/test_sms_receive.py)


def kind_texts() -> dict[str, str]:
    """Gives every text the Alerts page takes from gateway, with where it comes from."""
    texts = {}
    for name, kind in alert_kinds.KINDS.items():
        for field in ("title", "about", "advice", "recovered"):
            if getattr(kind, field):
                texts[getattr(kind, field)] = f"KINDS[{name!r}].{field}"
        for subject in kind.subjects:
            texts[subject] = f"KINDS[{name!r}].subjects"
    for name, text in alert_kinds.DELIVERY.items():
        texts[text] = f"DELIVERY[{name!r}]"
    for name, text in alert_kinds.GIVEN_ADVICE.items():
        texts[text] = f"GIVEN_ADVICE[{name!r}]"
    for name, text in alert_kinds.MESSAGES.items():
        texts[text] = f"MESSAGES[{name!r}]"
    for name, text in RAISED.items():            # what raisers below gateway/care write
        texts[text] = f"gateway.store.alerts.RAISED[{name!r}]"
    for name, text in COUNTED.items():
        texts[text] = f"gateway.store.alerts.COUNTED[{name!r}]"
    for text in (alert_kinds.IN_MODEM, alert_kinds.RECOVERED, alert_kinds.UNKNOWN_RECOVERED):
        texts[text] = "alert_kinds"
    return texts


def test_every_alert_kind_and_delivery_state_has_german_in_the_compiled_catalogue():
    texts = kind_texts()
    assert set(texts) == set(alert_kinds.texts())   # what the catalogue is given is all of it
    with open(os.path.join(ROOT, "babel.cfg")) as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    extracted = {message for _file, _line, message, _comments, _context
                 in extract_from_dir(ROOT, method_map, options_map)}
    assert not set(texts) - extracted, "babel.cfg no longer extracts gateway's alert texts"
    with open(os.path.join(i18n.LOCALE_DIR, "de", "LC_MESSAGES", "messages.po"), "rb") as po:
        catalogue = read_po(po, locale="de")
    german = i18n.translations("de")
    missing = []
    for english, source in sorted(texts.items()):
        entry = catalogue.get(english)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{source}: {english!r}")
            continue
        assert german.gettext(english) == entry.string, f"messages.mo is stale: {english!r}"
        # the same values in German as in English ("{subject}", "{time}", ...)
        assert set(re.findall(r"{(\w+)}", entry.string)) == set(re.findall(r"{(\w+)}", english))
    assert not missing, ("alert texts without German (make translations, then translate them "
                         "in webui/locale/de/LC_MESSAGES/messages.po):\n" + "\n".join(missing))


def test_delivery_states_in_german_with_the_pages_clock():
    say = i18n.language_of("de", "EUR").gettext
    clock = i18n.language_of("de", "EUR").clock
    moment = time.mktime((2026, 12, 3, 9, 4, 24, 0, 0, -1))
    retrying = Alert(kind="modem-down", state="open", sent_at=None, recovery_sent_at=None,
                     next_attempt_at=moment, attempts=3, last_error="connection refused")
    assert (alert_kinds.delivery_state(retrying, True, say, clock)
            == "noch nicht zugestellt: bisher 3 Versuche, der nächste um 09:04:24; "
               "connection refused")
    assert (alert_kinds.delivery_state(retrying, True)     # the JSON API's and the CLI's
            == "not delivered yet: 3 tries, next at 09:04:24; connection refused")
    recovered = Alert(kind="modem-down", state="recovered", sent_at=moment,
                      recovery_sent_at=moment + 60, next_attempt_at=None, attempts=0,
                      last_error="")
    assert (alert_kinds.delivery_state(recovered, True, say, clock)
            == "gesendet um 09:04:24; Behebung gemeldet um 09:05:24")
    sending = Alert(kind="test", state="notice", sent_at=None, recovery_sent_at=None,
                    next_attempt_at=moment, attempts=0, last_error="")
    assert alert_kinds.delivery_state(sending, True, say, clock) == "wird gesendet"


def test_what_the_alerts_worker_said_is_retold_in_german_with_a_modems_reason():
    say = i18n.language_of("de", "EUR").gettext
    messages = alert_kinds.MESSAGES
    said = {
        messages["modem never up why"].format(
            name="m4", after="2 min", began=messages["the reload"],
            reason="not registered on the network for 300 s (searching)"):
        "Modem m4 war binnen 2 min nach seinem Hinzufügen beim Neuladen nicht "
        "betriebsbereit: seit 300 s nicht im Netz angemeldet (sucht)",
        messages["power-cycled"].format(name="m1", reason="no answer to AT commands (ERROR)",
                                        answered=messages["answered"], attempt=2):
        "die Box hat den USB-Port von Modem m1 aus- und wieder eingeschaltet (keine Antwort "
        "auf AT-Befehle (ERROR)); das Modem antwortete wieder (Schritt 2)",
        alert_kinds.outage_text(0, 720, "connection refused"):
        "die Datenbank antwortet seit 12 min nicht (connection refused)",
        "a new day began": "a new day began",             # a raiser's own words stay
    }
    for english, german in said.items():
        assert alert_kinds.retold(english, say, lambda reason: translate(reason, say)) == german
        assert alert_kinds.retold(english) == english


def test_percentages_figures_and_times_in_what_happened_take_the_pages_form():
    german, english = i18n.language_of("de", "EUR"), i18n.language_of("en", "EUR")
    messages = alert_kinds.MESSAGES
    said = {
        messages["disk low"].format(free="3.2 %", mib=1234, folder="/var/lib/callbox",
                                    threshold="10 %"):
        "nur 3,2 % (1.234 MiB) der Festplatte von /var/lib/callbox sind frei, weniger als 10 %",
        messages["disk back"].format(free="12.5 %"): "12,5 % der Festplatte sind wieder frei",
        messages["restarted"].format(box="b1", pid=4242, last="2026-12-03 09:04:24",
                                     status="running"):
        "der Daemon der Box b1 wurde wieder gestartet, nachdem sein vorheriger Lauf (PID 4242) "
        "nicht ordentlich beendet worden war; sein letztes Lebenszeichen war am 03.12.2026, "
        "09:04:24 (running)",
    }
    for text, words in said.items():
        assert alert_kinds.retold(text, german.gettext, formed=lambda form, value: (
            alert_texts.formed(form, value, german))) == words
        assert alert_kinds.retold(text, english.gettext, formed=lambda form, value: (
            alert_texts.formed(form, value, english))) == text       # the house forms


def raise_some(now: float) -> dict[str, Alert]:
    """Raises a modem down, a modem given up that came back, a SIM with low credit (advice
    with values), a PIN lock notice (an account's subject) and a SIM limit that recovered."""
    made = {
        "modem": raise_alert("box", "modem-down", "m2", now - 400,
                             alert_kinds.MESSAGES["modem down why"].format(
                                 name="m2", after="2 min", reason="port vanished (gone)"),
                             modem="m2"),
        "dead": raise_alert("box", "modem-dead", "m3", now - 350,
                            alert_kinds.MESSAGES["gave up"].format(
                                name="m3", reason="2 reset(s) did not help"), modem="m3"),
        "credit": raise_alert("box", "sim-low-balance", ICCID, now - 300, "0.40 EUR left",
                              advice=alert_kinds.GIVEN_ADVICE["sim-low-balance"].format(
                                  iccid=ICCID, modem="m1"), modem="m1"),
        "pin": raise_alert("box", "pin-lockouts", "account alice", now - 200, "3 wrong PINs",
                           notice=True),
        "limit": raise_alert("box", "sim-limit", "8949000000000000001", now - 100,
                             "120 of 120 minutes today",
                             advice=alert_kinds.GIVEN_ADVICE["sim-limit"]),
    }
    recover("box", "sim-limit", "8949000000000000001", now - 50, "a new day began")
    recover("box", "modem-dead", "m3", now - 40,
            alert_kinds.MESSAGES["modem up"].format(name="m3"))
    Alert.update(sent_at=now - 390).where(Alert.id == made["modem"].id).execute()
    return made


def row(page: str, alert: Alert) -> str:
    return page.split(f'<tr data-id="{alert.id}"', 1)[1].split("</tr>", 1)[0]


def test_a_german_admin_reads_the_alerts_page_in_german_and_an_english_one_in_english(app):
    made = raise_some(app.clock.now)
    admin = Client(app)
    admin.login("root", "admin-secret")
    page = admin.get("/admin/alerts", headers=GERMAN).text
    modem = row(page, made["modem"])
    assert "<strong>Modem ausgefallen</strong>: Modem m2" in modem
    assert "Was Sie tun können: Sehen Sie auf der Seite Modems und im Protokoll nach" in modem
    assert "<br>\n    Modem m2 ist seit 2 min ausgefallen: Port verschwunden (gone)<br>" in modem
    assert re.search(r"gesendet um \d\d:\d\d:\d\d", modem) and ">offen" in modem
    dead = row(page, made["dead"])
    assert "jeder Schritt der Wiederherstellung von Modem m3 ist gescheitert (2-mal " \
           "Zurücksetzen half nicht); die Box versucht es nicht mehr" in dead
    assert ("<strong>Modem wieder da, nachdem es aufgegeben war</strong><br>Modem m3 ist "
            "wieder da") in dead
    credit = row(page, made["credit"])
    assert f"<strong>SIM-Guthaben niedrig</strong>: SIM {ICCID} (in Modem m1)" in credit
    assert f"Laden Sie die SIM {ICCID} (Modem m1) auf; Anrufe und SMS" in credit
    assert "nicht gesendet: keine [alerts]-URLs (nur das Protokoll und diese Liste)" in credit
    pin = row(page, made["pin"])
    assert "<strong>PIN-Eingabe gesperrt</strong>: Konto alice" in pin and ">Hinweis" in pin
    limit = row(page, made["limit"])
    assert "<strong>SIM wieder unter ihrer Grenze</strong>" in limit and ">behoben" in limit
    assert "Warten Sie, bis die Grenze zurückgesetzt wird" in limit
    for english in ("Modem down", "modem m", "Look at the", "Top up", "(in modem", "is down",
                    "vanished", "recovery step", "is up again",
                    "account alice", "not sent", "Wait for the reset", "below its limit",
                    ">open", ">notice", ">recovered", " sent "):
        assert english not in page, english
    done = admin.post(f"/admin/alerts/{made['modem'].id}/ack", {"csrf_token": admin.csrf()},
                      headers=GERMAN)
    assert done.status == 200
    assert f"Warnung {made['modem'].id} (Modem ausgefallen) bestätigt." in done.text
    assert ">offen (gesehen)" in row(done.text, made["modem"])
    missing = admin.post("/admin/alerts/999/ack", {"csrf_token": admin.csrf()}, headers=GERMAN)
    assert missing.status == 404 and "keine Warnung 999 auf dieser Box" in missing.text
    english = admin.get("/admin/alerts").text
    assert "<strong>Modem down</strong>: modem m2" in row(english, made["modem"])
    assert "modem m2 is down for 2 min now: port vanished (gone)" in english
    assert "modem m3 is up again" in english
    assert ">open (seen)" in row(english, made["modem"])
    assert f"Top up the SIM {ICCID} (modem m1)" in english and "account alice" in english
    assert "<strong>SIM below its limit again</strong>" in english
    assert "not sent: no [alerts] urls" in english and "Modem ausgefallen" not in english
    answer = json.loads(admin.get("/api/admin/alerts", headers=GERMAN).text)   # stays English
    listed = {alert["id"]: alert for alert in answer["alerts"]}
    assert listed[made["modem"].id]["title"] == "Modem down"
    assert listed[made["modem"].id]["about"] == "modem m2"
    assert listed[made["modem"].id]["message"].startswith("modem m2 is down for 2 min now")
    assert listed[made["credit"].id]["advice"].startswith(f"Top up the SIM {ICCID} (modem m1)")
    assert listed[made["pin"].id]["about"] == "account alice"
    assert listed[made["credit"].id]["delivery"]["state"].startswith("not sent")


# -- what raisers below gateway/care say (gateway/store/alerts.py RAISED) ---------------------

def shown(text: str) -> str:
    """Gives a text as a page writes it."""
    return html_escape(text)


def pages(app) -> tuple[str, str]:
    """Gives the Alerts page as a German admin and as an English one reads it."""
    admin = Client(app)
    admin.login("root", "admin-secret")
    return admin.get("/admin/alerts", headers=GERMAN).text, admin.get("/admin/alerts").text


def test_the_sms_alerts_read_german_on_a_german_page_and_english_on_an_english_one(
        network, tmp_path):
    database = str(tmp_path / "box.db")
    rig = SmsBox(network, tmp_path, modems=1, sections={"gateway": {
        "state_dir": str(tmp_path), "database": database, "box": "box", "country": "DE"}})
    modem = rig.modems[0]
    modem.sms_capacity = 3
    for n in range(2):
        modem.deliver_raw_pdu(sms_pdu.encode_deliver(SENDER, f"hello {n}")[0])
    modem.deliver_raw_pdu(UNDECODABLE)              # a full SIM, one SMS kept raw
    try:
        rig.start()
        wait_until(lambda: Alert.select().where(Alert.kind == "sms-storage-full").exists()
                   and Alert.select().where(Alert.kind == "sms-quarantined").exists(),
                   what="the storage and quarantine alerts")
    finally:
        rig.stop()
    refused = quarantine(SmsReceived("m2", index=4, pdu="0791"), "box", time.time(),
                         "refused (test)")         # the database refused it (as a raiser sees)
    assert refused.quarantined
    app = make_test_app(tmp_path, database=database)
    try:
        german, english = pages(app)
        full = Alert.get(Alert.kind == "sms-storage-full")
        kept, stored = Alert.select().where(Alert.kind == "sms-quarantined").order_by(Alert.id)
        raw = SmsIn.get(SmsIn.modem == "m1", SmsIn.state == "quarantined")
        said = {
            full: "SIM-Speicher voll (3 von 3): die Box hat alle 3 SMS darauf gespeichert und "
                  "entfernt; die SIM enthält jetzt 0 von 3 (das Netz stellt zu, was gewartet "
                  "hat, sobald Platz frei wird)",
            kept: f"SMS {raw.id} von unbekannt unverarbeitet aufbewahrt: {raw.error}",
            stored: f"SMS {refused_row().id} von unbekannt konnte nicht gespeichert werden "
                    "(refused (test)); ihre Roh-PDU wird in der Quarantäne aufbewahrt (Seite "
                    "SMS), sie wird nicht ausgeführt, und ihre Kopie auf der SIM wird gelöscht",
        }
        for alert, words in said.items():
            assert shown(words) in row(german, alert), alert.message
            assert shown(alert.message) in row(english, alert)
        assert full.message == ("SIM storage full (3 of 3): the box stored and removed all 3 SMS "
                                "on it; the SIM now holds 0 of 3 (the network delivers what "
                                "waited as space frees)")       # the owner's English as before
        assert kept.message == f"SMS {raw.id} from unknown kept raw: {raw.error}"
        for english_words in ("storage full", "stored and removed", "from unknown", "kept raw",
                              "could not be stored", "is kept in"):
            assert english_words not in german, english_words
    finally:
        close_database()


def refused_row() -> SmsIn:
    return SmsIn.get(SmsIn.modem == "m2", SmsIn.state == "quarantined")


def test_the_other_sms_storage_words_are_retold_in_german():
    say = i18n.language_of("de", "EUR").gettext
    failure = RAISED["reading"].format(index=2) + " failed: +CMS ERROR: 500"
    said = {
        RAISED["not emptied"].format(
            found=RAISED["memory full"].format(doing=RAISED["reading"].format(index=2)),
            left=2, read=3, holds=RAISED["now holds"].format(held=2, room=3),
            failure=RAISED["no failure"]):
        "das Modem meldete beim Lesen von SMS 2 einen vollen SMS-Speicher: die Box konnte die "
        "SIM nicht leeren: 2 von 3 SMS sind noch darauf; die SIM enthält jetzt 2 von 3; neue "
        "SMS warten im Netz. Letzter Fehler: keiner verzeichnet",
        RAISED["not emptied"].format(found=RAISED["storage full"].format(held=3, room=3),
                                     left=1, read=3, holds="", failure=failure):
        "SIM-Speicher voll (3 von 3): die Box konnte die SIM nicht leeren: 1 von 3 SMS sind noch "
        f"darauf; neue SMS warten im Netz. Letzter Fehler: {failure}",
        RAISED["emptied"].format(found=RAISED["memory full"].format(doing=RAISED["listing"]),
                                 read=1, holds=""):
        "das Modem meldete beim Auflisten der SMS auf der SIM einen vollen SMS-Speicher: die Box "
        "hat alle 1 SMS darauf gespeichert und entfernt (das Netz stellt zu, was gewartet hat, "
        "sobald Platz frei wird)",
        RAISED["kept raw"].format(id=7, sender="+4917012345678",
                                  error=RAISED["no sender or text"]):
        "SMS 7 von +4917012345678 unverarbeitet aufbewahrt: kein Absender oder kein Text",
    }
    for english, german in said.items():
        assert alert_kinds.retold(english, say) == german
        assert alert_kinds.retold(english) == english


def test_sim_credit_limit_and_pin_lock_alerts_read_german_and_english(app, tmp_path):
    now = datetime(2026, 12, 3, 10, 0).timestamp()          # the day began at 06:00
    sim = SimConfig(iccid=ICCID, balance_ussd="*100#", low_balance_minor=100)
    credit.record("box", "m1", ICCID, sim, "Balance 0.50", "", now, "EUR")
    credit.record("box", "m1", ICCID, sim, "Balance 12.50", "", now + 60, "EUR")
    clock = types.SimpleNamespace(now=now)
    config = parse({"gateway": {"database": str(tmp_path / "web.db"), "state_dir": str(tmp_path),
                                "box": "box"},
                    "sim": [{"iccid": LIMITED, "reset_hour": 6, "max_calls_per_day": 1}]},
                   "test.toml")
    Cdr.create(box="box", role="callback", direction="outgoing", number=SENDER, modem="m2",
               iccid=LIMITED, started_at=now - 600, answered_at=now - 595, ended_at=now - 475,
               billed_seconds=120, cost=0)
    limits = SimLimits(config, lambda: clock.now, lambda: [ModemStatus(
        "m2", "up", health=Health(18, -77, 3, "home", "Virtual GSM", "ready", LIMITED, None))])
    limits.check()
    clock.now = datetime(2026, 12, 4, 6, 0).timestamp()     # the reset
    limits.check()
    for n in range(accounts.PIN_FAILURES_ALLOWED):          # a stranger guessing alice's PIN
        accounts.check_pin(app.alice, "9999", STRANGER, now + n, box="box")
    for n in range(accounts.PIN_FAILURES_ALLOWED):          # ... and account numbers
        accounts.check_pin(None, "9999", PROBER, now + n, box="box")
    for n in range(accounts.ACCOUNT_FAILURES_ALLOWED - 1):  # many numbers: bob's lock
        AuthFailure.create(account=app.bob.id, number=f"+4915100000{n:03d}", at=now + n)
    accounts.check_pin(app.bob, "9999", "+4915199999999", now + 30, box="box")
    german, english = pages(app)
    low = Alert.get(Alert.kind == "sim-low-balance")
    limit = Alert.get(Alert.kind == "sim-limit")
    locks = {alert.subject: alert for alert in Alert.select().where(Alert.kind == "pin-lockouts")}
    said = {
        low: [f"SIM {ICCID} in Modem m1 hat nur noch 0,50\xa0€ Guthaben, weniger als "
              "low_balance 1,00\xa0€",
              f"SIM {ICCID} in Modem m1 hat wieder 12,50\xa0€ Guthaben (low_balance 1,00\xa0€)"],
        limit: [f"SIM {LIMITED} (in m2) hat ihre Grenze erreicht: Anrufe 1/1 (Minuten heute 2, "
                "Anrufe 1/1, Monat 2, SMS 0); sie wird bis 04.12.2026, 06:00 für keinen neuen "
                "Anruf verwendet",
                f"SIM {LIMITED} ist wieder unter ihren Grenzen: Minuten heute 0, Anrufe 0/1, "
                "Monat 2, SMS 0"],
        locks["account alice"]: [
            f"Die PIN-Eingabe von {STRANGER} ist für 15 Minuten gesperrt, für alle Konten: "
            f"5 falsche Kontonummern oder PINs von {STRANGER} innerhalb von 15 Minuten "
            "(zuletzt versucht: Konto alice)"],
        locks[f"caller {PROBER}"]: [
            f"Die PIN-Eingabe von {PROBER} ist für 15 Minuten gesperrt, für alle Konten: "
            f"5 falsche Kontonummern oder PINs von {PROBER} innerhalb von 15 Minuten"],
        locks["account bob"]: [
            "Die PIN-Eingabe für Konto bob ist für 60 Minuten gesperrt: 25 falsche PINs von 25 "
            "Nummern innerhalb von 60 Minuten. Möglicherweise versucht jemand, seine PIN zu "
            "erraten; seine freigeschalteten Rufnummern rufen weiterhin ohne PIN an"],
    }
    for alert, words in said.items():
        for text in words:
            assert shown(text) in row(german, alert), alert.message
        for text in (alert.message, alert.recovery):
            assert shown(text) in row(english, alert)
    assert low.message == (f"SIM {ICCID} in modem m1 has 0.50 EUR credit left, below low_balance "
                           "1.00 EUR")                 # the owner's English as before
    assert limit.message == (f"SIM {LIMITED} (in m2) reached its limit: calls 1/1 (minutes today "
                             "2, calls 1/1, month 2, SMS 0); it is lent to no new call until "
                             "2026-12-04 06:00")
    assert locks["account bob"].message.startswith(
        "PIN entry for account bob is locked for 60 minutes: 25 wrong PINs from 25 numbers")
    for english_words in ("credit left", "credit again", "reached its limit", "minutes today",
                          "2026-12-04", "0.50 EUR", "below its limits", "PIN entry", "wrong PINs",
                          "last tried", "for every account"):
        assert english_words not in german, english_words
