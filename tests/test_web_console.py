"""The AT console and the modems page's reset, on real virtual modems (modems/sim)
through a real ModemPool, driven as a WSGI app."""
from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import types

import pytest

from gateway.money.ledger import Cdr
from gateway.store.db import close_database
from modems.events import IncomingCall, ModemDown, ModemUp
from modems.config import ModemConfig
from modems.pool import ModemPool
from webui.admin.common import local_midnight
from webui.admin.console import command_problem, expert_warning

from tests.conftest import EventLog
from tests.webclient import Client, make_test_app

BOX = "+4915110000001"
CALLER = "+4917012345678"


def wait_until(predicate, timeout: float = 5.0, what: str = "condition"):
    """Gives predicate()'s first true value; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        pause.wait(0.05)


@contextlib.contextmanager
def web_with_one_modem(network, tmp_path):
    """Gives a pool with one virtual modem m1 (up), a phone, and the web app on it with an
    admin logged in (`csrf` is the admin's token)."""
    modem = network.add_modem(name="m1", number=BOX, profile="generic")
    events = EventLog()
    pool = ModemPool([ModemConfig(name="m1", port=modem.port, audio=modem.audio,
                                  roles=frozenset({"trigger", "callback", "destination"}))],
                     country="DE", on_event=events, health_interval=0.5, at_timeout=2.0)
    pool.start()
    try:
        events.wait_for(ModemUp, modem="m1")
        app = make_test_app(tmp_path, types.SimpleNamespace(pool=pool, calls=None))
        admin = Client(app)
        csrf = admin.login("root", "admin-secret")
        yield types.SimpleNamespace(app=app, pool=pool, modem=modem, events=events,
                                    admin=admin, csrf=csrf,
                                    phone=network.add_phone(number=CALLER))
    finally:
        pool.stop()


@pytest.fixture
def rig(network, tmp_path):
    with web_with_one_modem(network, tmp_path) as box:
        yield box
    close_database()


def csrf_of(client, path="/admin/console") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def send(client, command: str, **extra):
    return client.post("/admin/console", {"csrf_token": csrf_of(client), "modem": "m1",
                                          "command": command, **extra})


def answer_of(reply) -> list[str]:
    found = re.search(r'<pre id="answer">(.*?)</pre>', reply.text, re.S)
    return found.group(1).split("\n") if found else []


def feed_lines(client, after: int = 0) -> list[dict]:
    return json.loads(client.get(f"/admin/console/lines?modem=m1&after={after}").text)["lines"]


def test_at_gets_ok_and_csq_gets_the_signal(rig):
    reply = send(rig.admin, "AT")
    assert reply.status == 200 and answer_of(reply)[-1] == "OK"
    reply = send(rig.admin, "at+csq")
    lines = answer_of(reply)
    assert re.fullmatch(r"\+CSQ: \d+,\d+", lines[0]) and lines[-1] == "OK"
    assert "at+csq" in rig.modem.commands
    kinds = [(line["kind"], line["text"]) for line in feed_lines(rig.admin)]
    assert ("sent", "AT") in kinds and ("sent", "at+csq") in kinds and ("answer", lines[0]) in kinds


@pytest.mark.parametrize("command, message", [
    ("ATI\rATD+491701", "only printable ASCII"),
    ("AT+CMGS=20\x1a", "only printable ASCII"),
    ("reboot", "an AT command starts with AT"),
    ("", "type a command"),
    ("AT" + "E" * 199, "at most 200 characters"),
    ("AT+CMGS=23", "cannot send"),
    ("ATÄ", "only printable ASCII"),
    ("AT+CSQ;+CMGS=23", "cannot send"),
    ("AT+CPBF=\"abc", "double quote is not closed"),
    ("AT+CSQ?Z", "needs a ';'"),
    ("ATE1?", "the modem might read it otherwise"),     # the old guard sent it: it ends in ?
])
def test_the_command_is_checked_before_it_reaches_the_modem(command, message):
    assert message in command_problem(command)


@pytest.mark.parametrize("command", ["AT", "ATI", "AT+CSQ", "AT+CMGF?", "AT+CNMI=?", "AT+CLIP?",
                                     "AT+CREG?", "AT+COPS?", "AT+CRSM=176,28423,0,0,9",
                                     "at + cgmi; +cgsn", "ATS0?", "AT+CLCC"])
def test_harmless_commands_pass(command):
    assert command_problem(command) is None and expert_warning(command) is None


# Each undoes what the driver set at open; the first four were sent by the old guard, which
# looked only at the start of the line.
UNDOING = ["AT Z", "AT E1", "AT+CSQ;+CMGF=1", "AT+CSQ;Z", "ATE1Z", "ATZE0", "at+cmgf = 1",
           "AT+CSQ; +CNMI=0,0,0,0,0", "ATI;&F", "AT+CREG?;+CLIP=0", "ATS0=1", "AT+CFUN=0",
           "AT+CLCC=0", "ATD+4917012345678;Z", 'AT+CPBF=";";E1']


@pytest.mark.parametrize("command", UNDOING)
def test_a_command_that_undoes_the_set_up_is_warned_about(command):
    assert command_problem(command) is None
    warning = expert_warning(command)
    assert warning.setup and "undoes the box's modem set-up" in str(warning)


@pytest.mark.parametrize("command", ["ATD+4917012345678;", "ATH", "AT+CMGD=1,4", "AT&W",
                                     "AT+CRSM=214,28423,0,0,1", "AT+CUSD=1,\"*100#\",15"])
def test_a_command_that_is_no_query_needs_an_expert(command):
    warning = expert_warning(command)
    assert not warning.setup and "not a read-only query" in str(warning)


def expert_form(reply) -> dict:
    """Gives the hidden fields a refused command's page sends with "Send as an expert"."""
    return dict(re.findall(r'<input type="hidden" name="(expert|confirm)" value="([^"]*)"',
                           reply.text))


@pytest.mark.parametrize("command", UNDOING[:8])
def test_the_console_never_sends_a_set_up_undoing_line_unconfirmed(rig, command):
    sent_before = len(rig.modem.commands)
    reply = send(rig.admin, command)
    assert reply.status == 409 and "undoes the box&#039;s modem set-up" in reply.text
    assert 'class="error setup-warning"' in reply.text and 'id="expert"' in reply.text
    reply = send(rig.admin, command, expert="ATI")       # confirmed for another line
    assert reply.status == 409
    # the box's own health checks go on meanwhile: none of its lines is the refused one
    assert command not in rig.modem.commands[sent_before:]
    assert not [line for line in feed_lines(rig.admin) if line["kind"] == "sent"]


def test_an_expert_sends_what_they_confirmed(rig):
    reply = send(rig.admin, "ATL1")
    assert reply.status == 409 and "not a read-only query" in reply.text
    assert "ATL1" not in rig.modem.commands
    assert expert_form(reply) == {"expert": "ATL1"}
    reply = send(rig.admin, "ATL1", **expert_form(reply))
    assert reply.status == 200 and answer_of(reply)[-1] == "OK"
    assert "ATL1" in rig.modem.commands


def test_a_refused_command_says_why_next_to_the_field(rig):
    sent_before = len(rig.modem.commands)
    reply = send(rig.admin, "reboot now")
    assert reply.status == 400
    assert 'id="command-error">an AT command starts with AT' in reply.text
    reply = send(rig.admin, "AT\nATH")
    assert reply.status == 400 and "no line breaks" in reply.text
    assert not [line for line in rig.modem.commands[sent_before:]
                if "reboot" in line or line == "ATH"]
    reply = rig.admin.post("/admin/console", {"csrf_token": csrf_of(rig.admin),
                                              "modem": "m9", "command": "AT"})
    assert reply.status == 400 and "pick a modem" in reply.text
    assert rig.admin.get("/admin/console?modem=m9").status == 404


def test_a_command_during_a_call_asks_for_confirmation(rig):
    rig.phone.call(BOX)
    rig.events.wait_for(IncomingCall, modem="m1")
    wait_until(lambda: rig.pool.driver("m1").in_call, what="modem in a call")
    reply = send(rig.admin, "ATI")
    assert reply.status == 409
    assert "m1 is in a call" in reply.text and 'name="confirm" value="1"' in reply.text
    assert "ATI" not in rig.modem.commands
    reply = send(rig.admin, "ATI", confirm="1")
    assert reply.status == 200 and answer_of(reply)[-1] == "OK"
    assert "ATI" in rig.modem.commands
    rig.phone.hangup()


def test_a_ring_shows_in_the_live_feed(rig):
    page = rig.admin.get("/admin/console?modem=m1")
    assert page.status == 200 and 'src="/static/console.js"' in page.text
    last = int(re.search(r'data-last="(\d+)"', page.text).group(1))
    rig.phone.call(BOX)
    rings = ("RING", "+CRING: VOICE")
    ring = wait_until(lambda: [line for line in feed_lines(rig.admin, last)
                               if line["kind"] == "urc" and line["text"] in rings],
                      what="RING in the feed")
    assert ring[0]["id"] > last
    clip = wait_until(lambda: [line for line in feed_lines(rig.admin, last)
                               if line["text"].startswith("+CLIP")], what="+CLIP in the feed")
    assert CALLER in clip[0]["text"]
    # the feed shows a line as the port reads it; the call list that makes the modem
    # "in a call" is read after it (AT+CLCC on the RING): the page's next refresh says so
    def feed_state():
        return json.loads(rig.admin.get("/admin/console/lines?modem=m1&after=999999").text)

    wait_until(lambda: feed_state()["in_call"], what="the feed's state saying in a call")
    assert feed_state() == {"lines": [], "up": True, "in_call": True}
    rig.phone.hangup()
    assert rig.admin.get("/static/console.js").status == 200


def test_the_console_is_for_admins_only(rig):
    holder = Client(rig.app)
    csrf = holder.login("alice", "alice-secret")
    assert holder.get("/admin/console").status == 403
    assert holder.get("/admin/console/lines?modem=m1").status == 403
    sent_before = len(rig.modem.commands)
    reply = holder.post("/admin/console", {"csrf_token": csrf, "modem": "m1",
                                           "command": "AT+CFUN=0"})
    assert reply.status == 403 and "AT+CFUN=0" not in rig.modem.commands[sent_before:]


def test_the_reset_button_reopens_the_modem(rig):
    csrf = csrf_of(rig.admin, "/admin/modems")
    reply = rig.admin.post("/admin/modems/m1/reset", {"csrf_token": csrf})
    assert reply.status == 200 and "m1 reset" in reply.text
    down = rig.events.wait_for(ModemDown, modem="m1")
    assert down.reason == "reset by an admin"
    rig.events.wait_for(ModemUp, modem="m1", timeout=10)
    wait_until(lambda: rig.pool.driver("m1") is not None, what="m1 up again")
    assert answer_of(send(rig.admin, "AT"))[-1] == "OK"      # the console follows the new driver
    assert rig.admin.post("/admin/modems/m7/reset", {"csrf_token": csrf}).status == 409


def test_a_reset_during_a_call_asks_for_confirmation(rig):
    csrf = csrf_of(rig.admin, "/admin/modems")
    rig.phone.call(BOX)
    rig.events.wait_for(IncomingCall, modem="m1")
    wait_until(lambda: rig.pool.driver("m1").in_call, what="modem in a call")
    driver = rig.pool.driver("m1")
    reply = rig.admin.post("/admin/modems/m1/reset", {"csrf_token": csrf})
    assert reply.status == 409 and "a reset ends it" in reply.text
    assert 'id="confirm-reset"' in reply.text and rig.pool.driver("m1") is driver
    reply = rig.admin.post("/admin/modems/m1/reset", {"csrf_token": csrf, "confirm": "1"})
    assert reply.status == 200
    rig.events.wait_for(ModemDown, modem="m1")


def test_the_modems_page_shows_minutes_used_today(rig):
    now = rig.app.clock.now = local_midnight(rig.app.clock.now) + 12 * 3600
    Cdr.create(box="box", role="callback", direction="outgoing", number=CALLER, modem="m1",
               started_at=now - 200, answered_at=now - 190, ended_at=now - 40)
    page = rig.admin.get("/admin/modems").text
    assert re.search(r'<td class="minutes">3</td>', page)
    modems = json.loads(rig.admin.get("/api/modems").text)["modems"]   # what modems.js reads
    assert modems[0]["name"] == "m1" and isinstance(modems[0]["minutes_today"], int)


def test_the_json_api_asks_an_expert_too(rig):
    def at(body):
        reply = rig.admin.post("/api/admin/modems/m1/at", json_body=body,
                               headers={"X-CSRF-Token": rig.csrf})
        return reply.status, json.loads(reply.text)

    sent_before = len(rig.modem.commands)
    status, body = at({"command": "AT+CSQ;+CMGF=1"})
    assert (status, body["expert"], body["undoes_setup"]) == (409, True, True)
    status, body = at({"command": "AT+CSQ;+CMGF=1", "expert": "AT+CSQ"})
    assert status == 409
    status, body = at({"command": "ATL1"})
    assert (status, body["expert"], body["undoes_setup"]) == (409, True, False)
    assert not {"AT+CSQ;+CMGF=1", "ATL1"} & set(rig.modem.commands[sent_before:])
    status, body = at({"command": "ATL1", "expert": "ATL1"})
    assert status == 200 and body["answer"][-1] == "OK" and "ATL1" in rig.modem.commands
