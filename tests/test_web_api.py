"""The JSON API as WSGI: API tokens (Bearer), caller IDs by texted code, call history."""
from __future__ import annotations

import json
import re

from gateway import users
from gateway.money import accounts
from gateway.money.ledger import Cdr, Session, start_session
from gateway.sms.models import SmsOut
from gateway.users import WebUser
from webui import auth

from tests.webclient import Client

NEW_PHONE = "+4917055555555"


def token_for(app, name="alice") -> str:
    """Gives a fresh API token made on the holder's API token page."""
    client = Client(app)
    client.form_login({"name": name, "password": f"{name}-secret"})
    reply = client.post("/api-token", {"csrf_token": client.csrf("/api-token")})
    return re.search(r'id="token">([^<]+)<', reply.text).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def answer(reply) -> dict:
    return json.loads(reply.text)


def test_a_token_reads_the_account_and_starts_calls_without_csrf(app):
    token = token_for(app)
    client = Client(app)                    # no cookie at all
    reply = client.get("/api/account", headers=bearer(token))
    assert reply.status == 200 and answer(reply)["name"] == "alice"
    reply = client.post("/api/callbacks", json_body={"a": "+4917012345678", "b": "030 1234567"},
                        headers=bearer(token))
    # past authentication and CSRF: refused only because this app has no call service
    assert reply.status == 409 and "no call service" in answer(reply)["error"]
    reply = client.post("/api/callbacks", json_body={"a": "+4917012345678", "b": "x"},
                        headers=bearer(token))
    assert reply.status == 400 and "b" in answer(reply)["fields"]
    assert "callbox_session" not in client.cookies


def test_cookie_sessions_still_need_csrf(app):
    token_for(app)
    client = Client(app)
    client.login("alice", "alice-secret")
    reply = client.post("/api/callerids", json_body={"number": NEW_PHONE})
    assert reply.status == 403 and SmsOut.select().count() == 0


def test_wrong_and_revoked_tokens_get_401(app):
    token = token_for(app)
    client = Client(app)
    assert client.get("/api/account", headers=bearer(token + "x")).status == 401
    assert client.get("/api/account", headers={"Authorization": f"Basic {token}"}).status == 401
    assert client.get("/api/account", headers={"Authorization": "Bearer "}).status == 401
    newer = token_for(app)                  # a new token ends the old one
    assert client.get("/api/account", headers=bearer(token)).status == 401
    assert client.get("/api/account", headers=bearer(newer)).status == 200
    alice = WebUser.get(WebUser.name == "alice")
    users.clear_api_token(alice.id)
    assert client.get("/api/account", headers=bearer(newer)).status == 401
    assert client.post("/api/callerids", json_body={"number": NEW_PHONE},
                       headers=bearer(newer)).status == 401


def test_a_wrong_token_is_not_rescued_by_a_cookie(app):
    client = Client(app)
    client.login("alice", "alice-secret")
    assert client.get("/api/account").status == 200
    assert client.get("/api/account", headers=bearer("cbx_guessed")).status == 401
    assert client.get("/api/account", headers={"Authorization": "Bearer"}).status == 401
    # another scheme (a proxy's own login) leaves the cookie session alone
    assert client.get("/api/account", headers={"Authorization": "Basic eDp5"}).status == 200


def test_a_token_never_opens_admin_routes(app):
    token = token_for(app)
    root = WebUser.get(WebUser.name == "root")
    WebUser.update(api_token_hash=auth.token_hash("cbx_root-made")).where(
        WebUser.id == root.id).execute()
    client = Client(app)
    assert client.get("/api/modems", headers=bearer(token)).status == 403
    # even a token row on an admin login (no account) opens nothing
    assert client.get("/api/modems", headers=bearer("cbx_root-made")).status == 401
    WebUser.update(is_admin=True).where(WebUser.name == "alice").execute()
    assert client.get("/api/modems", headers=bearer(token)).status == 403
    assert client.get("/admin/modems", headers=bearer(token)).status == 303     # pages: login


def test_a_token_sees_only_its_own_account(app):
    now = app.clock.now
    bobs_call = start_session("box", app.bob.id, "connect-two", "+4917011111111", now)
    token = token_for(app)
    client = Client(app)
    assert client.get(f"/api/callbacks/{bobs_call}", headers=bearer(token)).status == 404
    assert answer(client.get("/api/calls", headers=bearer(token)))["total"] == 0
    bob = token_for(app, "bob")
    assert answer(client.get("/api/calls", headers=bearer(bob)))["calls"][0]["id"] == bobs_call


