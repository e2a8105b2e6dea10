"""The web UI's routes called as a WSGI app: logins, CSRF, who may see what, validation."""
from __future__ import annotations

import json

from gateway.money import accounts
from gateway.money.ledger import Cdr, Session, Topup, start_session

from tests.webclient import Client


def test_pages_and_api_need_a_login(app):
    client = Client(app)
    for path in ("/", "/connect", "/password", "/admin/modems", "/admin/accounts"):
        reply = client.get(path)
        assert reply.status == 303 and reply.headers["Location"].endswith("/login"), path
    for path in ("/api/account", "/api/modems", "/api/events", "/api/callbacks/1"):
        assert client.get(path).status == 401, path
    assert client.post("/api/callbacks", json_body={"a": "1", "b": "2"}).status == 401


def test_login_sets_a_strict_httponly_cookie_and_logout_ends_the_session(app):
    client = Client(app)
    reply = client.form_login({"name": "alice", "password": "alice-secret"})
    assert reply.status == 303
    cookie = reply.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie.replace("strict", "Strict")
    page = client.get("/")
    assert page.status == 200 and "10.00 EUR" in page.text and "+4917012345678" in page.text
    token = client.cookies["callbox_session"]
    client.post("/logout", {"csrf_token": client.csrf()})
    assert client.get("/").status == 303
    client.cookies["callbox_session"] = token          # the old cookie is dead on the server too
    assert client.get("/").status == 303


def test_forms_without_the_csrf_token_are_refused(app):
    client = Client(app)
    client.form_login({"name": "alice", "password": "alice-secret"})
    form = {"current": "alice-secret", "new": "another-secret", "repeat": "another-secret"}
    assert client.post("/password", form).status == 403
    assert client.post("/password", {**form, "csrf_token": "forged"}).status == 403
    assert client.post("/logout", {}).status == 403
    assert client.get("/").status == 200                # still logged in, nothing changed
    admin = Client(app)
    admin.form_login({"name": "root", "password": "admin-secret"})
    assert admin.post(f"/admin/accounts/{app.alice.id}/topup", {"amount": "5"}).status == 403
    assert Topup.select().where(Topup.by == "web:root").count() == 0


def test_api_requests_without_the_csrf_header_are_refused(app):
    client = Client(app)
    csrf = client.login("alice", "alice-secret")
    assert client.post("/api/callbacks", json_body={"a": "+4917012345678",
                                                    "b": "+4917098765432"}).status == 403
    assert client.post("/api/callbacks/1/hangup",
                       headers={"X-CSRF-Token": "forged"}).status == 403
    assert client.post("/api/logout").status == 403
    assert client.post("/api/logout", headers={"X-CSRF-Token": csrf}).status == 200
    assert client.get("/api/account").status == 401


def test_a_user_sees_only_their_own_account_and_calls(app):
    now = app.clock.now
    bobs_call = start_session("box", app.bob.id, "connect-two", "+4917011111111", now)
    Cdr.create(box="box", session=bobs_call, account=app.bob.id, role="callback",
               direction="outgoing", number="+4917011111111", modem="m1", started_at=now,
               ended_at=now, cost=7)
    client = Client(app)
    client.login("alice", "alice-secret")
    account = json.loads(client.get("/api/account").text)
    assert account["name"] == "alice" and account["balance"] == 1000
    assert account["caller_ids"] == ["+4917012345678"]
    assert client.get(f"/api/callbacks/{bobs_call}").status == 404
    assert client.get(f"/calls/{bobs_call}").status == 404
    assert "+4917011111111" not in client.get("/").text
    bob = Client(app)
    bob.login("bob", "bob-secret")
    mine = json.loads(bob.get(f"/api/callbacks/{bobs_call}").text)
    assert mine["legs"]["a"]["number"] == "+4917011111111" and mine["legs"]["a"]["cost"] == 7
    assert "+4917011111111" in bob.get("/").text


def test_admin_pages_refuse_account_holders(app):
    client = Client(app)
    client.form_login({"name": "alice", "password": "alice-secret"})
    for path in ("/admin/modems", "/admin/accounts"):
        assert client.get(path).status == 403, path
    assert client.get("/api/modems").status == 403
    csrf = client.csrf()
    assert client.post("/admin/accounts", {"csrf_token": csrf, "name": "eve", "pin": "1234",
                                           "balance": "99", "password": "eve-secret"}).status == 403
    assert client.post(f"/admin/accounts/{app.alice.id}/topup",
                       {"csrf_token": csrf, "amount": "50"}).status == 403
    assert accounts.by_name("alice").balance == 1000


def test_admin_creates_an_account_and_tops_it_up(app):
    admin = Client(app)
    admin.form_login({"name": "root", "password": "admin-secret"})
    assert admin.get("/admin/modems").status == 200
    assert json.loads(admin.get("/api/modems").text) == {"modems": []}
    csrf = admin.csrf("/admin/accounts")
    reply = admin.post("/admin/accounts", {"csrf_token": csrf, "name": "carol", "pin": "5678",
                                           "balance": "2.50", "password": "carol-secret"})
    assert reply.status == 200 and "account carol created" in reply.text
    reply = admin.post(f"/admin/accounts/{app.alice.id}/topup",
                       {"csrf_token": csrf, "amount": "5", "note": "cash"})
    assert reply.status == 200 and "15.00 EUR" in reply.text
    booked = Topup.select().where((Topup.by == "web:root") & (Topup.account == app.alice.id)).get()
    assert (booked.amount, booked.note, booked.at) == (500, "cash", app.clock.now)
    carol = Client(app)
    carol.login("carol", "carol-secret")
    assert json.loads(carol.get("/api/account").text)["balance"] == 250


