"""The holder's own pages as WSGI: caller IDs by texted code, PIN, SMS help, history, API token."""
from __future__ import annotations

import dataclasses
import re

from gateway.config import parse
from gateway.money import accounts
from gateway.money.ledger import Account, CallerId, Cdr, Session, start_session
from gateway.sms.models import SmsOut
from gateway.users import CallerIdCode
from webui import auth

from tests.webclient import Client

NEW_PHONE = "+4917055555555"


def holder(app, name="alice"):
    client = Client(app)
    assert client.form_login({"name": name, "password": f"{name}-secret"}).status == 303
    return client


def texted_code(number: str) -> tuple[str, SmsOut]:
    """Gives the code of the newest SMS queued to the number, and its outbox row."""
    row = SmsOut.select().where(SmsOut.number == number).order_by(SmsOut.id.desc()).get()
    return re.search(r"\b(\d{6})\b", row.text).group(1), row


def code_id(page: str) -> str:
    return re.findall(r'name="code_id" value="(\d+)"', page)[0]


def test_adding_a_caller_id_texts_a_code_and_the_right_code_authorizes_it(app):
    client = holder(app)
    csrf = client.csrf("/callerids")
    reply = client.post("/callerids", {"csrf_token": csrf, "number": "0170 55555555"})
    assert reply.status == 200 and f"texting a 6-digit code to {NEW_PHONE}" in reply.text
    code, sms = texted_code(NEW_PHONE)
    assert (sms.state, sms.kind, sms.box) == ("queued", "code", app.web.config.gateway.box)
    assert code not in CallerIdCode.get().code_hash           # stored hashed only
    assert accounts.by_caller_id(NEW_PHONE) is None          # not before the code
    reply = client.post("/callerids/verify", {"csrf_token": csrf, "code_id": code_id(reply.text),
                                              "code": code})
    assert reply.status == 200 and f"{NEW_PHONE} is now authorized" in reply.text
    assert accounts.by_caller_id(NEW_PHONE).id == app.alice.id
    assert re.search(rf"<td>\{NEW_PHONE}</td>", reply.text)
    # a used code cannot be used again
    reply = client.post("/callerids/verify", {"csrf_token": csrf, "code_id": sms.id, "code": code})
    assert reply.status == 400


def test_a_caller_id_form_explains_bad_numbers_next_to_the_field(app):
    client = holder(app)
    csrf = client.csrf("/callerids")
    for typed, words in (("", "enter a phone number"), ("12ab", "not a phone number"),
                         ("+4917012345678", "already authorized for your account")):
        reply = client.post("/callerids", {"csrf_token": csrf, "number": typed})
        assert reply.status == 400
        assert re.search(r'id="number-error">[^<]*' + words, reply.text), typed
    assert SmsOut.select().count() == 0
    assert client.post("/callerids", {"number": NEW_PHONE}).status == 403     # no CSRF token


def test_a_number_of_another_account_is_refused(app):
    accounts.authorize_caller_id(app.bob.id, NEW_PHONE, app.clock.now)
    client = holder(app)
    reply = client.post("/callerids", {"csrf_token": client.csrf("/callerids"),
                                       "number": NEW_PHONE})
    assert reply.status == 400 and "authorized for another account" in reply.text
    assert "bob" not in reply.text
    assert SmsOut.select().count() == 0
    assert accounts.by_caller_id(NEW_PHONE).id == app.bob.id


def test_five_wrong_codes_void_the_code(app):
    client = holder(app)
    csrf = client.csrf("/callerids")
    page = client.post("/callerids", {"csrf_token": csrf, "number": NEW_PHONE}).text
    code, _ = texted_code(NEW_PHONE)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    number = code_id(page)
    for tries_left in (4, 3, 2, 1):
        reply = client.post("/callerids/verify", {"csrf_token": csrf, "code_id": number,
                                                  "code": wrong})
        assert reply.status == 400 and f"wrong code: {tries_left} more" in reply.text
        assert f'id="code{number}-error"' in reply.text
    reply = client.post("/callerids/verify", {"csrf_token": csrf, "code_id": number,
                                              "code": wrong})
    assert "too many wrong codes" in reply.text and 'id="code-error"' in reply.text
    reply = client.post("/callerids/verify", {"csrf_token": csrf, "code_id": number,
                                              "code": code})
    assert reply.status == 400 and accounts.by_caller_id(NEW_PHONE) is None
    assert CallerIdCode.get_by_id(int(number)).state == "void"


