"""SMS in the database: storing what arrives (duplicates recognized), joining the parts of
concatenated messages, the outbox queue, and admin alerts.

Every function here is one transaction (or runs inside the caller's). The
receive path commits with `store_received` before the SIM copy is deleted,
so an SMS is either on the SIM, in the database, or both - never in neither.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import datetime
import hashlib
import logging

from peewee import EXCLUDED, IntegrityError, fn

from gateway.sms.models import SmsCommand, SmsIn, SmsOut, SmsSentCount, quarter_of
from gateway.store import alerts
from gateway.store.alerts import RAISED
from gateway.store.db import db
from gateway.store.prepared import Param, Prepared, PreparedSet, columns
from modems.events import SmsReceived
from modems.sms import REPLACEMENT, repair_text, unit_text

SENDER_MAX = 100         # characters of a sender kept (an address field holds at most 20)

log = logging.getLogger(__name__)


@dataclass
class Stored:
    """What storing one PDU did."""

    duplicate: bool = False
    quarantined: bool = False
    commands: list[int] = field(default_factory=list)   # commands now complete


# -- the queries the SMS path runs for every message, prepared (gateway/store/prepared.py)

_KNOWN = Prepared(lambda: SmsIn.select(SmsIn.id).where(SmsIn.dedup_key == Param("key")).limit(1))
_ADD_COMMAND = Prepared(lambda: SmsCommand.insert(
    columns(SmsCommand, ("box", "modem", "sender", "text", "parts", "incomplete", "received_at"))))
_SMS_COLUMNS = ("box", "modem", "dedup_key", "pdu", "sender", "sender_raw", "text", "smsc_time",
                "concat_ref", "concat_part", "concat_total", "error", "state", "received_at")
_ADD_SMS = Prepared(lambda: SmsIn.insert(columns(SmsIn, _SMS_COLUMNS)))
_ASSEMBLED = PreparedSet(lambda count: SmsIn.update(state="assembled", command=Param("command"))
                         .where(SmsIn.id.in_([Param(f"id{n}") for n in range(count)])))
_STAMPS = Prepared(lambda: SmsIn.select(SmsIn.smsc_time).where(SmsIn.command == Param("command"))
                   .tuples())
_ENQUEUE = Prepared(lambda: SmsOut.insert(
    box=Param("box"), number=Param("number"), text=Param("text"), kind=Param("kind"),
    next_attempt_at=Param("now"), modem_hint=Param("modem_hint"), command=Param("command"),
    created_at=Param("now")))
_DUE = Prepared(lambda: SmsOut.select().where((SmsOut.box == Param("box"))
                                              & (SmsOut.state == "queued")
                                              & (SmsOut.next_attempt_at <= Param("now")))
                .order_by(SmsOut.next_attempt_at, SmsOut.id).limit(Param("limit")))
_NEXT_DUE = Prepared(lambda: SmsOut.select(fn.MIN(SmsOut.next_attempt_at))
                     .where((SmsOut.box == Param("box")) & (SmsOut.state == "queued")).tuples())
_CLAIM = Prepared(lambda: SmsOut.update(state="sending", modem=Param("modem"),
                                        iccid=Param("iccid"), parts=Param("parts"))
                  .where((SmsOut.id == Param("id")) & (SmsOut.state == "queued")))
_MARK_SENT = Prepared(lambda: SmsOut.update(state="sent", sent_at=Param("now"), reason="",
                                            attempts=SmsOut.attempts + 1)
                      .where(SmsOut.id == Param("id")))


def _known(key: str) -> bool:
    """Gives whether an SMS with this dedup key is stored already."""
    return _KNOWN.first(key=key) is not None


def dedup_key(sms: SmsReceived) -> str:
    """Gives the identity of an SMS: its sender, SMSC time stamp and PDU, hashed.

    The same message stored twice has the same PDU; two messages differ at
    least in their SMSC time stamp (to the second) or their text."""
    text = f"{sms.sender or ''}\n{sms.smsc_time or ''}\n{(sms.pdu or '').upper()}"
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def storable(sms: SmsReceived) -> SmsReceived:
    """Gives the SMS with every text a database can hold: no lone surrogate, no NUL,
    senders cut to SENDER_MAX (the raw PDU keeps what they were)."""
    def fix(text: str | None, limit: int | None = None) -> str | None:
        return None if text is None else repair_text(text)[:limit]
    return dataclasses.replace(sms, text=fix(sms.text), pdu=fix(sms.pdu) or "",
                               sender=fix(sms.sender, SENDER_MAX),
                               sender_raw=fix(sms.sender_raw, SENDER_MAX) or "",
                               error=fix(sms.error), smsc_time=fix(sms.smsc_time, 40))


def store_received(sms: SmsReceived, box: str, now: float) -> Stored:
    """Commits one PDU read from a modem; gives whether it was new and what it completed."""
    key = dedup_key(sms)
    sms = storable(sms)
    with db.atomic():
        if _known(key):
            return Stored(duplicate=True)
        quarantined = bool(sms.error) or not sms.sender or sms.text is None
        try:
            # a savepoint: PostgreSQL refuses every later statement of a transaction
            # whose insert failed, so the duplicate check below needs its own scope
            with db.atomic():
                values = dict(
                    box=box, modem=sms.modem, dedup_key=key, pdu=sms.pdu or "",
                    sender=sms.sender, sender_raw=sms.sender_raw or "", text=sms.text,
                    smsc_time=sms.smsc_time, concat_ref=sms.concat_ref,
                    concat_part=sms.concat_part, concat_total=sms.concat_total,
                    error=sms.error or (RAISED["no sender or text"] if quarantined else None),
                    state="quarantined" if quarantined else "part", received_at=now)
                row = SmsIn(id=_ADD_SMS.run(**values), **values)
        except IntegrityError:
            # Only a row with our key (written by another box on a shared
            # database) makes this a duplicate; any other failure is real.
            if _known(key):
                return Stored(duplicate=True)
            raise
        if quarantined:
            raise_alert(box, "sms-quarantined", sms.modem, now, RAISED["kept raw"].format(
                id=row.id, sender=sms.sender_raw or RAISED["unknown sender"], error=row.error))
            return Stored(quarantined=True)
        return Stored(commands=_complete(row, now))


def quarantine(sms: SmsReceived, box: str, now: float, reason: str) -> Stored:
    """Commits an SMS that could not be stored as it is: its raw PDU alone, quarantined,
    with an alert; gives duplicate when it is stored already."""
    key = dedup_key(sms)
    with db.atomic():
        if _known(key):
            return Stored(duplicate=True)
        raw_sender = repair_text(sms.sender_raw or "")[:SENDER_MAX]
        row = SmsIn.create(box=box, modem=sms.modem, dedup_key=key,
                           pdu=repair_text(sms.pdu or ""), sender_raw=raw_sender,
                           error=repair_text(reason)[:500], state="quarantined",
                           received_at=now)
        raise_alert(box, "sms-quarantined", sms.modem, now, RAISED["not stored"].format(
            id=row.id, sender=raw_sender or RAISED["unknown sender"], error=row.error))
    return Stored(quarantined=True)


def _complete(row: SmsIn, now: float) -> list[int]:
    """Gives the command a new row completes (a single SMS, or the last missing part)."""
    total = row.concat_total or 1
    if total <= 1 or row.concat_ref is None:
        return [_command_of([row], row, now, incomplete=False)]
    late = _late_part_of(row, now)
    if late is not None:
        SmsIn.update(state="late", command=late).where(SmsIn.id == row.id).execute()
        return []
    parts = list(SmsIn.select().where(
        (SmsIn.state == "part") & (SmsIn.box == row.box) & (SmsIn.sender == row.sender)
        & (SmsIn.concat_ref == row.concat_ref) & (SmsIn.concat_total == total)
    ).order_by(SmsIn.concat_part, SmsIn.id))
    numbers = {part.concat_part for part in parts}
    if not set(range(1, total + 1)) <= numbers:
        return []
    return [_command_of(parts, row, now, incomplete=False)]


def _late_part_of(row: SmsIn, now: float) -> int | None:
    """Gives the incomplete command a late part belongs to, if it was used without it."""
    sibling = (SmsIn.select(SmsIn.command).join(SmsCommand, on=(SmsIn.command == SmsCommand.id))
               .where((SmsIn.box == row.box) & (SmsIn.sender == row.sender)
                      & (SmsIn.concat_ref == row.concat_ref)
                      & (SmsIn.concat_total == row.concat_total)
                      & (SmsIn.state == "assembled") & SmsCommand.incomplete
                      & (SmsCommand.received_at > now - 24 * 3600))
               .order_by(SmsIn.id.desc()).first())
    if sibling is None:
        return None
    has_part = SmsIn.select().where((SmsIn.command == sibling.command_id)
                                    & (SmsIn.concat_part == row.concat_part)).exists()
    return None if has_part else sibling.command_id


def _command_of(parts: list[SmsIn], newest: SmsIn, now: float, incomplete: bool) -> int:
    """Joins parts (one per part number, in order) into a pending command; gives its id."""
    chosen: dict[int, SmsIn] = {}
    for part in parts:
        chosen.setdefault(part.concat_part or 1, part)
    text = "".join(chosen[number].text or "" for number in sorted(chosen))
    if len(chosen) > 1 and REPLACEMENT in text:
        text = _rejoined([chosen[number] for number in sorted(chosen)], text)
    command = _ADD_COMMAND.run(box=newest.box, modem=newest.modem, sender=newest.sender,
                               text=text, parts=newest.concat_total or 1,
                               incomplete=incomplete, received_at=now)
    _ASSEMBLED[len(parts)].run(command=command,
                               **{f"id{n}": part.id for n, part in enumerate(parts)})
    return command


def _rejoined(parts: list[SmsIn], text: str) -> str:
    """Gives the parts' text decoded again from their PDUs as one: a surrogate pair that
    a phone split between two parts is one character again (each part alone shows
    U+FFFD for its half). Gives `text` when a part's PDU does not decode."""
    units = [unit_text(part.pdu) for part in parts]
    if any(unit is None for unit in units):
        return text
    return repair_text("".join(units))


