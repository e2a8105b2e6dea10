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
from gateway.store.prepared import Param, Prepared

log = logging.getLogger(__name__)

NOTICE_QUIET = 3600.0       # seconds a notice of one cause stays quiet after it was raised
# the subject of a "pin-lockouts" alert: the account locked, or the number locked for all
PIN_LOCK_SUBJECTS = {"account": "account {name}", "caller": "caller {number}"}
# What the raisers below gateway/care say happened and how it recovered (an SMS, the SIM's
# storage, its credit and limits, a PIN lock): each writes its English from these once, and
# the Alerts page reads a row's words back to say them in its language
# (gateway/care/alert_kinds.py MESSAGES takes these in). A value that is itself one of them
# (alert_kinds.NESTED) is read back in turn; a template whose text another one could also
# read comes first ("both stopped" before "no call until", "limit reached in" before
# "limit reached").
RAISED = {
    "kept raw": "SMS {id} from {sender} kept raw: {error}",
    "not stored": "SMS {id} from {sender} could not be stored ({error}); its raw PDU is kept in "
                  "the quarantine (SMS page), it is not executed, and its copy on the SIM is "
                  "deleted",
    "unknown sender": "unknown",
    "no sender or text": "no sender or text",
    "emptied": "{found}: the box stored and removed all {read} SMS on it{holds} (the network "
               "delivers what waited as space frees)",
    "not emptied": "{found}: the box could not empty it: {left} of {read} SMS are still on "
                   "it{holds}; new SMS wait at the network. Last failure: {failure}",
    "now holds": "; the SIM now holds {held} of {room}",
    "storage full": "SIM storage full ({held} of {room})",
    "memory full": "the modem said its SMS memory is full while {doing}",
    "listing": "listing the SIM's SMS",
    "reading": "reading SMS {index}",
    "deleting": "deleting SMS {index}",
    "no failure": "none recorded",
    "credit low": "SIM {iccid} in modem {modem} has {credit} credit left, below low_balance "
                  "{low}",
    "credit back": "SIM {iccid} in modem {modem} has {credit} credit again (low_balance {low})",
    "limit reached in": "SIM {iccid} (in {modem}) reached its limit: {limits} ({counts}); "
                        "{stopped}",
    "limit reached": "SIM {iccid} reached its limit: {limits} ({counts}); {stopped}",
    "both stopped": "it is lent to no new call until {until} and it sends no SMS until "
                    "{sms_until}",
    "no call until": "it is lent to no new call until {until}",
    "no sms until": "it sends no SMS until {until}",
    "below limits": "SIM {iccid} is below its limits again: {counts}",
    "account locked": "PIN entry for account {name} is locked for {minutes} minutes: {why}. "
                      "Someone may be guessing its PIN; its caller IDs still call without a PIN",
    "caller locked tried": "PIN entry from {number} is locked for {minutes} minutes, for every "
                           "account: {why} (last tried: account {name})",
    "caller locked": "PIN entry from {number} is locked for {minutes} minutes, for every "
                     "account: {why}",
    "caller tries": "{tries} wrong account numbers or PINs from {caller} within {window} minutes",
    "account tries": "{tries} wrong PINs from {callers} numbers within {window} minutes",
}
# the words of a SIM's counts against its limits ("minutes today 37/120, calls 12/60")
COUNTED = {"minutes": "minutes today", "calls": "calls", "month": "month", "sms": "SMS"}


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


# the open alert of a cause: asked at every check that finds a SIM or modem fine
_OPEN = Prepared(lambda: Alert.select().where(
    (Alert.box == Param("box")) & (Alert.kind == Param("kind"))
    & (Alert.subject == Param("subject")) & (Alert.state == "open")).limit(1))


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
            earlier = _OPEN.first(box=box, kind=kind, subject=subject)
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
        alert = _OPEN.first(box=box, kind=kind, subject=subject)
        if alert is None:
            return None
        Alert.update(state="recovered", recovered_at=now, recovery=message,
                     next_attempt_at=now, attempts=0).where(Alert.id == alert.id).execute()
        EventLogRecord.create(box=box, at=now, modem=alert.modem, kind=f"{kind}-recovered",
                              message=message)
    log.info("alert %s (%s) recovered: %s", kind, subject, message)
    return Alert.get_by_id(alert.id)


def is_open(box: str, kind: str, subject: str) -> bool:
    return _OPEN.first(box=box, kind=kind, subject=subject) is not None
