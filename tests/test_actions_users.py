"""Logins, rates and the blocklist changed through every door: the `callbox` command (a
real subprocess), the web pages and the JSON API (the WSGI app), on SQLite and
PostgreSQL. Each change has the same outcome from each door and writes one audit record
naming who and how, never a password; a refused change writes none."""
from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys

import pytest

from callbox.cli import os_user
from gateway.actions.audit import AuditRecord
from gateway.money.ledger import Account, Blocklist, RateRecord
from gateway.store.db import close_database
from gateway.users import WebUser, password_matches
from tests.webclient import Client, make_test_app

ROOT = str(Path(__file__).resolve().parent.parent)
PASSWORDS = ("alice-secret", "admin-secret", "cli-secret-1", "web-secret-2", "api-secret-3",
             "carol-secret")
GOOD_RATES = ("prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
              "49,Germany fixed,0.01,0,60,60\n"
              "4917,Germany mobile,0.012,0.05,30,6\n")
BAD_RATES = GOOD_RATES + "44,United Kingdom,cheap,0,60,60\n"


@pytest.fixture
def box(db_url, tmp_path):
    """Gives the web app (logins alice, bob, root) with `config`, a config file for the
    command on the same database."""
    app = make_test_app(tmp_path, database=db_url)
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\ndatabase = "{db_url}"\nstate_dir = "{tmp_path}"\n'
                      'currency = "EUR"\n')
    app.config_file = str(config)
    yield app
    close_database()


