"""The tables of SIM care (migration 14): credit checks, requests to the daemon's modems,
keep-alive SMS."""
from __future__ import annotations

from peewee import AutoField, BigIntegerField, CharField, FloatField, IntegerField, TextField

from gateway.store.db import BaseModel


class SimBalance(BaseModel):
    """One credit check of a SIM: the amount found in the network's answer, or why not."""

    id = AutoField()
    box = CharField()
    iccid = CharField()
    modem = CharField()                        # the slot the SIM was in
    at = FloatField()
    amount_minor = BigIntegerField(null=True)  # None: no amount (see error)
    answer = TextField(default="")             # the network's text, as it came
    error = TextField(default="")

    class Meta:
        table_name = "sim_balance"
        indexes = ((("iccid", "at"), False),)


class ModemRequest(BaseModel):
    """A request for one modem of the running daemon, from another process (the CLI) or
    the web: queued -> running -> done | failed, or expired when nobody served it."""

    id = AutoField()
    box = CharField()
    kind = CharField()                         # balance | ussd | ussd-reply
    modem = CharField()
    text = TextField(default="")               # the USSD code or reply
    state = CharField(default="queued")
    answer = TextField(default="")
    ussd_status = IntegerField(null=True)      # 27.007 §7.15 <m>: 1 = a reply is expected
    amount_minor = BigIntegerField(null=True)  # kind balance: the amount found
    error = TextField(default="")
    created_at = FloatField()
    done_at = FloatField(null=True)

    class Meta:
        table_name = "modem_request"
        indexes = ((("box", "state"), False),)


class SimKeepalive(BaseModel):
    """One keep-alive SMS queued for a SIM that had been idle since `idle_since`."""

    id = AutoField()
    box = CharField()
    iccid = CharField()
    modem = CharField()
    at = FloatField()
    number = CharField()
    sms_out = IntegerField(null=True)          # the outbox id
    idle_since = FloatField(null=True)         # None: the box knew of no use of the SIM

    class Meta:
        table_name = "sim_keepalive"
        indexes = ((("iccid", "at"), False),)
