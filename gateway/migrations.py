"""Schema migrations: an ordered list, each applied once in its own transaction.

A migration describes the tables as they were at its version, with its own
model classes, and never imports the live models of gateway/db.py: those keep
changing, and migration 1 must create the same tables on a new box next year
as it did today. To change the schema, append a migration (playhouse.migrate's
SchemaMigrator for columns) and change the live model to match.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from peewee import (AutoField, BooleanField, CharField, Database, FloatField, IntegerField, Model,
                    TextField)

from gateway.db import SchemaVersion

log = logging.getLogger(__name__)


class SchemaTooNew(Exception):
    """The database was migrated by a newer callbox than this one."""


def _v1_status_daemon_event_log(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class ModemStatus(Base):
        box = CharField()
        name = CharField()
        state = CharField()
        reason = TextField(default="")
        manufacturer = CharField(null=True)
        model = CharField(null=True)
        revision = CharField(null=True)
        imei = CharField(null=True)
        imsi = CharField(null=True)
        iccid = CharField(null=True)
        operator = CharField(null=True)
        rssi = IntegerField(null=True)
        dbm = IntegerField(null=True)
        bars = IntegerField(default=0)
        registration = CharField(default="unknown")
        sim_state = CharField(default="unknown")
        roles = CharField(default="")
        group = CharField(null=True, column_name="modem_group")
        in_call = BooleanField(default=False)
        updated_at = FloatField()

        class Meta:
            table_name = "modem_status"
            indexes = ((("box", "name"), True),)

    class Daemon(Base):
        box = CharField(unique=True)
        pid = IntegerField()
        version = CharField()
        started_at = FloatField()
        heartbeat_at = FloatField()
        status = TextField(default="")

        class Meta:
            table_name = "daemon"

    class EventLog(Base):
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

    tables = [ModemStatus, Daemon, EventLog]
    with database.bind_ctx(tables):
        database.create_tables(tables, safe=False)


# (version, what it does, function): append only; never change or reorder a shipped entry.
MIGRATIONS: tuple[tuple[int, str, Callable[[Database], None]], ...] = (
    (1, "modem status, daemon heartbeat, event log", _v1_status_daemon_event_log),
)
LATEST = MIGRATIONS[-1][0]


def schema_version(database: Database) -> int:
    """Gives the newest migration applied to the database, 0 for none."""
    with database.bind_ctx([SchemaVersion]):
        if not database.table_exists(SchemaVersion._meta.table_name):
            return 0
        newest = SchemaVersion.select(SchemaVersion.version).order_by(
            SchemaVersion.version.desc()).limit(1).scalar()
    return newest or 0


def migrate(database: Database) -> list[int]:
    """Applies the migrations the database lacks; gives the versions applied."""
    applied: list[int] = []
    with database.bind_ctx([SchemaVersion]):
        database.create_tables([SchemaVersion], safe=True)
        current = schema_version(database)
        if current > LATEST:
            raise SchemaTooNew(f"the database schema is version {current}, newer than this "
                               f"callbox knows ({LATEST}): upgrade callbox")
        for version, name, apply in MIGRATIONS:
            with database.atomic():
                # Checked again inside the transaction: another process may have won.
                if SchemaVersion.get_or_none(SchemaVersion.version == version) is not None:
                    continue
                apply(database)
                SchemaVersion.create(version=version, name=name, applied_at=time.time())
            log.info("database migrated to version %d: %s", version, name)
            applied.append(version)
    return applied
