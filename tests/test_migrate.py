"""`callbox migrate`: a box's SQLite database copied to PostgreSQL, row for row, ids kept."""
from __future__ import annotations

import os
from pathlib import Path
import subprocess
import sys
import time

from peewee import Column, Table
import pytest

from callbox.cli.migrate import table_order
from gateway import users
from gateway.money import accounts, ledger
from gateway.money.billing import Rate
from gateway.sms import store as sms_store
from gateway.store import boxes
from gateway.store.db import DaemonRecord, close_database, connect_database, open_database
from modems.events import SmsReceived

ROOT = Path(__file__).resolve().parent.parent
NOW = 1_800_000_000.5


def callbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callbox", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


def fill_box(path: str) -> None:
    """Writes a little of everything a box keeps, through the program's own functions."""
    open_database(path)
    try:
        alice = accounts.create("alice", "1234", 1000, NOW)
        bob = accounts.create("bob", "4321", 250, NOW)
        accounts.authorize_caller_id(alice.id, "+4917012345678", NOW)
        ledger.store_rates([Rate("49", "Germany", 1200, 5, 60, 60),
                            Rate("4917", "Germany mobile", 2500, 0, 30, 6)])
        ledger.topup(bob.id, 150, "admin", NOW + 1, note="cash")
        session = ledger.start_session("site-a", alice.id, "callback", "+4917012345678", NOW)
        ledger.reserve(session, alice.id, 100)
        ledger.settle(session, [dict(role="destination", direction="outgoing",
                                     number="+4930123456", modem="m2", started_at=NOW + 2,
                                     answered_at=NOW + 5.25, ended_at=NOW + 65.75,
                                     billed_seconds=61, cost=37, rate_prefix="49")], NOW + 66)
        sms_store.store_received(SmsReceived("m1", sender="+4917012345678", text="BAL",
                                             pdu="0791", index=1), "site-a", NOW + 70)
        sms_store.mark_sent(sms_store.enqueue("site-a", "+4917012345678", "Balance 9.63 EUR",
                                              NOW + 71), NOW + 72)
        users.add_user("root", "admin-secret", NOW, is_admin=True)
        boxes.beat("site-a", "0.1.0", [], 0, NOW + 80)
        DaemonRecord.create(box="site-a", pid=1, version="0.1.0", started_at=NOW,
                            heartbeat_at=NOW + 80, status="stopped")
    finally:
        close_database()


def rows_of(url_or_path: str) -> dict[str, list[tuple]]:
    """Gives every table's rows (booleans as 0/1), ordered by their first column."""
    database = connect_database(url_or_path)
    database.connect()
    try:
        found = {}
        for name in table_order():
            names = [column.name for column in database.get_columns(name)]
            table = Table(name).bind(database)
            rows = table.select(*[Column(table, column) for column in names]) \
                .order_by(Column(table, names[0])).tuples()
            found[name] = [tuple(int(value) if isinstance(value, bool) else value
                                 for value in row) for row in rows]
        return found
    finally:
        database.close()


@pytest.fixture
def source(tmp_path):
    path = str(tmp_path / "callbox.db")
    fill_box(path)
    return path


def test_sqlite_box_moves_to_postgresql(source, pg_cluster):
    target = pg_cluster.new_database(migrated=False)
    result = callbox("migrate", "--from", f"sqlite://{source}", "--to", target)
    assert result.returncode == 0, result.stderr
    tables = table_order()
    assert f"[1/{len(tables)}] {tables[0]}:" in result.stdout
    assert "account: 2 rows" in result.stdout and "cdr: 1 rows" in result.stdout
    before, after = rows_of(source), rows_of(target)
    assert after == before
    assert all(before[name] for name in ("account", "caller_id", "rate", "session", "cdr",
                                         "topup", "sms_in", "sms_command", "sms_out",
                                         "web_user", "box", "daemon"))
    # The sequences moved past the copied ids: new rows get new ids.
    open_database(target)
    try:
        carol = accounts.create("carol", "1111", 0, NOW + 100)
        assert carol.id == max(row[0] for row in before["account"]) + 1
        assert ledger.Account.get(ledger.Account.name == "alice").balance == 963
    finally:
        close_database()


def test_a_target_with_rows_is_refused_unless_forced(source, pg_cluster):
    target = pg_cluster.new_database()
    assert callbox("migrate", "--from", source, "--to", target).returncode == 0
    again = callbox("migrate", "--from", source, "--to", target)
    assert again.returncode == 1
    assert "the target is not empty: " in again.stderr and "account (2)" in again.stderr
    assert "--force" in again.stderr
    forced = callbox("migrate", "--from", source, "--to", target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert rows_of(target) == rows_of(source)


def test_a_running_source_daemon_is_refused(source, pg_cluster):
    open_database(source)
    try:
        DaemonRecord.update(pid=os.getpid(), heartbeat_at=time.time(), status="1/1 modems up") \
            .execute()
    finally:
        close_database()
    target = pg_cluster.new_database()
    result = callbox("migrate", "--from", source, "--to", target)
    assert result.returncode == 1 and "a daemon is using the source" in result.stderr
    assert rows_of(target)["account"] == []


@pytest.mark.parametrize("bad, message", [
    ("mysql://u@h/db", "--to must be sqlite:///PATH or postgresql://"),
    ("postgresql://callbox:secret@127.0.0.1:1/none", "****"),
])
def test_bad_targets_are_named_without_their_password(source, bad, message):
    result = callbox("migrate", "--from", source, "--to", bad)
    assert result.returncode == 1 and message in result.stderr
    assert "secret" not in result.stderr
