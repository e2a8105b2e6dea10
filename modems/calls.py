"""Call state of one modem: AT+CLCC is the truth, URCs only hints.

As oFono's atmodem voicecall driver does, every call-related URC (a vendor's
^CONN, a SIMCom +CLCC line, a plain BUSY) triggers a re-read of the modem's
call list, and the list is diffed by call id. The URCs contribute what the
list cannot say: why a call ended and how long it lasted.

Everything here runs on the modem's one dispatcher thread, so events leave
in the order the modem produced them.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Callable

from modems.events import (CallState, CallStateChanged, Direction, EndCause, IncomingCall,
                           ModemEvent)
from modems.numbers import caller_to_e164
from modems.profiles.base import VOICE_MODE, CallHint

log = logging.getLogger(__name__)

# 3GPP TS 27.007 §7.18: +CLCC: <id1>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>[,<alpha>
# [,<priority>[,<CLI validity>]]]]; what follows <type> (SIMCom SIM900/SIM800 lines end
# with an empty <alpha>) says nothing the tracker needs, so the pattern stops there.
_CLCC_LINE = re.compile(r'\+CLCC:\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+),\s*(\d)(?:,\s*"([^"]*)"(?:,\s*(\d+))?)?')
HINT_LIFETIME = 5.0   # seconds a cause line without call id may still apply to a call
# 27.007 §7.6: +CLIP: <number>,<type>[,<subaddr>,<satype>[,<alpha>[,<CLI validity>]]];
# a withheld caller is an empty <number> with validity 1 or 2, read as "no number".
_CLIP_LINE = re.compile(r'\+CLIP:\s*"([^"]*)"(?:,\s*(\d+))?')


@dataclass
class Call:
    call_id: int
    direction: Direction
    state: CallState
    number_raw: str = ""
    type_of_address: int | None = None
    number: str | None = None
    rings: int = 0
    answered_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class ListedCall:
    call_id: int
    direction: Direction
    state: CallState
    number_raw: str
    type_of_address: int | None


def parse_clcc(lines: list[str]) -> dict[int, ListedCall]:
    """Gives the voice calls of an AT+CLCC response, by call id; data, fax and
    unknown-mode lines are left out."""
    calls = {}
    for line in lines:
        match = _CLCC_LINE.match(line)
        if not match or int(match[3]) > 5:
            continue
        if int(match[4]) != VOICE_MODE:
            log.debug("not a voice call, ignored: %r", line)
            continue
        call_id = int(match[1])
        calls[call_id] = ListedCall(
            call_id=call_id,
            direction=Direction.INCOMING if match[2] == "1" else Direction.OUTGOING,
            state=CallState.from_clcc(int(match[3])),
            number_raw=match[6] or "",
            type_of_address=int(match[7]) if match[7] else None)
    return calls


def parse_clip(line: str) -> tuple[str, int | None] | None:
    match = _CLIP_LINE.match(line)
    if not match:
        return None
    return match[1], int(match[2]) if match[2] else None


class CallTracker:
    """Keeps the calls of one modem and turns list changes into events."""

    def __init__(self, modem: str, country: str, list_calls: Callable[[], list[str]],
                 emit: Callable[[ModemEvent], None], defer: Callable[[Callable[[], None]], None],
                 on_call: Callable[[], None] = lambda: None):
        """`on_call()` is told of each call that appears (the driver's poller sleeps until
        there is one)."""
        self.modem = modem
        self.country = country
        self._list_calls = list_calls
        self._emit = emit
        self._defer = defer
        self._on_call = on_call
        self.calls: dict[int, Call] = {}
        self._hints: dict[int | None, CallHint] = {}
        self._hint_times: dict[int | None, float] = {}
        self._released_by_us: set[int] = set()
        self._vanished: dict[int, Call] = {}

    @property
    def active(self) -> bool:
        return bool(self.calls)

    def hint(self, hint: CallHint) -> None:
        """Keeps what a URC said about how a call ended, then re-reads the list."""
        if hint.cause is not None or hint.duration is not None:
            self._hint_times[hint.call_id] = time.monotonic()
            previous = self._hints.get(hint.call_id)
            if previous is not None and hint.cause is None:
                hint = CallHint(hint.call_id, hint.state, hint.direction, previous.cause,
                                previous.cause_code, hint.duration)
            self._hints[hint.call_id] = hint
        self.refresh()

    def released_by_us(self, call_ids) -> None:
        self._released_by_us.update(call_ids)

    def refresh(self) -> None:
        """Reads AT+CLCC and reports every change since the last read."""
        listed = parse_clcc(self._list_calls())
        for call_id, entry in listed.items():
            known = self.calls.get(call_id)
            if known is None:
                self._add(entry)
            elif known.state is not entry.state:
                self._change(known, entry.state)
        gone = [call_id for call_id in self.calls if call_id not in listed]
        for call_id in gone:
            self._vanished[call_id] = self.calls.pop(call_id)
        if gone:
            # A cause line (BUSY, NO CARRIER) written just before the list may
            # still wait behind this read in the URC queue: settle after it.
            self._defer(self._settle_vanished)

    def ended_before_listed(self, number: str) -> int:
        """Reports an outgoing call that ended before the list showed it; gives its id."""
        call_id = next(candidate for candidate in range(1, 99) if candidate not in self.calls
                       and candidate not in self._vanished)
        call = Call(call_id, Direction.OUTGOING, CallState.DIALING, number, None, number)
        self._report(call)
        self._vanished[call_id] = call
        self._defer(self._settle_vanished)
        return call_id

    def ring(self, clip: tuple[str, int | None] | None) -> None:
        """Reports an incoming call ringing once more, with its caller."""
        self.refresh()
        ringing = [call for call in self.calls.values()
                   if call.direction is Direction.INCOMING
                   and call.state in (CallState.INCOMING, CallState.WAITING)]
        if not ringing:
            log.debug("%s: RING without a ringing call in the list", self.modem)
            return
        call = ringing[-1]
        call.rings += 1
        if clip is not None:
            call.number_raw, call.type_of_address = clip
            call.number = caller_to_e164(clip[0], clip[1], self.country)
        self._emit(IncomingCall(self.modem, call_id=call.call_id, number=call.number,
                                number_raw=call.number_raw, type_of_address=call.type_of_address,
                                ring=call.rings))

    def modem_gone(self) -> None:
        """Ends every call: the modem vanished."""
        for call in list(self.calls.values()):
            self._end(call, EndCause.MODEM_DOWN, None, None)
        self.calls.clear()

    # -- diffing -------------------------------------------------------------------

    def _add(self, entry: ListedCall) -> None:
        call = Call(entry.call_id, entry.direction, entry.state, entry.number_raw,
                    entry.type_of_address,
                    caller_to_e164(entry.number_raw, entry.type_of_address, self.country))
        if call.state is CallState.ACTIVE:
            call.answered_at = time.monotonic()
        self.calls[call.call_id] = call
        self._on_call()
        log.debug("%s: call %d %s %s", self.modem, call.call_id, call.direction.value,
                 call.state.value)
        self._report(call)

    def _change(self, call: Call, state: CallState) -> None:
        log.debug("%s: call %d %s -> %s", self.modem, call.call_id, call.state.value, state.value)
        call.state = state
        if state is CallState.ACTIVE and call.answered_at is None:
            call.answered_at = time.monotonic()
        self._report(call)

    def _report(self, call: Call, cause: EndCause | None = None, code: int | None = None,
                duration: float | None = None) -> None:
        self._emit(CallStateChanged(self.modem, call_id=call.call_id, state=call.state,
                                    direction=call.direction, number=call.number, cause=cause,
                                    cause_code=code, duration=duration))

    def _take_hint(self, call_id: int) -> CallHint | None:
        """Gives the cause hint for a call: its own, else a fresh one without id."""
        for key in (call_id, None):
            hint = self._hints.pop(key, None)
            written = self._hint_times.pop(key, 0.0)
            if hint is not None and time.monotonic() - written < HINT_LIFETIME:
                return hint
        return None

    def _settle_vanished(self) -> None:
        for call_id, call in list(self._vanished.items()):
            hint = self._take_hint(call_id)
            cause = hint.cause if hint else None
            if call_id in self._released_by_us:
                self._released_by_us.discard(call_id)
                if call.answered_at is None and call.direction is Direction.INCOMING:
                    cause = EndCause.REJECTED
                elif cause is None or call.answered_at is not None:
                    cause = EndCause.NORMAL
            elif cause is None or (call.answered_at is not None and cause is EndCause.NO_CARRIER):
                cause = self._default_cause(call)
            self._end(call, cause, hint.cause_code if hint else None,
                      hint.duration if hint and hint.duration is not None else None)
        self._vanished.clear()
        if not self.calls:
            self._hints.clear()

    @staticmethod
    def _default_cause(call: Call) -> EndCause:
        if call.answered_at is not None:
            return EndCause.NORMAL
        if call.direction is Direction.INCOMING:
            return EndCause.NORMAL     # the caller gave up before we answered
        return EndCause.NO_CARRIER

    def _end(self, call: Call, cause: EndCause, code: int | None, duration: float | None) -> None:
        if duration is None:
            duration = (time.monotonic() - call.answered_at) if call.answered_at else 0.0
        call.state = CallState.ENDED
        log.debug("%s: call %d ended (%s, %.0f s)", self.modem, call.call_id, cause.value, duration)
        self._report(call, cause, code, duration)
