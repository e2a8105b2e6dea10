"""The database: peewee models, opened late with `open_database(path or URL)`.

SQLite runs in WAL mode with foreign keys on, and every write transaction
takes the write lock at BEGIN (IMMEDIATE), so the daemon and a CLI command
writing at once wait for each other instead of failing. A `postgresql://` URL
goes through playhouse.db_url (driver psycopg 3, imported only then) and runs in the server's
default READ COMMITTED isolation: money is guarded by conditional UPDATEs and
row locks (gateway/money/ledger.py); queries stay portable (no SQLite-only SQL).
peewee keeps one connection per thread. Times are Unix seconds (floats), money
is integer minor units. The program creates and migrates its own schema:
see gateway/store/migrations/. The handle `db`, BaseModel, SchemaVersion and
connecting live in gateway/store/engine.py (so the migrations need not import
this module) and are importable from here too.
"""
from __future__ import annotations

import os

from peewee import (AutoField, BooleanField, CharField, Database, FloatField, IntegerField,
                    TextField)

# Re-exported: every room imports the handle and BaseModel from here.
from gateway.store.engine import (POSTGRESQL_FIELD_TYPES, SQLITE_PRAGMAS, BaseModel,
                                  SchemaVersion, connect_database, db, is_postgresql, is_url)
from gateway.store.migrations import migrate as migrate_schema


class ModemStatusRecord(BaseModel):
    """What the daemon last knew of one modem of one box."""

    box = CharField()
    name = CharField()
    state = CharField()                   # opening | up | down | sim error
    reason = TextField(default="")
    manufacturer = CharField(null=True)
    model = CharField(null=True)
    revision = CharField(null=True)
    imei = CharField(null=True)
    imsi = CharField(null=True)
    iccid = CharField(null=True)
    operator = CharField(null=True)
    rssi = IntegerField(null=True)        # +CSQ 0..31
    dbm = IntegerField(null=True)
    bars = IntegerField(default=0)        # 0..5
    registration = CharField(default="unknown")
    sim_state = CharField(default="unknown")
    roles = CharField(default="")         # comma-separated, e.g. "trigger,callback"
    # "group" is an SQL keyword; a plain column name spares hand-written queries the quotes.
    group = CharField(null=True, column_name="modem_group")
    in_call = BooleanField(default=False)
    recovery_at = FloatField(null=True)   # wall clock of the last recovery step
    recovery = TextField(default="")      # e.g. "reset: no answer to AT commands (back)"
    recoveries = IntegerField(default=0)  # steps taken since the daemon started
    updated_at = FloatField()

    class Meta:
        table_name = "modem_status"
        indexes = ((("box", "name"), True),)


class DaemonRecord(BaseModel):
    """The heartbeat of the daemon of one box."""

    box = CharField(unique=True)
    pid = IntegerField()
    version = CharField()
    started_at = FloatField()
    heartbeat_at = FloatField()
    status = TextField(default="")        # e.g. "2/3 modems up", "stopped"

    class Meta:
        table_name = "daemon"


class EventLogRecord(BaseModel):
    """One modem event in plain words, for admins."""

    id = AutoField()
    box = CharField()
    at = FloatField()
    modem = CharField(null=True)
    call_id = IntegerField(null=True)
    kind = CharField()
    message = TextField()

    class Meta:
        table_name = "event_log"
        indexes = ((("box", "at"), False),)


__all__ = ["POSTGRESQL_FIELD_TYPES", "SQLITE_PRAGMAS", "BaseModel", "SchemaVersion", "db",
           "connect_database", "is_postgresql", "is_url", "ModemStatusRecord", "DaemonRecord",
           "EventLogRecord", "MODELS", "open_database", "close_database"]

MODELS = (SchemaVersion, ModemStatusRecord, DaemonRecord, EventLogRecord)


# What `db` was last bound to by open_database: (the path or URL, the database).
_bound: tuple[str, Database] | None = None


def open_database(url_or_path: str, *, migrate: bool = True) -> Database:
    """Gives the database, bound to `db` and migrated to the newest schema.

    For SQLite, the file's directory is created if missing. Opening the database
    `db` is already bound to keeps that binding (this thread connects to it): binding
    a new one would move every other thread's next query to a new connection in the
    middle of its transaction, whose write lock the old connection still holds.
    """
    global _bound
    target = url_or_path if is_url(url_or_path) else os.path.abspath(url_or_path)
    if _bound is not None and _bound[0] == target and db.obj is _bound[1]:
        database = _bound[1]
    else:
        if not is_url(url_or_path):
            os.makedirs(os.path.dirname(target), exist_ok=True)
        database = connect_database(url_or_path)
        db.initialize(database)
        _bound = (target, database)
    database.connect(reuse_if_open=True)
    if migrate:
        migrate_schema(database)
    return database


def close_database() -> None:
    """Closes this thread's connection, if any."""
    if db.obj is not None and not db.is_closed():
        db.close()
