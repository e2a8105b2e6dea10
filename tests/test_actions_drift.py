"""The drifts settled once (docs/actions.md), through every door with the same outcome:
`callbox` in a subprocess, the admin and holder pages and the JSON API through the WSGI
app, SMS on the virtual network, and the phone on a whole box.

- a PIN change ends the account's PIN-entry lock;
- a caller ID held by another account is refused, and free again once removed there;
- every change writes one audit record naming who, how (`via`) and from where.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
import pwd
import re
import subprocess
import sys
import time

import pytest

from gateway.actions import accounts as account_actions, callerids
from gateway.actions.audit import ActionError, Actor, AuditRecord
from gateway.money import accounts
from gateway.money.ledger import Account, AuthFailure
from gateway.sms.models import SmsOut
from gateway.store.db import close_database, open_database

from tests.webclient import Client

ROOT = Path(__file__).resolve().parent.parent
OWNED = "+4917012345678"        # alice's caller ID in tests/webclient.make_test_app
NEW_PHONE = "+4917055555555"
CLIENT_ADDRESS = "192.0.2.10"   # tests/webclient.Client's REMOTE_ADDR
ADMIN = Actor("root", "cli")


def audited(action: str) -> list[tuple]:
    """Gives (via, actor, address, account id) of each audit record of one action."""
    return [(row.via, row.actor, row.address, row.account_id)
            for row in AuditRecord.select().where(AuditRecord.action == action)
            .order_by(AuditRecord.id)]


def lock_pin_entry(account: Account, now: float) -> None:
    """Sets off the account-wide PIN lock the real way: 25 wrong PINs from 5 numbers."""
    for caller in range(5):
        for attempt in range(5):
            accounts.check_pin(account, "0000", f"+49170111111{caller:02d}", now + attempt)
    assert accounts.pin_locked(account, now + 10), "the account's PIN entry did not lock"


def pin_opens(account: Account, pin: str, now: float) -> bool:
    """Gives whether `pin` opens the account now, typed from a number never seen."""
    return accounts.check_pin(account, pin, "+4930999999", now).ok


# -- the actions themselves, on each engine -------------------------------------------------

@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield db_url
    close_database()


def test_the_rules_hold_in_the_actions_on_each_engine(database):
    now = time.time()
    alice = account_actions.create_account(ADMIN, "alice", "1234", 500, now)
    bob = account_actions.create_account(ADMIN, "bob", "4321", 0, now)
    assert callerids.authorize(ADMIN, alice.id, OWNED, now)
    assert not callerids.authorize(ADMIN, alice.id, OWNED, now)         # already: no record
    with pytest.raises(callerids.CallerIdTaken) as taken:
        callerids.authorize(ADMIN, bob.id, OWNED, now)
    assert taken.value.field == "number" and taken.value.owner.name == "alice"
    assert accounts.by_caller_id(OWNED).id == alice.id
    assert len(audited("add_caller_id")) == 1

    sms = Actor(NEW_PHONE, "sms", "m1")
    with pytest.raises(callerids.WrongPin):
        callerids.register_by_pin(sms, "bob", "9999", NEW_PHONE, now)
    assert AuthFailure.select().where(AuthFailure.number == NEW_PHONE).count() == 1, \
        "a wrong PIN must count although the action refused"
    assert callerids.register_by_pin(sms, bob.number, "4321", NEW_PHONE, now).id == bob.id
    assert audited("add_caller_id")[-1] == ("sms", NEW_PHONE, "m1", bob.id)

    assert account_actions.set_locked(ADMIN, bob.id, True, now)
    assert not account_actions.set_locked(ADMIN, bob.id, True, now)    # nothing changed
    assert audited("lock") == [("cli", "root", "", bob.id)]
    with pytest.raises(account_actions.NotEnoughFree) as refused:
        account_actions.debit(ADMIN, alice.id, 501, "typo", now)
    assert (refused.value.field, refused.value.free) == ("amount", 500)
    with pytest.raises(ActionError) as no_pin:
        account_actions.set_pin(ADMIN, alice.id, "12ab", now)
    assert no_pin.value.field == "pin"
    with pytest.raises(account_actions.NoSuchAccount):
        account_actions.top_up(ADMIN, 10 ** 6, 100, now)
    assert audited("debit") == [] and audited("topup") == []


# -- the command line -----------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path: Path) -> Path:
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "{tmp_path / "callbox.db"}"\n'
                    'country = "DE"\ncurrency = "EUR"\n')
    return path


def callbox(config: Path, *args: str, expect: int = 0,
            stdin: str = "") -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "callbox", *args, "--config", str(config)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT, input=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return result


class Books:
    """The command's database, opened by the test between commands."""

    def __init__(self, config: Path):
        self.path = str(config.parent / "callbox.db")

    def __enter__(self):
        open_database(self.path)
        return self

    def __exit__(self, *exc):
        close_database()


