"""The seams of a call flow: what a flow may ask of the box, of its session, of a leg.

A flow (callback.py, connect_two.py) is straight-line code that touches the
world only through two objects: the `Box` (money, rates, accounts and PINs,
words, live state, configuration; gateway/calls/flows/context.py is the real
one) and its `CallSession` (dial, say, keys, waits, bridge, hang up;
gateway/calls/flows/session.py is the real one). Tests put scripted stand-ins
of the same shape here (tests/flowscript.py), so every branch of a flow runs
in milliseconds on virtual time; the end-to-end tests run the real ones.

Threads: a flow and everything it calls on both objects run on the session's
own thread. Waits (`next_event`, `wait_until`, `dial`, `hangup`, `say`) may
raise `Hangup` (leg A ended, or the box is stopping) or `CreditExhausted` (leg A
used up what was reserved); the caller of the flow settles the bill.

The Protocols are runtime-checkable so a test can check that the real objects
still have every member a flow uses (tests/test_flows_unit.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

if TYPE_CHECKING:       # types only: the seam itself imports nothing that does I/O
    from gateway.config import Config
    from gateway.money.billing import Rate


class Hangup(Exception):
    """The user (leg A) hung up, or the box is stopping: the flow ends."""


class CreditExhausted(Hangup):
    """Leg A used up what the session reserved: the box ends the session."""


class LegFailed(Exception):
    """A call the box placed did not get answered; `cause` says why, and str() in words
    ("busy", "no answer", ...)."""

    def __init__(self, cause: object):
        super().__init__(getattr(cause, "value", cause))
        self.cause = cause


class NoFreeModem(LegFailed):
    """No modem of the role asked for is free."""

    def __init__(self, role: str):
        super().__init__(f"no free {role} modem")


@runtime_checkable
class CallLeg(Protocol):
    """One call the box placed, as a flow sees it."""

    role: str                      # callback | destination
    number: str                    # E.164
    cause: str                     # why it ended ("" while up)
    answered_at: float | None      # Unix times
    ended_at: float | None
    language: str | None           # what it hears ("tr"); None: the session's language

    @property
    def talk_seconds(self) -> float:
        """Seconds from its answer to its end (or to now)."""


@runtime_checkable
class Joined(Protocol):
    """Two legs hearing each other, until `stop()`."""

    def stop(self) -> None: ...


@runtime_checkable
class CallSession(Protocol):
    """What a flow may ask of its session: legs, prompts, keys, waits, bridge."""

    number: str                    # who the session is for (leg A's number)
    db_id: int | None              # the session's row: the one session id
    leg_a: CallLeg | None          # the user's leg, once dialled
    legs: list                     # every leg dialled, in order (CallLeg)
    keys: list[str]                # keys the user pressed, not yet taken
    secret_keys: bool              # the flow sets it while keys are secret (stored masked)
    credit_deadline: float | None  # on clock(); past it a wait raises CreditExhausted
    language: str | None           # what the user hears ("de"); None: the box's language
    # called as on_leg_state(leg, "dialing" | "alerting" | "connected" | "ended" | cause)
    on_leg_state: Callable[[CallLeg, str], None] | None

    def clock(self) -> float:
        """Gives the session's monotonic time in seconds (deadlines are on it)."""

    def dial(self, role: str, number: str, timeout: float,
             ringback: bool = False) -> CallLeg:
        """Gives the answered leg, or raises LegFailed / NoFreeModem; `ringback`: the
        user hears ringing meanwhile."""

    def hangup(self, leg: CallLeg, wait: float = 5.0) -> None:
        """Ends a leg (the box's own hang up: cause "normal" unless one is set)."""

    def say(self, pcm: bytes, barge_in: bool = False, clear_keys: bool = False) -> bool:
        """Plays a prompt to the user to its end; True if a key cut it short.
        `clear_keys`: keys pressed while it plays are forgotten, not those after its end."""

    def beep(self, leg: CallLeg) -> None:
        """Plays the warning beeps to `leg`, over whatever it hears."""

    def bridge(self, leg_a: CallLeg, leg_b: CallLeg) -> Joined | None:
        """Joins two answered legs; None when one has no audio."""

    def next_event(self, timeout: float | None) -> object | None:
        """Handles the next event (None after `timeout` seconds)."""

    def wait_until(self, deadline: float, done: Callable[[], bool]) -> bool:
        """Handles events until done() (True) or `deadline` on clock() (False)."""

    def take_keys(self) -> list[str]:
        """Gives the keys pressed since the last take, and forgets them."""


