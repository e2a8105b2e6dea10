"""Finding the events webhooks tell of, in rows other threads committed.

Nothing in the call or SMS path waits for a webhook, nor even knows of one:
the `webhooks` thread reads what they committed, by cursor (the first row id
not done with, per source table, kept in `webhook_cursor`):

- sms: each new `sms_command` (a whole message, its parts joined) is one
  sms.received. One thread per box writes these rows in order, so the next
  id is a safe cursor.
- session: a session ends settled, with its call records, in one
  transaction (gateway/money/ledger.py `settle`); then each call record is a
  call.ended and the session a session.ended. Sessions end in any order, so
  the cursor stops at the oldest one still running and the sessions after it
  that ended are looked at again (queued once: see webhook_queue).
- alert: each alert row is an alert event when raised, and again when it
  recovers; the cursor stops at the oldest alert still open.

Modem events (modem.state) are not rows: the daemon hands them over
(gateway/care/webhooks.py). A source never looked at before starts at its
end: a new webhook hears what happens from now on, not the history.
"""
from __future__ import annotations

from collections.abc import Iterable

from peewee import AutoField, BooleanField, CharField, FloatField, IntegerField, TextField, fn

from gateway.care.webhook_queue import Fact, move_cursor, position, queued_ids
from gateway.money.ledger import Account, Cdr, Session
from gateway.store.alerts import Alert
from gateway.store.db import BaseModel
from modems.events import ModemDown, ModemEvent, ModemRecovery, ModemUp

BATCH = 200             # rows looked at per source and turn


class SmsCommandRow(BaseModel):
    """The columns of `sms_command` (gateway/sms/models.py) an sms.received tells of.

    Read-only, and our own: the care room must not import the sms room (the
    import contracts in pyproject.toml), and a webhook only reads the row."""

    id = AutoField()
    box = CharField()
    modem = CharField()
    sender = CharField()
    text = TextField(default="")
    parts = IntegerField(default=1)
    incomplete = BooleanField(default=False)
    received_at = FloatField()

    class Meta:
        table_name = "sms_command"


