"""What a flow may ask of the box: configuration, voice, money, rates, clock, live state.

One FlowContext serves every session of a call service; sessions are told
apart by their database session id, which the service records when a
session starts.
"""
from __future__ import annotations

import logging
import time
from typing import Callable

from gateway.calls.flows import callback
from gateway.calls.flows.session import Session
from gateway.money import ledger
from gateway.money.billing import LEG_A_MINIMUM, talk_budget
from gateway.money.ledger import InsufficientCredit

log = logging.getLogger(__name__)
LEG_A_PROMPTS = 120     # seconds of leg A (prompts, typing) reserved before a bridge


class FlowContext:
    """What a flow may ask of the box: config, voice, money, rates, clock."""

    def __init__(self, config, speech, now: Callable[[], float], live=None):
        from gateway.calls.live import LiveEvents
        self.live = live or LiveEvents()
        self.config = config
        self.speech = speech
        self.now = now
        self.talk_budget = talk_budget
        self._session_ids: dict[int, int] = {}      # id(Session) -> database session id

    # -- money -------------------------------------------------------------------------
    def rate(self, number: str):
        return ledger.rate_for(number)

    def available(self, account_id: int) -> int:
        return ledger.available(account_id)

    def reserved(self, session: Session) -> int:
        session_id = self._session_ids.get(id(session))
        return ledger.Session.get_by_id(session_id).reserved if session_id else 0

    def locked(self, account_id: int) -> bool:
        """Gives whether an admin locked the account (no calls at all)."""
        return ledger.Account.get_by_id(account_id).locked

    def attach(self, session: Session, account_id: int) -> bool:
        """Ties the session to an account; False over max_concurrent_sessions."""
        try:
            ledger.attach_account(self.session_id(session), account_id)
        except InsufficientCredit as refusal:
            log.warning("session for %s refused: %s", session.number, refusal)
            return False
        return True

    def hold(self, session: Session, account_id: int, rate_a, rate_b, seconds: int,
             leg_a_talked: float | None = None) -> None:
        """Reserves what the session may cost with a bridge of `seconds`."""
        if leg_a_talked is None:
            leg_a_talked = session.leg_a.talk_seconds
        needed = (rate_a.cost(leg_a_talked + seconds + callback.LEG_A_AFTER_BRIDGE)
                  + rate_b.cost(seconds)
                  + sum(context_cost(self, leg) for leg in session.legs
                        if leg.role == "destination" and leg.ended_at is not None))
        session_id = self.session_id(session)
        more = needed - ledger.Session.get_by_id(session_id).reserved
        if more > 0:
            ledger.reserve(session_id, account_id, more)
        session.credit_deadline = (time.monotonic() + seconds + callback.LEG_A_AFTER_BRIDGE
                                   + 5.0)

    def hold_leg_a(self, session: Session, account_id: int) -> bool:
        """Reserves leg A's prompt time (up to LEG_A_PROMPTS s); sets when it runs out.

        False when the balance does not cover even LEG_A_MINIMUM seconds."""
        rate_a = self.rate(session.leg_a.number)
        if rate_a is None:
            return False
        talked = session.leg_a.talk_seconds
        budget = self.available(account_id) + self.reserved(session)
        seconds = LEG_A_PROMPTS
        while seconds >= LEG_A_MINIMUM and rate_a.cost(talked + seconds) > budget:
            seconds -= 10
        if seconds < LEG_A_MINIMUM:
            return False
        more = rate_a.cost(talked + seconds) - self.reserved(session)
        try:
            if more > 0:
                ledger.reserve(self.session_id(session), account_id, more)
        except InsufficientCredit:
            return False
        session.credit_deadline = time.monotonic() + seconds
        return True

    def session_id(self, session: Session) -> int:
        return self._session_ids[id(session)]

    # -- live state ----------------------------------------------------------------------
    # -- words -------------------------------------------------------------------------
    def digit_words(self, number: str) -> list[str]:
        from audio.speech import say_number
        return [word for digit in number.lstrip("+") for word in say_number(int(digit))]

    def money_words(self, minor: int) -> list[str]:
        from audio.speech import say_money
        return say_money(max(0, minor), self.speech.currency_words)

    def duration_words(self, seconds: int) -> list[str]:
        from audio.speech import say_duration
        return say_duration(seconds)

    def destination_allowed(self, number: str) -> bool:
        rules = self.config.callback
        if any(number.startswith(prefix) for prefix in rules.blocked_prefixes):
            return False
        return not rules.allowed_prefixes or any(number.startswith(prefix)
                                                 for prefix in rules.allowed_prefixes)


def context_cost(context: FlowContext, leg) -> int:
    rate = context.rate(leg.number)
    return rate.cost(leg.talk_seconds) if rate is not None else 0
