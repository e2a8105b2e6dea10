"""Changes to accounts: create, top up, debit, set the PIN, lock and unlock, calls at once,
the language its callers hear.

Each action runs in one transaction with its audit record, and refuses with a
subclass of ActionError whose `field` names the input at fault. They compose
gateway/money: the money math (ledger `topup`, `debit`), PIN hashing and the
PIN locks stay there. Rules every caller gets the same (docs/actions.md):
- a new PIN ends the account's PIN-entry lock, whoever sets it;
- a top-up only adds money, a debit takes it with a reason and never more than
  the account has free (its balance less what running calls hold);
- a lock or unlock that changes nothing writes no record, nor does setting the calls an
  account may have running at once (`max_concurrent_sessions`) to what it is, nor
  setting its language to the one it has.
Amounts arrive as integer minor units: reading "12.50" is the caller's job.
"""
from __future__ import annotations

from gateway.actions.audit import ActionError, Actor, record
from gateway.money import accounts as money_accounts, languages, ledger
from gateway.money.ledger import Account, InsufficientCredit
from gateway.store.db import db

NOTE_LENGTH = 200          # characters of a note or reason kept
MOST_SESSIONS = 100        # calls at once an account may be given ([callback] key's range)


class NoSuchAccount(ActionError):
    """The account asked for does not exist."""

    def __init__(self, what: str):
        super().__init__(f"no account {what}", "account")


class InvalidValue(ActionError):
    """A value of the wrong form (a PIN of letters, a negative amount); `field` names it."""


class NotEnoughFree(ActionError):
    """A debit larger than what the account has free; `free` is that, in minor units."""

    def __init__(self, free: int):
        super().__init__("a debit never takes more than the account has free (its balance "
                         "less what running calls hold)", "amount")
        self.free = free


def major(minor: int) -> str:
    """Gives minor units as major units with two decimals, for an audit record."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def booked_by(actor: Actor) -> str:
    """Gives who a top-up or debit row names: the OS user for `callbox` (as it always
    wrote it), else how and who ("web:root", "api:root")."""
    return actor.name if actor.via == "cli" else str(actor)


def account(account_id: int) -> Account:
    """Gives the account with this id; NoSuchAccount if there is none."""
    found = Account.get_or_none(Account.id == account_id)
    if found is None:
        raise NoSuchAccount(f"with id {account_id}")
    return found


def create_account(actor: Actor, name: str, pin: str, balance: int, now: float,
                   sessions: int = 1) -> Account:
    """Gives a new account with its number, PIN, opening balance (recorded as a top-up) and
    the calls it may have running at once (the caller passes `[callback]
    max_concurrent_sessions` unless told otherwise)."""
    if balance < 0:
        raise InvalidValue("an opening balance is not negative", "balance")
    check_sessions(sessions)
    try:
        money_accounts.check_pin_format(pin)
    except money_accounts.AccountError as error:
        raise InvalidValue(str(error), "pin") from None
    with db.atomic():
        try:
            created = money_accounts.create(name, pin, balance, now, by=booked_by(actor))
        except money_accounts.AccountError as error:
            raise InvalidValue(str(error), "name") from None
        if sessions != created.max_concurrent_sessions:
            Account.update(max_concurrent_sessions=sessions).where(
                Account.id == created.id).execute()
            created.max_concurrent_sessions = sessions
        record(actor, "create_account", created.id, f"account {created.name} created, "
               f"number {created.number}, opening balance {major(balance)}, "
               f"{calls_at_once(sessions)}", now)
    return created


def top_up(actor: Actor, account_id: int, amount: int, now: float, note: str = "") -> int:
    """Adds money to a balance; gives the new balance."""
    if amount <= 0:
        raise InvalidValue("a top-up adds money: the amount is above 0 (a debit takes money, "
                           "with a reason)", "amount")
    note = note.strip()[:NOTE_LENGTH]
    with db.atomic():
        account(account_id)
        balance = ledger.topup(account_id, amount, booked_by(actor), now, note=note)
        record(actor, "topup", account_id, f"added {major(amount)}, balance now "
               f"{major(balance)}" + (f"; note: {note}" if note else ""), now)
    return balance


def debit(actor: Actor, account_id: int, amount: int, reason: str, now: float) -> int:
    """Takes money from a balance for a reason; gives the new balance."""
    reason = reason.strip()[:NOTE_LENGTH]
    if amount <= 0:
        raise InvalidValue("a debit takes money: the amount is above 0", "amount")
    if not reason:
        raise InvalidValue("a debit says why: give a reason", "reason")
    with db.atomic():
        account(account_id)
        try:
            balance = ledger.debit(account_id, amount, booked_by(actor), now, reason)
        except InsufficientCredit:
            raise NotEnoughFree(ledger.available(account_id)) from None
        record(actor, "debit", account_id, f"took {major(amount)}, balance now "
               f"{major(balance)}; reason: {reason}", now)
    return balance


def set_pin(actor: Actor, account_id: int, pin: str, now: float) -> bool:
    """Sets a new PIN and ends the account's PIN-entry lock; gives whether a lock was on."""
    try:
        money_accounts.check_pin_format(pin)
    except money_accounts.AccountError as error:
        raise InvalidValue(str(error), "pin") from None
    with db.atomic():
        was_locked = account(account_id).pin_locked_until > now
        money_accounts.set_pin(account_id, pin)
        record(actor, "set_pin", account_id,
               "PIN changed" + ("; PIN entry unlocked" if was_locked else ""), now)
    return was_locked


