"""Calls between parties of the virtual network (modems and phones).

The network lock guards every call; parties are told about changes through
`call_changed` while the lock is held, so what they emit is in call order.
"""
from __future__ import annotations

import enum
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger(__name__)
_call_ids = itertools.count(1)


class Cause(enum.Enum):
    """Release causes (3GPP TS 24.008 10.5.4.11): code and the words phones show."""

    UNASSIGNED = (1, "unassigned number")
    NORMAL = (16, "normal")
    BUSY = (17, "busy")
    NO_ANSWER = (19, "no answer")
    ABSENT = (20, "subscriber absent")
    REJECTED = (21, "rejected")
    NETWORK = (38, "network")

    @property
    def code(self) -> int:
        return self.value[0]

    @property
    def text(self) -> str:
        return self.value[1]


class LegState(enum.Enum):
    """A call as one of its two parties sees it, with +CLCC <stat> numbers."""

    ACTIVE = 0
    DIALING = 2
    ALERTING = 3
    INCOMING = 4
    RELEASED = 6


class Phase(enum.Enum):
    SETUP = "setup"          # routing: the far end does not ring yet
    RINGING = "ringing"      # the callee rings; caller alerting after the alerting delay
    ACTIVE = "active"
    ENDED = "ended"


class Party(Protocol):
    number: str

    def call_changed(self, call: "Call") -> None: ...


@dataclass(eq=False)
class Call:
    """One call. `caller_number` is as presented to the callee ('' when withheld)."""

    caller: Party
    dialed: str
    callee: Party | None = None
    phase: Phase = Phase.SETUP
    caller_alerted: bool = False
    cause: Cause | None = None
    released_by: Party | None = None
    started: float = field(default_factory=time.monotonic)
    answered: float | None = None
    ended: float | None = None
    rings: int = 0
    timers: list = field(default_factory=list)
    id: int = field(default_factory=lambda: next(_call_ids))

    def leg_state(self, party: Party) -> LegState:
        """Gives the state of this call as `party` sees it."""
        if self.phase is Phase.ENDED:
            return LegState.RELEASED
        if self.phase is Phase.ACTIVE:
            return LegState.ACTIVE
        if party is self.caller:
            return LegState.ALERTING if self.caller_alerted else LegState.DIALING
        return LegState.INCOMING

    def other(self, party: Party) -> Party | None:
        return self.callee if party is self.caller else self.caller

    def duration(self) -> float:
        """Gives seconds the call was active so far (0 if never answered)."""
        if self.answered is None:
            return 0.0
        return (self.ended or time.monotonic()) - self.answered

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()


class Switch:
    """Sets up, rings, connects and releases calls. Callers hold the network lock."""

    def __init__(self, network):
        self._net = network
        self.calls: list[Call] = []

    @property
    def delays(self):
        return self._net.delays

    def _later(self, call: Call, delay: float, action) -> None:
        def guarded():
            with self._net.lock:
                if call.phase is not Phase.ENDED:
                    action()
        call.timers.append(self._net.scheduler.call_later(delay, guarded))

    def _enter(self, call: Call, phase: Phase) -> None:
        """Moves a call to `phase`, logging the transition, and tells both parties."""
        log.info("call %d (%s -> %s): %s -> %s", call.id, call.caller.number, call.dialed,
                 call.phase.value, phase.value)
        call.phase = phase
        self._notify(call)

    def _notify(self, call: Call) -> None:
        for party in (call.caller, call.callee):
            if party is not None:
                try:
                    party.call_changed(call)
                except Exception:
                    log.exception("%s failed to take call change", party)

    def originate(self, caller: Party, dialed: str) -> Call:
        """Starts a call from `caller` to the number it dialled; gives the Call."""
        call = Call(caller=caller, dialed=dialed)
        self.calls.append(call)
        log.info("call %d (%s -> %s): setup", call.id, caller.number, dialed)
        self._notify(call)
        self._later(call, self.delays.call_setup, lambda: self._route(call))
        return call

    def _route(self, call: Call) -> None:
        callee = self._net.find_party(call.dialed)
        if callee is None:
            return self.release(call, Cause.UNASSIGNED)
        if callee is call.caller or not callee.reachable():
            return self.release(call, Cause.ABSENT if callee is not call.caller else Cause.BUSY)
        if any(c.phase is not Phase.ENDED and callee in (c.caller, c.callee) for c in self.calls):
            return self.release(call, Cause.BUSY)
        call.callee = callee
        self._enter(call, Phase.RINGING)
        self._later(call, self.delays.alerting, lambda: self._alert(call))
        self._later(call, self.delays.no_answer_after, lambda: self.release(call, Cause.NO_ANSWER))
        self._ring(call)

    def _alert(self, call: Call) -> None:
        if call.phase is Phase.RINGING:
            call.caller_alerted = True
            self._notify(call)

    def _ring(self, call: Call) -> None:
        if call.phase is not Phase.RINGING:
            return
        call.rings += 1
        ring = getattr(call.callee, "ring", None)
        if ring is not None:
            ring(call)
        self._later(call, self.delays.ring_interval, lambda: self._ring(call))

    def answer(self, call: Call, by: Party) -> None:
        """The callee picks up; the call is active after the answer delay."""
        if call.phase is not Phase.RINGING or by is not call.callee:
            return
        def connect():
            if call.phase is Phase.RINGING:
                call.cancel_timers()
                call.caller_alerted = True
                call.answered = time.monotonic()
                self._enter(call, Phase.ACTIVE)
        if self.delays.answer <= 0:
            connect()
        else:
            self._later(call, self.delays.answer, connect)

    def release(self, call: Call, cause: Cause, by: Party | None = None) -> None:
        """Ends the call for both parties with `cause`."""
        if call.phase is Phase.ENDED:
            return
        call.cancel_timers()
        call.cause = cause
        call.released_by = by
        call.ended = time.monotonic()
        log.info("call %d released: %s (%d)", call.id, cause.text, cause.code)
        self._enter(call, Phase.ENDED)
        if call in self.calls:
            self.calls.remove(call)

    def calls_of(self, party: Party) -> list[Call]:
        return [c for c in self.calls if party in (c.caller, c.callee)]

    def active_pairs(self) -> list[tuple[Party, Party]]:
        return [(c.caller, c.callee) for c in self.calls if c.phase is Phase.ACTIVE]
