"""Migrations 4 to 11: web logins, caller ID codes, boxes, 64-bit money, call intents,
account numbers and PIN locks, SMS health, audit records.

Each migration describes the tables as they were at its version, with its own
model classes (see gateway/store/migrations/__init__.py for why).
"""
from __future__ import annotations

from peewee import (AutoField, BooleanField, CharField, Database, FloatField, ForeignKeyField,
                    IntegerField, Model, TextField)
from playhouse.migrate import SchemaMigrator, migrate as apply_changes

from gateway.store.engine import is_postgresql


def v4_web_users_sessions(database: Database) -> None:
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


def v5_caller_id_codes(database: Database) -> None:
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


def v6_boxes(database: Database) -> None:
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


def v7_money_64_bit(database: Database) -> None:
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


def v8_call_intents(database: Database) -> None:
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


def v9_account_numbers_pin_locks(database: Database) -> None:
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


def v10_sms_health(database: Database) -> None:
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


def v11_audit_records(database: Database) -> None:
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
