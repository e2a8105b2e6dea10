"""Accounts as callers meet them: account number, caller ID, PIN (hashed), PIN locks, balance.

A caller whose number is not authorized types the account number, then the
PIN: a PIN alone cannot name an account (PINs are short, hashed with a salt,
and may repeat between accounts), and the lock must know whose PIN failed.
An account number is 8 random digits and a Luhn check digit, so numbers
cannot be guessed from one another and a mistyped one names no account;
accounts made before that keep their id as number.

Every PIN typed anywhere (phone keys, SMS `REG`) passes `check_pin`, which
locks in two steps. Five wrong account numbers or PINs from one calling
number in 15 minutes lock PIN entry from that number, for every account, for
15 minutes: a stranger guessing cannot lock the owner out. Twenty-five wrong
PINs for one account within an hour lock that account's PIN entry for an
hour: guessing spread over many numbers stops too. One number alone can
never reach the second lock (its own lock lets through at most 20 an hour).
A locked caller is told so without learning whether the PIN was right. Each
lock is a `pin_lock` row (the admin's record) and a warning in the log.
"""
from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import logging
import re
import secrets

from peewee import IntegrityError, fn

from gateway.money.ledger import Account, AuthFailure, CallerId, PinLock, Topup
from gateway.store.alerts import PIN_LOCK_SUBJECTS, RAISED, raise_alert
from gateway.store.db import db
from gateway.store.prepared import Param, Prepared

log = logging.getLogger(__name__)

OPENING_BALANCE_NOTE = "opening balance"   # the note of an account's first top-up
PIN_FAILURES_ALLOWED = 5      # wrong tries from one calling number ...
PIN_WINDOW = 15 * 60          # ... within these seconds ...
PIN_LOCK = 15 * 60            # ... lock PIN entry from that number this long
ACCOUNT_FAILURES_ALLOWED = 25  # wrong PINs for one account from any numbers ...
ACCOUNT_WINDOW = 60 * 60       # ... within these seconds ...
ACCOUNT_LOCK = 60 * 60         # ... lock the account's PIN entry this long
LOCKS_KEPT = 90 * 24 * 3600    # seconds the record of a lock is kept
WITHHELD = "withheld"          # the calling number of a PIN typed with no number known
NUMBER_DIGITS = 9              # an account number: 8 random digits and a check digit
NUMBER_TRIES = 10              # random numbers tried before giving up on a clash
_PIN = re.compile(r"[0-9]{4,8}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
# the account of a caller ID: looked up for every call and SMS, prepared
_BY_CALLER_ID = Prepared(lambda: Account.select().join(CallerId)
                         .where(CallerId.number == Param("number")).limit(1))
# Checked against when the account typed does not exist, so that a wrong account
# number takes as long to refuse as a wrong PIN.
_NO_ACCOUNT_HASH = "scrypt$" + "00" * 16 + "$" + "00" * 32


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


class CallerIdTaken(AccountError):
    """A number authorized for another account (`owner`), which is never moved silently."""

    def __init__(self, number: str, owner: Account):
        super().__init__(f"{number} is authorized for account {owner.name}")
        self.number = number
        self.owner = owner


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    locked: bool = False
    scope: str | None = None       # when locked: "number" (this caller) or "account"


def hash_pin(pin: str) -> str:
    """Gives 'scrypt$salt$hash' for a PIN of 4 to 8 digits."""
    check_pin_format(pin)
    salt = secrets.token_hex(16)
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), dklen=32, **_SCRYPT)
    return f"scrypt${salt}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, salt, expected = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt" or not _PIN.fullmatch(pin or ""):
        return False
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest.hex(), expected)


def check_pin_format(pin: str) -> str:
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise AccountError("a PIN is 4 to 8 digits")
    return pin


def create(name: str, pin: str, balance: int, now: float, by: str = "admin") -> Account:
    """Creates an account with a new account number, a PIN and an opening balance
    (recorded as a top-up)."""
    if not _NAME.fullmatch(name or ""):
        raise AccountError("an account name is 1 to 64 letters, digits, _ . @ -, "
                           "starting with a letter or digit")
    if balance < 0:
        raise AccountError("an opening balance is not negative")
    pin_hash = hash_pin(pin)
    with db.atomic():
        account = _insert_account(name, pin_hash, balance, now)
        if balance:
            Topup.create(account=account, amount=balance, by=by, note=OPENING_BALANCE_NOTE, at=now)
    return account


