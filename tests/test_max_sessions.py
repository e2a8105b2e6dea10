"""How many calls an account may have running at once (`max_concurrent_sessions`): the
[callback] default a new account gets, set per account through `callbox account`, the
admin page and the admin API, each change one audit record; the ledger refuses the call
over the number set."""
from __future__ import annotations

import json
from pathlib import Path
import re
import subprocess
import sys
import time

import pytest

from gateway.actions import accounts as account_actions
from gateway.actions.audit import ActionError, Actor, AuditRecord
from gateway.config import ConfigError, parse
from gateway.money import ledger
from gateway.money.ledger import Account
from gateway.store.db import close_database, open_database

from tests.webclient import Client

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("root", "cli")


def sessions_of(name: str) -> int:
    return Account.get(Account.name == name).max_concurrent_sessions


def audited(action: str) -> list[tuple[str, str]]:
    return [(row.via, row.detail) for row in
            AuditRecord.select().where(AuditRecord.action == action).order_by(AuditRecord.id)]


def test_the_config_default_is_one_and_its_range_is_checked():
    assert parse({}, "x").callback.max_concurrent_sessions == 1
    assert parse({"callback": {"max_concurrent_sessions": 4}},
                 "x").callback.max_concurrent_sessions == 4
    with pytest.raises(ConfigError) as caught:
        parse({"callback": {"max_concurrent_sessions": 0}}, "x")
    assert caught.value.key == "callback.max_concurrent_sessions"


def test_the_action_sets_it_with_one_record_and_the_ledger_holds_to_it(tmp_path):
    open_database(str(tmp_path / "box.db"))
    try:
        now = time.time()
        account = account_actions.create_account(ADMIN, "ann", "1234", 500, now, sessions=2)
        assert sessions_of("ann") == 2
        for wrong in (0, 101, True, "2"):
            with pytest.raises(ActionError) as caught:
                account_actions.set_max_sessions(ADMIN, account.id, wrong, now)
            assert caught.value.field == "sessions"
        assert sessions_of("ann") == 2 and audited("set_sessions") == []
        assert not account_actions.set_max_sessions(ADMIN, account.id, 2, now)   # no change
        first = ledger.start_session("box", account.id, "callback", "+4917011111111", now)
        ledger.start_session("box", account.id, "callback", "+4917022222222", now)
        with pytest.raises(ledger.InsufficientCredit):
            ledger.start_session("box", account.id, "callback", "+4917033333333", now)
        assert account_actions.set_max_sessions(ADMIN, account.id, 3, now)
        assert audited("set_sessions") == [("cli", "calls at once changed from 2 to 3")]
        ledger.start_session("box", account.id, "callback", "+4917033333333", now)
        late = ledger.start_session("box", None, "callback", "+4917044444444", now)
        with pytest.raises(ledger.InsufficientCredit):   # a caller known only after the PIN
            ledger.attach_account(late, account.id)
        assert ledger.discard_session(first)
        ledger.attach_account(late, account.id)
    finally:
        close_database()


def callbox(config: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "callbox", *args, "--config", str(config)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expect, (args, result.stdout, result.stderr)
    return result


def test_the_cli_gives_new_accounts_the_default_and_sets_one(tmp_path):
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\nstate_dir = "{tmp_path}"\n'
                      f'database = "{tmp_path / "callbox.db"}"\n'
                      '[callback]\nmax_concurrent_sessions = 3\n')
    added = callbox(config, "account", "add", "bob", "--pin", "1234", "--balance", "5")
    assert "at most 3 calls at once" in added.stdout
    callbox(config, "account", "add", "ann", "--pin", "1234", "--balance", "5",
            "--sessions", "1")
    changed = callbox(config, "account", "sessions", "bob", "5")
    assert changed.stdout.strip() == "account bob: at most 5 calls at once"
    assert "already" in callbox(config, "account", "sessions", "bob", "5").stdout
    refused = callbox(config, "account", "sessions", "bob", "0", expect=1)
    assert "from 1 to 100" in refused.stderr
    listing = callbox(config, "account", "list").stdout.splitlines()
    assert "AT ONCE" in listing[0]
    assert re.search(r" bob .* 5 +no$", next(line for line in listing if " bob " in line))
    assert re.search(r" ann .* 1 +no$", next(line for line in listing if " ann " in line))
    open_database(str(tmp_path / "callbox.db"))
    try:
        assert (sessions_of("bob"), sessions_of("ann")) == (5, 1)
        assert audited("set_sessions") == [("cli", "calls at once changed from 3 to 5")]
    finally:
        close_database()


def test_the_admin_page_and_api_set_it(app):
    admin = Client(app)
    admin.login("root", "admin-secret")
    path = f"/admin/accounts/{app.alice.id}"
    page = admin.get(path).text
    assert 'id="sessions" name="sessions" type="number" min="1" max="100" value="1"' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for wrong in ("", "abc", "0", "101", "-1", "２"):
        reply = admin.post(f"{path}/sessions", {"csrf_token": csrf, "sessions": wrong})
        assert reply.status == 400 and 'id="sessions-error">calls at once is a whole' \
            in reply.text, wrong
    reply = admin.post(f"{path}/sessions", {"csrf_token": csrf, "sessions": "4"})
    assert reply.status == 200 and "at most 4 calls at once from the next call on" in reply.text
    assert sessions_of("alice") == 4

    api = Client(app)
    headers = {"X-CSRF-Token": api.login("root", "admin-secret")}
    route = f"/api/admin/accounts/{app.alice.id}/sessions"
    reply = api.request("POST", route, json_body={"max_concurrent_sessions": 0}, headers=headers)
    assert reply.status == 400 and "sessions" in json.loads(reply.text)["fields"]
    reply = api.request("POST", route, json_body={"max_concurrent_sessions": 6}, headers=headers)
    assert reply.status == 200 and json.loads(reply.text)["max_concurrent_sessions"] == 6
    assert [via for via, _ in audited("set_sessions")] == ["web", "api"]

    reply = api.request("POST", "/api/admin/accounts", headers=headers, json_body={
        "name": "carol", "pin": "4321", "balance": "5", "password": "carol-secret"})
    assert reply.status == 201 and json.loads(reply.text)["max_concurrent_sessions"] == 1