def test_five_wrong_passwords_lock_the_name_from_that_address(app):
    client = Client(app)
    for _ in range(5):
        reply = client.form_login({"name": "alice", "password": "wrong-guess"})
        assert reply.status == 400
    assert "locked for 15 more minutes" in reply.text
    reply = client.form_login({"name": "alice", "password": "alice-secret"})
    assert reply.status == 400 and "locked" in reply.text and "callbox_session" not in client.cookies
    assert client.post("/api/login", json_body={"name": "alice",
                                                "password": "alice-secret"}).status == 429
    elsewhere = Client(app, address="198.51.100.7")      # another address is not locked
    assert elsewhere.form_login({"name": "alice", "password": "alice-secret"}).status == 303
    app.clock.now += 15 * 60 + 1
    assert client.form_login({"name": "alice", "password": "alice-secret"}).status == 303


def test_forms_say_what_is_wrong_next_to_the_field(app):
    client = Client(app)
    reply = client.form_login({"name": "", "password": ""})
    assert 'id="name-error">enter your account name' in reply.text
    assert 'id="password-error">enter your web password' in reply.text
    client.form_login({"name": "alice", "password": "alice-secret"})
    csrf = client.csrf()
    reply = client.post("/connect", {"csrf_token": csrf, "a": "", "b": "12ab; ATH"})
    assert reply.status == 400
    assert 'id="a-error">enter a phone number' in reply.text
    assert 'id="b-error">not a phone number' in reply.text
    reply = client.post("/password", {"csrf_token": csrf, "current": "nope", "new": "short",
                                      "repeat": "short"})
    assert 'id="current-error">this is not your current password' in reply.text
    assert 'id="new-error">a password has at least 8 characters' in reply.text
    admin = Client(app)
    admin.form_login({"name": "root", "password": "admin-secret"})
    reply = admin.post("/admin/accounts", {"csrf_token": admin.csrf("/admin/accounts"),
                                           "name": "alice", "pin": "12", "balance": "lots",
                                           "password": "x"})
    assert reply.status == 400
    for field in ("name", "pin", "balance", "password"):
        assert f'id="{field}-error">' in reply.text, field


def test_output_is_escaped(app):
    admin = Client(app)
    admin.form_login({"name": "root", "password": "admin-secret"})
    reply = admin.post("/admin/accounts", {"csrf_token": admin.csrf("/admin/accounts"),
                                           "name": "<script>x</script>", "pin": "1234",
                                           "balance": "1", "password": "long-enough"})
    assert "<script>x</script>" not in reply.text and "&lt;script&gt;" in reply.text


def test_changing_the_password_ends_other_sessions(app):
    phone, laptop = Client(app), Client(app)
    phone.form_login({"name": "alice", "password": "alice-secret"})
    laptop.form_login({"name": "alice", "password": "alice-secret"})
    reply = phone.post("/password", {"csrf_token": phone.csrf(), "current": "alice-secret",
                                      "new": "new-secret-1", "repeat": "new-secret-1"})
    assert reply.status == 200 and 'id="done"' in reply.text
    assert phone.get("/").status == 200               # this browser got a fresh session
    assert laptop.get("/").status == 303
    assert Client(app).form_login({"name": "alice",
                                   "password": "new-secret-1"}).status == 303


def test_starting_a_call_without_a_call_service_says_so(app):
    client = Client(app)
    csrf = client.login("alice", "alice-secret")
    reply = client.post("/api/callbacks", json_body={"a": "+4917012345678", "b": "030 1234567"},
                        headers={"X-CSRF-Token": csrf})
    assert reply.status == 409 and "no call service" in reply.text
    reply = client.post("/api/callbacks", json_body={"a": "+4917012345678", "b": "x"},
                        headers={"X-CSRF-Token": csrf})
    assert reply.status == 400 and "b" in json.loads(reply.text)["fields"]
    assert Session.select().count() == 0


def test_a_leg_answered_but_not_ended_is_not_shown_as_ended(app):
    now = app.clock.now
    call = start_session("box", app.alice.id, "connect-two", "+4917012345678", now)
    Cdr.create(box="box", session=call, account=app.alice.id, role="callback",
               direction="outgoing", number="+4917012345678", modem="m1", started_at=now,
               answered_at=now)                      # open: the leg still talks
    client = Client(app)
    client.login("alice", "alice-secret")
    state = json.loads(client.get(f"/api/callbacks/{call}").text)
    assert state["state"] == "running" and state["legs"]["a"]["state"] != "ended"
    assert client.get("/favicon.ico").status == 204


def test_connect_two_refuses_emergency_and_short_numbers(app):
    """112 was +49112 and dialled; now the field says to call it from one's own phone."""
    client = Client(app)
    client.form_login({"name": "alice", "password": "alice-secret"})
    reply = client.post("/connect", {"csrf_token": client.csrf(), "a": "+4917012345678",
                                     "b": "112"})
    assert reply.status == 400
    assert ('id="b-error">an emergency number: call it from your own phone; the box does not '
            'connect emergency calls') in reply.text
    api = Client(app)
    csrf = api.login("alice", "alice-secret")
    for b, problem in (("0049 110", "an emergency number"),
                       ("116117", "not a phone number: a short or service number"),
                       ("12", "not a phone number: too short: write it with its area code")):
        reply = api.post("/api/callbacks", json_body={"a": "+4917012345678", "b": b},
                         headers={"X-CSRF-Token": csrf})
        assert reply.status == 400, b
        assert json.loads(reply.text)["fields"]["b"].startswith(problem), b
    assert Session.select().count() == 0
