"""Delivery reports: what the network says became of the texts the box sent.

Replies to SMS commands, help texts, texted codes and texts sent by the admin
ask for a status report (3GPP TS 23.040 TP-SRR); the outbox records the
message reference (+CMGS <mr>) of each part in `sms_out_part`, in the same
transaction that marks the text sent and while it still holds the modem, so a
report cannot overtake its own record. A report (pushed as +CDS, or stored
and announced as +CDSI, or found among the messages on the SIM) is matched by
modem, TP-MR and recipient to the newest part still waiting, and the text is
`delivered` when every part is, `failed` as soon as one part failed for good
(23.040 9.2.3.15 TP-ST), with the status in words and the time. A report that
matches nothing is logged and ignored; one that does not decode is logged,
deleted from the modem, and ignored: it never stops the `sms-in` thread.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
import threading
from typing import Callable

from gateway.sms import store
from gateway.sms.models import SmsOut, SmsOutPart
from gateway.store.db import db
from gateway.store.prepared import Param, Prepared, columns
from modems import sms as sms_codec
from modems.events import SmsReceived, SmsStatusReport

log = logging.getLogger(__name__)

# The kinds of text that ask for a report: answers to commands and codes a person waits
# for, and what an admin sends by hand; not the notices the box sends on its own.
REPORTED_KINDS = frozenset({"reply", "help", "code", "manual"})
MATCH_WINDOW = 7 * 86400.0   # seconds a part waits for its report (TP-MR wraps at 256)
AWAITING, DELIVERED, FAILED = "awaiting", "delivered", "failed"

# 23.040 9.2.3.15: 0x00..0x1F done; 0x20..0x3F the SMSC still tries; 0x40..0x5F failed for
# good; 0x60..0x7F failed for good after temporary errors.
_WORDS = {
    0x00: "received by the phone", 0x01: "forwarded, delivery not confirmed",
    0x02: "replaced by the service centre",
    0x20: "congestion", 0x21: "the phone is busy", 0x22: "no answer from the phone",
    0x23: "service rejected", 0x24: "quality of service not available",
    0x25: "error in the phone",
    0x40: "remote procedure error", 0x41: "incompatible destination (no such number?)",
    0x42: "connection rejected by the phone", 0x43: "not obtainable",
    0x44: "quality of service not available", 0x45: "no interworking available",
    0x46: "validity period expired", 0x47: "deleted by the sender",
    0x48: "deleted by the service centre", 0x49: "the message does not exist",
}


def outcome(status: int) -> str:
    """Gives what a TP-ST means for the part: delivered, failed, or awaiting (still tried)."""
    if status < 0x20:
        return DELIVERED
    return AWAITING if status < 0x40 else FAILED


def status_words(status: int) -> str:
    """Gives a TP-ST in words, e.g. 0x41 -> "failed: incompatible destination (...)"."""
    base = 0x20 if 0x60 <= status < 0x80 else 0
    words = _WORDS.get(status - base, "a status the service centre defines")
    if status < 0x20:
        return f"{words} (status {status:#04x})"
    if status < 0x40:
        return f"still trying: {words} (status {status:#04x})"
    return f"failed: {words} (status {status:#04x})"


def mark_sent(out_id: int, now: float, modem: str, number: str,
              references: list[int] | None, iccid: str | None = None, parts: int = 1) -> None:
    """Marks a text sent (its `parts` counted on the SIM `iccid`: store.mark_sent); with
    `references` (one per part) it awaits their reports."""
    with db.atomic():
        store.mark_sent(out_id, now, iccid, parts)
        if not references:
            return
        _AWAITING.run(id=out_id)
        for part, reference in enumerate(references, start=1):
            _ADD_PART.run(sms_out=out_id, modem=modem, number=number,
                          reference=reference & 0xFF, part=part, sent_at=now)


def record(box: str, report: SmsStatusReport, now: float) -> str | None:
    """Records a decoded report on the part it is about; gives the text's delivery in words,
    or None when it matches no part of this box."""
    with db.atomic():
        part = _part_of(box, report, now)
        if part is None:
            return None
        _REPORTED.run(status=report.status, now=now, id=part.id)
        parts = _PARTS.rows(sms_out=part.sms_out_id)
        states = [outcome(p.status) if p.status is not None else AWAITING for p in parts]
        if FAILED in states:
            delivery = FAILED
            deciding = next(p for p, s in zip(parts, states) if s == FAILED).status
        else:
            delivery = DELIVERED if all(s == DELIVERED for s in states) else AWAITING
            deciding = report.status
        words = status_words(deciding)
        if len(parts) > 1:
            words += f"; {states.count(DELIVERED)} of {len(parts)} parts delivered"
        _DELIVERY.run(delivery=delivery, words=words[:300],
                      at=None if delivery == AWAITING else now, id=part.sms_out_id)
    return f"SMS {part.sms_out_id} to {part.number}: {delivery} ({words})"


def _part_of(box: str, report: SmsStatusReport, now: float) -> SmsOutPart | None:
    """Gives the newest part sent on the report's modem with its reference (and recipient,
    when the report names one) that has no final report yet."""
    values = dict(box=box, modem=report.modem, reference=report.reference,
                  since=now - MATCH_WINDOW)
    if report.recipient:
        return _PART_TO.first(number=report.recipient, **values)
    return _PART.first(**values)


def _part_query(to_number: bool):
    query = (SmsOutPart.select().join(SmsOut)
             .where((SmsOut.box == Param("box")) & (SmsOutPart.modem == Param("modem"))
                    & (SmsOutPart.reference == Param("reference"))
                    & (SmsOutPart.sent_at >= Param("since"))
                    & (SmsOutPart.status.is_null() | SmsOutPart.status.between(0x20, 0x3F))))
    if to_number:
        query = query.where(SmsOutPart.number == Param("number"))
    return query.order_by(SmsOutPart.sent_at.desc(), SmsOutPart.id.desc()).limit(1)


# the queries of every text sent and every report, prepared (gateway/store/prepared.py)
_PART = Prepared(lambda: _part_query(to_number=False))
_PART_TO = Prepared(lambda: _part_query(to_number=True))
_AWAITING = Prepared(lambda: SmsOut.update(delivery=AWAITING, delivery_status="",
                                           delivered_at=None).where(SmsOut.id == Param("id")))
_ADD_PART = Prepared(lambda: SmsOutPart.insert(
    columns(SmsOutPart, ("sms_out", "modem", "number", "reference", "part", "sent_at"))))
_REPORTED = Prepared(lambda: SmsOutPart.update(status=Param("status"), reported_at=Param("now"))
                     .where(SmsOutPart.id == Param("id")))
_PARTS = Prepared(lambda: SmsOutPart.select().where(SmsOutPart.sms_out == Param("sms_out")))
_DELIVERY = Prepared(lambda: SmsOut.update(delivery=Param("delivery"),
                                           delivery_status=Param("words"),
                                           delivered_at=Param("at"))
                     .where(SmsOut.id == Param("id")))


# What the `sms-in` queue carries for reports (put by SmsService.on_event).
@dataclass(frozen=True)
class ReportPushed:
    """The modem pushed a status report (+CDS)."""
    report: SmsStatusReport


@dataclass(frozen=True)
class ReportStored:
    """The modem stored a status report (+CDSI): read, record, delete."""
    modem: str
    memory: str | None
    index: int


class DeliveryReports:
    """What the `sms-in` thread does with reports; see the module docstring."""

    def __init__(self, box: str, pool, modem_lock: Callable[[str], threading.Lock],
                 now: Callable[[], float]):
        self.box = box
        self.pool = pool
        self.modem_lock = modem_lock
        self.now = now

    def handle(self, message: ReportPushed | ReportStored) -> None:
        if isinstance(message, ReportPushed):
            with self.modem_lock(message.report.modem):
                pass        # the text it reports on is recorded once its sending is over
            self._record(message.report)
        else:
            self._read_stored(message.modem, message.memory, message.index)

    def among_messages(self, driver, sms: SmsReceived) -> None:
        """Records a report read among the messages on the SIM, then deletes it there."""
        self._record(sms_codec.decode_report(sms.modem, sms.pdu, index=sms.index))
        if driver is not None and sms.index is not None:
            self._delete(driver, sms.modem, sms.index)

    def _read_stored(self, modem: str, memory: str | None, index: int) -> None:
        driver = self.pool.driver(modem)
        if driver is None:
            log.warning("%s: status report %s/%d not read: the modem is down", modem, memory,
                        index)
            return
        step = ["read"]

        def keep(report: SmsStatusReport) -> None:     # between the read and the delete
            step[0] = "record"
            self._record(report)
            step[0] = "delete"

        try:
            with self.modem_lock(modem):
                driver.take_status_report(index, memory, keep)
        except Exception as error:
            if step[0] == "record":
                raise                 # the database's trouble: the report stays; the worker logs it
            # the modem's trouble: unread, it stays where it is; unremoved, nothing is lost
            log.warning("%s: cannot %s status report %s/%d: %s", modem, step[0], memory,
                        index, error or type(error).__name__)

    def _delete(self, driver, modem: str, index: int) -> None:
        try:
            with self.modem_lock(modem):
                driver.delete_sms(index)
        except Exception as error:    # it stays in the modem's memory; nothing else is lost
            log.warning("%s: cannot delete status report %d: %s", modem, index,
                        error or type(error).__name__)

    def _record(self, report: SmsStatusReport) -> None:
        if report.error:
            log.warning("%s: status report %s ignored: %s", report.modem,
                        report.index if report.index is not None else "(pushed)", report.error)
            return
        result = record(self.box, report, self.now())
        if result is None:
            log.info("%s: status report on message reference %s to %s matches no SMS the "
                     "box sent; ignored", report.modem, report.reference, report.recipient)
        else:
            log.info("%s: %s", report.modem, result)