def test_caller_ids_added_by_code_listed_and_removed(app):
    client = Client(app)
    headers = {"X-CSRF-Token": client.login("alice", "alice-secret")}
    listing = answer(client.get("/api/callerids"))
    assert [item["number"] for item in listing["caller_ids"]] == ["+4917012345678"]
    reply = client.request("POST", "/api/callerids", json_body={"number": "0170 55555555"},
                           headers=headers)
    assert reply.status == 202
    sent = answer(reply)
    assert sent["number"] == NEW_PHONE and sent["expires_at"] == app.clock.now + 600
    text = SmsOut.get(SmsOut.number == NEW_PHONE).text
    code = re.search(r"\b(\d{6})\b", text).group(1)
    assert answer(client.get("/api/callerids"))["pending"][0]["code_id"] == sent["code_id"]
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    reply = client.request("POST", "/api/callerids/verify", headers=headers,
                           json_body={"code_id": sent["code_id"], "code": wrong})
    assert reply.status == 400 and answer(reply)["fields"]["code"] == "wrong code: 4 more tries"
    reply = client.request("POST", "/api/callerids/verify", headers=headers,
                           json_body={"code_id": sent["code_id"], "code": code})
    assert reply.status == 200 and answer(reply) == {"number": NEW_PHONE, "authorized": True}
    assert accounts.by_caller_id(NEW_PHONE).id == app.alice.id
    reply = client.request("DELETE", "/api/callerids", json_body={"number": NEW_PHONE},
                           headers=headers)
    assert reply.status == 200 and accounts.by_caller_id(NEW_PHONE) is None
    reply = client.request("DELETE", "/api/callerids", json_body={"number": NEW_PHONE},
                           headers=headers)
    assert reply.status == 404
    assert client.request("DELETE", "/api/callerids",
                          json_body={"number": "+4917012345678"}).status == 403   # no CSRF


def test_caller_id_refusals_by_api(app):
    accounts.authorize_caller_id(app.bob.id, NEW_PHONE, app.clock.now)
    token = token_for(app)
    client = Client(app)

    def add(number):
        return client.post("/api/callerids", json_body={"number": number}, headers=bearer(token))

    assert add("+4917012345678").status == 409
    reply = add(NEW_PHONE)
    assert reply.status == 409 and "another account" in answer(reply)["fields"]["number"]
    reply = add("12ab")
    assert reply.status == 400 and "not a phone number" in answer(reply)["fields"]["number"]
    assert client.post("/api/callerids", json_body={"number": 4917},
                       headers=bearer(token)).status == 400
    for last in "123":
        assert add(f"+491705555550{last}").status == 202
    assert add("+4917055555504").status == 429
    assert client.post("/api/callerids/verify", json_body={"code_id": "1", "code": "123456"},
                       headers=bearer(token)).status == 400


def test_call_history_by_api_pages_with_leg_costs(app):
    now = app.clock.now
    for number in range(23):
        session = start_session("box", app.alice.id, "connect-two", "+4917012345678",
                                now + number)
        Session.update(state="settled", ended_at=now + number + 60).where(
            Session.id == session).execute()
        Cdr.create(box="box", session=session, account=app.alice.id, role="destination",
                   direction="outgoing", number="+4930123456", modem="m2", started_at=now,
                   answered_at=now, ended_at=now + 60, billed_seconds=60, cost=number,
                   cause="normal")
    token = token_for(app)
    client = Client(app)
    first = answer(client.get("/api/calls", headers=bearer(token)))
    assert (first["page"], first["pages"], first["total"], len(first["calls"])) == (1, 2, 23, 20)
    newest = first["calls"][0]
    assert newest["cost"] == 22 and newest["cost_text"] == "0.22 EUR"
    assert newest["legs"] == [{"role": "destination", "leg": "b", "number": "+4930123456",
                               "answered_at": now, "ended_at": now + 60, "seconds": 60,
                               "cost": 22, "cause": "normal"}]
    shim = Client(lambda environ, start: app(
        dict(environ, PATH_INFO="/api/calls", QUERY_STRING="page=2"), start))
    second = answer(shim.get("/api/calls", headers=bearer(token)))
    assert [call["cost"] for call in second["calls"]] == [2, 1, 0]
