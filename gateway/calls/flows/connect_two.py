"""Connect two numbers: call A, tell A whom they get, call B, bridge; bill the requester.

Used by the SMS command `CONNECT a b` and by the web page. Each leg's state
(dialing, alerting, connected, busy, no answer, ended with cause and
duration) is published as it changes, so a live page can follow it; the
session tells every dialled leg's last state however it ends (hangup from
the web, far-end hangup, failure). A SIM cannot present B's number to A, so
the box says B's number to A instead.

Each leg hears the language of its own number (its account's, else its
country calling code's, else the box's: gateway/money/languages.py); A's
is the session's, B's is kept on its leg.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import logging

from gateway.calls.flows.callback import PROMPT_FOR_CAUSE
from gateway.calls.flows.seams import Box, CallLeg, CallSession, Hangup, LegFailed
from gateway.calls.live import leg_event
from gateway.money.ledger import InsufficientCredit

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What happened, for the summary SMS and the page."""

    a: str
    b: str
    a_state: str = "not called"
    b_state: str = "not called"
    seconds: float = 0.0
    cost: int = 0
    refusal: str | None = None
    states: list[tuple[str, str]] = field(default_factory=list)


def run(context: Box, session: CallSession, account_id: int, a: str, b: str,
        outcome: Outcome) -> None:
    """Connects `a` and `b` for the account; fills `outcome`. Hangup may end it early."""
    config = context.config.callback
    if context.locked(account_id):
        outcome.refusal = "the account is locked"
        return
    refused = [number for number in (a, b) if not context.destination_allowed(number)]
    if refused:
        outcome.refusal = f"{refused[0]} may not be dialled"
        return
    if not context.attach(session, account_id):
        outcome.refusal = "too many calls running for this account"
        return
    rate_a, rate_b = context.rate(a), context.rate(b)
    if rate_a is None or rate_b is None:
        outcome.refusal = f"no rate for {a if rate_a is None else b}"
        return
    budget = context.available(account_id)
    seconds = context.talk_budget(budget, rate_a, 0.0, rate_b, 30.0)
    if seconds < config.min_call_seconds:
        outcome.refusal = "not enough credit"
        return
    try:
        context.hold(session, account_id, rate_a, rate_b, seconds, leg_a_talked=0.0)
    except InsufficientCredit:
        outcome.refusal = "not enough credit"
        return
    session.on_leg_state = lambda leg, state: _publish(context, session, outcome, leg, state)
    context.use_language(session, a, context.account_by_caller_id(a))     # what A hears
    try:
        leg_a = session.dial("callback", a, config.answer_timeout)
    except LegFailed as failure:       # NoFreeModem too
        outcome.a_state = str(failure)
        return
    voice_a = context.voice(session)
    session.say(voice_a.say("connecting_you_to", context.digit_words(b, session)))
    try:
        leg_b = session.dial("destination", b, config.answer_timeout, ringback=True)
    except LegFailed as failure:
        outcome.b_state = str(failure)
        session.say(voice_a.say(PROMPT_FOR_CAUSE.get(outcome.b_state, "call_failed"),
                                "goodbye"))
        return
    context.leg_language(leg_b)      # B hears its own (the box closing, say)
    _bridge(context, session, leg_a, leg_b, seconds)


def _bridge(context: Box, session: CallSession, leg_a: CallLeg, leg_b: CallLeg,
            seconds: int) -> None:
    joined = session.bridge(leg_a, leg_b)
    if joined is None:
        log.error("connect two: no audio for the bridge")
        return
    end = session.clock() + seconds
    try:
        while leg_b.ended_at is None and session.clock() < end:
            session.next_event(end - session.clock())
    finally:
        joined.stop()
    if leg_b.ended_at is None:
        session.hangup(leg_b)
    raise Hangup()     # either side ending, or the time limit, ends both


def _publish(context: Box, session: CallSession, outcome: Outcome, leg: CallLeg,
             state: str) -> None:
    label = "a" if leg.role == "callback" else "b"
    if label == "a":
        outcome.a_state = state
    else:
        outcome.b_state = state
    outcome.states.append((label, state))
    # the event carries why an ended leg ended, and how long it talked
    context.publish(leg_event(session.db_id, label, leg, state, context.now()))
