"""The callback service: trigger calls in, callback sessions out.

Threads:
- `triggers` (gateway/calls/triggers.py): takes the calls that ring a trigger modem,
  rejects them after `ring_before_reject` rings (the caller hears busy and pays
  nothing), applies the policy, and schedules the callback `callback_delay`
  seconds later.
- `session-<n>`: one per callback, running the straight-line flow in
  gateway/calls/flows/callback.py and settling its bill in `finally`.
- `intents` (gateway/calls/intents.py): starts the sessions SMS commands committed.
- `session-heartbeat` (a gateway.worker.Worker): marks the running sessions alive
  every HEARTBEAT_INTERVAL seconds (crash recovery bills up to it).
- `session-events` (a Worker, gateway/calls/timeline.py): writes each call's timeline.
Modem events reach a session through its queue when the session holds that
modem; everything else goes to `triggers`. `on_event` never blocks.
"""
from __future__ import annotations

import itertools
import logging
import threading
import time
from typing import Callable

from peewee import OperationalError

from audio.voice import VoiceSettings
from gateway.calls import intents, policy
from gateway.calls.flows import callback, connect_two
from gateway.calls.flows.connect_two import Outcome
from gateway.calls.flows.context import FlowContext
from gateway.calls.flows.session import STOP, CreditExhausted, Hangup, Session
from gateway.calls.live import settled_event
from gateway.calls.records import leg_record
from gateway.calls.timeline import Recorder
from gateway.calls.triggers import Triggers
from gateway.meters import Meters
from gateway.money import ledger
from gateway.store.db import close_database, db
from gateway.store.outage import CONNECTION_ERRORS, forget_connection
from gateway.worker import Worker
from modems.events import CallState, CallStateChanged, IncomingCall, ModemEvent

log = logging.getLogger(__name__)
HEARTBEAT_INTERVAL = 10.0   # seconds between heartbeats of running sessions