def _insert_account(name: str, pin_hash: str, balance: int, now: float) -> Account:
    """Gives the new account row; a clash of random numbers is retried with another."""
    for _ in range(NUMBER_TRIES):
        try:
            with db.atomic():      # a savepoint: PostgreSQL's transaction survives the clash
                return Account.create(name=name, number=new_account_number(),
                                      pin_hash=pin_hash, balance=balance, created_at=now)
        except IntegrityError:
            if Account.select().where(Account.name == name).exists():
                raise AccountError(f"an account named {name!r} exists already") from None
    raise AccountError("no free account number was found: try again")


def new_account_number() -> str:
    """Gives a random account number: 8 digits (the first not 0) and a Luhn check digit."""
    body = str(10 ** 7 + secrets.randbelow(9 * 10 ** 7))
    return body + check_digit(body)


def check_digit(digits: str) -> str:
    """Gives the Luhn check digit for a string of digits (it catches any one mistyped
    digit and most swapped neighbours)."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


def _number_can_exist(text: str) -> bool:
    """Gives whether `text` has the form of an account number (new with a right check
    digit, or an old one: an id)."""
    if not (text.isascii() and text.isdigit()):
        return False
    if len(text) == NUMBER_DIGITS:
        return check_digit(text[:-1]) == text[-1]
    return len(text) < NUMBER_DIGITS and not text.startswith("0")


def by_name(name: str) -> Account:
    account = Account.get_or_none(Account.name == name)
    if account is None:
        raise AccountError(f"no account named {name!r}")
    return account


def by_caller_id(number: str | None) -> Account | None:
    """Gives the account a caller ID is authorized for, or None."""
    if not number:
        return None
    return _BY_CALLER_ID.first(number=number)


def authorize_caller_id(account_id: int, number: str, now: float) -> bool:
    """Authorizes an E.164 number for an account; gives False when it was authorized for
    it already. A number is never moved from another account (CallerIdTaken): it is
    removed there first (gateway/actions/callerids.py says who may)."""
    with db.atomic():
        holder = CallerId.get_or_none(CallerId.number == number)
        if holder is not None and holder.account_id == account_id:
            return False
        if holder is not None:
            raise CallerIdTaken(number, holder.account)
        try:
            with db.atomic():      # a savepoint: PostgreSQL's transaction survives a clash
                CallerId.create(account=account_id, number=number, created_at=now)
        except IntegrityError:     # another transaction took it between our read and insert
            holder = CallerId.get_or_none(CallerId.number == number)
            if holder is None or holder.account_id == account_id:
                raise
            raise CallerIdTaken(number, holder.account) from None
    return True


def remove_caller_id(account_id: int, number: str) -> bool:
    """Removes a number from the account; gives False if it was not the account's."""
    return CallerId.delete().where((CallerId.account == account_id)
                                   & (CallerId.number == number)).execute() > 0


def set_pin(account_id: int, pin: str) -> None:
    """Sets a new PIN and ends the account's PIN-entry lock: the guesses were of the old
    PIN. Locks of calling numbers stay: they hold back whoever guessed, whatever the PIN
    is now."""
    Account.update(pin_hash=hash_pin(pin), pin_locked_until=0).where(
        Account.id == account_id).execute()


def check_pin(account: Account | None, pin: str, number: str | None, now: float,
              box: str = "") -> PinCheck:
    """Gives whether `pin` opens `account` for a caller at `number`, counting a wrong
    one towards the locks. `account` None: the number typed names no account, which
    counts as a wrong try from `number` too (else account numbers could be probed).
    `box`: where the PIN was typed; a lock it sets off is alerted to that box's owner."""
    caller = number or WITHHELD
    if number_locked(caller, now):
        return PinCheck(ok=False, locked=True, scope="number")
    if account is not None:
        account = Account.get_by_id(account.id)
        if account.pin_locked_until > now:
            return PinCheck(ok=False, locked=True, scope="account")
        if pin_matches(pin, account.pin_hash):
            return PinCheck(ok=True)
    else:
        pin_matches("0000", _NO_ACCOUNT_HASH)
    locks = _count_failure(account, caller, now)
    for lock in locks:
        report_pin_lock(lock, account, box)
    if locks:
        # When both locks went off, the account-wide one (listed last) is what the caller meets.
        return PinCheck(ok=False, locked=True, scope=locks[-1].scope)
    return PinCheck(ok=False)


