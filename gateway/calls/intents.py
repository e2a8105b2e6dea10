"""Call intents: what an SMS command asked the call side to do, kept in the database.

An SMS command records its intent in its own transaction (so the intent
exists exactly when the command is `done`); the call service starts sessions
only from committed intents, and marks an intent `started` in the same
transaction that writes its session row. A crash before the command commits
leaves no intent (the command runs again and records it once); a crash
after it leaves a `pending` intent that the next start runs; a crash after
the session row leaves a `started` intent that is never run again. So each
command's call is placed at most once (it is lost only when the box dies
between writing the session row and dialling).

    pending -> started (session written)  |  pending -> expired (too old to call)
"""
from __future__ import annotations

import logging
from typing import Callable

from peewee import AutoField, CharField, FloatField, IntegerField

from gateway.store.db import BaseModel
from gateway.store.prepared import Param, Prepared
from gateway.worker import OutageWatch, Worker

log = logging.getLogger(__name__)

MAX_AGE = 300.0     # seconds: an intent older than this is not called any more (a box
                    # that was down for long would otherwise ring people long after they asked)


class CallIntent(BaseModel):
    """One call an SMS command asked for, until its session is written."""

    id = AutoField()
    box = CharField()
    kind = CharField()                          # sms-callback | sms-direct | connect-two
    number = CharField()                        # who is called first (E.164)
    destination = CharField(null=True)          # sms-direct: then this; connect-two: leg B
    account = IntegerField(null=True)           # connect-two: who pays
    reply_to = CharField(null=True)             # connect-two: who is texted the summary
    state = CharField(default="pending")        # pending | started | expired
    session = IntegerField(null=True)           # the session that ran it
    created_at = FloatField()
    started_at = FloatField(null=True)

    class Meta:
        table_name = "call_intent"
        indexes = ((("box", "state"), False),)


def record(box: str, kind: str, number: str, now: float, destination: str | None = None,
           account: int | None = None, reply_to: str | None = None) -> int:
    """Writes a pending intent in the caller's transaction; gives its id."""
    return CallIntent.create(box=box, kind=kind, number=number, destination=destination,
                             account=account, reply_to=reply_to, created_at=now).id


def pending(box: str, now: float) -> list[CallIntent]:
    """Gives this box's pending intents, oldest first; marks those past MAX_AGE expired."""
    stale = _EXPIRE.run(box=box, before=now - MAX_AGE)
    if stale:
        log.warning("%d call intent(s) older than %.0f s expired uncalled", stale, MAX_AGE)
    return _PENDING.rows(box=box)


# the runner's look, every second: prepared (gateway/store/prepared.py)
_EXPIRE = Prepared(lambda: CallIntent.update(state="expired").where(
    (CallIntent.box == Param("box")) & (CallIntent.state == "pending")
    & (CallIntent.created_at < Param("before"))))
_PENDING = Prepared(lambda: CallIntent.select()
                    .where((CallIntent.box == Param("box")) & (CallIntent.state == "pending"))
                    .order_by(CallIntent.id))


def waiting_for(number: str) -> bool:
    """Gives whether a pending intent will call `number` (a session for it is on its way)."""
    return CallIntent.select().where((CallIntent.number == number)
                                     & (CallIntent.state == "pending")).exists()


def mark_started(intent_id: int, session_id: int, now: float) -> bool:
    """Marks a pending intent started by `session_id`, in the caller's transaction (the one
    that writes the session row); False if it was not pending any more."""
    return CallIntent.update(state="started", session=session_id, started_at=now).where(
        (CallIntent.id == intent_id) & (CallIntent.state == "pending")).execute() == 1


class IntentTaken(Exception):
    """The intent was started (or expired) by someone else before this session's row."""


class IntentRunner:
    """The `intents` thread: hands this box's committed pending intents to `start`.

    One at a time, and only while a callback line is free: each handed intent's
    session takes its line before the next is handed, so a backlog (SMS that
    arrived while the box restarted) waits for lines instead of failing with
    "all lines are busy". `start(intent)` gives the session, which calls
    mark_started in the transaction of its session row. An intent still pending
    later (its session could not write its row) is handed again when the thread
    next looks: safe, since only one mark_started can win. The thread is a
    gateway.worker.Worker: a database outage it meets is told to the call
    service's watch, and the next look tries again."""

    POLL = 2.0            # seconds between looks when nobody wakes the thread
    LINE_WAIT = 30.0      # seconds a handed session may take to reach its line

    def __init__(self, box: str, start: Callable[[CallIntent], object], calls,
                 watch: OutageWatch | None = None):
        """`calls` (the call service) gives `now()`, `ready()` (crash recovery done,
        database up), `line_free()` and `wait_line(session, timeout)` (until the
        session holds a line or has ended); `watch` hears of a database outage."""
        self.box = box
        self.start = start
        self.calls = calls
        self.worker = Worker("intents", watch=watch)
        self.worker.every("look", self.POLL, "starting call intents", self._look,
                          first=self.POLL)
        self.thread = self.worker.thread

    def wake(self) -> None:
        """Asks for a look now (an intent was committed, or a line came free)."""
        self.worker.sooner("look")

    def stop(self) -> None:
        self.worker.stop(10.0)

    def _look(self) -> None:
        if self.calls.ready():
            self._hand_out()

    def _hand_out(self) -> None:
        for intent in pending(self.box, self.calls.now()):
            if self.worker.stopping or not self.calls.line_free():
                return                  # a session's end wakes the thread again
            log.info("call intent %d (%s for %s): starting", intent.id, intent.kind,
                     intent.number)
            session = self.start(intent)
            if not self.calls.wait_line(session, self.LINE_WAIT):
                log.warning("call intent %d: its session did not reach a line in %.0f s",
                            intent.id, self.LINE_WAIT)
