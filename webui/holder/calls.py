"""What account holders see of their calls: history rows, one call's legs, starting one."""
from __future__ import annotations

import threading
import time

from gateway.calls import policy
from gateway.money.ledger import Account, CallerId, Cdr, Session
from modems.numbers import EmergencyNumber, InvalidNumber, destination_e164

HISTORY_LENGTH = 20
SESSION_START_WAIT = 5.0      # seconds the page waits for the new session's id
LEG_ROLES = {"callback": "a", "destination": "b"}


class CallRefused(Exception):
    """A connect-two that cannot start; the message says why."""


def caller_ids(account_id: int) -> list[str]:
    return [row.number for row in CallerId.select().where(CallerId.account == account_id)
            .order_by(CallerId.id)]


def history(account_id: int, limit: int = HISTORY_LENGTH, offset: int = 0) -> list[dict]:
    """Gives the account's sessions, newest first, each with its legs and their costs."""
    sessions = list(Session.select().where(Session.account == account_id)
                    .order_by(Session.started_at.desc(), Session.id.desc())
                    .limit(limit).offset(offset))
    legs: dict[int, list[Cdr]] = {}
    if sessions:
        for cdr in (Cdr.select().where(Cdr.session.in_([row.id for row in sessions]))
                    .order_by(Cdr.id)):
            legs.setdefault(cdr.session_id, []).append(cdr)
    return [{"session": row, "legs": legs.get(row.id, []),
             "cost": sum(cdr.cost for cdr in legs.get(row.id, []))} for row in sessions]


def history_count(account_id: int) -> int:
    return Session.select().where(Session.account == account_id).count()


def leg_row(cdr: Cdr) -> dict:
    """Gives one leg of the history as the API shows it."""
    return {"role": cdr.role, "leg": LEG_ROLES.get(cdr.role), "number": cdr.number,
            "answered_at": cdr.answered_at, "ended_at": cdr.ended_at,
            "seconds": cdr.billed_seconds, "cost": cdr.cost, "cause": cdr.cause}


def check_numbers(a_text: str, b_text: str, country: str) -> tuple[dict, dict]:
    """Gives (numbers in E.164, problems by field) for the two legs typed on the form."""
    numbers, problems = {}, {}
    for field, text in (("a", a_text), ("b", b_text)):
        text = (text or "").strip()
        if not text:
            problems[field] = "enter a phone number"
            continue
        try:
            numbers[field] = destination_e164(text[:40], country)
        except EmergencyNumber as error:
            problems[field] = error.reason
        except InvalidNumber as error:
            problems[field] = f"not a phone number: {error.reason}"
    if not problems and numbers["a"] == numbers["b"]:
        problems["b"] = "leg B must be another number than leg A"
    return numbers, problems


def start(calls, tracker, account_id: int, a: str, b: str) -> int:
    """Starts a connect-two; gives its session id once the flow is past its checks and
    dialling. CallRefused says why not; a refused request leaves no session behind (the
    policy is asked first; only two requests at the same moment can still be refused by
    the flow itself, which settles its session at once)."""
    if calls is None:
        raise CallRefused("this box has no call service running")
    account = Account.get_by_id(account_id)
    if account.locked:
        raise CallRefused("the account is locked: ask the admin")
    if account.balance - account.reserved <= 0:
        raise CallRefused("the balance is used up: ask the admin for a top-up")
    refusal = policy.connect_refusal(calls.context, account_id, a, b)
    if refusal:
        raise CallRefused(refusal)
    ended = threading.Event()
    session = calls.start_connect(account_id, a, b, notify=lambda outcome: ended.set())
    deadline = time.monotonic() + SESSION_START_WAIT
    waiter = threading.Event()
    # the session thread sets db_id, then the flow dials (on_leg_state) or refuses; none of
    # these has an event to wait on but the end
    while time.monotonic() < deadline and not ended.is_set() \
            and session.outcome.refusal is None and session.on_leg_state is None:
        waiter.wait(0.02)
    if session.outcome.refusal is not None:
        raise CallRefused(session.outcome.refusal)
    if session.db_id is None:
        raise CallRefused("the box did not start the call (is it shutting down?)")
    tracker.started(session.db_id, account_id)
    return session.db_id


def call_state(session_id: int, tracker) -> dict:
    """Gives the state of both legs: from the call records once settled, else live."""
    row = Session.get_by_id(session_id)
    legs = {leg: {"number": None, "state": "waiting", "seconds": 0, "cost": None, "cause": "",
                  "event": 0} for leg in ("a", "b")}
    for leg, event in tracker.legs(session_id).items():
        if leg in legs:
            legs[leg].update(number=event.get("number"), state=event.get("state"),
                             seconds=event.get("seconds", 0), cause=event.get("cause", ""),
                             event=event.get("id", 0))
    # A leg's record is written when it is answered and closed when it ends: only a
    # closed one (or any, once the session is settled) says the leg is over.
    for cdr in Cdr.select().where(Cdr.session == session_id).order_by(Cdr.id):
        leg = LEG_ROLES.get(cdr.role)
        if leg is None or (cdr.ended_at is None and row.state != "settled"):
            continue
        seconds = round(cdr.ended_at - cdr.answered_at) if cdr.answered_at and cdr.ended_at else 0
        legs[leg].update(number=cdr.number, cost=cdr.cost, cause=cdr.cause, seconds=seconds)
        if legs[leg]["state"] in ("waiting", "dialing", "alerting", "connected"):
            legs[leg]["state"] = "ended"
    return {"id": row.id, "state": row.state, "started_at": row.started_at,
            "ended_at": row.ended_at, "legs": legs,
            "cost": sum(leg["cost"] or 0 for leg in legs.values())}
