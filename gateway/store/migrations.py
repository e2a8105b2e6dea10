"""Schema migrations: an ordered list, each applied once in its own transaction.

A migration describes the tables as they were at its version, with its own
model classes, and never imports the live models of gateway/store/db.py: those keep
changing, and migration 1 must create the same tables on a new box next year
as it did today. To change the schema, append a migration (playhouse.migrate's
SchemaMigrator for columns) and change the live model to match.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
import logging
import time

from peewee import (AutoField, BooleanField, CharField, Database, FloatField, ForeignKeyField,
                    IntegerField, Model, TextField)
from playhouse.migrate import SchemaMigrator, migrate as apply_changes

from gateway.store.db import SchemaVersion, is_postgresql

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x63616C6C   # PostgreSQL advisory lock key: "call" in ASCII


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


def _v2_accounts_rates_calls(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class Account(Base):
        id = AutoField()
        name = CharField(unique=True)
        pin_hash = CharField()
        balance = IntegerField(default=0)
        reserved = IntegerField(default=0)
        locked = BooleanField(default=False)
        pin_locked_until = FloatField(default=0)
        max_concurrent_sessions = IntegerField(default=1)
        created_at = FloatField()

        class Meta:
            table_name = "account"

    class CallerId(Base):
        id = AutoField()
        account = ForeignKeyField(Account, on_delete="CASCADE")
        number = CharField(unique=True)
        created_at = FloatField()

        class Meta:
            table_name = "caller_id"

    class Rate(Base):
        prefix = CharField(primary_key=True)
        description = CharField(default="")
        price_per_minute = IntegerField()
        connect_fee = IntegerField(default=0)
        initial_increment = IntegerField(default=60)
        increment = IntegerField(default=60)

        class Meta:
            table_name = "rate"

    class AuthFailure(Base):
        id = AutoField()
        account = ForeignKeyField(Account, on_delete="CASCADE")
        number = CharField(null=True)
        at = FloatField()

        class Meta:
            table_name = "auth_failure"

    class Session(Base):
        id = AutoField()
        box = CharField()
        account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
        kind = CharField()
        number = CharField()
        reserved = IntegerField(default=0)
        state = CharField(default="running")
        started_at = FloatField()
        heartbeat_at = FloatField()
        ended_at = FloatField(null=True)

        class Meta:
            table_name = "session"
            indexes = ((("account", "state"), False),)

    class Cdr(Base):
        id = AutoField()
        box = CharField()
        session = ForeignKeyField(Session, null=True, on_delete="SET NULL")
        account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
        role = CharField()
        direction = CharField()
        number = CharField()
        modem = CharField()
        iccid = CharField(null=True)
        started_at = FloatField()
        answered_at = FloatField(null=True)
        ended_at = FloatField(null=True)
        billed_seconds = IntegerField(default=0)
        cost = IntegerField(default=0)
        rate_prefix = CharField(null=True)
        cause = CharField(default="")

        class Meta:
            table_name = "cdr"
            indexes = ((("account", "started_at"), False),)

    class Topup(Base):
        id = AutoField()
        account = ForeignKeyField(Account, on_delete="CASCADE")
        amount = IntegerField()
        by = CharField()
        note = TextField(default="")
        at = FloatField()

        class Meta:
            table_name = "topup"

    class CallbackRequest(Base):
        """Callbacks given to numbers with no authorized caller ID (rate limit)."""
        id = AutoField()
        number = CharField(index=True)
        at = FloatField()

        class Meta:
            table_name = "callback_request"

    class Blocklist(Base):
        number = CharField(primary_key=True)
        note = TextField(default="")

        class Meta:
            table_name = "blocklist"

    tables = [Account, CallerId, Rate, AuthFailure, Session, Cdr, Topup, CallbackRequest,
              Blocklist]
    with database.bind_ctx(tables):
        database.create_tables(tables, safe=False)


def _v3_sms(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class SmsCommand(Base):
        id = AutoField()
        box = CharField()
        modem = CharField()
        sender = CharField()
        text = TextField(default="")
        parts = IntegerField(default=1)
        incomplete = BooleanField(default=False)
        state = CharField(default="pending")
        result = TextField(default="")
        received_at = FloatField()
        done_at = FloatField(null=True)

        class Meta:
            table_name = "sms_command"
            indexes = ((("box", "state"), False),)

    class SmsIn(Base):
        id = AutoField()
        box = CharField()
        modem = CharField()
        dedup_key = CharField(unique=True)
        pdu = TextField()
        sender = CharField(null=True)
        sender_raw = CharField(default="")
        text = TextField(null=True)
        smsc_time = CharField(null=True)
        concat_ref = IntegerField(null=True)
        concat_part = IntegerField(null=True)
        concat_total = IntegerField(null=True)
        error = TextField(null=True)
        state = CharField()
        command = ForeignKeyField(SmsCommand, null=True, on_delete="SET NULL")
        received_at = FloatField()

        class Meta:
            table_name = "sms_in"
            indexes = ((("state", "sender", "concat_ref"), False),)

    class SmsOut(Base):
        id = AutoField()
        box = CharField()
        number = CharField()
        text = TextField()
        kind = CharField(default="reply")
        state = CharField(default="queued")
        reason = TextField(default="")
        attempts = IntegerField(default=0)
        next_attempt_at = FloatField()
        modem_hint = CharField(null=True)
        modem = CharField(null=True)
        command = ForeignKeyField(SmsCommand, null=True, on_delete="SET NULL")
        created_at = FloatField()
        sent_at = FloatField(null=True)

        class Meta:
            table_name = "sms_out"
            indexes = ((("box", "state", "next_attempt_at"), False),
                       (("number", "kind"), False))

    class Alert(Base):
        id = AutoField()
        box = CharField()
        at = FloatField()
        kind = CharField()
        modem = CharField(null=True)
        message = TextField()
        acknowledged = BooleanField(default=False)

        class Meta:
            table_name = "alert"
            indexes = ((("box", "acknowledged"), False),)

    tables = [SmsCommand, SmsIn, SmsOut, Alert]
    with database.bind_ctx(tables):
        database.create_tables(tables, safe=False)


def _v4_web_users_sessions(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class Account(Base):
        id = AutoField()

        class Meta:
            table_name = "account"

    class WebUser(Base):
        id = AutoField()
        name = CharField(unique=True)
        password_hash = CharField()
        is_admin = BooleanField(default=False)
        account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
        api_token_hash = CharField(null=True)
        created_at = FloatField()

        class Meta:
            table_name = "web_user"

    class WebSession(Base):
        id = AutoField()
        token_hash = CharField(unique=True)
        user = ForeignKeyField(WebUser, on_delete="CASCADE")
        csrf_token = CharField()
        created_at = FloatField()
        expires_at = FloatField()
        address = CharField(default="")

        class Meta:
            table_name = "web_session"

    class LoginFailure(Base):
        id = AutoField()
        name = CharField()
        address = CharField()
        at = FloatField()

        class Meta:
            table_name = "login_failure"
            indexes = ((("name", "address", "at"), False),)

    # Account exists since version 2; it is named here only for the foreign key.
    tables = [WebUser, WebSession, LoginFailure]
    with database.bind_ctx(tables + [Account]):
        database.create_tables(tables, safe=False)


def _v5_caller_id_codes(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class Account(Base):
        id = AutoField()

        class Meta:
            table_name = "account"

    class CallerIdCode(Base):
        id = AutoField()
        account = ForeignKeyField(Account, on_delete="CASCADE")
        number = CharField()
        code_hash = CharField()
        state = CharField(default="pending")
        tries = IntegerField(default=0)
        created_at = FloatField()
        expires_at = FloatField()

        class Meta:
            table_name = "caller_id_code"
            indexes = ((("account", "created_at"), False),)

    # Account exists since version 2; it is named here only for the foreign key.
    with database.bind_ctx([CallerIdCode, Account]):
        database.create_tables([CallerIdCode], safe=False)


def _v6_boxes(database: Database) -> None:
    class Box(Model):
        name = CharField(primary_key=True)
        version = CharField()
        modems_up = IntegerField(default=0)
        modems_total = IntegerField(default=0)
        active_calls = IntegerField(default=0)
        heartbeat_at = FloatField()

        class Meta:
            legacy_table_names = False
            table_name = "box"

    with database.bind_ctx([Box]):
        database.create_tables([Box], safe=False)


# Every column holding money (minor units; rates in millicents per minute) as
# (table, column). Version 7 widens them; a new money column is BIGINT from the start.
MONEY_COLUMNS_V7 = (("account", "balance"), ("account", "reserved"), ("session", "reserved"),
                    ("cdr", "cost"), ("topup", "amount"), ("rate", "price_per_minute"),
                    ("rate", "connect_fee"))


def _v7_money_64_bit(database: Database) -> None:
    # peewee's IntegerField is INTEGER: 64-bit in SQLite, which has one integer
    # type, but 32-bit in PostgreSQL, where a balance above 21 474 836.47 failed.
    if not is_postgresql(database):
        return
    tables: dict[str, list[str]] = {}
    for table, column in MONEY_COLUMNS_V7:
        tables.setdefault(table, []).append(column)
    for table, columns in tables.items():
        changes = ", ".join(f'ALTER COLUMN "{column}" TYPE BIGINT' for column in columns)
        database.execute_sql(f'ALTER TABLE "{table}" {changes}')


def _v8_call_intents(database: Database) -> None:
    class CallIntent(Model):
        id = AutoField()
        box = CharField()
        kind = CharField()
        number = CharField()
        destination = CharField(null=True)
        account = IntegerField(null=True)
        reply_to = CharField(null=True)
        state = CharField(default="pending")
        session = IntegerField(null=True)
        created_at = FloatField()
        started_at = FloatField(null=True)

        class Meta:
            legacy_table_names = False
            table_name = "call_intent"
            indexes = ((("box", "state"), False),)

    with database.bind_ctx([CallIntent]):
        database.create_tables([CallIntent], safe=False)


def _v9_account_numbers_pin_locks(database: Database) -> None:
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class Account(Base):
        id = AutoField()

        class Meta:
            table_name = "account"

    class AuthFailure(Base):
        id = AutoField()
        account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
        number = CharField(null=True)
        at = FloatField()

        class Meta:
            table_name = "auth_failure"
            indexes = ((("number", "at"), False), (("account", "at"), False))

    class PinLock(Base):
        id = AutoField()
        scope = CharField()
        number = CharField(null=True)
        account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
        at = FloatField()
        until = FloatField()
        reason = TextField()

        class Meta:
            table_name = "pin_lock"
            indexes = ((("number", "until"), False), (("account", "at"), False))

    migrator = SchemaMigrator.from_database(database)
    apply_changes(migrator.add_column("account", "number", CharField(null=True)))
    # The numbers callers typed so far were the ids: they keep working.
    database.execute_sql("UPDATE account SET number = CAST(id AS TEXT)")
    apply_changes(migrator.add_index("account", ("number",), unique=True))
    # auth_failure gains rows with no account (a wrong account number counts too).
    # Its rows are the wrong PINs of the last 15 minutes: dropping them costs nothing.
    with database.bind_ctx([Account, AuthFailure, PinLock]):
        database.drop_tables([AuthFailure])
        database.create_tables([AuthFailure, PinLock], safe=False)


def _v10_sms_health(database: Database) -> None:
    class SmsHealth(Model):
        id = AutoField()
        box = CharField()
        modem = CharField()
        on_sim = IntegerField(null=True)
        capacity = IntegerField(null=True)
        read_at = FloatField(null=True)
        failures = IntegerField(default=0)
        last_error = TextField(default="")
        last_error_at = FloatField(null=True)
        updated_at = FloatField()

        class Meta:
            legacy_table_names = False
            table_name = "sms_health"
            indexes = ((("box", "modem"), True),)

    with database.bind_ctx([SmsHealth]):
        database.create_tables([SmsHealth], safe=False)


def _v11_audit_records(database: Database) -> None:
    class Account(Model):
        id = AutoField()

        class Meta:
            legacy_table_names = False
            table_name = "account"

    class AuditRecord(Model):
        id = AutoField()
        at = FloatField(index=True)
        actor = CharField()
        via = CharField()
        address = CharField(default="")
        action = CharField()
        account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
        detail = TextField(default="")

        class Meta:
            legacy_table_names = False
            table_name = "audit_record"

    with database.bind_ctx([Account, AuditRecord]):
        database.create_tables([AuditRecord], safe=False)


# (version, what it does, function): append only; never change or reorder a shipped entry.
MIGRATIONS: tuple[tuple[int, str, Callable[[Database], None]], ...] = (
    (1, "modem status, daemon heartbeat, event log", _v1_status_daemon_event_log),
    (2, "accounts, caller IDs, rates, sessions, call records", _v2_accounts_rates_calls),
    (3, "SMS in, SMS commands, SMS outbox, admin alerts", _v3_sms),
    (4, "web logins, web sessions, failed web logins", _v4_web_users_sessions),
    (5, "codes texted to confirm a caller ID added on the web", _v5_caller_id_codes),
    (6, "boxes sharing the database, with their heartbeat", _v6_boxes),
    (7, "money columns 64-bit on PostgreSQL", _v7_money_64_bit),
    (8, "call intents recorded by SMS commands", _v8_call_intents),
    (9, "account numbers hard to guess; PIN locks per calling number",
     _v9_account_numbers_pin_locks),
    (10, "SMS pipeline health per modem (SMS waiting on the SIM, failures)", _v10_sms_health),
    (11, "audit records: who changed what, how and when", _v11_audit_records),
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


@contextmanager
def _one_migrator(database: Database):
    """Lets one process at a time migrate. SQLite's BEGIN IMMEDIATE does it
    already; PostgreSQL's DDL does not wait for a rival's CREATE TABLE, it fails
    on it, so there the processes queue on an advisory lock."""
    if not is_postgresql(database):
        yield
        return
    database.execute_sql("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
    try:
        yield
    finally:
        database.execute_sql("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))


def migrate(database: Database) -> list[int]:
    """Applies the migrations the database lacks; gives the versions applied."""
    with _one_migrator(database):
        return _migrate(database)


def _migrate(database: Database) -> list[int]:
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
