"""A session's legs as call records (the rows ledger.settle writes)."""
from __future__ import annotations

from typing import Callable

from gateway.store.outage import CONNECTION_ERRORS


def leg_record(leg, rate_of: Callable, iccid_of: Callable[[str], str | None], now: float,
               database_lost: Callable[[Exception], None]) -> dict:
    """Gives the leg's call record; cost None when its rate could not be read (outage:
    the journal prices it when the database is back)."""
    rate, unpriced = leg.rate, False
    if rate is None and leg.answered_at:
        try:
            rate = rate_of(leg.number)
        except CONNECTION_ERRORS as error:
            database_lost(error)
            unpriced = True
    seconds = leg.talk_seconds
    record = {"id": leg.cdr_id} if leg.cdr_id else {}
    return dict(**record, role=leg.role, direction="outgoing", number=leg.number,
                modem=leg.modem, iccid=leg.iccid or iccid_of(leg.modem),
                started_at=leg.started_at, answered_at=leg.answered_at,
                ended_at=leg.ended_at or now,
                billed_seconds=None if unpriced else rate.billed_seconds(seconds) if rate
                else 0,
                cost=None if unpriced else rate.cost(seconds) if rate else 0,
                rate_prefix=rate.prefix if rate else None, cause=leg.cause)
