"""The admins' JSON API (/api/admin/...) called as a WSGI app: who may use it, CSRF on
every change, accounts, rates, calls, SMS, system, and AT commands on a real virtual
modem through a real ModemPool."""
from __future__ import annotations

import json
import re

import pytest

from gateway import users
from gateway.money import accounts
from gateway.money.ledger import Account, CallerId, RateRecord, Topup
from gateway.sms import store as sms_store
from gateway.sms.models import SmsOut
from gateway.store.db import EventLogRecord, close_database
from gateway.users import WebUser
from modems.events import IncomingCall, ModemDown, ModemUp

from tests.test_web_admin import local_day, make_calls
from tests.test_web_console import BOX, wait_until, web_with_one_modem
from tests.webclient import Client

GOOD_RATES = ("prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
              "49,Germany fixed,0.01,0,60,60\n"
              "4917,Germany mobile,0.012,0.05,30,6\n"
              "44,United Kingdom,0.02,0,60,60\n")
BAD_RATES = ("prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
             "49,Germany fixed,0.01,0,60,60\n"
             "4917,Germany mobile,cheap,0.05,30,6\n"
             "\n"
             "44,United Kingdom,0.02,0,60\n"
             "33,France,0.02,0,60,60\n")


def routes(app) -> list[tuple[str, str, dict | None]]:
    """Every admin API route, with a body that an admin's request would get through."""
    alice = app.alice.id
    return [("GET", "/api/admin/accounts", None),
            ("POST", "/api/admin/accounts", {"name": "carol", "pin": "4321", "balance": "5",
                                             "password": "carol-secret"}),
            ("POST", f"/api/admin/accounts/{alice}/topup", {"amount": "12.50"}),
            ("POST", f"/api/admin/accounts/{alice}/pin", {"pin": "9876"}),
            ("POST", f"/api/admin/accounts/{alice}/lock", None),
            ("POST", f"/api/admin/accounts/{alice}/unlock", None),
            ("POST", f"/api/admin/accounts/{alice}/sessions", {"max_concurrent_sessions": 3}),
            ("POST", f"/api/admin/accounts/{alice}/callerids", {"number": "+4917099999999"}),
            ("DELETE", f"/api/admin/accounts/{alice}/callerids", {"number": "+4917012345678"}),
            ("GET", "/api/admin/rates?q=49", None),
            ("POST", "/api/admin/rates", {"csv": GOOD_RATES, "replace": False}),
            ("GET", "/api/admin/calls?status=running", None),
            ("GET", "/api/admin/calls/running", None),
            ("GET", "/api/admin/sms?direction=out", None),
            ("POST", "/api/admin/sms/1/retry", None),
            ("GET", "/api/admin/system", None),
            ("POST", "/api/admin/modems/m1/at", {"command": "AT+CFUN=0", "confirm": True}),
            ("POST", "/api/admin/modems/m1/reset", {"confirm": True})]


def answer(reply) -> dict:
    assert reply.headers["Content-Type"].startswith("application/json"), reply.text
    return json.loads(reply.text)


def failed_sms(app) -> int:
    out_id = sms_store.enqueue("box", "+4917012345678", "Callback refused", app.clock.now - 60)
    SmsOut.update(state="failed", attempts=4, reason="+CMS ERROR: 38").where(
        SmsOut.id == out_id).execute()
    return out_id


def nothing_changed(app) -> bool:
    alice = Account.get_by_id(app.alice.id)
    return (Account.select().count() == 2 and alice.balance == 1000 and not alice.locked
            and accounts.pin_matches("1234", alice.pin_hash)
            and [row.number for row in CallerId.select()] == ["+4917012345678"]
            and RateRecord.select().count() == 0 and Topup.select().count() == 2
            and SmsOut.get_by_id(1).state == "failed")


@pytest.fixture
def admin(app):
    client = Client(app)
    client.headers = {"X-CSRF-Token": client.login("root", "admin-secret")}
    return client


