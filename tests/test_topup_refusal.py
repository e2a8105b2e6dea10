"""A top-up only adds money; taking money is a debit with a reason that never goes below
what the account has free: through `callbox account`, the admin pages and the JSON API."""
from __future__ import annotations

import json
from pathlib import Path
import subprocess
import sys
import time

import pytest

from gateway.money import accounts
from gateway.money.ledger import Account, InsufficientCredit, Topup, debit, topup
from gateway.store.db import close_database, open_database

from tests.webclient import Client, make_test_app

ROOT = Path(__file__).resolve().parent.parent


def balance_and_bookings(name: str) -> tuple[int, list[tuple[int, str]]]:
    account = Account.get(Account.name == name)
    return account.balance, [(row.amount, row.note) for row in
                             Topup.select().where(Topup.account == account.id).order_by(Topup.id)]


# -- the command line --------------------------------------------------------------------------

@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "callbox.toml"
    path.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\ndatabase = "{tmp_path / "callbox.db"}"\n'
                    'country = "DE"\ncurrency = "EUR"\n')
    return path


def callbox(config: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "callbox", *args, "--config", str(config)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return result


def books(config: Path, name: str) -> tuple[int, list[tuple[int, str]]]:
    open_database(str(config.parent / "callbox.db"))
    try:
        return balance_and_bookings(name)
    finally:
        close_database()


def test_the_command_refuses_a_negative_top_up_and_debits_with_a_reason(config):
    callbox(config, "account", "add", "carol", "--pin", "1234", "--balance", "1.00")
    refused = callbox(config, "account", "topup", "carol", "-5", expect=1)
    assert "a top-up adds money" in refused.stderr and "account debit" in refused.stderr
    assert callbox(config, "account", "topup", "carol", "0", expect=1).stderr
    assert books(config, "carol") == (100, [(100, "opening balance")])

    over = callbox(config, "account", "debit", "carol", "5", "--reason", "typo", expect=1)
    assert "has 1.00 EUR free" in over.stderr
    assert callbox(config, "account", "debit", "carol", "0.40", expect=2).stderr  # no reason
    assert callbox(config, "account", "debit", "carol", "0.40", "--reason", " ",
                   expect=1).stderr
    assert books(config, "carol") == (100, [(100, "opening balance")])
    taken = callbox(config, "account", "debit", "carol", "0.40", "--reason", "double top-up")
    assert "balance now 0.60 EUR" in taken.stdout
    assert books(config, "carol") == (60, [(100, "opening balance"), (-40, "double top-up")])


# -- the web -----------------------------------------------------------------------------------

@pytest.fixture
def app(tmp_path):
    web_app = make_test_app(tmp_path)
    web_app.carol = accounts.create("carol", "1234", 100, web_app.clock.now)
    yield web_app
    close_database()


@pytest.fixture
def admin(app):
    client = Client(app)
    client.login("root", "admin-secret")
    return client


def test_the_accounts_page_refuses_a_negative_top_up(app, admin):
    csrf = admin.csrf("/admin/accounts")
    reply = admin.post(f"/admin/accounts/{app.carol.id}/topup",
                       {"csrf_token": csrf, "amount": "-5", "note": "oops"})
    assert reply.status == 400 and "a top-up adds money" in reply.text
    assert balance_and_bookings("carol") == (100, [(100, "opening balance")])


def test_the_json_api_refuses_a_negative_top_up(app, admin):
    csrf = json.loads(admin.post("/api/login", json_body={
        "name": "root", "password": "admin-secret"}).text)["csrf_token"]
    reply = admin.post(f"/api/admin/accounts/{app.carol.id}/topup",
                       json_body={"amount": "-5", "note": "oops"}, headers={"X-CSRF-Token": csrf})
    assert reply.status == 400 and "a top-up adds money" in json.loads(reply.text)["fields"]["amount"]
    assert balance_and_bookings("carol") == (100, [(100, "opening balance")])


def test_the_account_page_debits_with_a_reason_never_below_zero(app, admin):
    path = f"/admin/accounts/{app.carol.id}"
    csrf = admin.csrf(path)
    reply = admin.post(path + "/debit", {"csrf_token": csrf, "amount": "5", "reason": "typo"})
    assert reply.status == 400 and 'id="debit-error">a debit never takes more' in reply.text
    reply = admin.post(path + "/debit", {"csrf_token": csrf, "amount": "0.40", "reason": ""})
    assert reply.status == 400 and "a debit says why" in reply.text
    reply = admin.post(path + "/debit", {"csrf_token": csrf, "amount": "-1", "reason": "x"})
    assert reply.status == 400 and "above 0" in reply.text
    assert balance_and_bookings("carol") == (100, [(100, "opening balance")])
    reply = admin.post(path + "/debit", {"csrf_token": csrf, "amount": "0.40",
                                         "reason": "double top-up"})
    assert reply.status == 200 and 'id="balance">0.60' in reply.text
    assert balance_and_bookings("carol") == (60, [(100, "opening balance"),
                                                  (-40, "double top-up")])


def test_a_debit_leaves_what_running_calls_hold(app):
    now = time.time()
    Account.update(reserved=70).where(Account.id == app.carol.id).execute()
    with pytest.raises(InsufficientCredit):
        debit(app.carol.id, 31, "test", now, "too much")
    assert debit(app.carol.id, 30, "test", now, "just enough") == 70
    with pytest.raises(ValueError):
        topup(app.carol.id, -5, "test", now)
    assert Account.get_by_id(app.carol.id).balance == 70


def test_the_json_api_debits_with_a_reason_never_below_zero(app, admin):
    csrf = json.loads(admin.post("/api/login", json_body={
        "name": "root", "password": "admin-secret"}).text)["csrf_token"]
    path = f"/api/admin/accounts/{app.carol.id}/debit"
    for body, field, message in (({"amount": "5", "reason": "typo"}, "amount", "never takes more"),
                                 ({"amount": "0.40"}, "reason", "says why"),
                                 ({"amount": "-1", "reason": "x"}, "amount", "above 0")):
        reply = admin.post(path, json_body=body, headers={"X-CSRF-Token": csrf})
        assert reply.status == 400 and message in json.loads(reply.text)["fields"][field]
    assert balance_and_bookings("carol") == (100, [(100, "opening balance")])
    reply = admin.post(path, json_body={"amount": "0.40", "reason": "double top-up"},
                       headers={"X-CSRF-Token": csrf})
    assert reply.status == 200
    assert (json.loads(reply.text)["balance"], json.loads(reply.text)["amount"]) == (60, -40)
    assert balance_and_bookings("carol")[1][-1] == (-40, "double top-up")