def test_a_code_is_good_for_ten_minutes_and_only_for_its_account(app):
    client = holder(app)
    csrf = client.csrf("/callerids")
    page = client.post("/callerids", {"csrf_token": csrf, "number": NEW_PHONE}).text
    code, _ = texted_code(NEW_PHONE)
    bob = holder(app, "bob")
    reply = bob.post("/callerids/verify", {"csrf_token": bob.csrf("/callerids"),
                                           "code_id": code_id(page), "code": code})
    assert reply.status == 400 and accounts.by_caller_id(NEW_PHONE) is None
    app.clock.now += 10 * 60 + 1
    assert 'name="code_id"' not in client.get("/callerids").text
    reply = client.post("/callerids/verify", {"csrf_token": csrf, "code_id": code_id(page),
                                              "code": code})
    assert reply.status == 400 and "expired" in reply.text
    assert accounts.by_caller_id(NEW_PHONE) is None


def test_at_most_three_codes_an_hour(app):
    client = holder(app)
    csrf = client.csrf("/callerids")
    for last in "123":
        reply = client.post("/callerids", {"csrf_token": csrf, "number": f"+491705555555{last}"})
        assert reply.status == 200
    reply = client.post("/callerids", {"csrf_token": csrf, "number": "+4917055555554"})
    assert reply.status == 400 and "at most 3 codes an hour" in reply.text
    assert SmsOut.select().count() == 3
    app.clock.now += 3601
    assert client.post("/callerids", {"csrf_token": csrf,
                                      "number": "+4917055555554"}).status == 200


def test_removing_a_caller_id(app):
    accounts.authorize_caller_id(app.bob.id, NEW_PHONE, app.clock.now)
    client = holder(app)
    csrf = client.csrf("/callerids")
    reply = client.post("/callerids/remove", {"csrf_token": csrf, "number": NEW_PHONE})
    assert reply.status == 404 and accounts.by_caller_id(NEW_PHONE).id == app.bob.id
    reply = client.post("/callerids/remove", {"csrf_token": csrf, "number": "+4917012345678"})
    assert reply.status == 200 and "removed" in reply.text
    assert CallerId.select().where(CallerId.account == app.alice.id).count() == 0
    assert client.post("/callerids/remove", {"number": NEW_PHONE}).status == 403


def test_changing_the_phone_pin_needs_the_web_password(app):
    client = holder(app)
    csrf = client.csrf("/pin")
    reply = client.post("/pin", {"csrf_token": csrf, "current": "wrong-one", "pin": "12",
                                 "repeat": "12"})
    assert reply.status == 400
    assert 'id="current-error">this is not your current web password' in reply.text
    assert 'id="pin-error">a PIN is 4 to 8 digits' in reply.text
    reply = client.post("/pin", {"csrf_token": csrf, "current": "alice-secret", "pin": "9876",
                                 "repeat": "9875"})
    assert reply.status == 400 and 'id="repeat-error"' in reply.text
    alice = Account.get_by_id(app.alice.id)
    assert accounts.pin_matches("1234", alice.pin_hash)
    reply = client.post("/pin", {"csrf_token": csrf, "current": "alice-secret", "pin": "9876",
                                 "repeat": "9876"})
    assert reply.status == 200 and 'id="done"' in reply.text
    alice = Account.get_by_id(app.alice.id)
    assert accounts.pin_matches("9876", alice.pin_hash)
    assert client.post("/pin", {"current": "alice-secret", "pin": "1111",
                                "repeat": "1111"}).status == 403


def test_the_password_change_still_ends_other_sessions(app):
    first, second = holder(app), holder(app)
    reply = first.post("/password", {"csrf_token": first.csrf(), "current": "alice-secret",
                                     "new": "alice-secret-2", "repeat": "alice-secret-2"})
    assert reply.status == 200
    assert first.get("/pin").status == 200
    assert second.get("/pin").status == 303