class CallService:
    """Rejects trigger calls, calls back, runs the sessions; see the module docstring."""

    def __init__(self, config, pool, speech, now: Callable[[], float] = time.time,
                 watch=None, meters: Meters | None = None):
        """`watch` (gateway.store.outage.DatabaseWatch) keeps bills through database outages;
        without it a bill that cannot be written is logged and lost. `meters`: what the
        sessions count (the box's metrics)."""
        self.config = config
        self.meters = meters or Meters()
        self.pool = pool
        self.watch = watch
        self.context = FlowContext(config, speech, now)
        self.now = now
        self._owners: dict[str, Session] = {}
        self._retired: dict[str, object] = {}        # modem name -> [[modem]] a reload removed
        self._sessions: dict[str, Session] = {}      # number -> running session
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._stopping = threading.Event()
        self._recovered = threading.Event()
        self._intents: intents.IntentRunner | None = None
        self._on_line: dict[int, threading.Event] = {}   # id(session) -> holds a modem or ended
        self._threads: list[threading.Thread] = []
        self._triggers = Triggers(self)
        self.timeline = Recorder(watch=watch, now=now, told=self.context.publish)
        self._heartbeat = Worker("session-heartbeat", watch=watch)
        self._heartbeat.every("beat", HEARTBEAT_INTERVAL, "writing the session heartbeat",
                              self._beat, first=HEARTBEAT_INTERVAL)

    def recover(self) -> None:
        """Settles what a crash left running (before the first session; see the daemon)."""
        for line in ledger.recover(self.config.gateway.box, self.context.rate, self.now()):
            log.warning("recovered after a crash: %s", line)
        self._recovered.set()

    def serve_intents(self, start: Callable[[intents.CallIntent], None]) -> None:
        """Starts the `intents` thread, which gives each committed call intent to `start`
        (which calls start_session or start_connect with `intent=`), once crash recovery
        is done and while the database answers."""
        self._intents = intents.IntentRunner(self.config.gateway.box, start, self,
                                             watch=self.watch)
        self._intents.worker.start()

    def ready(self) -> bool:
        """Gives whether sessions may start from intents: recovery done, database up."""
        return self._recovered.is_set() and not self.database_down

    def line_free(self) -> bool:
        """Gives whether a callback modem is free right now (lends it and gives it back)."""
        driver = self.pool.acquire("callback")
        if driver is not None:
            self.pool.release(driver.name)
        return driver is not None

    def wait_line(self, session: Session, timeout: float) -> bool:
        """Waits until `session` holds a modem or has ended; False after `timeout`."""
        with self._lock:
            reached = self._on_line.get(id(session))
        return reached is None or reached.wait(timeout)

    def wake_intents(self) -> None:
        """Makes the `intents` thread look for committed intents now."""
        if self._intents is not None:
            self._intents.wake()

    def start(self) -> None:
        """Takes calls."""
        self._triggers.thread.start()
        self._heartbeat.start()
        self.timeline.start()

    def _beat(self) -> None:
        ledger.heartbeat(self.config.gateway.box, self.now())

    def leg_answered(self, session: Session, leg) -> None:
        """Writes the leg's record as soon as it is answered (crash safety)."""
        if session.db_id is None:
            return
        try:
            leg.rate = self.context.rate(leg.number)
            leg.cdr_id = ledger.open_leg(session.db_id, dict(
                role=leg.role, direction="outgoing", number=leg.number, modem=leg.modem,
                iccid=leg.iccid or self.iccid_of(leg.modem), started_at=leg.started_at,
                answered_at=leg.answered_at))
        except CONNECTION_ERRORS as error:     # settling writes the record later
            self._database_lost(error)

    def database_lost(self, error: Exception) -> None:
        """Drops this thread's connection and tells the database watch."""
        self._database_lost(error)

    def _database_lost(self, error: Exception) -> None:
        forget_connection()
        if self.watch is not None:
            self.watch.lost(error)
        else:
            log.error("the database is unreachable: %s", error)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def database_down(self) -> bool:
        return self.watch is not None and self.watch.down

    def stop(self) -> None:
        """Stops taking calls; ends and settles running sessions; safe twice."""
        self._stopping.set()
        self._triggers.stop()
        if self._intents is not None:
            self._intents.stop()
        with self._lock:
            sessions = list(self._sessions.values())
        for session in sessions:
            session.deliver(STOP)
        self._heartbeat.ask_stop()
        for thread in list(self._threads) + [self._triggers.thread, self._heartbeat.thread]:
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout=10)
        self.timeline.stop()       # after the sessions: their last events are written

    # -- events in ------------------------------------------------------------------------
    def on_event(self, event: ModemEvent) -> None:
        with self._lock:
            owner = self._owners.get(event.modem)
        if owner is not None:
            owner.deliver(event)
            # the end of a rejected trigger call may come once the callback holds its modem
            if isinstance(event, CallStateChanged) and event.state is CallState.ENDED:
                self._triggers.put(event)
        elif isinstance(event, (IncomingCall, CallStateChanged)):
            self._triggers.put(event)

    # -- modems for sessions ---------------------------------------------------------------
    def acquire(self, role: str, session: Session, exclude=(), number: str | None = None):
        group = self.config.callback.route_group(number) if number and role == "destination" \
            else None
        driver = self.pool.acquire(role, group=group, exclude=exclude) if group else None
        if driver is None:
            driver = self.pool.acquire(role, exclude=exclude)
        if driver is not None:
            with self._lock:
                self._owners[driver.name] = session
                reached = self._on_line.pop(id(session), None)
            if reached is not None:
                reached.set()
        return driver

    def release(self, modem: str, session: Session) -> None:
        with self._lock:
            if self._owners.get(modem) is session:
                del self._owners[modem]
                self.pool.release(modem)

    def _modem_config(self, modem: str):
        """The modem's [[modem]] table; one removed by a reload keeps its last table for
        the call it still carries (the pool closes it once that call ends)."""
        try:
            return self.config.modem(modem)
        except KeyError:
            return self._retired[modem]

    def audio_spec(self, modem: str) -> str:
        return self._modem_config(modem).audio

    def voice_settings(self, modem: str) -> VoiceSettings:
        """Gives what the box does to the modem's sound (its [[modem]] voice keys)."""
        config = self._modem_config(modem)
        return VoiceSettings(config.rx_gain_db, config.tx_gain_db, config.echo_cancel,
                             config.echo_tail_ms, config.noise_suppression)

    def refusal(self, number: str) -> str | None:
        """Gives why `number` gets no callback, or None (gateway/calls/policy.py)."""
        with self._lock:
            running = number in self._sessions
        running = running or intents.waiting_for(number)
        return policy.refusal(self.config.callback, self.context, number, running, self.now())

    # -- sessions ----------------------------------------------------------------------------
    def start_session(self, number: str, delay: float = 0.0, since: float | None = None,
                      destination: str | None = None, kind: str = "callback",
                      intent: int | None = None) -> Session:
        """Calls `number` back (then `destination` directly, if given) in a new session;
        `intent`: the call intent it runs (marked started with the session's row)."""
        return self._start(Session(self, kind, number), delay, since,
                           lambda session: callback.run(self.context, session, number,
                                                        destination), intent=intent)

    def start_connect(self, account_id: int, a: str, b: str,
                      notify: Callable[[Outcome], None] | None = None,
                      intent: int | None = None) -> Session:
        """Connects `a` and `b` for an account; `notify(outcome)` when it has ended."""
        outcome = Outcome(a, b)
        session = Session(self, "connect-two", a)
        session.outcome = outcome

        def work(session: Session) -> None:
            connect_two.run(self.context, session, account_id, a, b, outcome)

        return self._start(session, 0.0, None, work, notify=notify, intent=intent)

    def _start(self, session: Session, delay: float, since: float | None, work,
               notify=None, intent: int | None = None) -> Session:
        session.requested_at = since if since is not None else time.monotonic()
        with self._lock:
            self._sessions[session.number] = session
            self._on_line[id(session)] = threading.Event()
        thread = threading.Thread(target=self._run_session, name=f"session-{next(self._counter)}",
                                  args=(session, delay, since, work, notify, intent), daemon=True)
        self._threads = [item for item in self._threads if item.is_alive()] + [thread]
        thread.start()
        return session

    def _run_session(self, session: Session, delay: float, since: float | None, work,
                     notify, intent: int | None) -> None:
        start = (since if since is not None else time.monotonic()) + delay
        if self._stopping.wait(max(0.0, start - time.monotonic())):
            self._forget(session)
            return
        try:
            session_id = self._open_session(session, intent)
        except CONNECTION_ERRORS as error:
            self._database_lost(error)
            log.error("session for %s not started: the database is unreachable",
                      session.number)
            self._forget(session)
            return
        except intents.IntentTaken:
            log.warning("call intent %d was started already; not calling %s again", intent,
                        session.number)
            self._forget(session)
            return
        session.db_id = session_id      # the flow's context knows the session by it
        self.meters.sessions_started.inc(session.kind)
        try:
            work(session)
        except CreditExhausted:
            log.info("session for %s: the reserved credit is used up; ending it", session.number)
            session.credit_deadline = None
            try:
                session.say(self.context.voice(session).say("not_enough_credit", "goodbye"))
            except Hangup:
                log.debug("%s hung up during the goodbye", session.number)
        except Hangup:
            if self._stopping.is_set():
                log.info("session for %s: ended because the box is shutting down",
                         session.number)
                try:
                    session.say_last(self.context.per_leg(session, "box_closing"))
                except Exception:     # a missing prompt must not keep the bill unsettled
                    log.exception("saying goodbye to %s failed", session.number)
            else:
                log.info("session for %s: hung up", session.number)
        except Exception:
            log.exception("session for %s failed", session.number)
        finally:
            cost = 0
            try:
                if not self._discard_refused(session, session_id):
                    cost = self._settle(session, session_id)
            except Exception:
                log.exception("settling the session for %s failed; its reservation stays "
                              "until the next start", session.number)
            self._forget(session)
            close_database()
        outcome = getattr(session, "outcome", None)
        if outcome is not None:
            outcome.cost = cost
            outcome.seconds = max((leg.talk_seconds for leg in session.legs
                                   if leg.role == "destination"), default=0.0)
            if notify is not None:
                try:
                    notify(outcome)
                except Exception:
                    log.exception("telling the requester how %s ended failed", session.number)

    def _open_session(self, session: Session, intent: int | None) -> int:
        """Writes the session's row (and marks its intent started, in the same
        transaction, so a crash cannot run the intent twice); gives its id."""
        with db.atomic():
            session_id = ledger.start_session(self.config.gateway.box, None, session.kind,
                                              session.number, self.now())
            if intent is not None and not intents.mark_started(intent, session_id, self.now()):
                raise intents.IntentTaken(intent)
        return session_id

    def _discard_refused(self, session: Session, session_id: int) -> bool:
        """A connect-two the flow refused before dialling (two requests at the same moment
        passed the policy's checks) leaves no session row: its refusal is logged."""
        outcome = getattr(session, "outcome", None)
        if outcome is None or outcome.refusal is None or session.legs:
            return False
        if not ledger.discard_session(session_id):
            return False
        log.info("connect-two for %s refused (%s): nothing stored", session.number,
                 outcome.refusal)
        return True

    def _settle(self, session: Session, session_id: int) -> int:
        try:
            session.release_all()
        except Exception:
            log.exception("ending the legs of %s failed", session.number)
        cdrs = [leg_record(leg, self.context.rate, self.iccid_of, self.now(), self._database_lost)
                for leg in session.legs]
        for cdr in cdrs:
            self.meters.calls_ended.inc(cdr["role"], cdr["cause"] or "unknown")
            self.meters.billed_seconds.inc(cdr["role"], amount=cdr["billed_seconds"] or 0)
        try:
            if any(cdr["cost"] is None for cdr in cdrs):
                raise OperationalError("no rate for a leg: the database was unreachable")
            total = ledger.settle(session_id, cdrs, self.now())
        except CONNECTION_ERRORS as error:
            self._database_lost(error)
            if self.watch is None:
                raise
            self.watch.journal.add_settlement(session_id, cdrs, self.now())
            return sum(cdr["cost"] or 0 for cdr in cdrs)
        log.info("session for %s settled: %d legs, cost %d", session.number, len(cdrs), total)
        self.context.publish(settled_event(session_id, total, self.now()))    # its detail page
        return total

    def iccid_of(self, modem: str) -> str | None:
        """Gives the ICCID of the SIM in `modem` as its last health check read it."""
        for status in self.pool.status():
            if status.name == modem and status.health is not None:
                return status.health.iccid
        return None

    def _forget(self, session: Session) -> None:
        with self._lock:
            if self._sessions.get(session.number) is session:
                del self._sessions[session.number]
            reached = self._on_line.pop(id(session), None)
        if reached is not None:
            reached.set()
        self.wake_intents()     # its lines are free again

    @property
    def threads(self) -> list[threading.Thread]:
        """The service's long-lived threads (for the watchdog)."""
        runner = [self._intents.thread] if self._intents is not None else []
        return [self._triggers.thread, self._heartbeat.thread, self.timeline.worker.thread, *runner]

    def reconfigure(self, config, speech=None) -> None:
        """Takes a reloaded configuration (and voice, when its language or currency
        changed) for the next calls."""
        kept = {modem.name for modem in config.modems}
        self._retired.update((modem.name, modem) for modem in self.config.modems
                             if modem.name not in kept)
        for name in kept:
            self._retired.pop(name, None)
        self.config = config
        self.context.config = config
        if speech is not None:
            self.context.speech = speech

    def hangup_session(self, session_db_id: int) -> bool:
        """Ends a running session (the web page's Hang up); False if it is not running here."""
        with self._lock:
            session = next((item for item in self._sessions.values()
                            if item.db_id == session_db_id), None)
        if session is None:
            return False
        log.info("session %d for %s: hang up requested", session_db_id, session.number)
        session.deliver(STOP)
        return True

    def active_sessions(self) -> int:
        with self._lock:
            return len(self._sessions)
