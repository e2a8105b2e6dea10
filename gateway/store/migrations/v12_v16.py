"""Migrations 12 and on: the box looking after itself (alerts, SIMs, webhooks, SMS reports).

Each migration describes the tables as they were at its version, with its own
model classes (see gateway/store/migrations/__init__.py for why).
"""
from __future__ import annotations

from peewee import (AutoField, BigIntegerField, CharField, Database, FloatField,
                    ForeignKeyField, IntegerField, Model, TextField)
from playhouse.migrate import SchemaMigrator, migrate as apply_changes


def v12_alerts_delivered(database: Database) -> None:
    """alert: one open alert per cause, its repeats, recovery and delivery."""
    migrator = SchemaMigrator.from_database(database)
    apply_changes(
        migrator.add_column("alert", "subject", CharField(default="")),
        migrator.add_column("alert", "advice", TextField(default="")),
        migrator.add_column("alert", "state", CharField(default="notice")),
        migrator.add_column("alert", "repeats", IntegerField(default=0)),
        migrator.add_column("alert", "last_at", FloatField(null=True)),
        migrator.add_column("alert", "recovered_at", FloatField(null=True)),
        migrator.add_column("alert", "recovery", TextField(default="")),
        migrator.add_column("alert", "sent_at", FloatField(null=True)),
        migrator.add_column("alert", "recovery_sent_at", FloatField(null=True)),
        migrator.add_column("alert", "attempts", IntegerField(default=0)),
        migrator.add_column("alert", "next_attempt_at", FloatField(null=True)),
        migrator.add_column("alert", "last_error", TextField(default="")),
    )
    # Alerts from before had no delivery: they count as delivered (the log said them).
    database.execute_sql("UPDATE alert SET subject = COALESCE(modem, ''), sent_at = at")
    apply_changes(migrator.add_index("alert", ("box", "kind", "subject", "state"), unique=False))


def v13_sim_usage(database: Database) -> None:
    """sms_out: the SIM each text went out on and its parts; cdr and sms_out indexed by
    SIM, for each SIM's usage against its limits (gateway/care/usage.py)."""
    migrator = SchemaMigrator.from_database(database)
    apply_changes(
        migrator.add_column("sms_out", "iccid", CharField(null=True)),
        migrator.add_column("sms_out", "parts", IntegerField(default=1)),
        migrator.add_index("sms_out", ("iccid", "sent_at"), unique=False),
        migrator.add_index("cdr", ("iccid", "started_at"), unique=False),
    )


def v14_sim_credit_requests(database: Database) -> None:
    """sim_balance: each credit check of a SIM; modem_request: what `callbox sim balance`,
    `callbox ussd` and the web ask a modem of the running daemon; sim_keepalive: each
    keep-alive SMS queued for a SIM."""
    class SimBalance(Model):
        id = AutoField()
        box = CharField()
        iccid = CharField()
        modem = CharField()
        at = FloatField()
        amount_minor = BigIntegerField(null=True)
        answer = TextField(default="")
        error = TextField(default="")

        class Meta:
            legacy_table_names = False
            table_name = "sim_balance"
            indexes = ((("iccid", "at"), False),)

    class ModemRequest(Model):
        id = AutoField()
        box = CharField()
        kind = CharField()
        modem = CharField()
        text = TextField(default="")
        state = CharField(default="queued")
        answer = TextField(default="")
        ussd_status = IntegerField(null=True)
        amount_minor = BigIntegerField(null=True)
        error = TextField(default="")
        created_at = FloatField()
        done_at = FloatField(null=True)

        class Meta:
            legacy_table_names = False
            table_name = "modem_request"
            indexes = ((("box", "state"), False),)

    class SimKeepalive(Model):
        id = AutoField()
        box = CharField()
        iccid = CharField()
        modem = CharField()
        at = FloatField()
        number = CharField()
        sms_out = IntegerField(null=True)
        idle_since = FloatField(null=True)

        class Meta:
            legacy_table_names = False
            table_name = "sim_keepalive"
            indexes = ((("iccid", "at"), False),)

    with database.bind_ctx([SimBalance, ModemRequest, SimKeepalive]):
        database.create_tables([SimBalance, ModemRequest, SimKeepalive], safe=False)


def v15_webhook_deliveries(database: Database) -> None:
    """webhook_delivery: the persistent queue of events for integrators' webhooks, with its
    log; webhook_cursor: how far the box has looked for new events, per source table."""
    class Base(Model):
        class Meta:
            legacy_table_names = False

    class WebhookDelivery(Base):
        id = AutoField()
        box = CharField()
        webhook = CharField()
        event = CharField()
        event_id = CharField()
        body = TextField()
        state = CharField(default="pending")
        attempts = IntegerField(default=0)
        next_attempt_at = FloatField()
        last_status = IntegerField(null=True)
        last_error = TextField(default="")
        created_at = FloatField()
        delivered_at = FloatField(null=True)

        class Meta:
            table_name = "webhook_delivery"
            indexes = ((("box", "webhook", "event_id"), True),
                       (("box", "state", "webhook", "id"), False),
                       (("box", "event_id"), False))

    class WebhookCursor(Base):
        id = AutoField()
        box = CharField()
        source = CharField()
        position = BigIntegerField()
        updated_at = FloatField()

        class Meta:
            table_name = "webhook_cursor"
            indexes = ((("box", "source"), True),)

    with database.bind_ctx([WebhookDelivery, WebhookCursor]):
        database.create_tables([WebhookDelivery, WebhookCursor], safe=False)


def v16_modem_recovery(database: Database) -> None:
    """modem_status: the modem's last recovery step (modems/recovery.py) and how many."""
    migrator = SchemaMigrator.from_database(database)
    apply_changes(
        migrator.add_column("modem_status", "recovery_at", FloatField(null=True)),
        migrator.add_column("modem_status", "recovery", TextField(default="")),
        migrator.add_column("modem_status", "recoveries", IntegerField(default=0)),
    )


def v17_sms_delivery_reports(database: Database) -> None:
    """sms_out: what the network reported of each text (delivery, its status in words, when);
    sms_out_part: the message reference (+CMGS <mr>) of each part sent asking for a report."""
    migrator = SchemaMigrator.from_database(database)
    apply_changes(
        migrator.add_column("sms_out", "delivery", CharField(default="")),
        migrator.add_column("sms_out", "delivery_status", TextField(default="")),
        migrator.add_column("sms_out", "delivered_at", FloatField(null=True)),
    )

    class SmsOut(Model):
        id = AutoField()

        class Meta:
            legacy_table_names = False
            table_name = "sms_out"

    class SmsOutPart(Model):
        id = AutoField()
        sms_out = ForeignKeyField(SmsOut, on_delete="CASCADE")
        modem = CharField()
        number = CharField()
        reference = IntegerField()
        part = IntegerField(default=1)
        sent_at = FloatField()
        status = IntegerField(null=True)
        reported_at = FloatField(null=True)

        class Meta:
            legacy_table_names = False
            table_name = "sms_out_part"
            indexes = ((("modem", "reference", "sent_at"), False),)

    with database.bind_ctx([SmsOut, SmsOutPart]):
        database.create_tables([SmsOutPart], safe=False)