def expire_parts(box: str, now: float, after: float) -> list[int]:
    """Turns the parts of messages incomplete for `after` seconds into commands (flagged
    incomplete); gives the new commands."""
    created = []
    with db.atomic():
        groups = (SmsIn.select(SmsIn.sender, SmsIn.concat_ref, SmsIn.concat_total,
                               fn.MIN(SmsIn.received_at).alias("first"))
                  .where((SmsIn.state == "part") & (SmsIn.box == box))
                  .group_by(SmsIn.sender, SmsIn.concat_ref, SmsIn.concat_total)
                  .having(fn.MIN(SmsIn.received_at) <= now - after))
        for group in list(groups.dicts()):
            parts = list(SmsIn.select().where(
                (SmsIn.state == "part") & (SmsIn.box == box)
                & (SmsIn.sender == group["sender"]) & (SmsIn.concat_ref == group["concat_ref"])
                & (SmsIn.concat_total == group["concat_total"])
            ).order_by(SmsIn.concat_part, SmsIn.id))
            log.warning("SMS from %s: %d of %d parts after %.0f s; using what arrived",
                        group["sender"], len({p.concat_part for p in parts}),
                        group["concat_total"], after)
            created.append(_command_of(parts, parts[-1], now, incomplete=True))
    return created


def next_part_expiry(box: str, after: float) -> float | None:
    """Gives when the oldest waiting part expires, or None when none waits."""
    first = SmsIn.select(fn.MIN(SmsIn.received_at)).where(
        (SmsIn.state == "part") & (SmsIn.box == box)).scalar()
    return None if first is None else first + after