def call(client, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    return client.request(method, path, json_body=body,
                          headers=headers if headers is not None else getattr(client, "headers",
                                                                              {}))


def test_every_route_refuses_the_anonymous_holders_and_tokens(app):
    assert failed_sms(app) == 1
    anonymous = Client(app)
    holder = Client(app)
    holder_csrf = {"X-CSRF-Token": holder.login("alice", "alice-secret")}
    token = users.set_api_token(WebUser.get(WebUser.name == "alice").id)
    stranger = Client(app)
    for method, path, body in routes(app):
        reply = call(anonymous, method, path, body)
        assert reply.status == 401 and "log in" in answer(reply)["error"], path
        reply = call(holder, method, path, body, holder_csrf)
        assert reply.status == 403 and answer(reply)["error"] == "for admins only", path
        reply = call(stranger, method, path, body, {"Authorization": f"Bearer {token}"})
        assert reply.status == 403 and answer(reply)["error"] == "for admins only", path
    assert nothing_changed(app)


def test_every_change_needs_the_csrf_header(app, admin):
    failed_sms(app)
    changes = [route for route in routes(app) if route[0] != "GET"]
    assert len(changes) == 12
    for method, path, body in changes:
        reply = call(admin, method, path, body, {})
        assert reply.status == 403 and "X-CSRF-Token" in answer(reply)["error"], path
        reply = call(admin, method, path, body, {"X-CSRF-Token": "forged"})
        assert reply.status == 403, path
    assert nothing_changed(app)


def test_create_top_up_and_lock_an_account(app, admin):
    reply = call(admin, "POST", "/api/admin/accounts", {"name": "carol", "pin": "4321",
                                                         "balance": "12.50",
                                                         "password": "carol-secret"})
    assert reply.status == 201
    carol = answer(reply)
    assert carol == {"id": carol["id"], "number": carol["number"], "name": "carol",
                     "balance": 1250, "reserved": 0, "locked": False,
                     "max_concurrent_sessions": 1, "language": None, "caller_ids": []}
    assert re.fullmatch(r"[0-9]{9}", carol["number"]), carol["number"]
    Client(app).login("carol", "carol-secret")          # the holder's web login is made
    reply = call(admin, "POST", "/api/admin/accounts", {"name": "carol", "pin": "12",
                                                         "balance": 5, "password": "x"})
    assert reply.status == 400
    assert answer(reply)["fields"] == {"balance": "give balance as a string"}
    reply = call(admin, "POST", "/api/admin/accounts", {"name": "carol", "pin": "12",
                                                         "balance": "-1", "password": "x"})
    assert reply.status == 400
    assert set(answer(reply)["fields"]) == {"name", "pin", "balance", "password"}

    topup = f"/api/admin/accounts/{carol['id']}/topup"
    reply = call(admin, "POST", topup, {"amount": "7.25", "note": "cash"})
    assert reply.status == 200 and answer(reply)["balance"] == 1975
    assert answer(reply)["amount"] == 725
    row = Topup.select().where(Topup.account == carol["id"]).order_by(Topup.id.desc()).get()
    assert (row.amount, row.by, row.note) == (725, "api:root", "cash")
    for amount, message in (("0", "above 0"), ("12.345", "like 10 or 12.50")):
        reply = call(admin, "POST", topup, {"amount": amount})
        assert reply.status == 400 and message in answer(reply)["fields"]["amount"]
    assert call(admin, "POST", "/api/admin/accounts/999/topup", {"amount": "1"}).status == 404

    reply = call(admin, "POST", f"/api/admin/accounts/{carol['id']}/lock")
    assert reply.status == 200 and answer(reply)["locked"] is True
    assert Account.get_by_id(carol["id"]).locked
    listed = {item["name"]: item for item in answer(admin.get("/api/admin/accounts"))["accounts"]}
    assert listed["carol"]["locked"] is True and listed["carol"]["balance"] == 1975
    assert listed["alice"]["caller_ids"] == ["+4917012345678"]
    reply = call(admin, "POST", f"/api/admin/accounts/{carol['id']}/unlock")
    assert answer(reply)["locked"] is False and not Account.get_by_id(carol["id"]).locked


def test_pin_and_caller_ids_of_an_account(app, admin):
    alice = app.alice.id
    reply = call(admin, "POST", f"/api/admin/accounts/{alice}/pin", {"pin": "12"})
    assert reply.status == 400 and "pin" in answer(reply)["fields"]
    assert call(admin, "POST", f"/api/admin/accounts/{alice}/pin", {"pin": "9876"}).status == 200
    assert accounts.pin_matches("9876", Account.get_by_id(alice).pin_hash)
    path = f"/api/admin/accounts/{alice}/callerids"
    reply = call(admin, "POST", path, {"number": "0170 99999999"})
    assert reply.status == 201 and answer(reply)["number"] == "+4917099999999"
    reply = call(admin, "POST", f"/api/admin/accounts/{app.bob.id}/callerids",
                 {"number": "+4917099999999"})
    assert reply.status == 400 and "account alice" in answer(reply)["fields"]["number"]
    reply = call(admin, "POST", path, {"number": "12ab"})
    assert reply.status == 400 and "not a phone number" in answer(reply)["fields"]["number"]
    assert call(admin, "DELETE", path, {"number": "+4917099999999"}).status == 200
    assert call(admin, "DELETE", path, {"number": "+4917099999999"}).status == 404
    assert accounts.by_caller_id("+4917099999999") is None


def test_a_good_rates_file_is_stored_and_searchable(app, admin):
    reply = call(admin, "POST", "/api/admin/rates", {"csv": GOOD_RATES, "replace": False})
    assert reply.status == 200 and answer(reply) == {"stored": 3, "removed": 0}
    found = answer(admin.get("/api/admin/rates?q=%2B49"))
    assert [rate["prefix"] for rate in found["rates"]] == ["49", "4917"]
    assert found["rates"][1]["connect_fee"] == 5 and found["total"] == 2
    assert [rate["prefix"] for rate in answer(admin.get("/api/admin/rates?q=kingdom"))
            ["rates"]] == ["44"]
    reply = call(admin, "POST", "/api/admin/rates", {"csv": "33,France,0.02,0,60,60\n",
                                                      "replace": True})
    assert answer(reply) == {"stored": 1, "removed": 3}
    assert [row.prefix for row in RateRecord.select()] == ["33"]
    world = "".join(f"{prefix},Somewhere far away number {prefix},0.01,0,60,60\n"
                    for prefix in range(100000, 103000))
    assert len(world) > 150_000          # past what a JSON body may have elsewhere
    reply = call(admin, "POST", "/api/admin/rates", {"csv": world, "replace": True})
    assert answer(reply) == {"stored": 3000, "removed": 1}


def test_a_rates_file_with_bad_lines_names_them_and_stores_nothing(app, admin):
    reply = call(admin, "POST", "/api/admin/rates", {"csv": BAD_RATES})
    assert reply.status == 400
    refusal = answer(reply)
    assert "2 bad line(s): nothing was stored" == refusal["error"]
    assert [line["line"] for line in refusal["lines"]] == [3, 5]
    assert all(line["error"] for line in refusal["lines"])
    assert RateRecord.select().count() == 0
    reply = call(admin, "POST", "/api/admin/rates", {"csv": "# a comment only\n"})
    assert reply.status == 400 and "has no rates" in answer(reply)["fields"]["csv"]
    reply = call(admin, "POST", "/api/admin/rates", {"csv": GOOD_RATES, "replace": "yes"})
    assert reply.status == 400 and "replace" in answer(reply)["fields"]
    assert RateRecord.select().count() == 0


def test_sms_lists_and_retry_queues_a_failed_text_again(app, admin):
    failed = failed_sms(app)
    sent = sms_store.enqueue("box", "+4917012345678", "Done", app.clock.now - 60)
    SmsOut.update(state="sent", sent_at=app.clock.now - 50).where(SmsOut.id == sent).execute()
    listed = answer(admin.get("/api/admin/sms?direction=out"))
    assert {row["id"]: row["state"] for row in listed["messages"]} == {failed: "failed",
                                                                       sent: "sent"}
    reply = call(admin, "POST", f"/api/admin/sms/{failed}/retry")
    assert reply.status == 200 and answer(reply)["state"] == "queued"
    row = SmsOut.get_by_id(failed)
    assert (row.state, row.attempts, row.next_attempt_at) == ("queued", 0, app.clock.now)
    reply = call(admin, "POST", f"/api/admin/sms/{sent}/retry")
    assert reply.status == 409 and "only a failed or queued one" in answer(reply)["error"]
    assert call(admin, "POST", "/api/admin/sms/999/retry").status == 404
    assert answer(admin.get("/api/admin/sms"))["messages"] == []
    assert admin.get("/api/admin/sms?direction=drafts").status == 400


def test_calls_filter_like_the_admin_page(app, admin):
    alice_call, running = make_calls(app)

    def numbers(query: str) -> set[str]:
        return {leg["number"] for leg in answer(admin.get("/api/admin/calls" + query))["legs"]}

    assert len(numbers("")) == 4
    assert numbers(f"?account={app.alice.id}") == {"+4917012345678", "+441234567890"}
    assert numbers("?number=4412") == {"+441234567890"}
    assert numbers("?status=not+answered") == {"+441234567890"}
    assert numbers("?status=running") == {"+4917022222222"}
    day = local_day(app.clock.now - 3 * 86400)
    assert numbers(f"?from={day}&to={day}") == {"+4917011111111"}
    legs = answer(admin.get(f"/api/admin/calls?account={app.alice.id}&number=4917"))
    assert legs["total"] == 1 and legs["legs"][0]["session"] == alice_call
    assert legs["legs"][0]["cost"] == 12 and legs["legs"][0]["seconds"] == 90
    reply = admin.get("/api/admin/calls?from=yesterday&status=lost")
    assert reply.status == 400 and set(answer(reply)["fields"]) == {"from", "status"}
    live = answer(admin.get("/api/admin/calls/running"))
    assert [session["id"] for session in live["sessions"]] == [running]


def test_system_facts_and_log_tail(app, admin):
    EventLogRecord.create(box="box", at=app.clock.now, modem="m1", kind="signal",
                          message="m1 lost its signal")
    system = answer(admin.get("/api/admin/system"))
    assert system["facts"]["Version"].startswith("callbox ")
    assert "Database" in system["facts"] and "Uptime" in system["facts"]
    assert system["log"][0]["message"] == "m1 lost its signal"


# -- modems ----------------------------------------------------------------------------------

@pytest.fixture
def rig(network, tmp_path):
    """A pool with one virtual modem m1 (up), a phone, and an admin on the web app."""
    with web_with_one_modem(network, tmp_path) as box:
        box.admin.headers = {"X-CSRF-Token": box.csrf}
        yield box
    close_database()


def at(rig, command, **extra):
    return call(rig.admin, "POST", "/api/admin/modems/m1/at", {"command": command, **extra})


def test_an_at_command_gets_the_modems_answer(rig):
    reply = at(rig, "AT+CSQ")
    assert reply.status == 200
    result = answer(reply)
    assert re.fullmatch(r"\+CSQ: \d+,\d+", result["answer"][0]) and result["answer"][-1] == "OK"
    assert "AT+CSQ" in rig.modem.commands
    feed = json.loads(rig.admin.get("/admin/console/lines?modem=m1").text)["lines"]
    assert ("sent", "AT+CSQ") in [(line["kind"], line["text"]) for line in feed]
    sent_before = len(rig.modem.commands)
    for command, message in (("reboot", "starts with AT"), ("AT\nATH", "no line breaks"),
                             ("AT+CMGS=23", "cannot send")):
        reply = at(rig, command)
        assert reply.status == 400 and message in answer(reply)["fields"]["command"]
    assert at(rig, 17).status == 400
    # the box's own health checks may reach the modem meanwhile; a refused line never does
    refused = {"reboot", "AT\nATH", "ATH", "AT+CMGS=23", "17"}
    assert not refused & set(rig.modem.commands[sent_before:]), rig.modem.commands[sent_before:]
    assert call(rig.admin, "POST", "/api/admin/modems/m9/at", {"command": "AT"}).status == 404


def test_an_at_command_during_a_call_needs_confirmation(rig):
    rig.phone.call(BOX)
    rig.events.wait_for(IncomingCall, modem="m1")
    wait_until(lambda: rig.pool.driver("m1").in_call, what="modem in a call")
    reply = at(rig, "ATI")
    assert reply.status == 409
    assert answer(reply)["confirm"] is True and "m1 is in a call" in answer(reply)["error"]
    assert "ATI" not in rig.modem.commands
    reply = at(rig, "ATI", confirm=True)
    assert reply.status == 200 and answer(reply)["answer"][-1] == "OK"
    assert "ATI" in rig.modem.commands
    driver = rig.pool.driver("m1")
    reply = call(rig.admin, "POST", "/api/admin/modems/m1/reset")
    assert reply.status == 409 and answer(reply)["confirm"] is True
    assert rig.pool.driver("m1") is driver
    rig.phone.hangup()


def test_a_reset_reopens_the_modem(rig):
    reply = call(rig.admin, "POST", "/api/admin/modems/m1/reset")
    assert reply.status == 200 and answer(reply) == {"modem": "m1", "reset": True}
    assert rig.events.wait_for(ModemDown, modem="m1").reason == "reset by an admin"
    rig.events.wait_for(ModemUp, modem="m1", timeout=10)
    assert call(rig.admin, "POST", "/api/admin/modems/m7/reset").status == 404
