"""The SMS tables: every PDU received, the commands they carry, the outbox, SIM health.

An incoming PDU becomes one `sms_in` row before it is deleted from the SIM;
its `dedup_key` (sender, SMSC time and PDU, hashed) is unique, so a copy
stored twice (a crash between commit and delete, a modem storing what it also
pushed) is recognized. A complete message - a single PDU, or all parts of a
concatenated one - becomes one `sms_command`, whose state says whether it has
been executed; the command's own changes, its reply (an `sms_out` row) and
the `done` state commit in one transaction, so a command runs at most once.
Times are Unix seconds; numbers are E.164 or, for senders that are names or
short codes, as the network gave them.
"""
from __future__ import annotations

from peewee import (AutoField, BooleanField, CharField, FloatField, ForeignKeyField, IntegerField,
                    TextField)

from gateway.store.db import BaseModel


class SmsCommand(BaseModel):
    """One whole incoming message (its parts joined) and what became of it."""

    id = AutoField()
    box = CharField()
    modem = CharField()                        # where it came in; replies go out there
    sender = CharField()
    text = TextField(default="")
    parts = IntegerField(default=1)
    incomplete = BooleanField(default=False)   # processed without all its parts
    state = CharField(default="pending")       # pending | done | dropped | stale | failed
    result = TextField(default="")             # what was done, in words
    received_at = FloatField()
    done_at = FloatField(null=True)

    class Meta:
        table_name = "sms_command"
        indexes = ((("box", "state"), False),)


class SmsIn(BaseModel):
    """One PDU as read from a modem: kept raw, decoded where it could be."""

    id = AutoField()
    box = CharField()
    modem = CharField()
    dedup_key = CharField(unique=True)         # sha256 of sender, SMSC time, PDU
    pdu = TextField()
    sender = CharField(null=True)
    sender_raw = CharField(default="")
    text = TextField(null=True)
    smsc_time = CharField(null=True)           # ISO 8601
    concat_ref = IntegerField(null=True)
    concat_part = IntegerField(null=True)
    concat_total = IntegerField(null=True)
    error = TextField(null=True)               # why the PDU could not be decoded
    state = CharField()                        # part | assembled | quarantined | duplicate
    command = ForeignKeyField(SmsCommand, null=True, on_delete="SET NULL")
    received_at = FloatField()

    class Meta:
        table_name = "sms_in"
        indexes = ((("state", "sender", "concat_ref"), False),)


class SmsOut(BaseModel):
    """One text to send: queued -> sending -> sent, or failed with the reason."""

    id = AutoField()
    box = CharField()
    number = CharField()
    text = TextField()
    kind = CharField(default="reply")          # reply | help | code | notice | manual
    state = CharField(default="queued")        # queued | sending | sent | failed
    reason = TextField(default="")             # last error, or why it failed for good
    attempts = IntegerField(default=0)
    next_attempt_at = FloatField()
    modem_hint = CharField(null=True)          # the modem the command came in on
    modem = CharField(null=True)               # the modem it went out on
    iccid = CharField(null=True)               # the SIM it went out on (its SMS limit)
    parts = IntegerField(default=1)            # SMS it took (what the operator counts)
    command = ForeignKeyField(SmsCommand, null=True, on_delete="SET NULL")
    created_at = FloatField()
    sent_at = FloatField(null=True)
    # What the network reported (gateway/sms/reports.py): "" none asked for, awaiting,
    # delivered, failed; the status in words (3GPP TS 23.040 TP-ST); when it came.
    delivery = CharField(default="")
    delivery_status = TextField(default="")
    delivered_at = FloatField(null=True)

    class Meta:
        table_name = "sms_out"
        indexes = ((("box", "state", "next_attempt_at"), False), (("number", "kind"), False),
                   (("iccid", "sent_at"), False))


class SmsOutPart(BaseModel):
    """One part of a text sent asking for a status report, known by its message reference."""

    id = AutoField()
    sms_out = ForeignKeyField(SmsOut, on_delete="CASCADE")
    modem = CharField()                        # the modem it went out on
    number = CharField()                       # the recipient as sent (E.164)
    reference = IntegerField()                 # +CMGS <mr> = the report's TP-MR, 0..255
    part = IntegerField(default=1)
    sent_at = FloatField()
    status = IntegerField(null=True)           # TP-ST of the newest report
    reported_at = FloatField(null=True)

    class Meta:
        table_name = "sms_out_part"
        indexes = ((("modem", "reference", "sent_at"), False),)


class SmsHealth(BaseModel):
    """How reading one modem's SIM goes, as the `sms-in` thread last wrote it."""

    id = AutoField()
    box = CharField()
    modem = CharField()
    on_sim = IntegerField(null=True)           # SMS on the SIM after the last full read
    capacity = IntegerField(null=True)         # SMS the SIM holds (None: the modem did not say)
    read_at = FloatField(null=True)            # the last full read of the SIM
    failures = IntegerField(default=0)         # since the last read that left nothing behind
    last_error = TextField(default="")         # the newest failure, in words
    last_error_at = FloatField(null=True)
    updated_at = FloatField()

    class Meta:
        table_name = "sms_health"
        indexes = ((("box", "modem"), True),)


class SmsSentCount(BaseModel):
    """The SMS (parts) sent on a SIM in one quarter of an hour, counted as each text is
    marked sent: what a SIM's SMS limit reads (gateway/care/usage.py), a few rows a day
    whatever the outbox holds. Quarters start on multiples of 900 Unix seconds, so a day
    that starts at any local hour (every time zone is a whole number of quarters from UTC)
    is a whole number of quarters."""

    id = AutoField()
    iccid = CharField()
    quarter = FloatField()                     # its start, Unix seconds
    parts = IntegerField(default=0)

    class Meta:
        table_name = "sms_sent_count"
        indexes = ((("iccid", "quarter"), True),)


QUARTER = 900.0


def quarter_of(at: float) -> float:
    """Gives the start of the quarter of an hour `at` falls in (Unix seconds)."""
    return (at // QUARTER) * QUARTER


SMS_MODELS = (SmsCommand, SmsIn, SmsOut, SmsOutPart, SmsHealth, SmsSentCount)
