"""A scripted box and session for call flows: every branch in milliseconds, on virtual time.

They stand in for the real FlowContext and Session at the seam a flow sees
(gateway/calls/flows/seams.py: `Box`, `CallSession`), and nowhere else: the
flow under test is the real module, run on the test's thread.

- `ScriptedSession` keeps a virtual clock. A wait jumps straight to the next
  thing the script makes happen (a key, an answer, a far-end hang up) or to
  its own deadline, so nothing sleeps. The user's part is a list of cues
  played in order: `press("1234#", after="enter_pin")` types once that prompt
  has been said; `hang_up(wait=3)` hangs up 3 s after the cue before. Each
  number the box dials behaves as its `Phone` says (answers, busy, never
  answers, hangs up later). It records the prompts said (their words), the
  numbers dialled and hung up by the box, the beeps and the bridges.
- `ScriptedBox` holds accounts, PINs (a calling number is locked after
  `pin_lock_after` wrong tries, as the box does), rates (real `Rate`s, found
  and budgeted by the real pure functions of gateway/money/billing.py) and
  reservations in plain dicts; the prefix lists and the words are the real
  box's own (FlowContext's pure methods).
- A prompt "sounds" like its words: `Words.say` gives them as text, which the
  scripted session writes down instead of playing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import heapq
import itertools
from typing import Callable

from audio.speech import DIGITS, Phrase
from audio.words import duration_text, money_text
from gateway.calls.flows.callback import LEG_A_AFTER_BRIDGE
from gateway.calls.flows.context import FlowContext
from gateway.calls.flows.voices import Voices
from gateway.calls.flows.seams import CallSession, CreditExhausted, Hangup, LegFailed, NoFreeModem
from gateway.config import parse
from gateway.money.accounts import PinCheck
from gateway.money.billing import LEG_A_MINIMUM, Rate, find_rate
from gateway.money.languages import menu_languages
from gateway.money.ledger import InsufficientCredit

WORD_SECONDS = 0.4       # virtual seconds a prompt takes per word
KEY_GAP = 0.3            # seconds between two keys of one cue
EPOCH = 1_800_000_000.0  # the Unix time at virtual time 0
LONGEST = 6 * 3600.0     # a flow still waiting after this much virtual time is stuck


class ScriptEnded(AssertionError):
    """The flow waits for ever: nothing is left in the script to happen."""


@dataclass
class Phone:
    """How a number the box dials behaves; seconds from the dial (or the answer)."""

    answers_after: float | None = 2.0    # None: rings until the box gives up
    busy: bool = False                   # the network says busy after 2 s
    hangs_up_after: float | None = None  # seconds after answering; None: stays


@dataclass
class Cue:
    """One thing the user does: type `keys` or hang up, `wait` seconds after the prompt
    `after` was said (or after the cue before, when `after` is None)."""

    keys: str = ""
    after: str | None = None
    wait: float = 0.5
    hangup: bool = False


def press(keys: str, after: str | None = None, wait: float = 0.5) -> Cue:
    return Cue(keys=keys, after=after, wait=wait)


def hang_up(after: str | None = None, wait: float = 0.5) -> Cue:
    return Cue(after=after, wait=wait, hangup=True)


@dataclass
class ScriptedLeg:
    role: str
    number: str
    session: ScriptedSession
    state: str = "dialing"               # dialing | alerting | active | ended
    cause: str = ""
    answered_at: float | None = None     # Unix times (EPOCH + virtual)
    ended_at: float | None = None
    language: str | None = None          # set by the box's leg_language

    @property
    def talk_seconds(self) -> float:
        if self.answered_at is None:
            return 0.0
        return max(0.0, (self.ended_at or self.session.wall()) - self.answered_at)


@dataclass
class Joined:
    stop: Callable[[], None]


class ScriptedSession:
    """A CallSession on virtual time; see the module docstring."""

    def __init__(self, number: str, cues: list[Cue] = (), phones: dict[str, Phone] | None = None,
                 no_modem: tuple[str, ...] = (), no_audio: bool = False, db_id: int = 1):
        self.number = number
        self.db_id: int | None = db_id
        self.leg_a: ScriptedLeg | None = None
        self.legs: list[ScriptedLeg] = []
        self.keys: list[str] = []
        self.secret_keys = False
        self.credit_deadline: float | None = None
        self.language: str | None = None
        self.on_leg_state: Callable | None = None
        self.phones = phones or {}
        self.no_modem = no_modem
        self.no_audio = no_audio
        self.said: list[str] = []        # each prompt's words, joined by spaces
        self.dialled: list[str] = []
        self.hung_up: list[str] = []     # legs the box ended itself
        self.beeps: list[float] = []     # virtual times
        self.bridged: list[tuple[str, str]] = []
        self.story: list[str] = []       # everything, stamped: for failure messages
        self._now = 0.0
        self._cues = list(cues)
        self._cue_end = 0.0              # when the last cue scheduled finishes
        self._due: list = []             # heap of (time, order, action)
        self._order = itertools.count()

    # -- the script -------------------------------------------------------------------
    def clock(self) -> float:
        return self._now

    def wall(self) -> float:
        return EPOCH + self._now

    def note(self, line: str) -> None:
        self.story.append(f"{self._now:8.2f} {line}")

    def at(self, when: float, action: Callable[[], object]) -> None:
        heapq.heappush(self._due, (when, next(self._order), action))

    def _cue(self, words: list[str] | None, prompt_end: float) -> None:
        """Schedules the next cues: the first once its prompt is said, the next ones
        that follow the cue before."""
        while self._cues:
            cue = self._cues[0]
            if cue.after is not None and (words is None or cue.after not in words):
                return
            start = (prompt_end if cue.after is not None else self._cue_end) + cue.wait
            self._cues.pop(0)
            if cue.hangup:
                self.at(start, self._user_hangs_up)
                self._cue_end = start
            for index, key in enumerate(cue.keys):
                self.at(start + index * KEY_GAP, lambda key=key: self._key(key))
                self._cue_end = start + index * KEY_GAP
            words = None        # one prompt starts one cue; the rest follow it

    def _key(self, key: str) -> str:
        self.note(f"user presses {key}")
        self.keys.append(key)
        return f"key {key}"

    def _user_hangs_up(self) -> str:
        if self.leg_a is not None and self.leg_a.ended_at is None:
            self.note("user hangs up")
            self._end(self.leg_a, "normal")
        return "user hung up"

    # -- waiting ----------------------------------------------------------------------
    def next_event(self, timeout: float | None) -> object | None:
        if self.credit_deadline is not None:
            left = self.credit_deadline - self._now
            if left <= 0:
                raise CreditExhausted()
            timeout = left if timeout is None else min(timeout, left)
        limit = None if timeout is None else self._now + max(0.0, timeout)
        if self._due and (limit is None or self._due[0][0] <= limit):
            when, _, action = heapq.heappop(self._due)
            self._now = max(self._now, when)
            return action()
        if limit is None or limit > LONGEST:
            raise ScriptEnded("the flow waits with nothing left to happen:\n"
                              + "\n".join(self.story))
        self._now = limit
        return None

    def wait_until(self, deadline: float, done: Callable[[], bool]) -> bool:
        while not done():
            left = deadline - self._now
            if left <= 0:
                return False
            self.next_event(left)
        return True

    def take_keys(self) -> list[str]:
        keys, self.keys = self.keys, []
        return keys

    # -- legs ---------------------------------------------------------------------------
    def dial(self, role: str, number: str, timeout: float,
             ringback: bool = False) -> ScriptedLeg:
        if role in self.no_modem:
            raise NoFreeModem(role)
        leg = ScriptedLeg(role, number, self)
        self.legs.append(leg)
        if role == "callback" and self.leg_a is None:
            self.leg_a = leg
        self.dialled.append(number)
        self.note(f"dial {number} ({role})" + (", user hears ringback" if ringback else ""))
        self._tell(leg, "dialing")
        phone = self.phones.get(number, Phone())
        if phone.busy:
            self.at(self._now + 2.0, lambda: self._end(leg, "busy"))
        else:
            self.at(self._now + 0.5, lambda: self._alerting(leg))
            if phone.answers_after is not None:
                self.at(self._now + phone.answers_after, lambda: self._answer(leg, phone))
        answered = self.wait_until(self._now + timeout, lambda: leg.state in ("active", "ended"))
        if not answered:
            leg.cause = "no answer"
            self.hangup(leg)
        if leg.state != "active":
            raise LegFailed(leg.cause or "failed")
        return leg

    def _alerting(self, leg: ScriptedLeg) -> str:
        if leg.state == "dialing":
            leg.state = "alerting"
            self._tell(leg, "alerting")
        return "alerting"

    def _answer(self, leg: ScriptedLeg, phone: Phone) -> str:
        if leg.ended_at is None:
            self.note(f"{leg.number} answers")
            leg.state, leg.answered_at = "active", self.wall()
            self._tell(leg, "connected")
            if phone.hangs_up_after is not None:
                self.at(self._now + phone.hangs_up_after, lambda: self._end(leg, "normal"))
        return "answered"

    def _end(self, leg: ScriptedLeg, cause: str) -> str:
        if leg.ended_at is not None:
            return "ended already"
        self.note(f"{leg.number} ended: {cause}")
        leg.state, leg.ended_at = "ended", self.wall()
        leg.cause = leg.cause or cause
        answered = leg.answered_at is not None or leg.cause == "normal"
        self._tell(leg, "ended" if answered else leg.cause)
        if leg is self.leg_a:
            raise Hangup()
        return "ended"

    def _tell(self, leg: ScriptedLeg, state: str) -> None:
        if self.on_leg_state is not None:
            self.on_leg_state(leg, state)

    def hangup(self, leg: ScriptedLeg, wait: float = 5.0) -> None:
        if leg.ended_at is not None:
            return
        leg.cause = leg.cause or "normal"
        self.hung_up.append(leg.number)
        self.note(f"box hangs up {leg.number}")
        self._end(leg, leg.cause)

    # -- sound --------------------------------------------------------------------------
    def say(self, pcm: bytes, barge_in: bool = False, clear_keys: bool = False) -> bool:
        if self.leg_a is None or self.leg_a.ended_at is not None:
            return False
        words = pcm.decode().split()
        self.said.append(" ".join(words))
        self.note(f"says: {' '.join(words)}")
        end = self._now + WORD_SECONDS * len(words)
        self._cue(words, end)
        count = len(self.keys)
        cut = self.wait_until(end, lambda: barge_in and len(self.keys) > count)
        if clear_keys and not cut:
            self.take_keys()        # those pressed while it was said; later ones stay
        return cut

    def beep(self, leg: ScriptedLeg) -> None:
        self.beeps.append(self._now)
        self.note(f"beep to {leg.number}")

    def bridge(self, leg_a: ScriptedLeg, leg_b: ScriptedLeg) -> Joined | None:
        if self.no_audio:
            return None
        self.bridged.append((leg_a.number, leg_b.number))
        self.note(f"bridge {leg_a.number} <-> {leg_b.number}")
        return Joined(lambda: self.note(f"bridge {leg_a.number} <-> {leg_b.number} stopped"))

    def prompts(self) -> list[str]:
        """Gives the first word of each prompt said (its name)."""
        return [line.split()[0] for line in self.said]


class Words:
    """The Voice of a scripted box: a prompt is its name, a phrase its words, as text."""

    def money_words(self, minor_units: int) -> Phrase:
        return Phrase(money_text(minor_units, "en", "EUR"))

    def duration_words(self, seconds: int | float) -> Phrase:
        return Phrase(duration_text(seconds, "en"))

    def digit_words(self, number: str) -> list[str]:
        return [DIGITS[int(digit)] for digit in number if digit.isdigit()]

    def say(self, *parts: str | list[str], pause_after: bool = False) -> bytes:
        names: list[str] = []
        for part in parts:
            names.extend([part] if isinstance(part, str) else part)
        return " ".join(names).encode()

    def ready(self, part: str) -> bool:
        return True                 # words as text: nothing to make


@dataclass
class ScriptedAccount:
    id: int
    name: str
    number: str                  # typed on keys before the PIN
    pin: str
    balance: int                 # minor units
    locked: bool = False
    max_sessions: int = 1
    running: int = 0             # other sessions of it running now
    caller_ids: set[str] = field(default_factory=set)
    language: str | None = None


class ScriptedBox:
    """A Box from plain dicts; see the module docstring."""

    def __init__(self, accounts: list[ScriptedAccount] = (), rates: list[Rate] = (),
                 callback: dict | None = None, pin_lock_after: int = 5,
                 leg_a_seconds: int = 120, hold_fails: bool = False,
                 languages: dict | None = None):
        self.config = parse({"gateway": {"state_dir": "/var/lib/callbox", "country": "DE",
                                         "currency": "EUR"},
                             "callback": callback or {}, "languages": languages or {}})
        self.voices = Voices(Words())        # `speech` (FlowContext's) is its default
        self.chosen: dict[str, str] = {}     # number -> language chosen in the menu
        self.accounts = {account.id: account for account in accounts}
        self.rates = {rate.prefix: rate for rate in rates}
        self.pin_lock_after = pin_lock_after
        self.leg_a_seconds = leg_a_seconds
        self.hold_fails = hold_fails     # a reservation refused after the budget allowed it
        self.wrong_pins: dict[str, int] = {}
        self.held: dict[int, int] = {}       # session id -> reserved
        self.attached: dict[int, int] = {}   # session id -> account id
        self.published: list[dict] = []

    def now(self) -> float:
        return EPOCH

    def publish(self, event: dict) -> None:
        self.published.append(event)

    # -- accounts and PINs -------------------------------------------------------------
    def account_by_caller_id(self, number: str) -> ScriptedAccount | None:
        return next((item for item in self.accounts.values() if number in item.caller_ids),
                    None)

    def account_by_number(self, typed: str) -> ScriptedAccount | None:
        return next((item for item in self.accounts.values() if item.number == typed), None)

    def check_pin(self, account: ScriptedAccount | None, pin: str, caller: str,
                  now: float) -> PinCheck:
        if self.wrong_pins.get(caller, 0) >= self.pin_lock_after:
            return PinCheck(ok=False, locked=True, scope="number")
        if account is not None and pin == account.pin:
            return PinCheck(ok=True)
        self.wrong_pins[caller] = self.wrong_pins.get(caller, 0) + 1
        if self.wrong_pins[caller] >= self.pin_lock_after:
            return PinCheck(ok=False, locked=True, scope="number")
        return PinCheck(ok=False)

    def save_caller_id(self, account: ScriptedAccount, number: str, now: float) -> None:
        account.caller_ids.add(number)

    def locked(self, account_id: int) -> bool:
        return self.accounts[account_id].locked

    # -- money and rates ---------------------------------------------------------------
    def rate(self, number: str) -> Rate | None:
        return find_rate(self.rates, number)

    def available(self, account_id: int) -> int:
        held = sum(amount for session_id, amount in self.held.items()
                   if self.attached.get(session_id) == account_id)
        return self.accounts[account_id].balance - held

    def reserved(self, session: CallSession) -> int:
        return self.held.get(session.db_id, 0)

    def attach(self, session: CallSession, account_id: int) -> bool:
        account = self.accounts[account_id]
        if account.running >= account.max_sessions:
            return False
        self.attached[session.db_id] = account_id
        return True

    def hold_leg_a(self, session: CallSession, account_id: int) -> bool:
        rate_a = self.rate(session.leg_a.number)
        talked = session.leg_a.talk_seconds
        budget = self.available(account_id) + self.reserved(session)
        if rate_a is None or rate_a.cost(talked + LEG_A_MINIMUM) > budget:
            return False
        wanted = min(budget, rate_a.cost(talked + self.leg_a_seconds))
        self.held[session.db_id] = max(self.reserved(session), wanted)
        session.credit_deadline = session.clock() + self.leg_a_seconds
        return True

    def hold(self, session: CallSession, account_id: int, rate_a: Rate, rate_b: Rate,
             seconds: int, leg_a_talked: float | None = None) -> None:
        if leg_a_talked is None:
            leg_a_talked = session.leg_a.talk_seconds
        needed = rate_a.cost(leg_a_talked + seconds + LEG_A_AFTER_BRIDGE) + rate_b.cost(seconds)
        more = needed - self.reserved(session)
        if self.hold_fails or more > self.available(account_id):
            raise InsufficientCredit(f"account {account_id} cannot cover {more} more")
        self.held[session.db_id] = max(self.reserved(session), needed)
        session.credit_deadline = session.clock() + seconds + LEG_A_AFTER_BRIDGE + 5.0

    # -- languages: the decision of gateway/money/languages.py, on the dicts above
    def use_language(self, session: CallSession, number: str, account) -> str:
        session.language = self._language(number, account)
        return session.language

    def leg_language(self, leg: ScriptedLeg) -> str:
        leg.language = self._language(leg.number, self.account_by_caller_id(leg.number))
        return leg.language

    def _language(self, number: str, account) -> str:
        by_prefix = next((language for prefix, language in self.config.languages
                          if number.startswith(prefix)), None)
        return (getattr(account, "language", None) or self.chosen.get(number)
                or by_prefix or self.config.callback.language)

    def has_language(self, number: str, account) -> bool:
        return bool(getattr(account, "language", None)) or number in self.chosen

    def menu_languages(self) -> tuple[str, ...]:
        return menu_languages(self.config)

    def language_menu(self, options: tuple[str, ...]) -> bytes:
        return b" ".join(f"menu_option {language} {key}".encode()
                         for key, language in enumerate(options, start=1))

    def choose_language(self, session: CallSession, number: str, language: str) -> None:
        self.chosen[number] = language
        session.language = language

    # the box's own pure rules, borrowed as they are: the prefix lists and the words
    speech = FlowContext.speech
    voice = FlowContext.voice
    destination_allowed = FlowContext.destination_allowed
    digit_words = FlowContext.digit_words
    money_words = FlowContext.money_words
    duration_words = FlowContext.duration_words
    prepare_balance = FlowContext.prepare_balance
    talk_budget = FlowContext.talk_budget
