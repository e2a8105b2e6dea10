"""The blocklist: numbers the box never calls back, blocked and unblocked.

Each change is one transaction with its audit record (no account: a blocked
number may be anyone's). Blocking a blocked number changes nothing and writes
no record, unless it brings a new note; unblocking a number that is not
blocked is refused (NotBlocked). Numbers arrive in E.164: reading a national
number is the caller's job. The refusal policy (gateway/calls/policy.py) reads
the same table.
"""
from __future__ import annotations

import re

from gateway.actions.audit import ActionError, Actor, record
from gateway.money.ledger import Blocklist
from gateway.store.db import db

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


class NotE164(ActionError):
    """A number not in E.164 form."""

    def __init__(self, number: str):
        super().__init__(f"{number!r} is not a number in E.164 form (+ and 2 to 15 digits)",
                         "number")


class NotBlocked(ActionError):
    """The number is not on the blocklist."""

    def __init__(self, number: str):
        super().__init__(f"{number} is not on the blocklist", "number")


def _checked(number: str) -> str:
    if not _E164.fullmatch(number):
        raise NotE164(number)
    return number


def block(actor: Actor, number: str, now: float, note: str | None = None) -> bool:
    """Blocks a number; gives False when it was blocked already (then a `note` given
    replaces the old one)."""
    number = _checked(number)
    with db.atomic():
        entry = Blocklist.get_or_none(Blocklist.number == number)
        if entry is None:
            Blocklist.create(number=number, note=note or "")
            record(actor, "block", None, f"{number} blocked"
                   + (f"; note: {note}" if note else ""), now)
            return True
        if note is not None and note != entry.note:
            Blocklist.update(note=note).where(Blocklist.number == number).execute()
            record(actor, "block", None, f"{number} blocked already; note now: {note}", now)
    return False


def unblock(actor: Actor, number: str, now: float) -> None:
    """Takes a number off the blocklist; NotBlocked when it is not on it."""
    number = _checked(number)
    with db.atomic():
        if Blocklist.delete().where(Blocklist.number == number).execute() == 0:
            raise NotBlocked(number)
        record(actor, "unblock", None, f"{number} unblocked", now)


def blocked() -> list[Blocklist]:
    """Gives the blocked numbers with their notes, by number."""
    return list(Blocklist.select().order_by(Blocklist.number))