def _count_failure(account: Account | None, caller: str, now: float) -> list[PinLock]:
    """Records a wrong try; gives the locks it set off (none, or the number's and/or
    the account's)."""
    locks = []
    with db.atomic():
        AuthFailure.delete().where(AuthFailure.at <= now - max(PIN_WINDOW, ACCOUNT_WINDOW)
                                   ).execute()
        AuthFailure.create(account=account.id if account else None, number=caller, at=now)
        since = _since((PinLock.scope == "number") & (PinLock.number == caller),
                       now - PIN_WINDOW)
        tries = AuthFailure.select().where((AuthFailure.number == caller)
                                           & (AuthFailure.at > since)).count()
        if tries >= PIN_FAILURES_ALLOWED:
            locks.append(PinLock.create(
                scope="number", number=caller, account=account.id if account else None,
                at=now, until=now + PIN_LOCK,
                reason=RAISED["caller tries"].format(tries=tries, caller=caller,
                                                     window=PIN_WINDOW // 60)))
        if account is not None:
            lock = _account_lock(account, now)
            if lock is not None:
                locks.append(lock)
        if locks:
            PinLock.delete().where(PinLock.until < now - LOCKS_KEPT).execute()
    return locks


def _account_lock(account: Account, now: float) -> PinLock | None:
    """Gives the account-wide lock when the account's wrong PINs reached the limit."""
    since = _since((PinLock.account == account.id) & (PinLock.scope == "account"),
                   now - ACCOUNT_WINDOW)
    recent = AuthFailure.select().where((AuthFailure.account == account.id)
                                        & (AuthFailure.at > since))
    tries = recent.count()
    if tries < ACCOUNT_FAILURES_ALLOWED:
        return None
    callers = recent.select(fn.COUNT(AuthFailure.number.distinct())).scalar()
    Account.update(pin_locked_until=now + ACCOUNT_LOCK).where(Account.id == account.id).execute()
    return PinLock.create(scope="account", account=account.id, at=now, until=now + ACCOUNT_LOCK,
                          reason=RAISED["account tries"].format(
                              tries=tries, callers=callers, window=ACCOUNT_WINDOW // 60))


def _since(lock_filter, window_start: float) -> float:
    """Gives when counting starts: the window's start, or the last such lock if later
    (the tries that set off a lock never count towards the next one)."""
    last = PinLock.select(fn.MAX(PinLock.at)).where(lock_filter).scalar()
    return max(window_start, last) if last is not None else window_start


def report_pin_lock(lock: PinLock, account: Account | None, box: str = "") -> None:
    """Tells the admin that PIN entry was locked, in plain words: in the log, and with a
    `box` as a notice "pin-lockouts" of the account (or of the calling number when it
    named no account) to that box's owner (gateway/store/alerts.py; repeats within an
    hour are counted, not sent). The `pin_lock` row is the lasting record."""
    minutes = round((lock.until - lock.at) / 60)
    if lock.scope == "account":
        text = RAISED["account locked"].format(name=account.name, minutes=minutes,
                                               why=lock.reason)
    else:
        text = RAISED["caller locked tried" if account is not None else "caller locked"].format(
            number=lock.number, minutes=minutes, why=lock.reason,
            name=account.name if account is not None else "")
    log.warning("%s", text)
    if box:
        subject = (PIN_LOCK_SUBJECTS["account"].format(name=account.name) if account is not None
                   else PIN_LOCK_SUBJECTS["caller"].format(number=lock.number))
        raise_alert(box, "pin-lockouts", subject, lock.at, text, notice=True)


def pin_locked(account: Account, now: float) -> bool:
    """Gives whether the account's PIN entry is locked (the account-wide lock)."""
    return Account.get_by_id(account.id).pin_locked_until > now


def number_locked(number: str, now: float) -> bool:
    """Gives whether PIN entry from this calling number is locked."""
    return PinLock.select().where((PinLock.scope == "number") & (PinLock.number == number)
                                  & (PinLock.until > now)).exists()


def pin_locks_of(account_id: int, limit: int = 10) -> list[PinLock]:
    """Gives the newest PIN-entry locks set off by tries on this account (of the account
    itself, or of a number that last tried it)."""
    return list(PinLock.select().where(PinLock.account == account_id)
                .order_by(PinLock.at.desc(), PinLock.id.desc()).limit(limit))


def by_number_or_name(text: str) -> Account | None:
    """Gives the account with this account number (typed on phone keys) or name (SMS)."""
    if _number_can_exist(text):
        account = Account.get_or_none(Account.number == text)
        if account is not None:
            return account
    return Account.get_or_none(Account.name == text)
