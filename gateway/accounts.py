"""Accounts as callers meet them: caller ID, PIN (hashed), PIN lock, balance.

PINs are stored as salted scrypt hashes. Five wrong PINs on one account within
15 minutes lock PIN entry for that account for 15 minutes, wherever they were
typed (phone keys or an SMS `REG`); a locked account is told it is locked
without learning whether the PIN was right.

A caller whose number is not authorized types the account number, then the
PIN: a PIN alone cannot name an account (PINs are short, hashed with a salt,
and may repeat between accounts), and the lock must know whose PIN failed.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from peewee import IntegrityError

from gateway.db import db
from gateway.ledger import Account, AuthFailure, CallerId, Topup

PIN_FAILURES_ALLOWED = 5
PIN_WINDOW = 15 * 60          # seconds in which failures count
PIN_LOCK = 15 * 60            # seconds PIN entry stays locked
_PIN = re.compile(r"[0-9]{4,8}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class PinCheck:
    ok: bool
    locked: bool = False


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
    """Creates an account with a PIN and an opening balance (recorded as a top-up)."""
    if not _NAME.fullmatch(name or ""):
        raise AccountError("an account name is 1 to 64 letters, digits, _ . @ -, "
                           "starting with a letter or digit")
    if balance < 0:
        raise AccountError("an opening balance is not negative")
    with db.atomic():
        try:
            account = Account.create(name=name, pin_hash=hash_pin(pin), balance=balance,
                                     created_at=now)
        except IntegrityError:
            raise AccountError(f"an account named {name!r} exists already") from None
        if balance:
            Topup.create(account=account, amount=balance, by=by, note="opening balance", at=now)
    return account


def by_name(name: str) -> Account:
    account = Account.get_or_none(Account.name == name)
    if account is None:
        raise AccountError(f"no account named {name!r}")
    return account


def by_caller_id(number: str | None) -> Account | None:
    """Gives the account a caller ID is authorized for, or None."""
    if not number:
        return None
    entry = CallerId.get_or_none(CallerId.number == number)
    return entry.account if entry is not None else None


def authorize_caller_id(account_id: int, number: str, now: float) -> None:
    """Authorizes an E.164 number for an account (moving it from another one)."""
    with db.atomic():
        CallerId.delete().where(CallerId.number == number).execute()
        CallerId.create(account=account_id, number=number, created_at=now)


def remove_caller_id(account_id: int, number: str) -> bool:
    return CallerId.delete().where((CallerId.account == account_id)
                                   & (CallerId.number == number)).execute() > 0


def set_pin(account_id: int, pin: str) -> None:
    Account.update(pin_hash=hash_pin(pin)).where(Account.id == account_id).execute()


def check_pin(account: Account, pin: str, number: str | None, now: float) -> PinCheck:
    """Checks a PIN against the account, counting failures towards the lock."""
    account = Account.get_by_id(account.id)
    if account.pin_locked_until > now:
        return PinCheck(ok=False, locked=True)
    if pin_matches(pin, account.pin_hash):
        return PinCheck(ok=True)
    with db.atomic():
        AuthFailure.create(account=account.id, number=number, at=now)
        recent = AuthFailure.select().where((AuthFailure.account == account.id)
                                            & (AuthFailure.at > now - PIN_WINDOW)).count()
        if recent >= PIN_FAILURES_ALLOWED:
            Account.update(pin_locked_until=now + PIN_LOCK).where(
                Account.id == account.id).execute()
            AuthFailure.delete().where(AuthFailure.account == account.id).execute()
            return PinCheck(ok=False, locked=True)
    return PinCheck(ok=False)


def pin_locked(account: Account, now: float) -> bool:
    return Account.get_by_id(account.id).pin_locked_until > now


def by_number_or_name(text: str) -> Account | None:
    """Gives the account with this account number (typed on phone keys) or name (SMS)."""
    if text.isdigit():
        account = Account.get_or_none(Account.id == int(text))
        if account is not None:
            return account
    return Account.get_or_none(Account.name == text)
