"""Who gets a callback: the box's refusal policy, in one place.

Asked by the trigger path (a call rang the box) and by SMS commands before a
session starts. A refusal is a sentence for the log; None means call back.
`connect_refusal` is the same question for a connect-two asked on the web,
before anything is stored.
"""
from __future__ import annotations

from gateway.money import accounts, ledger
from gateway.money.billing import LEG_A_MINIMUM
from gateway.money.ledger import Blocklist, CallbackRequest


def refusal(rules, context, number: str, running: bool, now: float) -> str | None:
    """Gives why `number` (E.164) gets no callback, or None; `rules` is the [callback]
    configuration, `running` whether a session for the number runs already. An unknown
    caller who gets a callback is counted (for `unknown_callbacks_per_hour`)."""
    if Blocklist.get_or_none(Blocklist.number == number) is not None:
        return "the number is on the blocklist"
    if running:
        return "a session for this number is running"
    account = accounts.by_caller_id(number)
    if account is not None:
        rate = context.rate(number)
        if account.locked:
            return f"account {account.name} is locked"
        if rate is None:
            return "no rate for calling this number back"
        if context.available(account.id) < rate.cost(LEG_A_MINIMUM):
            return f"the balance of account {account.name} does not cover a callback"
        return None
    if not rules.callback_unknown_callers:
        return "unknown callers get no callback (callback_unknown_callers = false)"
    hour_ago = now - 3600
    given = CallbackRequest.select().where((CallbackRequest.number == number)
                                           & (CallbackRequest.at > hour_ago)).count()
    if given >= rules.unknown_callbacks_per_hour:
        return f"{given} callbacks to this unknown number in the last hour"
    CallbackRequest.create(number=number, at=now)
    return None


def connect_refusal(context, account_id: int, a: str, b: str) -> str | None:
    """Gives why a connect-two of `a` and `b` (E.164) for the account would be refused now,
    or None. The checks of gateway/calls/flows/connect_two.py `run`, made before a session is
    stored; `run` makes them again under the database's locks (two requests at once)."""
    account = ledger.Account.get_by_id(account_id)
    if account.locked:
        return "the account is locked"
    refused = [number for number in (a, b) if not context.destination_allowed(number)]
    if refused:
        return f"{refused[0]} may not be dialled"
    if ledger.running_sessions(account_id) >= account.max_concurrent_sessions:
        return (f"too many calls running for this account (at most "
                f"{account.max_concurrent_sessions} at once): wait until one ends")
    rate_a, rate_b = context.rate(a), context.rate(b)
    if rate_a is None or rate_b is None:
        return f"no rate for {a if rate_a is None else b}"
    seconds = context.talk_budget(context.available(account_id), rate_a, 0.0, rate_b, 30.0)
    if seconds < context.config.callback.min_call_seconds:
        return "not enough credit"
    return None