def smsc_sent_at(command_id: int) -> float | None:
    """Gives when the SMS centre took a command's newest part (its SMSC time stamp, with
    its own UTC offset), as Unix seconds; None when no part has a readable stamp."""
    stamps = []
    for (smsc_time,) in _STAMPS.rows(command=command_id):
        try:
            when = datetime.datetime.fromisoformat(smsc_time or "")
        except ValueError:
            continue
        if when.tzinfo is None:        # 23.040 9.2.3.11 always has a zone; assume UTC
            when = when.replace(tzinfo=datetime.timezone.utc)
        stamps.append(when.timestamp())
    return max(stamps, default=None)


def pending_commands(box: str) -> list[int]:
    return [row.id for row in SmsCommand.select(SmsCommand.id).where(
        (SmsCommand.box == box) & (SmsCommand.state == "pending")).order_by(SmsCommand.id)]


# -- outbox --------------------------------------------------------------------------------

def enqueue(box: str, number: str, text: str, now: float, *, kind: str = "reply",
            modem_hint: str | None = None, command: int | None = None) -> int:
    """Queues a text to send; gives the outbox id."""
    return _ENQUEUE.run(box=box, number=number, text=repair_text(text), kind=kind, now=now,
                        modem_hint=modem_hint, command=command)


def help_sent_since(number: str, since: float) -> bool:
    return SmsOut.select(SmsOut.id).where((SmsOut.number == number) & (SmsOut.kind == "help")
                                          & (SmsOut.created_at >= since)).exists()