def os_user() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def test_the_command_ends_the_pin_lock_and_records_who(cli):
    callbox(cli, "account", "add", "alice", "--pin", "1234", "--balance", "1")
    now = time.time()
    with Books(cli):
        lock_pin_entry(accounts.by_name("alice"), now)
    changed = callbox(cli, "account", "pin", "alice", "--pin", "-", stdin="5678\n")
    assert "PIN changed (and PIN entry unlocked)" in changed.stdout
    with Books(cli):
        alice = accounts.by_name("alice")
        assert not accounts.pin_locked(alice, time.time())
        assert pin_opens(alice, "5678", time.time())
        assert audited("set_pin") == [("cli", os_user(), "", alice.id)]
        assert "5678" not in AuditRecord.get(AuditRecord.action == "set_pin").detail


def test_the_command_never_moves_a_caller_id(cli):
    callbox(cli, "account", "add", "alice", "--pin", "1234", "--balance", "1")
    callbox(cli, "account", "add", "bob", "--pin", "4321", "--balance", "1")
    callbox(cli, "callerid", "add", "alice", "0170 12345678")
    refused = callbox(cli, "callerid", "add", "bob", OWNED, expect=1)
    assert f"{OWNED} is authorized for account alice; remove it there first" in refused.stderr
    with Books(cli):
        alice, bob = accounts.by_name("alice"), accounts.by_name("bob")
        assert accounts.by_caller_id(OWNED).id == alice.id
        assert audited("add_caller_id") == [("cli", os_user(), "", alice.id)]
    callbox(cli, "callerid", "remove", "alice", OWNED)
    callbox(cli, "callerid", "add", "bob", OWNED)       # free again: bob may claim it
    with Books(cli):
        assert accounts.by_caller_id(OWNED).id == bob.id
        assert audited("remove_caller_id") == [("cli", os_user(), "", alice.id)]
        assert [row[3] for row in audited("add_caller_id")] == [alice.id, bob.id]
        assert len(audited("create_account")) == 2


# -- the web: admin pages, holder pages, JSON API -------------------------------------------

def admin_client(app) -> tuple[Client, str]:
    """Gives an admin's client and its CSRF token (the same for forms and the API)."""
    client = Client(app)
    return client, client.login("root", "admin-secret")


def holder_client(app, name: str) -> tuple[Client, str]:
    client = Client(app)
    return client, client.login(name, f"{name}-secret")


def answer(reply) -> dict:
    return json.loads(reply.text)


def test_a_pin_change_ends_the_lock_from_every_web_door(app):
    now = app.clock.now
    admin, csrf = admin_client(app)
    alice_web, alice_csrf = holder_client(app, "alice")
    doors = (
        ("admin page", lambda pin: admin.post(f"/admin/accounts/{app.alice.id}/pin",
                                              {"csrf_token": csrf, "pin": pin}),
         ("web", "root")),
        ("admin API", lambda pin: admin.request(
            "POST", f"/api/admin/accounts/{app.alice.id}/pin", json_body={"pin": pin},
            headers={"X-CSRF-Token": csrf}), ("api", "root")),
        ("holder page", lambda pin: alice_web.post("/pin", {
            "csrf_token": alice_csrf, "current": "alice-secret", "pin": pin, "repeat": pin}),
         ("web", "alice")),
    )
    for index, (door, change, (via, who)) in enumerate(doors):
        app.clock.now = now + 4000 * index      # past the last lock's window
        alice = Account.get_by_id(app.alice.id)
        lock_pin_entry(alice, app.clock.now)
        pin = f"{5670 + index}"
        reply = change(pin)
        assert reply.status == 200, (door, reply.text)
        assert not accounts.pin_locked(alice, app.clock.now + 11), door
        assert pin_opens(alice, pin, app.clock.now + 11), door
        assert audited("set_pin")[-1] == (via, who, CLIENT_ADDRESS, app.alice.id), door
    assert len(audited("set_pin")) == 3


