"""SIM credit: the amount found in the network's answer to `balance_ussd`, its history,
and the `sim-low-balance` alert.

The asking is the `sim-care` worker's (gateway/care/simcare.py); this module
turns an answer (or the reason there was none) into a `sim_balance` row and
raises or recovers the alert: below `low_balance` raises it once (a repeat is
only counted, gateway/store/alerts.py), a later check at or above it
recovers it. A check without an amount (the regular expression found none,
the network did not answer) changes no alert: it says nothing of the credit.
"""
from __future__ import annotations

import logging
import re

from gateway.config.sims import SimConfig
from gateway.money.billing import MINOR_DIGITS, format_money
from gateway.store import alerts
from gateway.store.alerts import RAISED
from gateway.store.db import db
from gateway.store.prepared import Param, Prepared
from gateway.care.alert_kinds import GIVEN_ADVICE
from gateway.care.models import SimBalance

log = logging.getLogger(__name__)

LOW_BALANCE = "sim-low-balance"
LARGEST_AMOUNT = 10 ** 12       # minor units; more is a misread answer (a phone number)
# the first number in what the expression found: digits with . , ' or space inside
_NUMBER = re.compile(r"(-?)\s*(\d(?:[\d.,' ]*\d)?)")


def find_amount(answer: str, pattern: str) -> int:
    """Gives the amount in minor units that `pattern` finds in the answer: its first group,
    or the whole match when it has none. A comma or a dot before the last one or two
    digits is the decimal sign; other separators group thousands ("1.234,50").
    ValueError says why there is none."""
    match = re.search(pattern, answer)
    if match is None:
        raise ValueError(f"balance_regex {pattern!r} finds nothing in the answer")
    found = match.group(1) if match.re.groups and match.group(1) is not None else match.group(0)
    number = _NUMBER.search(found)
    if number is None:
        raise ValueError(f"balance_regex found {found[:40]!r}, which holds no number")
    digits = number[2]
    decimals = re.search(r"[.,](\d{1,2})$", digits)
    whole, part = (digits[:decimals.start()], decimals[1]) if decimals else (digits, "")
    whole = re.sub(r"[.,' ]", "", whole)
    amount = int(whole) * 10 ** MINOR_DIGITS + int(part.ljust(MINOR_DIGITS, "0") or 0)
    if amount > LARGEST_AMOUNT:
        raise ValueError(f"{digits!r} is too large to be the credit")
    return -amount if number[1] else amount


def record(box: str, modem: str, iccid: str, sim: SimConfig, answer: str | None,
           error: str, now: float, currency: str) -> SimBalance:
    """Records one check (the network's `answer`, or `error` when it gave none) and raises
    or recovers the low-balance alert; gives the row."""
    amount = None
    if answer is not None:
        try:
            amount = find_amount(answer, sim.balance_regex)
        except ValueError as reason:
            error = str(reason)
    with db.atomic():
        row = SimBalance.create(box=box, iccid=iccid, modem=modem, at=now, amount_minor=amount,
                                answer=(answer or "")[:1000], error=error[:500])
        if amount is not None:
            _judge(box, modem, iccid, sim, amount, now, currency)
    if amount is None:
        log.warning("%s: the credit of SIM %s is unknown: %s%s", modem, iccid, error,
                    f" (answer: {answer!r})" if answer else "")
    else:
        log.info("%s: SIM %s has %s credit", modem, iccid, format_money(amount, currency))
    return row


def _judge(box: str, modem: str, iccid: str, sim: SimConfig, amount: int, now: float,
           currency: str) -> None:
    if not sim.low_balance_minor:
        return
    money = format_money(amount, currency)
    limit = format_money(sim.low_balance_minor, currency)
    if amount < sim.low_balance_minor:
        alerts.raise_alert(box, LOW_BALANCE, iccid, now,
                           RAISED["credit low"].format(iccid=iccid, modem=modem, credit=money,
                                                       low=limit),
                           advice=GIVEN_ADVICE[LOW_BALANCE].format(iccid=iccid, modem=modem),
                           modem=modem)
    else:
        alerts.recover(box, LOW_BALANCE, iccid, now,
                       RAISED["credit back"].format(iccid=iccid, modem=modem, credit=money,
                                                    low=limit))


def last_check(iccid: str) -> SimBalance | None:
    """Gives the newest check of a SIM, with or without an amount."""
    return SimBalance.select().where(SimBalance.iccid == iccid).order_by(
        SimBalance.at.desc(), SimBalance.id.desc()).first()


def latest_amounts(iccids) -> dict[str, SimBalance]:
    """Gives each SIM's newest check that found an amount, by ICCID."""
    wanted = [iccid for iccid in iccids if iccid]
    newest: dict[str, SimBalance] = {}
    if not wanted:
        return newest
    for iccid in dict.fromkeys(wanted):     # each SIM's newest row by the (iccid, at) index,
        row = _NEWEST_AMOUNT.first(iccid=iccid)   # not its whole history (hourly, for years)
        if row is not None:
            newest[iccid] = row
    return newest


_NEWEST_AMOUNT = Prepared(lambda: SimBalance.select().where(
    (SimBalance.iccid == Param("iccid")) & SimBalance.amount_minor.is_null(False))
    .order_by(SimBalance.at.desc(), SimBalance.id.desc()).limit(1))


def history(iccid: str | None = None, modem: str | None = None,
            limit: int = 50) -> list[SimBalance]:
    """Gives the newest checks first, of one SIM or of the SIMs seen in one modem."""
    query = SimBalance.select()
    if iccid is not None:
        query = query.where(SimBalance.iccid == iccid)
    if modem is not None:
        query = query.where(SimBalance.modem == modem)
    return list(query.order_by(SimBalance.at.desc(), SimBalance.id.desc()).limit(limit))
