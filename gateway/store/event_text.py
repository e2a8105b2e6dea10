"""Modem events in plain words, for the log and the admins' event log.

Key presses and SMS texts are never written out: they carry PINs.
"""
from __future__ import annotations

from dataclasses import dataclass
import re

from modems.events import (CallState, CallStateChanged, DtmfReceived, IncomingCall, ModemDown,
                           ModemEvent, ModemRecovery, ModemUp, SignalChanged, SmsReceived,
                           SmsStatusReport, SmsStored, StatusReportStored, UssdReceived)


@dataclass(frozen=True)
class EventText:
    kind: str                  # snake_case name of the event, e.g. "incoming_call"
    message: str               # plain words, starting with the modem's name
    call_id: int | None = None


def kind_of(event: ModemEvent) -> str:
    """Gives the event's class name in snake_case: ModemUp -> modem_up."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()


def signal_words(event: SignalChanged) -> str:
    """Gives e.g. 'signal -73 dBm (4 bars), home, Telekom.de' or 'no signal, searching'."""
    strength = f"signal {event.dbm} dBm ({event.bars} bars)" if event.dbm is not None \
        else "no signal"
    operator = f", {event.operator}" if event.operator else ""
    return f"{strength}, {event.registration}{operator}"


def _call(event: CallStateChanged) -> str:
    party = event.number or "a withheld number"
    towards = "to" if event.direction.value == "outgoing" else "from"
    text = f"call {event.call_id} {towards} {party}: {event.state.value}"
    if event.state is CallState.ENDED:
        details = [event.cause.value if event.cause else "cause unknown"]
        if event.cause_code is not None:
            details.append(f"code {event.cause_code}")
        if event.duration is not None:
            details.append(f"{event.duration:.0f} s")
        text += f" ({', '.join(details)})"
    return text


def _sms(event: SmsReceived) -> str:
    sender = event.sender or event.sender_raw or "an unknown sender"
    if event.error:
        return f"SMS from {sender} could not be read: {event.error}"
    length = len(event.text) if event.text is not None else 0
    part = ""
    if event.concat_total:
        part = f", part {event.concat_part} of {event.concat_total}"
    return f"SMS from {sender} ({length} characters{part})"


_RECOVERY_STEPS = {
    "reset": "reset (restarted by AT command)",
    "reopen": "opened again",
    "power-cycle": "USB port switched off and on",
    "gave up": "GAVE UP recovering it: the owner must look",
}


def recovery_words(event: ModemRecovery) -> str:
    """Gives e.g. 'recovery step 1, reset (restarted by AT command) because not registered on
    the network for 120 s (home): it answers again'."""
    step = _RECOVERY_STEPS.get(event.step, event.step)
    text = f"recovery step {event.attempt}, {step} because {event.reason or 'no reason given'}"
    if event.step == "gave up":
        return text
    return text + (": it answers again" if event.ok else ": still not answering")


def describe_event(event: ModemEvent) -> EventText:
    """Gives the event in plain words, e.g. 'm1: incoming call from +4917012345678'."""
    kind = kind_of(event)
    call_id = None
    if isinstance(event, ModemUp):
        words = " ".join(part for part in (event.manufacturer, event.model) if part) or "modem"
        text = f"up: {words} ({event.profile or 'unknown'} profile)"
    elif isinstance(event, ModemDown):
        text = f"down: {event.reason or 'no reason given'}"
    elif isinstance(event, ModemRecovery):
        text = recovery_words(event)
    elif isinstance(event, IncomingCall):
        call_id = event.call_id
        text = f"incoming call from {event.number or 'a withheld number'}, ring {event.ring}"
    elif isinstance(event, CallStateChanged):
        call_id = event.call_id
        text = _call(event)
    elif isinstance(event, DtmfReceived):
        text = f"key pressed ({event.source}; the key is not logged)"
    elif isinstance(event, SmsStored):
        text = f"new SMS stored in {event.memory} at index {event.index}"
    elif isinstance(event, SmsReceived):
        text = _sms(event)
    elif isinstance(event, StatusReportStored):
        text = f"status report stored in {event.memory or 'the preferred memory'} at index " \
               f"{event.index}"
    elif isinstance(event, SmsStatusReport):
        text = (f"status report that could not be read: {event.error}" if event.error else
                f"status report on message {event.reference} to {event.recipient}: "
                f"status {event.status:#04x}")
    elif isinstance(event, SignalChanged):
        text = signal_words(event)
    elif isinstance(event, UssdReceived):
        text = f"USSD answer (status {event.status}): {event.text}"
    else:
        text = kind.replace("_", " ")
    return EventText(kind, f"{event.modem}: {text}", call_id)