def test_a_caller_id_of_another_account_is_refused_from_every_web_door(app):
    admin, csrf = admin_client(app)
    bob_web, bob_csrf = holder_client(app, "bob")
    page = admin.post(f"/admin/accounts/{app.bob.id}/callerids",
                      {"csrf_token": csrf, "number": OWNED})
    assert page.status == 400 and f"{OWNED} is authorized for account alice" in page.text
    api = admin.request("POST", f"/api/admin/accounts/{app.bob.id}/callerids",
                        json_body={"number": OWNED}, headers={"X-CSRF-Token": csrf})
    assert api.status == 400 and "account alice" in answer(api)["fields"]["number"]
    holder_page = bob_web.post("/callerids", {"csrf_token": bob_csrf, "number": OWNED})
    assert holder_page.status == 400 and "authorized for another account" in holder_page.text
    holder_api = bob_web.request("POST", "/api/callerids", json_body={"number": OWNED},
                                 headers={"X-CSRF-Token": bob_csrf})
    assert holder_api.status == 409 and "alice" not in holder_api.text
    assert accounts.by_caller_id(OWNED).id == app.alice.id
    assert audited("add_caller_id") == []


def test_a_texted_code_cannot_take_a_number_claimed_meanwhile(app):
    bob_web, bob_csrf = holder_client(app, "bob")
    sent = answer(bob_web.request("POST", "/api/callerids", json_body={"number": NEW_PHONE},
                                  headers={"X-CSRF-Token": bob_csrf}))
    code = re.search(r"\b(\d{6})\b", SmsOut.get(SmsOut.number == NEW_PHONE).text).group(1)
    admin, csrf = admin_client(app)
    assert admin.post(f"/admin/accounts/{app.alice.id}/callerids",
                      {"csrf_token": csrf, "number": NEW_PHONE}).status == 200
    reply = bob_web.request("POST", "/api/callerids/verify", headers={"X-CSRF-Token": bob_csrf},
                            json_body={"code_id": sent["code_id"], "code": code})
    assert reply.status == 409 and "another account" in answer(reply)["fields"]["number"]
    assert accounts.by_caller_id(NEW_PHONE).id == app.alice.id
    assert audited("add_caller_id") == [("web", "root", CLIENT_ADDRESS, app.alice.id)]


def test_once_removed_by_its_holder_another_account_may_claim_it(app):
    alice_web, alice_csrf = holder_client(app, "alice")
    reply = alice_web.post("/callerids/remove", {"csrf_token": alice_csrf, "number": OWNED})
    assert reply.status == 200 and accounts.by_caller_id(OWNED) is None
    admin, csrf = admin_client(app)
    reply = admin.request("POST", f"/api/admin/accounts/{app.bob.id}/callerids",
                          json_body={"number": OWNED}, headers={"X-CSRF-Token": csrf})
    assert reply.status == 201 and accounts.by_caller_id(OWNED).id == app.bob.id
    assert audited("remove_caller_id") == [("web", "alice", CLIENT_ADDRESS, app.alice.id)]
    assert audited("add_caller_id") == [("api", "root", CLIENT_ADDRESS, app.bob.id)]
    reply = admin.request("DELETE", f"/api/admin/accounts/{app.bob.id}/callerids",
                          json_body={"number": OWNED}, headers={"X-CSRF-Token": csrf})
    assert reply.status == 200
    assert audited("remove_caller_id")[-1] == ("api", "root", CLIENT_ADDRESS, app.bob.id)


def test_money_and_locks_from_the_web_are_recorded_with_their_door(app):
    admin, csrf = admin_client(app)
    assert admin.post(f"/admin/accounts/{app.bob.id}/topup",
                      {"csrf_token": csrf, "amount": "2.50", "note": "cash"}).status == 200
    assert admin.request("POST", f"/api/admin/accounts/{app.bob.id}/debit",
                         json_body={"amount": "1", "reason": "refund"},
                         headers={"X-CSRF-Token": csrf}).status == 200
    assert admin.post(f"/admin/accounts/{app.bob.id}/lock",
                      {"csrf_token": csrf, "locked": "1"}).status == 200
    assert admin.request("POST", f"/api/admin/accounts/{app.bob.id}/unlock",
                         headers={"X-CSRF-Token": csrf}).status == 200
    made = admin.request("POST", "/api/admin/accounts", headers={"X-CSRF-Token": csrf},
                         json_body={"name": "carol", "pin": "1234", "balance": "1",
                                    "password": "carol-secret-1"})
    assert made.status == 201
    door = ("web", "root", CLIENT_ADDRESS)
    api = ("api", "root", CLIENT_ADDRESS)
    assert audited("topup") == [(*door, app.bob.id)]
    assert audited("debit") == [(*api, app.bob.id)]
    assert audited("lock") == [(*door, app.bob.id)]
    assert audited("unlock") == [(*api, app.bob.id)]
    assert audited("create_account") == [(*api, answer(made)["id"])]
    assert AuditRecord.get(AuditRecord.action == "topup").detail == \
        "added 2.50, balance now 7.50; note: cash"


