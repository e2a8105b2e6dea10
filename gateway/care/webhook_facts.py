"""Finding the events webhooks tell of, in rows other threads committed.

Nothing in the call or SMS path waits for a webhook, nor even knows of one:
the `webhooks` thread reads what they committed, by cursor (the first row id
not done with, per source table, kept in `webhook_cursor`):

- sms: each new `sms_command` (a whole message, its parts joined) is one
  sms.received. One thread per box writes these rows in order, so the next
  id is a safe cursor.
- session: a session ends settled, with its call records, in one
  transaction (gateway/money/ledger.py `settle`); then each call record is a
  call.ended and the session a session.ended. Sessions end in any order (a
  bill kept in the journal through an outage is settled hours later), so the
  cursor stops at the oldest one still running, and the thread looks again
  at each session it saw running until it is settled.
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
from gateway.store.prepared import Param, Prepared, PreparedSet
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
    """The events of one box found in its committed rows (module docstring).

    Per source, the cursor kept in the database is the first id not finished
    with; in memory the thread also keeps the next id never looked at and the
    ids it saw unfinished (a session running, an alert open), which it looks
    at again each turn. After a restart it looks again from the cursor: what
    was queued already is not queued twice."""

    def __init__(self, box: str, currency: str, keep_seconds: float, batch: int = BATCH):
        """`keep_seconds`: events older than this are not queued (their delivery rows may
        have been pruned, so finding them again must not send them again); `batch`: new
        rows looked at per source and turn."""
        self.box = box
        self.batch = batch
        self.currency = currency
        self.keep_seconds = keep_seconds
        self._next: dict[str, int] = {}          # source -> first id never looked at
        self._waiting: dict[str, set[int]] = {}  # source -> ids seen unfinished

    def new_facts(self, now: float) -> list[tuple[str, int, list[Fact]]]:
        """Gives, per source, where its cursor moves to and the facts not queued yet."""
        found = []
        for source in SOURCES:
            if source not in self._next:
                start = position(self.box, source)
                if start is None:
                    start = self._end_of(source)
                    move_cursor(self.box, source, start, now)
                self._next[source], self._waiting[source] = start, set()
            facts = self._look(source)
            facts = [fact for fact in facts if fact.at >= now - self.keep_seconds]
            done = queued_ids(self.box, [fact.event_id for fact in facts]) if facts else set()
            waiting = self._waiting[source]
            to = min(waiting) if waiting else self._next[source]
            found.append((source, to, [fact for fact in facts if fact.event_id not in done]))
        return found

    def _end_of(self, source: str) -> int:
        model = SOURCES[source]
        return (model.select(fn.MAX(model.id)).scalar() or 0) + 1

    def _look(self, source: str) -> list[Fact]:
        """Gives the facts of rows seen unfinished that finished, then of new rows."""
        model, waiting = SOURCES[source], self._waiting[source]
        facts: list[Fact] = []
        if waiting:
            ids = sorted(waiting)
            rows = _ROWS_BY_ID[source, len(ids)].rows(**{f"id{n}": id for n, id in enumerate(ids)})
            vanished = waiting - {row.id for row in rows}    # a refused session is deleted
            if vanished:    # SQLite may give its id to the next new row: look from there again
                waiting.difference_update(vanished)
                self._next[source] = min(self._next[source], min(vanished))
            finished = [row for row in rows if _finished(row)]
            facts += self._facts(source, finished, again=True)
            waiting.difference_update(row.id for row in finished)
        rows = _NEW_ROWS[source].rows(box=self.box, next=self._next[source], batch=self.batch)
        if rows:
            self._next[source] = rows[-1].id + 1
        facts += self._facts(source, rows, again=False)
        waiting.update(row.id for row in rows if not _finished(row))
        return facts

    def _facts(self, source: str, rows: list, again: bool) -> list[Fact]:
        """Gives the facts of rows: first seen (`again` False), or seen unfinished before."""
        if source == "sms":
            return [self._sms(row) for row in rows]
        if source == "alert":
            facts = []
            for row in rows:
                if not again:
                    facts.append(Fact("alert", self._id("alert", row.id), row.at, _alert_data(
                        row, "notice" if row.state == "notice" else "open")))
                if row.state == "recovered":
                    facts.append(Fact("alert", self._id("alert", row.id) + "-recovered",
                                      row.recovered_at or row.at, _alert_data(row, "recovered")))
            return facts
        ended = [row for row in rows if _finished(row)]
        records = _records_of([row.id for row in ended])
        names = _account_names({row.account_id for row in ended})
        facts = []
        for row in ended:
            calls = records.get(row.id, [])
            facts += [self._call(cdr, names) for cdr in calls]
            facts.append(self._session(row, calls, names))
        return facts

    def _id(self, kind: str, number: int) -> str:
        return f"{self.box}:{kind}-{number}"

    # -- the events ---------------------------------------------------------------------------

    def _sms(self, row: SmsCommandRow) -> Fact:
        return Fact("sms.received", self._id("sms", row.id), row.received_at, {
            "id": row.id, "modem": row.modem, "sender": row.sender, "text": row.text,
            "parts": row.parts, "incomplete": bool(row.incomplete),
            "received_at": row.received_at})

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


SOURCES = {"sms": SmsCommandRow, "session": Session, "alert": Alert}
# each source's rows from a position on, in order
_NEW_ROWS = {source: Prepared(lambda model=model: model.select()
                              .where((model.box == Param("box")) & (model.id >= Param("next")))
                              .order_by(model.id).limit(Param("batch")))
             for source, model in SOURCES.items()}


def _rows_by_id(key: tuple[str, int]):
    """The rows of a source with the given ids: one `Param` per id (see PreparedSet)."""
    source, count = key
    model = SOURCES[source]
    return model.select().where(model.id.in_([Param(f"id{n}") for n in range(count)])
                                ).order_by(model.id)


_ROWS_BY_ID = PreparedSet(_rows_by_id)        # by source and count of ids


def _finished(row) -> bool:
    """Whether a row will tell nothing new: a session settled, an alert no longer open."""
    if isinstance(row, Session):
        return row.state == "settled"
    if isinstance(row, Alert):
        return row.state != "open"
    return True


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
