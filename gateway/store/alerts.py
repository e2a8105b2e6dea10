"""Alerts: what the owner must hear about, at most one open alert per cause.

Anything in gateway raises an alert here: a row in `alert`, in the caller's
transaction when it has one, so an alert is never lost with a crash and the
Alerts page, `callbox` and delivery all read the same rows. The delivery to
the owner (email, chat, webhooks) is gateway/care/alerts.py: it sends each
row's raise, and later its recovery, and writes down when it did.

A cause is (box, kind, subject): "modem-down" of modem m2, "sim-low-balance"
of SIM 8949..., "pin-lockouts" of account 1001. While an alert of that cause
is open, raising it again only counts a repeat (no storm); `recover` closes
it, and the owner hears that too. A cause that has nothing to recover from
(an SMS quarantined, a restart after a crash) is a notice: it closes at once,
and the same cause within NOTICE_QUIET seconds is counted, not sent again.
"""
from __future__ import annotations

import logging

from peewee import AutoField, BooleanField, CharField, FloatField, IntegerField, TextField

from gateway.store.db import BaseModel, EventLogRecord, db

log = logging.getLogger(__name__)

NOTICE_QUIET = 3600.0       # seconds a notice of one cause stays quiet after it was raised
# the subject of a "pin-lockouts" alert: the account locked, or the number locked for all
PIN_LOCK_SUBJECTS = {"account": "account {name}", "caller": "caller {number}"}


class Alert(BaseModel):
    """One alert: raised, counted while it repeats, recovered (or a notice), delivered."""

    id = AutoField()
    box = CharField()
    at = FloatField()                          # raised
    kind = CharField()                         # modem-down | sim-low-balance | sms-quarantined ...
    modem = CharField(null=True)               # the modem it is about, if any
    subject = CharField(default="")            # what it is about: a modem, SIM, account, the box
    message = TextField()                      # what happened, in words
    advice = TextField(default="")             # what the owner can do
    state = CharField(default="open")          # open | recovered | notice
    repeats = IntegerField(default=0)          # raised again while open (or quiet)
    last_at = FloatField(null=True)            # the latest repeat
    recovered_at = FloatField(null=True)
    recovery = TextField(default="")           # how it recovered, in words
    acknowledged = BooleanField(default=False)
    # delivery (gateway/care/alerts.py): the raise, then the recovery
    sent_at = FloatField(null=True)
    recovery_sent_at = FloatField(null=True)
    attempts = IntegerField(default=0)
    next_attempt_at = FloatField(null=True)
    last_error = TextField(default="")

    class Meta:
        table_name = "alert"
        indexes = ((("box", "acknowledged"), False), (("box", "kind", "subject", "state"), False))


def raise_alert(box: str, kind: str, subject: str, now: float, message: str, *,
                advice: str = "", modem: str | None = None, notice: bool = False) -> Alert | None:
    """Records an alert of the cause (box, kind, subject); gives it, or None when one of that
    cause is open (or, for a notice, was raised less than NOTICE_QUIET seconds ago): then
    only its repeat count grows. Logs it either way."""
    where = f" ({subject})" if subject else ""
    with db.atomic():
        if notice:
            earlier = (Alert.select().where(Alert.box == box, Alert.kind == kind,
                                            Alert.subject == subject, Alert.state == "notice",
                                            Alert.at > now - NOTICE_QUIET)
                       .order_by(Alert.id.desc()).first())
        else:
            earlier = Alert.get_or_none(Alert.box == box, Alert.kind == kind,
                                        Alert.subject == subject, Alert.state == "open")
        if earlier is not None:
            Alert.update(repeats=Alert.repeats + 1, last_at=now).where(
                Alert.id == earlier.id).execute()
            log.warning("alert %s%s again (open since alert %d): %s", kind, where, earlier.id,
                        message)
            return None
        log.warning("alert %s%s: %s", kind, where, message)
        alert = Alert.create(box=box, at=now, kind=kind, modem=modem, subject=subject,
                             message=message, advice=advice,
                             state="notice" if notice else "open", next_attempt_at=now)
        EventLogRecord.create(box=box, at=now, modem=modem, kind=kind, message=message)
    return alert


def recover(box: str, kind: str, subject: str, now: float, message: str) -> Alert | None:
    """Closes the open alert of the cause, saying how it recovered; gives it, or None when
    none was open (nothing is sent then)."""
    with db.atomic():
        alert = Alert.get_or_none(Alert.box == box, Alert.kind == kind, Alert.subject == subject,
                                  Alert.state == "open")
        if alert is None:
            return None
        Alert.update(state="recovered", recovered_at=now, recovery=message,
                     next_attempt_at=now, attempts=0).where(Alert.id == alert.id).execute()
        EventLogRecord.create(box=box, at=now, modem=alert.modem, kind=f"{kind}-recovered",
                              message=message)
    log.info("alert %s (%s) recovered: %s", kind, subject, message)
    return Alert.get_by_id(alert.id)


def is_open(box: str, kind: str, subject: str) -> bool:
    return Alert.select().where(Alert.box == box, Alert.kind == kind, Alert.subject == subject,
                                Alert.state == "open").exists()
