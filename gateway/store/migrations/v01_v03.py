"""Migrations 1 to 3: the first tables (modems, money, SMS).

Each migration describes the tables as they were at its version, with its own
model classes (see gateway/store/migrations/__init__.py for why).
"""
from __future__ import annotations

from peewee import (AutoField, BooleanField, CharField, Database, FloatField, ForeignKeyField,
                    IntegerField, Model, TextField)


def v1_status_daemon_event_log(database: Database) -> None:
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


def v2_accounts_rates_calls(database: Database) -> None:
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


def v3_sms(database: Database) -> None:
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
