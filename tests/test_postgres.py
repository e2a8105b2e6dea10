"""PostgreSQL as the database: migrations, column types, web logins, SQLite-only commands."""
from __future__ import annotations

import subprocess
import sys

import pytest

from gateway import users
from gateway.money import accounts, ledger
from gateway.sms import store as sms_store
from gateway.sms.models import SmsCommand
from gateway.store.db import (DaemonRecord, close_database, connect_database, db, is_postgresql,
                              open_database)
from gateway.store.migrations import LATEST, MIGRATIONS, schema_version
from modems.events import SmsReceived
from webui import auth

from tests.boxrig import wait_for


@pytest.fixture
def postgres(pg_cluster):
    """Gives the URL of a new migrated PostgreSQL database, open in this thread."""
    url = pg_cluster.new_database()
    open_database(url)
    yield url
    close_database()


def columns_of(url_or_path: str) -> dict[str, set[str]]:
    database = connect_database(url_or_path)
    database.connect()
    try:
        return {table: {column.name for column in database.get_columns(table)}
                for table in database.get_tables()}
    finally:
        database.close()


def test_migrations_build_the_same_tables_on_both_engines(pg_cluster, tmp_path):
    url = pg_cluster.new_database(migrated=False)
    open_database(url)
    try:
        assert is_postgresql(db) and schema_version(db.obj) == LATEST
    finally:
        close_database()
    sqlite_path = str(tmp_path / "callbox.db")
    open_database(sqlite_path)
    close_database()
    assert columns_of(url) == columns_of(sqlite_path)
    assert "box" in columns_of(url)


def test_three_processes_migrate_one_new_database_at_once(pg_cluster):
    url = pg_cluster.new_database(migrated=False)
    # Each process imports first, says so, then waits for the go on stdin: all
    # three start migrating within a millisecond of each other.
    script = ("import sys; from gateway.store.db import open_database; "
              "from gateway.store.migrations import schema_version; "
              "print('ready', flush=True); sys.stdin.readline(); "
              "print(schema_version(open_database(sys.argv[1])))")
    runs = [subprocess.Popen([sys.executable, "-c", script, url], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)]
    for run in runs:
        assert run.stdout.readline().strip() == "ready"
    for run in runs:
        run.stdin.write("go\n")
        run.stdin.flush()
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert out.strip() == str(LATEST)
    open_database(url)
    try:
        assert [row[0] for row in db.execute_sql(
            "SELECT version FROM schema_version ORDER BY version")] \
            == [version for version, _, _ in MIGRATIONS]
    finally:
        close_database()


def test_times_keep_their_fraction_of_a_second(postgres):
    # REAL (peewee's default for floats on PostgreSQL) would round this to 1800000000.0.
    DaemonRecord.create(box="b", pid=1, version="0", started_at=1_800_000_000.25,
                        heartbeat_at=1_800_000_007.125)
    row = DaemonRecord.get(DaemonRecord.box == "b")
    assert (row.started_at, row.heartbeat_at) == (1_800_000_000.25, 1_800_000_007.125)


def test_web_logins_and_sessions(postgres):
    now = 1_800_000_000.0
    user = users.add_user("root", "admin-secret", now, is_admin=True)
    for attempt in range(5):
        assert auth.check_login("root", "wrong", "192.0.2.1", now + attempt).user is None
    assert auth.check_login("root", "admin-secret", "192.0.2.1", now + 6).locked_for > 0
    assert auth.check_login("root", "admin-secret", "192.0.2.2", now + 6).user.id == user.id
    token, _ = auth.open_session(user, "192.0.2.2", now + 7)
    assert auth.find_session(token, now + 8).user.is_admin is True


def test_accounts_caller_ids_and_sms_on_postgresql(postgres):
    account = accounts.create("alice", "1234", 500, 1_800_000_000.0)
    accounts.authorize_caller_id(account.id, "+4917012345678", 1_800_000_000.0)
    assert accounts.by_caller_id("+4917012345678").id == account.id
    assert ledger.running_sessions(account.id) == 0
    out_id = sms_store.enqueue("box", "+4917012345678", "hello", 1_800_000_000.0)
    assert sms_store.claim(out_id, "m1") and not sms_store.claim(out_id, "m2")
    assert sms_store.next_part_expiry("box", 60) is None
    for part in (1, 3):     # part 2 of 3 never comes
        sms_store.store_received(SmsReceived("m1", sender="+4917012345678", text=f"CB {part}",
                                             pdu=f"07{part}", concat_ref=7, concat_part=part,
                                             concat_total=3), "box", 1_800_000_000.0 + part)
    assert sms_store.next_part_expiry("box", 60) == 1_800_000_061.0
    [command] = sms_store.expire_parts("box", 1_800_000_100.0, 60)
    assert SmsCommand.get_by_id(command).incomplete is True


def test_backup_and_restore_name_the_postgresql_tools(tmp_path):
    config = tmp_path / "callbox.toml"
    config.write_text('[gateway]\ndatabase = "postgresql://callbox:secret@db.local/callbox"\n')
    restore = callbox("restore", str(tmp_path / "x.db"), "--config", str(config))
    assert restore.returncode != 0 and "pg_restore" in restore.stderr


def test_commands_on_a_postgresql_box(pg_cluster, tmp_path):
    url = pg_cluster.new_database()
    config = tmp_path / "callbox.toml"
    config.write_text(f'[gateway]\ndatabase = "{url}"\nbox = "site-a"\n')
    added = callbox("account", "add", "alice", "--pin", "1234", "--balance", "12.50",
                    "--config", str(config))
    assert added.returncode == 0, added.stderr
    assert callbox("account", "topup", "alice", "2.50", "--config", str(config)).returncode == 0
    listed = callbox("account", "list", "--config", str(config))
    assert listed.returncode == 0 and "alice" in listed.stdout and "15.00" in listed.stdout
    status = callbox("status", "--config", str(config))
    assert status.returncode == 1 and "box site-a: NO DAEMON" in status.stdout


def callbox(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callbox", *args], capture_output=True,
                          text=True, timeout=60)



def test_two_boxes_storing_one_sms_at_once_store_it_once(postgres):
    """Box B checks for the SMS before box A commits it: B's insert waits on A's row, fails
    on the key, and B must still tell "a duplicate" (a savepoint keeps its transaction)."""
    import threading
    sms = SmsReceived("m1", sender="+4917012345678", text="BAL", pdu="0791AA")
    inserted, results, raced = threading.Event(), [], []

    def box_a():
        with db.atomic():
            sms_store.SmsIn.create(box="a", modem="m1", dedup_key=sms_store.dedup_key(sms),
                                   pdu="0791AA", sender=sms.sender, sender_raw=sms.sender,
                                   text="BAL", state="part", received_at=1_800_000_000.0)
            inserted.set()
            # commit only once box B's insert waits on this uncommitted row
            raced.append(wait_for(lambda: _waiting_on_a_lock() > 0, 10))
        close_database()

    def box_b():
        inserted.wait(5)
        results.append(sms_store.store_received(sms, "b", 1_800_000_000.0))
        close_database()

    threads = [threading.Thread(target=box_a), threading.Thread(target=box_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert raced == [True], "box B never ran into box A's uncommitted row"
    assert [result.duplicate for result in results] == [True]
    assert sms_store.SmsIn.select().count() == 1


def _waiting_on_a_lock() -> int:
    """Gives how many other connections wait on a lock (seen from inside a transaction)."""
    db.execute_sql("SELECT pg_stat_clear_snapshot()")
    return db.execute_sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                          "'Lock' AND pid <> pg_backend_pid()").fetchone()[0]
