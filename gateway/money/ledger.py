"""Accounts, caller IDs, rates, call records and the money moving between them.

Every change of a balance is one atomic statement or one transaction:
- a reservation is a conditional update (`balance - reserved >= amount`), so
  two sessions on one account (on one box or several sharing a database) can
  never promise more than the balance;
- settling a session releases its reservation, debits the actual cost and
  writes the call records in one transaction.
Money is integer minor units; numbers are E.164.
"""
from __future__ import annotations

import logging
import time

from peewee import (AutoField, BigIntegerField, BooleanField, CharField, FloatField,
                    ForeignKeyField, IntegerField, TextField, fn)

from gateway.money.billing import Rate, find_rate, prefixes_of
from gateway.store.db import BaseModel, db

log = logging.getLogger(__name__)


class InsufficientCredit(Exception):
    """The account cannot cover the amount asked for."""


class Account(BaseModel):
    id = AutoField()
    name = CharField(unique=True)
    # What a caller types before the PIN: 8 random digits and a check digit
    # (gateway/money/accounts.py); accounts older than that keep their id as number.
    number = CharField(unique=True, null=True)
    pin_hash = CharField()
    balance = BigIntegerField(default=0)       # minor units
    reserved = BigIntegerField(default=0)      # minor units held by running sessions
    locked = BooleanField(default=False)       # an admin's lock: no calls at all
    pin_locked_until = FloatField(default=0)   # Unix time; PIN entry refused before it
    max_concurrent_sessions = IntegerField(default=1)
    created_at = FloatField(default=time.time)
    language = CharField(null=True)            # "de"; None: by number (money/languages.py)

    class Meta:
        table_name = "account"


class CallerId(BaseModel):
    """A phone number authorized for an account (no PIN asked from it)."""

    id = AutoField()
    account = ForeignKeyField(Account, backref="caller_ids", on_delete="CASCADE")
    number = CharField(unique=True)            # E.164
    created_at = FloatField(default=time.time)

    class Meta:
        table_name = "caller_id"


class RateRecord(BaseModel):
    prefix = CharField(primary_key=True)       # E.164 digits without '+'
    description = CharField(default="")
    price_per_minute = BigIntegerField()       # millicents per minute
    connect_fee = BigIntegerField(default=0)   # minor units
    initial_increment = IntegerField(default=60)
    increment = IntegerField(default=60)

    class Meta:
        table_name = "rate"

    def to_rate(self) -> Rate:
        return Rate(self.prefix, self.description, self.price_per_minute, self.connect_fee,
                    self.initial_increment, self.increment)


class AuthFailure(BaseModel):
    """A wrong account number or PIN typed from a number, kept to lock PIN entry."""

    id = AutoField()
    account = ForeignKeyField(Account, null=True, on_delete="CASCADE")  # None: no such account
    number = CharField(null=True)              # who typed it (E.164, or an SMS sender)
    at = FloatField()

    class Meta:
        table_name = "auth_failure"


class PinLock(BaseModel):
    """A PIN-entry lock: of one calling number, or (scope 'account') of a whole account.

    The rows stay after the lock ends: they are the record an admin reads."""

    id = AutoField()
    scope = CharField()                        # number | account
    number = CharField(null=True)              # the locked number (scope 'number')
    account = ForeignKeyField(Account, null=True, on_delete="CASCADE")
    at = FloatField()
    until = FloatField()
    reason = TextField()

    class Meta:
        table_name = "pin_lock"


class Session(BaseModel):
    """One callback session: its reservation lives here until it is settled."""

    id = AutoField()
    box = CharField()
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    kind = CharField()                         # callback | sms-callback | connect-two
    number = CharField()                       # who the session is for (E.164)
    reserved = BigIntegerField(default=0)      # minor units held now
    state = CharField(default="running")       # running | settled
    started_at = FloatField()
    heartbeat_at = FloatField()
    ended_at = FloatField(null=True)

    class Meta:
        table_name = "session"


class Cdr(BaseModel):
    """One call leg: who, where, when, how long, what it cost, why it ended."""

    id = AutoField()
    box = CharField()
    session = ForeignKeyField(Session, null=True, on_delete="SET NULL")
    account = ForeignKeyField(Account, null=True, on_delete="SET NULL")
    role = CharField()                         # trigger | callback | destination
    direction = CharField()                    # incoming | outgoing
    number = CharField()                       # E.164, or "" when withheld
    modem = CharField()
    iccid = CharField(null=True)
    started_at = FloatField()
    answered_at = FloatField(null=True)
    ended_at = FloatField(null=True)
    billed_seconds = IntegerField(default=0)
    cost = BigIntegerField(default=0)          # minor units
    rate_prefix = CharField(null=True)
    cause = CharField(default="")

    class Meta:
        table_name = "cdr"
        indexes = ((("iccid", "started_at"), False),)


class CallbackRequest(BaseModel):
    """A callback given to a number with no authorized caller ID (for the hourly limit)."""

    id = AutoField()
    number = CharField(index=True)
    at = FloatField()

    class Meta:
        table_name = "callback_request"


