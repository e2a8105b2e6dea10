"""What happened in each call, in order: the timeline of the call's detail page.

A session's thread notes each leg's states (dialing, alerting, connected, and
the word it ended with and its cause), the prompts played and the keys typed.
It only puts them on the `session-events` worker's queue, which never blocks;
that worker writes them to `session_event`. So a slow or lost database never
holds a call up: while the database is unreachable the events wait in memory
(up to WAITING_MAX, the oldest dropped first, with one log line) and are
written when it answers again. Once a batch is written, `told` (the box's live
events) hears which sessions have new lines, so a detail page open on one of them
reads it again.

No PIN is ever stored: while the flow says the keys are secret (the account
number and PIN being typed, keys sent to the other side of a bridge) each
digit is written as MASK; `#` and `*` stay, as they steer the box.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
import logging
import time
from typing import Callable

from peewee import (AutoField, CharField, FloatField, ForeignKeyField, IntegerField,
                    IntegrityError)

from gateway.calls.live import timeline_event
from gateway.money.ledger import Cdr, RateRecord, Session
from gateway.store.db import BaseModel, db
from gateway.store.outage import CONNECTION_ERRORS
from gateway.worker import Worker

log = logging.getLogger(__name__)

MASK = "\u2022"            # a secret digit as stored: "•"
WAITING_MAX = 5000         # events kept in memory while the database is unreachable
RETRY = 5.0                # seconds between tries while it is
LIVE_STATES = ("dialing", "alerting", "connected")    # a leg's other states are its last


class SessionEvent(BaseModel):
    """One thing that happened in a session (see the module docstring)."""

    id = AutoField()
    session = ForeignKeyField(Session, on_delete="CASCADE")
    at = FloatField()
    leg = IntegerField(null=True)      # the leg's place in the session (1 the first)
    role = CharField(default="")       # callback | destination | trigger; "" none
    number = CharField(default="")     # the leg's number (E.164)
    kind = CharField()                 # leg | prompt | key
    what = CharField()                 # the state word, the prompt names, the key
    detail = CharField(default="")     # a leg's modem; the cause it ended with

    class Meta:
        table_name = "session_event"
        indexes = ((("session", "at"), False),)


@dataclass(frozen=True)
class Noted:
    """An event on its way to the database."""

    session: int
    at: float
    kind: str
    what: str
    leg: int | None = None
    role: str = ""
    number: str = ""
    detail: str = ""


def masked(key: str) -> str:
    """Gives a key as it may be stored while keys are secret."""
    return MASK if key.isdigit() else key


class Recorder:
    """Writes the sessions' events off their threads: see the module docstring."""

    def __init__(self, watch=None, now=time.time, told: Callable[[dict], None] | None = None):
        self.now = now
        self.told = told
        self.worker = Worker("session-events", self._take, watch=watch, finish=True)
        self._waiting: deque[Noted] = deque()
        self._dropped = 0

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def note(self, session_id: int | None, kind: str, what: str, **leg) -> None:
        """Queues one event of a session (`leg`: leg, role, number, detail); never blocks."""
        if session_id is None:
            return
        self.worker.put(Noted(session_id, self.now(), kind, what[:200], **leg))

    def _take(self, event: Noted) -> None:
        if len(self._waiting) >= WAITING_MAX:
            self._waiting.popleft()
            self._dropped += 1
            if self._dropped == 1:
                log.warning("call timelines: the database has been unreachable for long; "
                            "the oldest events are dropped")
        self._waiting.append(event)
        if self.worker.due("retry") is None:
            self.write()

    def write(self) -> None:
        """Writes the events waiting; on a lost database tries again in RETRY seconds."""
        batch = list(self._waiting)
        if not batch:
            return
        try:
            with db.atomic():
                SessionEvent.insert_many([vars(event) for event in batch]).execute()
        except CONNECTION_ERRORS as error:
            self.worker.database_lost(error, "writing call timelines")
            self.worker.after("retry", RETRY, "writing call timelines", self._retry)
            return
        except IntegrityError:
            self._write_each(batch)       # a session that is gone (refused, deleted)
        for _ in batch:
            self._waiting.popleft()
        if self.told is not None:
            for session_id in dict.fromkeys(event.session for event in batch):
                self.told(timeline_event(session_id, self.now()))
        if self._dropped:
            log.info("call timelines written again; %d events were dropped", self._dropped)
            self._dropped = 0

    def _retry(self) -> None:
        self.worker.cancel("retry")
        self.write()

    def _write_each(self, batch: list[Noted]) -> None:
        for event in batch:
            try:
                with db.atomic():
                    SessionEvent.insert(vars(event)).execute()
            except IntegrityError:
                log.debug("session %d is gone: its %s event is not kept", event.session,
                          event.kind)


