"""The Alerts page in the reader's language, called as a WSGI app: every alert text of
gateway (gateway/care/alert_kinds.py) has its German in the compiled catalogue, a German
admin reads titles, subjects, what happened, advice, recoveries, delivery and notices in
German, an English one in English, and the JSON API stays English (webui/alert_texts.py)."""
from __future__ import annotations

import json
import os
import re
import time

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from gateway.care import alert_kinds
from gateway.store.alerts import Alert, raise_alert, recover
from webui import i18n
from webui.gateway_texts import translate

from tests.webclient import Client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"}
ICCID = "89490200001234567890"


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