def last_sent_with(iccid: str) -> float | None:
    """Gives when a text last went out on the SIM (its keep-alive counts it as use)."""
    return SmsOut.select(fn.MAX(SmsOut.sent_at)).where(
        (SmsOut.iccid == iccid) & (SmsOut.state == "sent")).scalar()


def due(box: str, now: float, limit: int = 20) -> list[SmsOut]:
    return _DUE.rows(box=box, now=now, limit=limit)


def next_due(box: str) -> float | None:
    return _NEXT_DUE.scalar(box=box)


def claim(out_id: int, modem: str, iccid: str | None = None, parts: int = 1) -> bool:
    """Marks a queued text as being sent on `modem` (its SIM `iccid`, in `parts` SMS);
    False if someone else took it."""
    return _CLAIM.run(modem=modem, iccid=iccid, parts=parts, id=out_id) == 1


def mark_sent(out_id: int, now: float, iccid: str | None = None, parts: int = 1) -> None:
    """Marks a text sent at `now` and counts its `parts` in its SIM's quarter of an hour
    (sms_sent_count), the `iccid` and `parts` it was claimed with; call it in a
    transaction, so both or neither are written."""
    _MARK_SENT.run(now=now, id=out_id)
    if not iccid:
        return          # no SIM known (its ICCID not read yet): no SIM limit to count it in
    SmsSentCount.insert(iccid=iccid, quarter=quarter_of(now), parts=parts).on_conflict(
        conflict_target=[SmsSentCount.iccid, SmsSentCount.quarter],
        update={SmsSentCount.parts: SmsSentCount.parts + EXCLUDED.parts}).execute()


def mark_attempt_failed(out_id: int, reason: str, retry_at: float | None) -> None:
    """Counts a failed attempt: queued again for `retry_at`, or failed for good (None)."""
    changes = {"reason": reason[:500], "attempts": SmsOut.attempts + 1}
    if retry_at is None:
        changes["state"] = "failed"
    else:
        changes.update(state="queued", next_attempt_at=retry_at)
    SmsOut.update(**changes).where(SmsOut.id == out_id).execute()


def fail(out_id: int, reason: str) -> None:
    SmsOut.update(state="failed", reason=reason[:500]).where(SmsOut.id == out_id).execute()


def requeue_interrupted(box: str, now: float) -> int:
    """Queues again what a stopped daemon was sending (it may go out twice; it is not lost)."""
    return SmsOut.update(state="queued", next_attempt_at=now,
                         reason="interrupted while sending").where(
        (SmsOut.box == box) & (SmsOut.state == "sending")).execute()


def retry(out_id: int, now: float) -> SmsOut:
    """Queues a failed (or queued) text again at once; raises LookupError or ValueError."""
    row = SmsOut.get_or_none(SmsOut.id == out_id)
    if row is None:
        raise LookupError(f"no outgoing SMS {out_id}")
    if row.state not in ("failed", "queued"):
        raise ValueError(f"SMS {out_id} is {row.state}; only a failed or queued one is retried")
    SmsOut.update(state="queued", attempts=0, next_attempt_at=now).where(
        SmsOut.id == out_id).execute()
    return SmsOut.get_by_id(out_id)


# -- alerts -----------------------------------------------------------------------------------

def raise_alert(box: str, kind: str, modem: str | None, now: float, message: str,
                advice: str = "") -> None:
    """Raises a notice about one modem's SMS (gateway/store/alerts.py): recorded, logged,
    and delivered to the owner; the same kind for the same modem is counted, not sent
    again, within an hour."""
    alerts.raise_alert(box, kind, modem or "", now, message, advice=advice, modem=modem,
                       notice=True)