class Blocklist(BaseModel):
    """Numbers the box never calls back."""

    number = CharField(primary_key=True)
    note = TextField(default="")

    class Meta:
        table_name = "blocklist"


class Topup(BaseModel):
    """A manual change of a balance: who did it, when, how much."""

    id = AutoField()
    account = ForeignKeyField(Account, on_delete="CASCADE")
    amount = BigIntegerField()                 # minor units
    by = CharField()
    note = TextField(default="")
    at = FloatField()

    class Meta:
        table_name = "topup"


LEDGER_MODELS = (Account, CallerId, RateRecord, AuthFailure, PinLock, Session, Cdr, Topup,
                 CallbackRequest, Blocklist)


# -- money ------------------------------------------------------------------------------

def available(account_id: int) -> int:
    """Gives what the account can still spend: balance minus reservations."""
    account = Account.get_by_id(account_id)
    return account.balance - account.reserved


def reserve(session_id: int, account_id: int, amount: int) -> None:
    """Holds `amount` more for a session, or raises InsufficientCredit."""
    if amount < 0:
        raise ValueError("a reservation is not negative")
    with db.atomic():
        changed = (Account.update(reserved=Account.reserved + amount)
                   .where((Account.id == account_id)
                          & (Account.balance - Account.reserved >= amount))
                   .execute())
        if changed != 1:
            raise InsufficientCredit(f"account {account_id} cannot cover {amount}")
        Session.update(reserved=Session.reserved + amount).where(
            Session.id == session_id).execute()


def release(session_id: int, amount: int) -> None:
    """Gives back part of a session's reservation."""
    with db.atomic():
        session = Session.get_by_id(session_id)
        amount = min(amount, session.reserved)
        if session.account_id is not None:
            Account.update(reserved=Account.reserved - amount).where(
                Account.id == session.account_id).execute()
        Session.update(reserved=Session.reserved - amount).where(
            Session.id == session_id).execute()


# -- rates -------------------------------------------------------------------------------

_RATE_COLUMNS = ("description", "price_per_minute", "connect_fee", "initial_increment",
                 "increment")
ROWS_PER_INSERT = 100    # 6 columns each: well under SQLite's 999 variables


def rate_for(number: str) -> Rate | None:
    """Gives the rate of the longest prefix matching an E.164 number, or None."""
    records = RateRecord.select().where(RateRecord.prefix.in_(prefixes_of(number)))
    return find_rate([record.to_rate() for record in records], number)


def store_rates(rates: list[Rate], replace: bool = False) -> int:
    """Writes rates in one transaction (replacing same prefixes, or with `replace`
    the whole table); gives how many old rates were removed."""
    rows = [{"prefix": rate.prefix, **{column: getattr(rate, column) for column in _RATE_COLUMNS}}
            for rate in rates]
    updated = [getattr(RateRecord, column) for column in _RATE_COLUMNS]
    with db.atomic():
        removed = RateRecord.delete().execute() if replace else 0
        for start in range(0, len(rows), ROWS_PER_INSERT):
            (RateRecord.insert_many(rows[start:start + ROWS_PER_INSERT])
             .on_conflict(conflict_target=[RateRecord.prefix], preserve=updated)
             .execute())
    return removed


def _row_locked(query):
    """Adds FOR UPDATE where the engine has it (PostgreSQL); SQLite's write
    transactions (BEGIN IMMEDIATE) already hold the whole database."""
    return query.for_update() if getattr(db.obj, "for_update", False) else query


def start_session(box: str, account_id: int | None, kind: str, number: str,
                  now: float) -> int:
    """Records a running session; refuses when the account has too many running.

    The count and the insert share one transaction, which SQLite runs under
    its write lock (BEGIN IMMEDIATE) and PostgreSQL under the account's row
    lock, so two boxes cannot both pass the limit."""
    with db.atomic():
        if account_id is not None:
            account = _row_locked(Account.select().where(Account.id == account_id)).get()
            running = Session.select().where((Session.account == account_id)
                                             & (Session.state == "running")).count()
            if running >= account.max_concurrent_sessions:
                raise InsufficientCredit("too many sessions running for this account")
        return Session.create(box=box, account=account_id, kind=kind, number=number,
                              started_at=now, heartbeat_at=now).id


def discard_session(session_id: int) -> bool:
    """Deletes a running session that was refused before it dialled anyone: no legs, no
    reservation. A refused request stores nothing; gives whether the row went."""
    with db.atomic():
        if Cdr.select().where(Cdr.session == session_id).exists():
            return False
        return Session.delete().where((Session.id == session_id)
                                      & (Session.state == "running")
                                      & (Session.reserved == 0)).execute() == 1


def attach_account(session_id: int, account_id: int) -> None:
    """Sets the account of a session started before the caller was known."""
    with db.atomic():
        account = _row_locked(Account.select().where(Account.id == account_id)).get()
        running = Session.select().where((Session.account == account_id)
                                         & (Session.state == "running")
                                         & (Session.id != session_id)).count()
        if running >= account.max_concurrent_sessions:
            raise InsufficientCredit("too many sessions running for this account")
        Session.update(account=account_id).where(Session.id == session_id).execute()


