"""The box as its flows see it: configuration, voice, accounts, money, rates, words, live state.

One FlowContext serves every session of a call service (it is the real
`Box` of gateway/calls/flows/seams.py). A session is known by its row,
`session.db_id`, which the service sets before the flow starts.
"""
from __future__ import annotations

import logging
from typing import Callable

from audio.pcm import RATE, SAMPLE_BYTES
from gateway.calls.flows.callback import LEG_A_AFTER_BRIDGE
from gateway.calls.flows.seams import AccountSeen, CallLeg, CallSession, Voice
from gateway.calls.flows.voices import Voices
from gateway.actions import callerids
from gateway.actions.audit import Actor
from gateway.calls.live import LiveEvents
from gateway.config import Config
from gateway.money import accounts, billing, languages, ledger
from gateway.money.billing import LEG_A_MINIMUM, Rate
from gateway.money.ledger import InsufficientCredit
from modems.numbers import InvalidNumber, destination_e164

log = logging.getLogger(__name__)
MENU_PAUSE = 0.4        # seconds between the options of the language menu
DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LEG_A_PROMPTS = 120     # seconds of leg A (prompts, typing) reserved before a bridge


class FlowContext:
    """What a flow may ask of the box; see the module docstring."""

    def __init__(self, config: Config, speech: Voice, now: Callable[[], float],
                 live: LiveEvents | None = None):
        self.live = live or LiveEvents()
        self.config = config
        self.voices = Voices(speech)
        self._now = now

    @property
    def speech(self) -> Voice:
        """The box's own voice ([callback] language)."""
        return self.voices.default

    @speech.setter
    def speech(self, speech: Voice) -> None:      # a reload to another language or currency
        self.voices = Voices(speech)

    def now(self) -> float:
        return self._now()

    def publish(self, event: dict) -> None:
        self.live.publish(event)

    # -- accounts and PINs -------------------------------------------------------------
    def account_by_caller_id(self, number: str) -> ledger.Account | None:
        return accounts.by_caller_id(number)

    def account_by_number(self, typed: str) -> ledger.Account | None:
        return accounts.by_number_or_name(typed)

    def check_pin(self, account: AccountSeen | None, pin: str, caller: str,
                  now: float) -> accounts.PinCheck:
        return accounts.check_pin(account, pin, caller, now, self.config.gateway.box)

    def save_caller_id(self, account: AccountSeen, number: str, now: float) -> None:
        callerids.save_after_pin(Actor(number, "phone"), account.id, number, now)

    def locked(self, account_id: int) -> bool:
        """Gives whether an admin locked the account (no calls at all)."""
        return ledger.Account.get_by_id(account_id).locked

    # -- money and rates -----------------------------------------------------------------
    def rate(self, number: str) -> Rate | None:
        return ledger.rate_for(number)

    def available(self, account_id: int) -> int:
        return ledger.available(account_id)

    def reserved(self, session: CallSession) -> int:
        if session.db_id is None:
            return 0
        return ledger.Session.get_by_id(session.db_id).reserved

    def talk_budget(self, available: int, leg_a: Rate, leg_a_elapsed: float, leg_b: Rate,
                    leg_a_after: float = 0.0) -> int:
        return billing.talk_budget(available, leg_a, leg_a_elapsed, leg_b, leg_a_after)

    def attach(self, session: CallSession, account_id: int) -> bool:
        """Ties the session to an account; False over max_concurrent_sessions."""
        try:
            ledger.attach_account(_row(session), account_id)
        except InsufficientCredit as refusal:
            log.warning("session for %s refused: %s", session.number, refusal)
            return False
        return True

    def hold(self, session: CallSession, account_id: int, rate_a: Rate, rate_b: Rate,
             seconds: int, leg_a_talked: float | None = None) -> None:
        """Reserves what the session may cost with a bridge of `seconds`."""
        if leg_a_talked is None:
            leg_a_talked = session.leg_a.talk_seconds if session.leg_a is not None else 0.0
        needed = (rate_a.cost(leg_a_talked + seconds + LEG_A_AFTER_BRIDGE)
                  + rate_b.cost(seconds)
                  + sum(self.leg_cost(leg) for leg in session.legs
                        if leg.role == "destination" and leg.ended_at is not None))
        more = needed - self.reserved(session)
        if more > 0:
            ledger.reserve(_row(session), account_id, more)
        session.credit_deadline = session.clock() + seconds + LEG_A_AFTER_BRIDGE + 5.0

    def hold_leg_a(self, session: CallSession, account_id: int) -> bool:
        """Reserves leg A's prompt time (up to LEG_A_PROMPTS s); sets when it runs out.

        False when the balance does not cover even LEG_A_MINIMUM seconds."""
        rate_a = self.rate(session.leg_a.number) if session.leg_a is not None else None
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
                ledger.reserve(_row(session), account_id, more)
        except InsufficientCredit:
            return False
        session.credit_deadline = session.clock() + seconds
        return True

    def leg_cost(self, leg: CallLeg) -> int:
        """Gives what a leg costs for the time it talked (0 without a rate)."""
        rate = self.rate(leg.number)
        return rate.cost(leg.talk_seconds) if rate is not None else 0

    def destination_allowed(self, number: str) -> bool:
        try:    # however it came (a form, an SMS, an intent stored before an upgrade)
            destination_e164(number, self.config.gateway.country)
        except InvalidNumber:
            return False
        rules = self.config.callback
        if any(number.startswith(prefix) for prefix in rules.blocked_prefixes):
            return False
        return not rules.allowed_prefixes or any(number.startswith(prefix)
                                                 for prefix in rules.allowed_prefixes)

    # -- languages ---------------------------------------------------------------------
    def voice(self, session: CallSession) -> Voice:
        """Gives the voice in the session's language (the box's before one is chosen)."""
        return self.voices.get(getattr(session, "language", None))

    def use_language(self, session: CallSession, number: str, account: AccountSeen | None
                     ) -> str:
        """Decides the language the session speaks to `number` (gateway/money/languages.py)
        and logs it; gives it."""
        language, why = languages.decide(number, account, self.config)
        if language != getattr(session, "language", None):
            log.info("call with %s speaks %s", number, self.spoken(language, why))
        session.language = language
        return language

    def leg_language(self, leg: CallLeg) -> str:
        """Decides the language a leg other than the user's hears (gateway/money/languages.py
        for its number and the account that number belongs to), keeps it on the leg and
        logs it; gives it."""
        language, why = languages.decide(leg.number, accounts.by_caller_id(leg.number),
                                         self.config)
        leg.language = language
        log.info("%s leg %s hears %s", leg.role, leg.number, self.spoken(language, why))
        return language

    def leg_voice(self, session: CallSession, leg: CallLeg) -> Voice:
        """Gives the voice `leg` hears: its own language's, else the session's (leg A's)."""
        return self.voices.get(getattr(leg, "language", None)
                               or getattr(session, "language", None))

    def per_leg(self, session: CallSession, *names: str) -> Callable[[CallLeg], bytes]:
        """Gives what each leg hears of the prompts `names`: each in its own language."""
        return lambda leg: self.leg_voice(session, leg).say(*names)

    def spoken(self, language: str, why: str) -> str:
        """Gives the language said and why, in words: "tr ([languages] +90)", "en
        (account; no prompts in xx)"."""
        if self.voices.speaks(language):
            return f"{language} ({why})"
        return f"{self.voices.language} ({why}; no prompts in {language})"

    def has_language(self, number: str, account: AccountSeen | None) -> bool:
        """Gives whether the caller has a language of their own: the account's, or one
        chosen in the menu before."""
        return bool(getattr(account, "language", None)) or languages.chosen_by(number) is not None

    def menu_languages(self) -> tuple[str, ...]:
        return tuple(language for language in languages.menu_languages(self.config)
                     if self.voices.speaks(language))

    def language_menu(self, options: tuple[str, ...]) -> bytes:
        """Gives the menu: "For English press 1, für Deutsch drücken Sie 2, ...", each
        option in its own language."""
        pause = bytes(SAMPLE_BYTES * round(RATE * MENU_PAUSE))
        return pause.join(self.voices.get(language).say("menu_option", DIGITS[key])
                          for key, language in enumerate(options, start=1))

    def choose_language(self, session: CallSession, number: str, language: str) -> None:
        """Keeps the language the caller chose in the menu and speaks it from now on."""
        languages.save_choice(number, language, self.now())
        log.info("call with %s speaks %s (chosen in the language menu)", number, language)
        session.language = language

    # -- words -------------------------------------------------------------------------
    def digit_words(self, number: str, session: CallSession | None = None) -> list[str]:
        return self.voice(session).digit_words(number)

    def money_words(self, minor: int, session: CallSession | None = None) -> list[str]:
        return [self.voice(session).money_words(max(0, minor))]

    def duration_words(self, seconds: int, session: CallSession | None = None) -> list[str]:
        return [self.voice(session).duration_words(seconds)]

    def prepare_balance(self, account_id: int, session: CallSession | None = None) -> None:
        """Starts making the words of the account's balance (the flow says it once the
        call is answered or the PIN checked): a phrase made at run time takes 0.1-0.6 s."""
        self.money_words(self.available(account_id), session)


def _row(session: CallSession) -> int:
    """Gives the session's row; a session reaches its flow only once it has one."""
    if session.db_id is None:
        raise RuntimeError(f"the session for {session.number} has no row yet")
    return session.db_id