def callbox(app, argv: list[str], stdin: str = "", expect: int = 0):
    """Runs `callbox ARGV --config ...` as a subprocess; checks its exit code."""
    result = subprocess.run([sys.executable, "-m", "callbox", *argv, "--config",
                             app.config_file], input=stdin, capture_output=True, text=True,
                            timeout=60, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (argv, result.stdout, result.stderr)
    return result


def admin_client(app) -> Client:
    client = Client(app)
    client.headers = {"X-CSRF-Token": client.login("root", "admin-secret")}
    return client


def api(client, method: str, path: str, body: dict | None = None, headers=None):
    reply = client.request(method, path, json_body=body,
                           headers=getattr(client, "headers", {}) if headers is None else headers)
    return reply, json.loads(reply.text) if reply.text else {}


def records_after(last_id: int) -> list[AuditRecord]:
    return list(AuditRecord.select().where(AuditRecord.id > last_id).order_by(AuditRecord.id))


def last_record_id() -> int:
    newest = AuditRecord.select().order_by(AuditRecord.id.desc()).first()
    return newest.id if newest else 0


def check_one_record(last_id: int, action: str, via: str, actor: str) -> AuditRecord:
    """Checks that exactly one record came since `last_id`, as said; gives it."""
    rows = records_after(last_id)
    assert [(row.action, row.via, row.actor) for row in rows] == [(action, via, actor)]
    assert not any(password in rows[0].detail for password in PASSWORDS), rows[0].detail
    return rows[0]


def token_of_alice(app) -> dict:
    """Gives the Authorization header of a new API token of alice (issued on the API)."""
    for password in ("alice-secret", "cli-secret-1", "web-secret-2"):
        if password_matches(password, WebUser.get(WebUser.name == "alice").password_hash):
            break
    client = Client(app)
    csrf = client.login("alice", password)
    reply, answer = api(client, "POST", "/api/token", headers={"X-CSRF-Token": csrf})
    assert reply.status == 201, reply.text
    bearer = {"Authorization": f"Bearer {answer['token']}"}
    assert Client(app).get("/api/account", headers=bearer).status == 200
    return bearer


# -- a new password revokes the API token, from every door ----------------------------------

def test_a_new_password_revokes_the_api_token_from_every_door(box):
    alice = WebUser.get(WebUser.name == "alice")
    for door, new in (("cli", "cli-secret-1"), ("web", "web-secret-2"), ("api", "api-secret-3")):
        bearer = token_of_alice(box)
        last = last_record_id()
        if door == "cli":
            done = callbox(box, ["user", "password", "alice", "--password", "-"], new + "\n")
            assert "API token revoked" in done.stdout
            actor = os_user()
        elif door == "web":
            browser = Client(box)
            browser.form_login({"name": "alice", "password": "cli-secret-1"})
            reply = browser.post("/password", {"csrf_token": browser.csrf(),
                                               "current": "cli-secret-1", "new": new,
                                               "repeat": new})
            assert reply.status == 200 and 'id="token-revoked"' in reply.text
            assert browser.get("/").status == 200          # a fresh session for this browser
            actor = "alice"
        else:
            client = Client(box)
            csrf = client.login("alice", "web-secret-2")
            reply, answer = api(client, "POST", "/api/password",
                                {"current": "web-secret-2", "new": new},
                                headers={"X-CSRF-Token": csrf})
            assert reply.status == 200 and answer["token_revoked"] is True, reply.text
            assert client.get("/api/account").status == 200    # with the fresh session
            actor = "alice"
        assert Client(box).get("/api/account", headers=bearer).status == 401, door
        assert WebUser.get_by_id(alice.id).api_token_hash is None
        assert password_matches(new, WebUser.get_by_id(alice.id).password_hash)
        record = check_one_record(last, "change_password", door, actor)
        assert "API token revoked" in record.detail and record.account_id == box.alice.id


def test_a_password_change_is_refused_alike_and_leaves_the_token(box):
    bearer = token_of_alice(box)
    last = last_record_id()
    refused = callbox(box, ["user", "password", "alice", "--password", "-"], "short\n", 1)
    assert "at least 8 characters" in refused.stderr
    callbox(box, ["user", "password", "nobody", "--password", "-"], "long-enough\n", 1)
    browser = Client(box)
    browser.form_login({"name": "alice", "password": "alice-secret"})
    reply = browser.post("/password", {"csrf_token": browser.csrf(), "current": "wrong-one",
                                       "new": "long-enough", "repeat": "long-enough"})
    assert reply.status == 400 and 'id="current-error">this is not your current' in reply.text
    client = Client(box)
    csrf = client.login("alice", "alice-secret")
    reply, answer = api(client, "POST", "/api/password", {"current": "wrong-one",
                                                          "new": "long-enough"},
                        headers={"X-CSRF-Token": csrf})
    assert reply.status == 400 and answer["fields"] == {
        "current": "this is not your current password"}
    reply, answer = api(client, "POST", "/api/password", {"current": "alice-secret",
                                                          "new": "short"},
                        headers={"X-CSRF-Token": csrf})
    assert reply.status == 400 and "at least 8 characters" in answer["fields"]["new"]
    # an API token changes neither the password nor itself
    for method, path, body in (("POST", "/api/password", {"current": "alice-secret",
                                                          "new": "long-enough"}),
                               ("POST", "/api/token", None), ("DELETE", "/api/token", None)):
        reply, _ = api(Client(box), method, path, body, headers=bearer)
        assert reply.status == 403, path
    assert Client(box).get("/api/account", headers=bearer).status == 200
    assert records_after(last) == []


# -- API tokens ---------------------------------------------------------------------------------

def test_tokens_issued_and_revoked_by_api_and_command(box):
    client = Client(box)
    csrf = {"X-CSRF-Token": client.login("alice", "alice-secret")}
    last = last_record_id()
    reply, answer = api(client, "POST", "/api/token", headers=csrf)
    first = {"Authorization": f"Bearer {answer['token']}"}
    check_one_record(last, "issue_api_token", "api", "alice")
    last = last_record_id()
    reply, answer = api(client, "POST", "/api/token", headers=csrf)
    second = {"Authorization": f"Bearer {answer['token']}"}
    assert "previous one revoked" in check_one_record(last, "issue_api_token", "api",
                                                      "alice").detail
    assert Client(box).get("/api/account", headers=first).status == 401
    assert Client(box).get("/api/account", headers=second).status == 200
    last = last_record_id()
    reply, answer = api(client, "DELETE", "/api/token", headers=csrf)
    assert answer == {"revoked": True}
    check_one_record(last, "revoke_api_token", "api", "alice")
    assert Client(box).get("/api/account", headers=second).status == 401
    last = last_record_id()
    reply, answer = api(client, "DELETE", "/api/token", headers=csrf)
    assert answer == {"revoked": False} and records_after(last) == []
    reply, _ = api(client, "POST", "/api/token", headers={})
    assert reply.status == 403                           # a cookie session needs its CSRF
    admin = admin_client(box)
    assert api(admin, "POST", "/api/token")[0].status == 403      # admins get no token

    reply, answer = api(client, "POST", "/api/token", headers=csrf)
    third = {"Authorization": f"Bearer {answer['token']}"}
    last = last_record_id()
    done = callbox(box, ["user", "revoke-token", "alice"])
    assert "API token of alice revoked" in done.stdout
    check_one_record(last, "revoke_api_token", "cli", os_user())
    assert Client(box).get("/api/account", headers=third).status == 401
    assert "had no API token" in callbox(box, ["user", "revoke-token", "alice"]).stdout


# -- adding a login -----------------------------------------------------------------------------

def test_a_login_added_once_and_refused_the_second_time_alike(box):
    last = last_record_id()
    done = callbox(box, ["user", "add", "carol", "--admin", "--password", "-"],
                   "carol-secret\n")
    assert "created web user carol (admin)" in done.stdout
    record = check_one_record(last, "add_user", "cli", os_user())
    assert record.account_id is None and "carol" in record.detail
    last = last_record_id()
    refused = callbox(box, ["user", "add", "carol", "--admin", "--password", "-"],
                      "carol-secret\n", 1)
    assert "a login named 'carol' exists already" in refused.stderr
    # the admin pages and API create an account with its login: the login is refused the
    # same way, and the account goes with it
    admin = admin_client(box)
    reply = admin.post("/admin/accounts", {"csrf_token": admin.csrf("/admin/accounts"),
                                           "name": "carol", "pin": "4321", "balance": "5",
                                           "password": "carol-secret"})
    assert reply.status == 400 and "a login named &#039;carol&#039; exists already" in reply.text
    reply, answer = api(admin, "POST", "/api/admin/accounts",
                        {"name": "carol", "pin": "4321", "balance": "5",
                         "password": "carol-secret"})
    assert reply.status == 400 and answer["fields"] == {
        "name": "a login named 'carol' exists already"}
    assert Account.get_or_none(Account.name == "carol") is None
    assert WebUser.select().where(WebUser.name == "carol").count() == 1
    assert records_after(last) == []


# -- rates --------------------------------------------------------------------------------------

def test_a_rates_file_with_a_bad_line_stores_nothing_from_every_door(box, tmp_path):
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_text(BAD_RATES)
    good.write_text(GOOD_RATES)
    admin = admin_client(box)
    last = last_record_id()
    refused = callbox(box, ["rates", "import", str(bad)], expect=1)
    assert "1 bad line(s), nothing imported" in refused.stderr
    assert "line 4: price_per_minute 'cheap'" in refused.stderr
    reply = admin.post("/admin/rates", {"csrf_token": admin.csrf("/admin/rates")},
                       files={"file": ("rates.csv", BAD_RATES.encode())})
    assert reply.status == 400 and "1 bad line(s): nothing was stored" in reply.text
    reply, answer = api(admin, "POST", "/api/admin/rates", {"csv": BAD_RATES})
    assert reply.status == 400 and [line["line"] for line in answer["lines"]] == [4]
    assert RateRecord.select().count() == 0 and records_after(last) == []

    done = callbox(box, ["rates", "import", str(good)])
    assert "imported 2 rates" in done.stdout
    check_one_record(last, "import_rates", "cli", os_user())
    last = last_record_id()
    reply = admin.post("/admin/rates", {"csrf_token": admin.csrf("/admin/rates"),
                                        "replace": "1"},
                       files={"file": ("rates.csv", b"33,France,0.02,0,60,60\n")})
    assert reply.status == 200 and "1 rate stored, replacing the previous 2" in reply.text
    record = check_one_record(last, "import_rates", "web", "root")
    assert "replacing the previous 2" in record.detail and record.address == admin.address
    last = last_record_id()
    reply, answer = api(admin, "POST", "/api/admin/rates", {"csv": GOOD_RATES})
    assert reply.status == 200 and answer == {"stored": 2, "removed": 0}
    check_one_record(last, "import_rates", "api", "root")
    assert [rate.prefix for rate in RateRecord.select().order_by(RateRecord.prefix)] == [
        "33", "49", "4917"]
    listed = callbox(box, ["rates", "list", "49"]).stdout
    assert "Germany mobile" in listed and "France" not in listed


# -- the blocklist ------------------------------------------------------------------------------

def test_block_and_unblock_a_number_by_command(box):
    last = last_record_id()
    assert "+4917099999999 blocked" in callbox(box, ["blocklist", "add", "+4917099999999",
                                                     "--note", "prank calls"]).stdout
    record = check_one_record(last, "block", "cli", os_user())
    assert record.detail == "+4917099999999 blocked; note: prank calls"
    last = last_record_id()
    again = callbox(box, ["blocklist", "add", "+4917099999999"]).stdout
    assert "was blocked already" in again and records_after(last) == []
    assert "note updated" in callbox(box, ["blocklist", "add", "+4917099999999", "--note",
                                           "still"]).stdout
    assert "note now: still" in check_one_record(last, "block", "cli", os_user()).detail
    listed = callbox(box, ["blocklist", "list"]).stdout
    assert "+4917099999999" in listed and "still" in listed
    last = last_record_id()
    assert "unblocked" in callbox(box, ["blocklist", "remove", "+4917099999999"]).stdout
    check_one_record(last, "unblock", "cli", os_user())
    assert Blocklist.select().count() == 0
    last = last_record_id()
    refused = callbox(box, ["blocklist", "remove", "+4917099999999"], expect=1)
    assert "+4917099999999 is not on the blocklist" in refused.stderr
    assert records_after(last) == []