def settle(session_id: int, cdrs: list[dict], now: float) -> int:
    """Ends a session: releases its reservation, debits the legs, writes the CDRs.

    One transaction; gives the amount debited. The debit never takes the
    balance below zero (nor into money other sessions hold): a shortfall, which
    the flow's own limits keep to rounding, is logged and left unbilled. A
    session settled already is left alone (gives 0): a bill replayed from the
    journal after an outage is applied once."""
    with db.atomic():
        session = _row_locked(Session.select().where(Session.id == session_id)).get()
        if session.state == "settled":
            log.info("session %d was settled already; nothing to do", session_id)
            return 0
        total = sum(cdr["cost"] for cdr in cdrs)
        if session.account_id is not None:
            account = _row_locked(Account.select().where(Account.id == session.account_id)).get()
            payable = max(0, account.balance - (account.reserved - session.reserved))
            if total > payable:
                log.warning("session %d cost %d but account %s can pay %d: %d left unbilled",
                            session_id, total, account.name, payable, total - payable)
                total = payable
            Account.update(balance=Account.balance - total,
                           reserved=Account.reserved - session.reserved).where(
                Account.id == session.account_id).execute()
        for cdr in cdrs:
            cdr = dict(cdr)
            cdr_id = cdr.pop("id", None)
            if cdr_id is not None:
                Cdr.update(account=session.account_id, **cdr).where(Cdr.id == cdr_id).execute()
            else:
                Cdr.create(box=session.box, session=session_id, account=session.account_id,
                           **cdr)
        Session.update(reserved=0, state="settled", ended_at=now).where(
            Session.id == session_id).execute()
    return total


def open_leg(session_id: int, leg: dict) -> int:
    """Writes the record of a leg just answered (no end yet), so a crash cannot lose it."""
    session = Session.get_by_id(session_id)
    return Cdr.create(box=session.box, session=session_id, account=session.account_id,
                      **leg).id


def heartbeat(box: str, now: float) -> int:
    """Marks this box's running sessions alive; gives how many there are."""
    return Session.update(heartbeat_at=now).where((Session.box == box)
                                                  & (Session.state == "running")).execute()


def recover(box: str, rate_for, now: float) -> list[str]:
    """Settles the sessions a crash of this box left running; gives what was done, in words.

    Each open leg is closed at the session's last heartbeat and billed up to
    it; reservations are released. Only this box's sessions are touched."""
    done = []
    for session in Session.select().where((Session.box == box) & (Session.state == "running")):
        legs = []
        for cdr in Cdr.select().where((Cdr.session == session.id) & Cdr.ended_at.is_null()):
            end = max(session.heartbeat_at, cdr.answered_at or cdr.started_at)
            seconds = end - cdr.answered_at if cdr.answered_at else 0.0
            rate = rate_for(cdr.number) if cdr.answered_at else None
            legs.append(dict(id=cdr.id, ended_at=end, cause="box restarted",
                             billed_seconds=rate.billed_seconds(seconds) if rate else 0,
                             cost=rate.cost(seconds) if rate else 0,
                             rate_prefix=rate.prefix if rate else None))
        cost = settle(session.id, legs, now)
        done.append(f"session {session.id} for {session.number}: {len(legs)} open leg(s) "
                    f"closed at the last heartbeat, {cost} billed, reservation released")
    return done


def topup(account_id: int, amount: int, by: str, now: float, note: str = "") -> int:
    """Adds money to a balance; gives the new balance. A top-up is above zero (ValueError
    otherwise): money is taken only by `debit`, which says why."""
    if amount <= 0:
        raise ValueError("a top-up adds money: the amount is above 0 (a debit takes money, "
                         "with a reason)")
    with db.atomic():
        Account.update(balance=Account.balance + amount).where(Account.id == account_id).execute()
        Topup.create(account=account_id, amount=amount, by=by, note=note, at=now)
        return Account.get_by_id(account_id).balance


def debit(account_id: int, amount: int, by: str, now: float, reason: str) -> int:
    """Takes money from a balance for a stated reason; gives the new balance.

    One conditional UPDATE, like `reserve`: the balance never goes below zero
    nor into money that running calls hold (InsufficientCredit says what is
    free). Recorded beside the top-ups as a negative amount with the reason."""
    reason = reason.strip()
    if amount <= 0:
        raise ValueError("a debit takes money: the amount is above 0")
    if not reason:
        raise ValueError("a debit says why: give a reason")
    with db.atomic():
        changed = (Account.update(balance=Account.balance - amount)
                   .where((Account.id == account_id)
                          & (Account.balance - Account.reserved >= amount)).execute())
        if changed != 1:
            raise InsufficientCredit("a debit never takes more than the account has free "
                                     "(its balance less what running calls hold)")
        Topup.create(account=account_id, amount=-amount, by=by, note=reason, at=now)
        return Account.get_by_id(account_id).balance


def running_sessions(account_id: int) -> int:
    return Session.select(fn.COUNT(Session.id)).where(
        (Session.account == account_id) & (Session.state == "running")).scalar()