def set_locked(actor: Actor, account_id: int, locked: bool, now: float) -> bool:
    """Locks an account (no calls at all) or unlocks it; gives whether that changed it."""
    with db.atomic():
        account(account_id)
        changed = Account.update(locked=locked).where(
            (Account.id == account_id) & (Account.locked != locked)).execute() == 1
        if changed:
            record(actor, "lock" if locked else "unlock", account_id,
                   "account locked: no calls at all" if locked else "account unlocked", now)
    return changed


def calls_at_once(sessions: int) -> str:
    """Gives 'at most N call(s) at once', as records and pages say it."""
    return f"at most {sessions} call{'' if sessions == 1 else 's'} at once"


def check_sessions(sessions: int) -> None:
    """Refuses a number of calls at once outside 1 to MOST_SESSIONS."""
    if isinstance(sessions, bool) or not isinstance(sessions, int) \
            or not 1 <= sessions <= MOST_SESSIONS:
        raise InvalidValue(f"calls at once is a whole number from 1 to {MOST_SESSIONS}",
                           "sessions")


def set_max_sessions(actor: Actor, account_id: int, sessions: int, now: float) -> bool:
    """Sets how many calls the account may have running at once (its
    max_concurrent_sessions); gives whether that changed it. Calls running now go on: the
    new number counts for the next call."""
    check_sessions(sessions)
    with db.atomic():
        before = account(account_id).max_concurrent_sessions
        changed = Account.update(max_concurrent_sessions=sessions).where(
            (Account.id == account_id)
            & (Account.max_concurrent_sessions != sessions)).execute() == 1
        if changed:
            record(actor, "set_sessions", account_id,
                   f"calls at once changed from {before} to {sessions}", now)
    return changed


def set_language(actor: Actor, account_id: int, code: str | None, now: float) -> str | None:
    """Sets the language the account's callers hear (and its SMS replies are written in):
    a code the box has prompts in, any case ("DE"); "-", "default" or None takes the
    account's own language away (the calling number decides again, see
    gateway/money/languages.py). Gives the language set (None: the default); a language
    without prompts is refused with InvalidValue (field "language")."""
    try:
        language = languages.checked(code)
    except languages.LanguageError as error:
        raise InvalidValue(str(error), "language") from None
    with db.atomic():
        before = account(account_id).language
        if before != language:
            Account.update(language=language).where(Account.id == account_id).execute()
            record(actor, "set_language", account_id, f"language changed from "
                   f"{before or 'the default'} to {language or 'the default'}", now)
    return language
