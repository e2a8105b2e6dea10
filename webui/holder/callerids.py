"""Caller IDs an account holder adds on the web, confirmed by a code texted to the number.

Adding a number queues an SMS with a random 6-digit code in the box's
persistent outbox (the `sms-out` thread sends it; the web never touches a
modem). Typing that code within CODE_LIFETIME authorizes the number, so
nobody can authorize a number they do not hold. A code allows MAX_TRIES
wrong guesses, then it is void; an account gets at most CODES_PER_HOUR codes
an hour (each one texts somebody). Codes are stored as salted SHA-256: short
lived and guess-limited, they need no slow hash, but a copy of the database
still shows no code. The authorization itself, and a removal, are actions of
gateway/actions/callerids.py (with the audit record naming the holder).
"""
from __future__ import annotations

from dataclasses import dataclass
import hashlib
import hmac
import logging
import re
import secrets

from gateway.actions import callerids
from gateway.actions.audit import Actor
from gateway.money.ledger import Account, CallerId
from gateway.sms import store as sms_store
from gateway.store.db import db
from gateway.users import CallerIdCode
from modems.numbers import InvalidNumber, to_e164

log = logging.getLogger(__name__)

CODE_LIFETIME = 10 * 60       # seconds a texted code stays good
MAX_TRIES = 5                 # wrong codes before a code is void
CODES_PER_HOUR = 3            # codes one account may have texted within an hour
_CODE = re.compile(r"[0-9]{6}")


class CallerIdError(ValueError):
    """A caller ID request refused; `field` names the form field the message belongs to,
    `status` the HTTP status the API answers with."""

    def __init__(self, field: str, message: str, status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(frozen=True)
class Sent:
    code_id: int
    number: str
    expires_at: float


def _hash(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${hashlib.sha256((salt + code).encode()).hexdigest()}"


def _matches(code: str, stored: str) -> bool:
    salt, _, _ = stored.partition("$")
    return hmac.compare_digest(_hash(code, salt), stored)


def listed(account_id: int) -> list[dict]:
    """Gives the account's authorized caller IDs, oldest first, with when each was added."""
    return [{"number": row.number, "added_at": row.created_at}
            for row in CallerId.select().where(CallerId.account == account_id)
            .order_by(CallerId.id)]


def pending(account_id: int, now: float) -> list[CallerIdCode]:
    """Gives the account's codes that can still be typed, newest first."""
    return list(CallerIdCode.select().where(
        (CallerIdCode.account == account_id) & (CallerIdCode.state == "pending")
        & (CallerIdCode.expires_at > now)).order_by(CallerIdCode.id.desc()))


def _number(text: str, country: str) -> str:
    text = (text or "").strip()
    if not text:
        raise CallerIdError("number", "enter a phone number")
    try:
        return to_e164(text[:40], country)
    except InvalidNumber as error:
        raise CallerIdError("number", f"not a phone number: {error.reason}") from None


def _check_free(account_id: int, number: str) -> None:
    owner = CallerId.get_or_none(CallerId.number == number)
    if owner is None:
        return
    if owner.account_id == account_id:
        raise CallerIdError("number", f"{number} is already authorized for your account", 409)
    # A number is never moved (gateway/actions/callerids.py); a holder is not told which
    # account holds it.
    raise CallerIdError("number", f"{number} is authorized for another account: it must be "
                        "removed there first (ask the admin)", 409)


def request_code(account_id: int, number_text: str, country: str, box: str,
                 now: float) -> Sent:
    """Queues an SMS with a fresh code to the number; gives what the code form needs."""
    number = _number(number_text, country)
    _check_free(account_id, number)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    account = Account.get_by_id(account_id)
    with db.atomic():
        recent = CallerIdCode.select().where((CallerIdCode.account == account_id)
                                             & (CallerIdCode.created_at > now - 3600)).count()
        if recent >= CODES_PER_HOUR:
            raise CallerIdError("number", f"at most {CODES_PER_HOUR} codes an hour: "
                                "try again later", 429)
        row = CallerIdCode.create(account=account_id, number=number, code_hash=_hash(code),
                                  created_at=now, expires_at=now + CODE_LIFETIME)
        sms_store.enqueue(box, number, f"callbox: your code to add this phone to account "
                          f"{account.name} is {code}. It is good for 10 minutes. Did not "
                          "ask for it? Ignore this text.", now, kind="code")
    log.info("account %s: confirmation code queued by SMS to %s", account.name, number)
    return Sent(row.id, number, row.expires_at)


def confirm(account_id: int, code_id: int, code_text: str, now: float, actor: Actor) -> str:
    """Authorizes the number of a right code; gives the number. Raises CallerIdError."""
    code_text = (code_text or "").strip()
    if not _CODE.fullmatch(code_text):
        raise CallerIdError("code", "the code is the 6 digits from the SMS")
    with db.atomic():
        # The problem is raised after the commit: a wrong try must count.
        row = CallerIdCode.get_or_none((CallerIdCode.id == code_id)
                                       & (CallerIdCode.account == account_id))
        problem = _try(row, code_text, now)
        if problem is None:
            _check_free(account_id, row.number)
            row.state = "used"
            try:
                callerids.authorize(actor, account_id, row.number, now,
                                    how="by the code texted to it")
            except callerids.CallerIdTaken:     # taken between the check and now
                _check_free(account_id, row.number)
        if row is not None:
            row.save()
    if problem is not None:
        raise CallerIdError("code", problem)
    log.info("account %d: caller ID %s authorized on the web", account_id, row.number)
    return row.number


def _try(row: CallerIdCode | None, code_text: str, now: float) -> str | None:
    """Gives why the code is refused (counting a wrong one on the row), or None."""
    if row is None or row.state != "pending":
        return "this code is no longer good: ask for a new one"
    if row.expires_at <= now:
        row.state = "void"
        return "this code has expired (10 minutes): ask for a new one"
    if _matches(code_text, row.code_hash):
        return None
    row.tries += 1
    log.info("account %d: wrong confirmation code for %s", row.account_id, row.number)
    left = MAX_TRIES - row.tries
    if left <= 0:
        row.state = "void"
        return "too many wrong codes: this one is void, ask for a new one"
    return f"wrong code: {left} more {'try' if left == 1 else 'tries'}"


def remove(account_id: int, number: str, now: float, actor: Actor) -> bool:
    """Removes one of the account's caller IDs; False if it was not theirs."""
    try:
        callerids.remove(actor, account_id, number, now)
    except callerids.NotAuthorized:
        return False
    log.info("account %d: caller ID %s removed on the web", account_id, number)
    return True