def test_the_sms_help_shows_the_configured_words(app, tmp_path):
    custom = parse({"gateway": {"database": str(tmp_path / "web.db")},
                    "sms": {"empty_sms_is_callback": False,
                            "aliases": {"cb": ["RUF", "CB"]}}}, "test.toml")
    app.web.config = dataclasses.replace(app.web.config, sms=custom.sms)
    page = holder(app).get("/sms-help")
    assert page.status == 200
    assert "<code>RUF &lt;number&gt;</code>" in page.text and "RUF, CB" in page.text
    assert "<code>CONNECT &lt;a&gt; &lt;b&gt;</code>" in page.text
    assert "An empty SMS is a callback" not in page.text
    assert "RUF = call me back" in page.text           # the help reply, as texted
    assert f"Your account is number {app.alice.number}" in page.text
    assert "<code>LANG &lt;code&gt;</code>" in page.text


def test_the_sms_help_in_the_accounts_language(app):
    alice = Account.get_by_id(app.alice.id)
    alice.language = "fr"
    alice.save()
    page = holder(app).get("/sms-help")
    assert page.status == 200
    assert "<code>RAPPEL &lt;number&gt;</code>" in page.text and "RAPPEL, RAPPELER, CB" in page.text
    assert "Commandes : RAPPEL = me rappeler." in page.text      # the help reply, as texted


def test_the_history_pages_through_every_call_with_leg_costs(app):
    now = app.clock.now
    for number in range(25):
        session = start_session("box", app.alice.id, "connect-two", "+4917012345678",
                                now + number)
        Session.update(state="settled", ended_at=now + number + 60).where(
            Session.id == session).execute()
        Cdr.create(box="box", session=session, account=app.alice.id, role="callback",
                   direction="outgoing", number="+4917012345678", modem="m1",
                   started_at=now + number, answered_at=now + number, ended_at=now + number + 60,
                   billed_seconds=60, cost=12, cause="normal")
        Cdr.create(box="box", session=session, account=app.alice.id, role="destination",
                   direction="outgoing", number=f"+49301234{number:04d}", modem="m2",
                   started_at=now + number, billed_seconds=60, cost=6 + number, cause="busy")
    client = Client(app)
    client.form_login({"name": "alice", "password": "alice-secret"})
    first = client.get("/calls")
    assert first.status == 200 and "Page 1 of 2 (25 calls)" in first.text
    assert "+49301234" + "0024" in first.text and "+49301234" + "0004" not in first.text
    assert "0.30 EUR" in first.text and "0.42 EUR" in first.text     # leg B and the total
    assert 'id="older"' in first.text
    second = client.get("/calls?page=2")
    assert "Page 2 of 2" in second.text and "+49301234" + "0000" in second.text
    assert "+49301234" + "0005" not in second.text and 'id="newer"' in second.text
    beyond = client.get("/calls?page=999")            # was "Page 999 of 2" and empty
    assert "Page 2 of 2" in beyond.text and "+49301234" + "0000" in beyond.text
    assert "+4930123400" not in holder(app, "bob").get("/calls").text


def test_api_token_is_shown_once_and_can_be_revoked(app):
    client = holder(app)
    csrf = client.csrf("/api-token")
    assert "You have no API token" in client.get("/api-token").text
    reply = client.post("/api-token", {"csrf_token": csrf})
    token = re.search(r'id="token">([^<]+)<', reply.text).group(1)
    assert auth.find_token_session(token).user.name == "alice"
    page = client.get("/api-token").text
    assert "You have an API token" in page and token not in page
    client.post("/api-token/revoke", {"csrf_token": csrf})
    assert auth.find_token_session(token) is None
    assert client.post("/api-token", {}).status == 403


def test_holder_pages_need_a_holder_login(app):
    for path in ("/callerids", "/pin", "/sms-help", "/calls", "/api-token"):
        assert Client(app).get(path).status == 303, path
    admin = Client(app)
    admin.form_login({"name": "root", "password": "admin-secret"})
    for path in ("/callerids", "/pin", "/calls", "/api-token"):
        assert admin.get(path).headers["Location"].endswith("/admin"), path
