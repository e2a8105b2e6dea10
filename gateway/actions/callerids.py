"""Caller IDs: the phone numbers whose calls and texts need no PIN, authorized and removed.

One rule from every door (docs/actions.md): a number authorized for one account
is never moved to another. Whoever asks (an admin, the holder's code, SMS `REG`,
the phone's right PIN) is refused while another account holds it; it is free
again once removed there: by whoever holds the phone (SMS `UNREG` from it), by
that account's holder on the web, or by an admin. The phone path does not
refuse the call: the right PIN serves it, the number just stays where it is.

Each change runs in one transaction with its audit record. A wrong PIN is
counted (gateway/money/accounts.py `check_pin`) and the refusal raised after
the transaction, so a guess always counts.
"""
from __future__ import annotations

import logging

from gateway.actions.accounts import account
from gateway.actions.audit import ActionError, Actor, record
from gateway.money import accounts as money_accounts
from gateway.money.ledger import Account, CallerId
from gateway.store.db import db

log = logging.getLogger(__name__)


class CallerIdTaken(ActionError):
    """The number is authorized for another account (`owner`); only admins are told which."""

    def __init__(self, number: str, owner: Account):
        super().__init__(f"{number} is authorized for account {owner.name}: remove it "
                         "there first", "number")
        self.number = number
        self.owner = owner


class NotAuthorized(ActionError):
    """The number is not a caller ID of the account."""

    def __init__(self, number: str):
        super().__init__(f"{number} is not authorized for this account", "number")


class WrongPin(ActionError):
    """The account named does not exist (`account` None) or the PIN is wrong; the caller
    is never told which, the admin's log is."""

    def __init__(self, account: Account | None):
        super().__init__("wrong account or PIN", "pin")
        self.account = account


class PinLocked(ActionError):
    """PIN entry is locked, for this calling number or for the account (`scope`)."""

    def __init__(self, scope: str):
        super().__init__(f"PIN entry is locked ({scope})", "pin")
        self.scope = scope


class AccountLocked(ActionError):
    """The account is locked by an admin: its PIN gives no caller ID (as on the phone)."""

    def __init__(self, account: Account):
        super().__init__(f"account {account.name} is locked", "account")
        self.account = account


def authorize(actor: Actor, account_id: int, number: str, now: float, how: str = "") -> bool:
    """Authorizes an E.164 number for the account; gives False when it was already.
    `how` says for the record how the right to it was shown ("by PIN")."""
    with db.atomic():
        account(account_id)
        try:
            added = money_accounts.authorize_caller_id(account_id, number, now)
        except money_accounts.CallerIdTaken as taken:
            raise CallerIdTaken(number, taken.owner) from None
        if added:
            record(actor, "add_caller_id", account_id,
                   f"{number} authorized" + (f" {how}" if how else ""), now)
    return added


def remove(actor: Actor, account_id: int, number: str, now: float) -> None:
    """Removes one of the account's caller IDs; NotAuthorized if it is not one of them."""
    with db.atomic():
        account(account_id)
        if not money_accounts.remove_caller_id(account_id, number):
            raise NotAuthorized(number)
        record(actor, "remove_caller_id", account_id, f"{number} removed", now)


def unregister(actor: Actor, number: str, now: float) -> Account | None:
    """Removes a number from whichever account holds it (SMS `UNREG` from that phone);
    gives that account, or None when the number was not authorized."""
    with db.atomic():
        holder = CallerId.get_or_none(CallerId.number == number)
        if holder is None:
            return None
        owner = holder.account
        remove(actor, owner.id, number, now)
    return owner


def register_by_pin(actor: Actor, account_text: str, pin: str, number: str,
                    now: float, box: str = "") -> Account:
    """Authorizes `number` for the account named by number or name, after its right PIN
    (SMS `REG`); gives the account. WrongPin, PinLocked, AccountLocked, CallerIdTaken
    say why not."""
    problem: ActionError | None = None
    with db.atomic():
        named = money_accounts.by_number_or_name(account_text)
        # A wrong account counts like a wrong PIN: the same check, the same locks.
        check = money_accounts.check_pin(named, pin, number, now, box)
        if check.locked:
            problem = PinLocked(check.scope)
        elif named is None or not check.ok:
            problem = WrongPin(named)
        elif named.locked:
            problem = AccountLocked(named)       # the phone path saves no number then either
        else:
            try:
                authorize(actor, named.id, number, now, how="by PIN")
            except CallerIdTaken as taken:
                problem = taken
    if problem is not None:
        raise problem
    return named


def save_after_pin(actor: Actor, account_id: int, number: str, now: float) -> bool:
    """Saves the number of a caller who typed the account's right PIN (the phone path),
    so the next call needs none; gives whether it is the account's now. A number another
    account holds stays there: the call goes on, the PIN is asked again next time."""
    try:
        authorize(actor, account_id, number, now, how="after the right PIN")
    except CallerIdTaken as taken:
        log.warning("caller %s typed the right PIN of account %d but the number is "
                    "authorized for account %s: not moved", number, account_id,
                    taken.owner.name)
        return False
    return True