def events_of(session_id: int) -> list[SessionEvent]:
    """Gives the session's events in the order they happened."""
    return list(SessionEvent.select().where(SessionEvent.session == session_id)
                .order_by(SessionEvent.at, SessionEvent.id))


def detail(session_id: int) -> dict | None:
    """Gives one session as its detail page shows it, plain values only, or None when there
    is no such session: `legs` (each with its states in order), `heard` (the prompts and
    keys in order) and `bill` (each call record with its rate and cost)."""
    session = Session.get_or_none(Session.id == session_id)
    if session is None:
        return None
    legs: dict[int, dict] = {}
    heard = []
    for event in events_of(session_id):
        moment = {"at": event.at, "after": round(event.at - session.started_at, 1)}
        if event.kind == "leg":
            leg = legs.setdefault(event.leg, {"place": event.leg, "role": event.role,
                                              "number": event.number, "modem": "",
                                              "states": []})
            if event.what == "dialing":
                leg["modem"] = event.detail
            final = event.what not in LIVE_STATES
            leg["states"].append(dict(moment, state=event.what,
                                      cause=event.detail if final else ""))
        else:
            heard.append(dict(moment, kind=event.kind, what=event.what))
    bill = [{"role": cdr.role, "number": cdr.number, "modem": cdr.modem,
             "answered_at": cdr.answered_at, "ended_at": cdr.ended_at,
             "rate_prefix": cdr.rate_prefix or "", "rate": _rate_name(cdr.rate_prefix),
             "billed_seconds": cdr.billed_seconds, "cost": cdr.cost, "cause": cdr.cause}
            for cdr in Cdr.select().where(Cdr.session == session_id).order_by(Cdr.id)]
    kept = bool(legs or heard)
    if not kept:      # a call from before the box kept timelines: its legs from its records
        legs = {place: _leg_of_record(place, cdr, session.started_at)
                for place, cdr in enumerate(
                    Cdr.select().where(Cdr.session == session_id).order_by(Cdr.id), 1)}
    return {"id": session.id, "box": session.box, "kind": session.kind,
            "number": session.number, "account_id": session.account_id,
            "state": session.state, "started_at": session.started_at,
            "ended_at": session.ended_at, "legs": [legs[place] for place in sorted(legs)],
            "heard": heard, "bill": bill, "cost": sum(line["cost"] for line in bill),
            "kept": kept}


def _leg_of_record(place: int, cdr: Cdr, started_at: float) -> dict:
    states = [("dialing", cdr.started_at, ""), ("connected", cdr.answered_at, ""),
              ("ended" if cdr.answered_at else cdr.cause or "ended", cdr.ended_at, cdr.cause)]
    return {"place": place, "role": cdr.role, "number": cdr.number, "modem": cdr.modem,
            "states": [{"at": at, "after": round(at - started_at, 1), "state": state,
                        "cause": cause} for state, at, cause in states if at is not None]}


def _rate_name(prefix: str | None) -> str:
    if not prefix:
        return ""
    rate = RateRecord.get_or_none(RateRecord.prefix == prefix)
    return rate.description if rate is not None else ""