# -- SMS: REG and UNREG on the virtual network ----------------------------------------------

def test_sms_reg_never_moves_a_number_and_unreg_frees_it(network, tmp_path):
    from tests.sms_rig import SmsBox
    box = SmsBox(network, tmp_path)
    alice = box.account("alice", "1234", 500, numbers=[OWNED])
    bob = box.account("bob", "4321", 500)
    box.start()
    try:
        phone = network.add_phone(OWNED)
        assert box.reply_to(phone, "REG bob 4321") == (
            "Sorry, not now: this phone is registered for another account. Send UNREG "
            "first, then register again.")
        assert accounts.by_caller_id(OWNED).id == alice.id
        assert audited("add_caller_id") == []
        assert box.reply_to(phone, "UNREG") == f"This phone ({OWNED}) is no longer registered."
        assert box.reply_to(phone, f"REG {bob.number} 4321") == (
            f"This phone ({OWNED}) is now registered for account bob.")
        assert accounts.by_caller_id(OWNED).id == bob.id
        modem = box.modems[0].name
        assert audited("remove_caller_id") == [("sms", OWNED, modem, alice.id)]
        assert audited("add_caller_id") == [("sms", OWNED, modem, bob.id)]
        assert "4321" not in "".join(row.detail for row in AuditRecord.select())
    finally:
        box.stop()


def test_sms_reg_gives_a_locked_account_no_number_as_the_phone_does(network, tmp_path):
    from tests.sms_rig import SmsBox
    box = SmsBox(network, tmp_path)
    bob = box.account("bob", "4321", 500)
    box.start()
    try:
        account_actions.set_locked(ADMIN, bob.id, True, time.time())
        phone = network.add_phone(NEW_PHONE)
        assert box.reply_to(phone, f"REG {bob.number} 4321") == (
            "Sorry, not now: the account is locked: ask the admin.")
        assert accounts.by_caller_id(NEW_PHONE) is None
        assert audited("add_caller_id") == []
    finally:
        box.stop()


# -- the phone: the PIN typed on a callback --------------------------------------------------

@pytest.mark.xdist_group("voice")      # a whole box with real-time audio (tests/conftest.py)
def test_a_right_pin_on_the_phone_never_moves_the_number(network, tmp_path):
    from modems.sim import PhoneState

    from tests.boxrig import BOX, USER, Rig, ensure_prompts
    ensure_prompts()
    rig = Rig(network, tmp_path)
    try:
        rig.start(balance=500, pin="4321", authorized=False)
        bob = accounts.create("bob", "1111", 0, time.time())
        user = rig.user

        def pin_call(before_the_pin=lambda: None) -> None:
            user.clear_heard()           # the prompts of an earlier call must not count
            balance = rig.speech.money_words(rig.balance())     # less the calls before
            user.call(BOX)
            # Generous timeouts: real-time audio on a shared machine may run late.
            assert user.wait_state(PhoneState.RINGING, timeout=30), "no callback"
            user.answer()
            assert rig.heard(user, "enter_account", timeout=30)
            before_the_pin()
            user.press(f"{rig.account_number}#")
            assert rig.heard(user, "enter_pin", timeout=30)
            user.press("4321#")
            assert rig.heard(user, "your_balance_is", balance, timeout=30)
            user.hangup()
            assert user.wait_state(PhoneState.IDLE, timeout=15)

        # Bob's admin claims the number while the caller is typing alice's PIN.
        pin_call(lambda: callerids.authorize(ADMIN, bob.id, USER, time.time()))
        assert rig.wait_settled(timeout=30)
        assert accounts.by_caller_id(USER).id == bob.id, "the phone path moved the number"
        assert [row[0] for row in audited("add_caller_id")] == ["cli"]

        callerids.remove(ADMIN, bob.id, USER, time.time())
        pin_call()
        assert rig.wait_settled(count=2, timeout=30)
        assert accounts.by_caller_id(USER).id == rig.account_id
        assert audited("add_caller_id")[-1] == ("phone", USER, "", rig.account_id)
    finally:
        rig.stop()
