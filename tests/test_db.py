"""The database: SQLite pragmas on every connection, the program's own migrations."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

from peewee import IntegrityError
import pytest

from gateway.store.db import (DaemonRecord, EventLogRecord, ModemStatusRecord, SchemaVersion,
                              close_database, db, open_database)
from gateway.store.migrations import LATEST, MIGRATIONS, SchemaTooNew, migrate, schema_version


@pytest.fixture
def database(db_url):
    """Gives a migrated database on each engine (its path or URL), open in this thread."""
    open_database(db_url)
    yield db_url
    close_database()


@pytest.fixture
def sqlite_file(tmp_path):
    path = tmp_path / "state" / "callbox.db"
    open_database(str(path))
    yield path
    close_database()


def pragmas() -> tuple:
    return tuple(db.execute_sql(f"PRAGMA {name}").fetchone()[0]
                 for name in ("journal_mode", "foreign_keys", "busy_timeout"))


def test_wal_and_foreign_keys_on_every_thread(sqlite_file):
    assert sqlite_file.exists()
    assert pragmas()[:2] == ("wal", 1) and pragmas()[2] > 0
    seen = []

    def other_thread():
        seen.append(pragmas())
        db.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert seen[0][:2] == ("wal", 1)


def test_opening_the_open_database_again_leaves_other_threads_transactions_alone(database):
    """A command run in the daemon's process opens the database the daemon has open: the
    daemon's thread in the middle of a transaction finishes it on its own connection."""
    bound = db.obj
    in_transaction, reopened = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer():
        try:
            with db.atomic():
                EventLogRecord.create(box="b", at=1.0, kind="note", message="before")
                in_transaction.set()
                reopened.wait(10)
                EventLogRecord.create(box="b", at=2.0, kind="note", message="after")
        except BaseException as error:      # handed to the test thread
            failures.append(error)
        finally:
            db.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert in_transaction.wait(10)
    assert open_database(database) is bound and db.obj is bound
    reopened.set()
    thread.join(30)
    assert not thread.is_alive() and failures == []
    assert [row.message for row in EventLogRecord.select().order_by(EventLogRecord.at)] == \
        ["before", "after"]


def test_a_threads_connection_keeps_at_most_its_share_of_pages(sqlite_file):
    """Each thread that uses the database holds its own connection for good: one that read
    through a big table keeps SQLITE_CACHE_KIB of its pages, not SQLite's default 2 MB."""
    import ctypes
    sqlite = ctypes.CDLL("libsqlite3.so.0")     # the library the sqlite3 module runs on
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    db.execute_sql("CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT)")
    with db.atomic():
        db.execute_sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                       "WHERE i < 10000) INSERT INTO big (body) SELECT printf('%.500c', 'x') "
                       "FROM n")
    close_database()
    assert sqlite_file.stat().st_size > 4_000_000
    before = sqlite.sqlite3_memory_used()
    scanned, done = threading.Barrier(5), threading.Event()

    def reader():
        assert db.execute_sql("SELECT sum(length(body)) FROM big").fetchone()[0] == 5_000_000
        scanned.wait()
        done.wait()                           # holds its connection, as a worker thread does
        close_database()

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    scanned.wait(timeout=30)
    held = sqlite.sqlite3_memory_used() - before
    done.set()
    for thread in readers:
        thread.join()
    # 4 caches of SQLITE_CACHE_KIB (512) and each connection's own few hundred kB: 2.3 MB;
    # SQLite's default cache kept 8.6 MB here
    assert held < 4_000_000, held


def test_schema_version_recorded(database):
    rows = list(SchemaVersion.select().order_by(SchemaVersion.version))
    assert [row.version for row in rows] == [version for version, _, _ in MIGRATIONS]
    assert rows[-1].version == LATEST and rows[0].name and rows[0].applied_at > 0
    tables = set(db.get_tables())
    assert {"schema_version", "modem_status", "daemon", "event_log"} <= tables


def test_migrations_are_idempotent(database):
    DaemonRecord.create(box="b", pid=1, version="0", started_at=1.0, heartbeat_at=2.0)
    close_database()
    open_database(database)
    assert migrate(db.obj) == []
    assert schema_version(db.obj) == LATEST
    assert SchemaVersion.select().count() == len(MIGRATIONS)
    assert DaemonRecord.get(DaemonRecord.box == "b").heartbeat_at == 2.0


def test_two_processes_migrate_one_new_database_at_once(tmp_path):
    path = tmp_path / "race.db"
    script = ("import sys; from gateway.store.db import open_database; "
              "from gateway.store.migrations import schema_version; "
              "print(schema_version(open_database(sys.argv[1])))")
    runs = [subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert out.strip() == str(LATEST)
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_a_newer_schema_is_refused(database):
    SchemaVersion.create(version=LATEST + 1, name="from the future", applied_at=time.time())
    with pytest.raises(SchemaTooNew, match="upgrade callbox"):
        migrate(db.obj)


def test_unique_keys(database):
    row = dict(box="b", name="m1", state="up", updated_at=1.0)
    ModemStatusRecord.create(**row)
    ModemStatusRecord.create(**dict(row, box="other"))
    with pytest.raises(IntegrityError):
        ModemStatusRecord.create(**row)
    event = EventLogRecord.create(box="b", at=1.0, kind="modem_up", message="m1: up")
    assert event.id and event.call_id is None and event.modem is None