class Sources:
    """The events of one box found in its committed rows (module docstring)."""

    def __init__(self, box: str, currency: str, keep_seconds: float):
        """`keep_seconds`: events older than this are not queued (their delivery rows may
        have been pruned, so finding them again must not send them again)."""
        self.box = box
        self.currency = currency
        self.keep_seconds = keep_seconds

    def new_facts(self, now: float) -> list[tuple[str, int, list[Fact]]]:
        """Gives, per source, where its cursor moves to and the facts not queued yet."""
        found = []
        for source, look in (("sms", self._sms), ("session", self._sessions),
                             ("alert", self._alerts)):
            start = position(self.box, source)
            if start is None:
                start = self._end_of(source)
                move_cursor(self.box, source, start, now)
            to, facts = look(start)
            facts = [fact for fact in facts if fact.at >= now - self.keep_seconds]
            done = queued_ids(self.box, [fact.event_id for fact in facts]) if facts else set()
            found.append((source, to, [fact for fact in facts if fact.event_id not in done]))
        return found

    def _end_of(self, source: str) -> int:
        model = {"sms": SmsCommandRow, "session": Session, "alert": Alert}[source]
        return (model.select(fn.MAX(model.id)).scalar() or 0) + 1

    def _id(self, kind: str, number: int) -> str:
        return f"{self.box}:{kind}-{number}"

    # -- the sources ------------------------------------------------------------------------

    def _sms(self, start: int) -> tuple[int, list[Fact]]:
        rows = list(SmsCommandRow.select().where((SmsCommandRow.box == self.box)
                                                 & (SmsCommandRow.id >= start))
                    .order_by(SmsCommandRow.id).limit(BATCH))
        facts = [Fact("sms.received", self._id("sms", row.id), row.received_at, {
            "id": row.id, "modem": row.modem, "sender": row.sender, "text": row.text,
            "parts": row.parts, "incomplete": bool(row.incomplete),
            "received_at": row.received_at}) for row in rows]
        return (rows[-1].id + 1 if rows else start), facts

    def _sessions(self, start: int) -> tuple[int, list[Fact]]:
        rows = list(Session.select().where((Session.box == self.box) & (Session.id >= start))
                    .order_by(Session.id).limit(BATCH))
        running = [row.id for row in rows if row.state != "settled"]
        ended = [row for row in rows if row.state == "settled"]
        records = _records_of([row.id for row in ended])
        names = _account_names({row.account_id for row in ended})
        facts: list[Fact] = []
        for row in ended:
            calls = records.get(row.id, [])
            facts += [self._call(cdr, names) for cdr in calls]
            facts.append(self._session(row, calls, names))
        to = running[0] if running else (rows[-1].id + 1 if rows else start)
        return to, facts

    def _call(self, cdr: Cdr, names: dict[int, str]) -> Fact:
        return Fact("call.ended", self._id("call", cdr.id), cdr.ended_at or cdr.started_at, {
            "id": cdr.id, "session": cdr.session_id, "account_id": cdr.account_id,
            "account": names.get(cdr.account_id), "role": cdr.role,
            "direction": cdr.direction, "number": cdr.number, "modem": cdr.modem,
            "iccid": cdr.iccid, "started_at": cdr.started_at, "answered_at": cdr.answered_at,
            "ended_at": cdr.ended_at, "billed_seconds": cdr.billed_seconds, "cost": cdr.cost,
            "currency": self.currency, "rate_prefix": cdr.rate_prefix, "cause": cdr.cause})

    def _session(self, row: Session, calls: list[Cdr], names: dict[int, str]) -> Fact:
        return Fact("session.ended", self._id("session", row.id), row.ended_at or row.started_at, {
            "id": row.id, "kind": row.kind, "number": row.number, "account_id": row.account_id,
            "account": names.get(row.account_id), "started_at": row.started_at,
            "ended_at": row.ended_at, "cost": sum(cdr.cost for cdr in calls),
            "currency": self.currency, "calls": [cdr.id for cdr in calls]})

    def _alerts(self, start: int) -> tuple[int, list[Fact]]:
        rows = list(Alert.select().where((Alert.box == self.box) & (Alert.id >= start))
                    .order_by(Alert.id).limit(BATCH))
        facts: list[Fact] = []
        for row in rows:
            facts.append(Fact("alert", self._id("alert", row.id), row.at,
                              _alert_data(row, "notice" if row.state == "notice" else "open")))
            if row.state == "recovered":
                facts.append(Fact("alert", self._id("alert", row.id) + "-recovered",
                                  row.recovered_at or row.at, _alert_data(row, "recovered")))
        still_open = [row.id for row in rows if row.state == "open"]
        to = still_open[0] if still_open else (rows[-1].id + 1 if rows else start)
        return to, facts


def _records_of(session_ids: list[int]) -> dict[int, list[Cdr]]:
    records: dict[int, list[Cdr]] = {}
    if session_ids:
        for cdr in Cdr.select().where(Cdr.session.in_(session_ids)).order_by(Cdr.id):
            records.setdefault(cdr.session_id, []).append(cdr)
    return records


def _account_names(account_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = [number for number in account_ids if number is not None]
    if not wanted:
        return {}
    return {account.id: account.name for account in
            Account.select(Account.id, Account.name).where(Account.id.in_(wanted))}


def _alert_data(row: Alert, state: str) -> dict:
    return {"id": row.id, "kind": row.kind, "subject": row.subject, "modem": row.modem,
            "state": state, "message": row.message, "advice": row.advice,
            "raised_at": row.at, "repeats": row.repeats,
            "recovered_at": row.recovered_at if state == "recovered" else None,
            "recovery": row.recovery if state == "recovered" else ""}


def modem_fact(box: str, event: ModemEvent, serial: str, now: float) -> Fact | None:
    """Gives the modem.state event of a modem event (None for other events); `serial` makes
    its id unique (the events are not rows)."""
    if isinstance(event, ModemUp):
        data = {"state": "up", "manufacturer": event.manufacturer, "model": event.model,
                "profile": event.profile}
    elif isinstance(event, ModemDown):
        data = {"state": "down", "reason": event.reason}
    elif isinstance(event, ModemRecovery):
        data = {"state": "recovery", "step": event.step, "reason": event.reason,
                "ok": event.ok, "attempt": event.attempt}
    else:
        return None
    return Fact("modem.state", f"{box}:modem-{serial}", now, {"modem": event.modem, **data})
