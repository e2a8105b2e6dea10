"""Rates: a rate table imported all or nothing, and the reads the doors share.

An import is one transaction with its audit record: a text with any bad line
stores nothing and BadRateLines lists every bad line with its number; a good
text is written at once, so a running box never sees half a table. `replace`
deletes every rate the text does not have; without it the text adds and
updates. The CSV's form is gateway/money/billing.py `parse_rates_csv`; the
`callbox rates import` command, the admin rates page and POST /api/admin/rates
all come here, so they accept and refuse the same files.
"""
from __future__ import annotations

from gateway.actions.audit import ActionError, Actor, record
from gateway.inputs import whole_number
from gateway.money.billing import MINOR_DIGITS, RateError, parse_rates_csv
from gateway.money.ledger import RateRecord, store_rates
from gateway.store.db import db


class BadRateLines(ActionError):
    """A rate file with mistakes: `lines` holds (line number, what is wrong) of each,
    `problems` the same as text; nothing was stored."""

    def __init__(self, lines: list[tuple[int, str]]):
        super().__init__(f"{len(lines)} bad line(s): nothing was stored", "csv")
        self.lines = lines
        self.problems = [f"line {number}: {why}" for number, why in lines]


class NoRates(ActionError):
    """A rate file without a single rate (empty, or only comments and a header)."""

    def __init__(self):
        super().__init__("the file has no rates: nothing was stored", "csv")


def import_rates(actor: Actor, text: str, replace: bool, now: float) -> tuple[int, int]:
    """Stores the rates of a CSV text, all or nothing; gives (rates stored, previous rates
    removed: only with `replace`)."""
    try:
        rates = parse_rates_csv(text, MINOR_DIGITS)
    except RateError as error:
        raise BadRateLines(error.lines) from None
    if not rates:
        raise NoRates()
    with db.atomic():
        removed = store_rates(rates, replace=replace)
        record(actor, "import_rates", None, f"{len(rates)} rates imported"
               + (f", replacing the previous {removed}" if replace else " (added or updated)"),
               now)
    return len(rates), removed


def under_prefix(prefix: str):
    """Gives the rates whose prefix starts with these digits (all for ""), by prefix."""
    query = RateRecord.select().order_by(RateRecord.prefix)
    return query.where(RateRecord.prefix.startswith(prefix)) if prefix else query


def search(text: str):
    """Gives the rates whose prefix starts with the digits searched ("+49 17" too), or
    whose description contains the text, by prefix (a query: page it)."""
    digits = text.lstrip("+").replace(" ", "")
    if whole_number(digits) is not None:
        return under_prefix(digits)
    query = RateRecord.select().order_by(RateRecord.prefix)
    return query.where(RateRecord.description.contains(text)) if text else query