@runtime_checkable
class Voice(Protocol):
    """Turns prompt names and phrases into what `CallSession.say` plays (audio.speech)."""

    def say(self, *parts: str | list[str], pause_after: bool = False) -> bytes:
        """Gives the sound of prompt names, lists of them and phrases (and the pause that
        parts have between them after the last: `pause_after`)."""

    def ready(self, part: str) -> bool:
        """Tells whether a part can be said at once (a phrase may still be being made)."""

    def money_words(self, minor_units: int) -> str:
        """Gives the phrase that says an amount (a part for `say`)."""

    def duration_words(self, seconds: int | float) -> str:
        """Gives the phrase that says a time limit (a part for `say`)."""

    def digit_words(self, number: str) -> list[str]:
        """Gives the prompt names that read a number digit by digit."""


@runtime_checkable
class AccountSeen(Protocol):
    """An account as a flow sees it."""

    id: int
    name: str
    locked: bool                   # an admin locked it: no calls at all
    language: str | None           # its callers' language; None: decided by their number


@runtime_checkable
class PinAnswer(Protocol):
    """Whether a PIN opened an account; `locked`: PIN entry is locked (`scope`)."""

    ok: bool
    locked: bool
    scope: str | None


@runtime_checkable
class Box(Protocol):
    """What a flow may ask of the box: configuration, voice, accounts and PINs, money,
    rates, words, live state. Money is in minor units (int)."""

    config: Config
    speech: Voice

    def now(self) -> float:
        """Gives the Unix time (PIN locks and live events are stamped with it)."""

    def publish(self, event: dict) -> None:
        """Tells the live pages one leg's new state (gateway/calls/live.py leg_event)."""

    # -- accounts and PINs -------------------------------------------------------------
    def account_by_caller_id(self, number: str) -> AccountSeen | None:
        """Gives the account a calling number is authorized for."""

    def account_by_number(self, typed: str) -> AccountSeen | None:
        """Gives the account an account number (typed on keys) names."""

    def check_pin(self, account: AccountSeen | None, pin: str, caller: str,
                  now: float) -> PinAnswer:
        """Checks a PIN typed by `caller`, counting a wrong one towards the locks."""

    def save_caller_id(self, account: AccountSeen, number: str, now: float) -> None:
        """Authorizes `number` for the account after a right PIN (never moves it)."""

    def locked(self, account_id: int) -> bool:
        """Gives whether an admin locked the account."""

    # -- money and rates ---------------------------------------------------------------
    def rate(self, number: str) -> Rate | None:
        """Gives the rate of calls to `number`; None: it may not be called."""

    def available(self, account_id: int) -> int:
        """Gives the balance less what running sessions hold."""

    def reserved(self, session: CallSession) -> int:
        """Gives what this session holds."""

    def talk_budget(self, available: int, leg_a: Rate, leg_a_elapsed: float, leg_b: Rate,
                    leg_a_after: float = 0.0) -> int:
        """Gives the longest bridge (s) `available` pays (gateway/money/billing.py)."""

    def attach(self, session: CallSession, account_id: int) -> bool:
        """Ties the session to the account; False over its concurrent sessions."""

    def hold_leg_a(self, session: CallSession, account_id: int) -> bool:
        """Holds leg A's prompt time and sets the credit deadline; False: too poor."""

    def hold(self, session: CallSession, account_id: int, rate_a: Rate, rate_b: Rate,
             seconds: int, leg_a_talked: float | None = None) -> None:
        """Holds what a bridge of `seconds` costs, moving the credit deadline; raises
        gateway.money.ledger.InsufficientCredit."""

    def destination_allowed(self, number: str) -> bool:
        """Gives whether the prefix lists let `number` be dialled."""

    # -- languages (gateway/money/languages.py decides) ---------------------------------
    def voice(self, session: CallSession) -> Voice:
        """Gives the voice in the session's language."""

    def use_language(self, session: CallSession, number: str, account: AccountSeen | None
                     ) -> str:
        """Decides and sets the session's language (the account may be None: not known
        yet); gives it."""

    def leg_language(self, leg: CallLeg) -> str:
        """Decides and sets the language of a leg that is not the user's (B of a connect
        two: by its own number); gives it."""

    def has_language(self, number: str, account: AccountSeen | None) -> bool:
        """Gives whether the caller has a language of their own (account's, or chosen)."""

    def menu_languages(self) -> tuple[str, ...]:
        """Gives the language menu's options, key 1 first."""

    def language_menu(self, options: tuple[str, ...]) -> bytes:
        """Gives the sound of the menu, each option in its own language."""

    def choose_language(self, session: CallSession, number: str, language: str) -> None:
        """Keeps the caller's choice and sets the session's language."""

    # -- words in the session's language ------------------------------------------------
    def digit_words(self, number: str, session: CallSession | None = None) -> list[str]: ...

    def money_words(self, minor: int, session: CallSession | None = None) -> list[str]: ...

    def prepare_balance(self, account_id: int, session: CallSession | None = None) -> None:
        """Starts making the words of the account's balance, about to be said."""

    def duration_words(self, seconds: int, session: CallSession | None = None
                       ) -> list[str]: ...
