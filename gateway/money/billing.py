"""Rates and what a call costs: integer money, longest-prefix match, increments.

Money is in integer minor units (cents). A price per minute can be finer than
a cent (0.012 EUR/min), so rates keep it in thousandths of a minor unit
("millicents"); a leg's cost is rounded up to a whole minor unit once, at
the end. Billed time is the talk time rounded up to the rate's initial
increment, then up to its increment; an unanswered leg costs nothing.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
import io

from gateway.inputs import whole_number

MILLI = 1000            # millicents per minor unit
MINOR_DIGITS = 2        # decimals of the configured currencies (all have cents)
MAX_PREFIX_DIGITS = 15
# Seconds of leg A a balance must cover for a callback to go on: the refusal
# policy checks it before dialling back, the flow again before the prompts.
LEG_A_MINIMUM = 30


class RateError(ValueError):
    """A rate file with mistakes: every bad line, with its number."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.lines = lines                  # (line number, what is wrong)
        self.problems = [f"line {number}: {error}" for number, error in lines]
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True)
class Rate:
    prefix: str                 # E.164 digits without '+', e.g. "4917"
    description: str
    price_per_minute: int       # millicents per minute
    connect_fee: int            # minor units, charged once the leg is answered
    initial_increment: int      # seconds
    increment: int              # seconds

    def billed_seconds(self, seconds: float) -> int:
        """Gives the seconds billed for `seconds` of talk."""
        talk = int(-(-seconds // 1)) if seconds > 0 else 0     # whole seconds, rounded up
        if talk <= 0:
            return 0
        if talk <= self.initial_increment:
            return self.initial_increment
        extra = talk - self.initial_increment
        return self.initial_increment + -(-extra // self.increment) * self.increment

    def cost(self, seconds: float) -> int:
        """Gives the cost in minor units of a leg answered for `seconds`."""
        billed = self.billed_seconds(seconds)
        if billed == 0:
            return 0
        return self.connect_fee + -(-self.price_per_minute * billed // (60 * MILLI))


def find_rate(rates: list[Rate] | dict[str, Rate], number: str) -> Rate | None:
    """Gives the rate with the longest prefix matching an E.164 number."""
    table = rates if isinstance(rates, dict) else {rate.prefix: rate for rate in rates}
    digits = number.lstrip("+")
    for length in range(min(len(digits), MAX_PREFIX_DIGITS), 0, -1):
        rate = table.get(digits[:length])
        if rate is not None:
            return rate
    return None


def max_duration(available: int, leg_a: Rate, leg_b: Rate) -> int:
    """Gives the longest talk time (s) both legs can have for `available` minor units.

    Rounded down to leg B's billing increment; 0 when even the first
    increment does not fit (a peer let a 0.01 balance make a 15 s call billed
    0.04: not here).
    """
    if available <= 0:
        return 0
    return talk_budget(available, leg_a, 0.0, leg_b)


def _round_down(seconds: int, rate: Rate) -> int:
    if seconds < rate.initial_increment:
        return 0
    extra = seconds - rate.initial_increment
    return rate.initial_increment + extra // rate.increment * rate.increment


# -- the rates CSV -------------------------------------------------------------------------

COLUMNS = ("prefix", "description", "price_per_minute", "connect_fee", "initial_increment",
           "increment")


def parse_rates_csv(text: str, minor_digits: int = 2) -> list[Rate]:
    """Gives the rates of a CSV file, or raises RateError listing every bad line.

    Columns: prefix,description,price_per_minute,connect_fee,initial_increment,increment
    (a header line with these names is optional). Prices are in major units
    (0.05 = 5 cents), with at most 3 more decimals than the currency has.
    """
    rates: dict[str, Rate] = {}
    problems: list[tuple[int, str]] = []
    reader = csv.reader(io.StringIO(text))
    next_start = 1
    for row in _csv_rows(reader):
        # Numbered by the line a row starts on: a quoted cell may span several lines.
        number, next_start = next_start, reader.line_num + 1
        if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() == "prefix":
            continue
        try:
            rate = _parse_row(row, minor_digits)
        except ValueError as error:
            problems.append((number, str(error)))
            continue
        if rate.prefix in rates:
            problems.append((number, f"prefix {rate.prefix} is already rated above"))
            continue
        rates[rate.prefix] = rate
    if problems:
        raise RateError(problems)
    return list(rates.values())


def _csv_rows(reader):
    """Gives the reader's rows; a line the csv module cannot read (a cell over its 128 kB
    field limit, a NUL) is a RateError naming the line."""
    try:
        yield from reader
    except csv.Error as error:
        raise RateError([(reader.line_num, f"not a CSV line: {error}")]) from None


def _parse_row(row: list[str], minor_digits: int) -> Rate:
    if len(row) != len(COLUMNS):
        raise ValueError(f"{len(row)} columns, expected {len(COLUMNS)}: {','.join(COLUMNS)}")
    prefix, description, price, fee, initial, increment = (cell.strip() for cell in row)
    prefix = prefix.lstrip("+")
    if whole_number(prefix) is None or len(prefix) > MAX_PREFIX_DIGITS:
        raise ValueError(f"prefix {prefix!r} is not 1 to {MAX_PREFIX_DIGITS} digits")
    if any(ord(char) < 0x20 for char in description) or len(description) > 100:
        raise ValueError("description has control characters or is over 100 characters")
    price_milli = _money(price, minor_digits + 3, "price_per_minute")
    fee_minor = _money(fee, minor_digits, "connect_fee")
    first = _seconds(initial, "initial_increment")
    step = _seconds(increment, "increment")
    return Rate(prefix, description, price_milli, fee_minor, first, step)


def _money(text: str, digits: int, column: str) -> int:
    try:
        value = Decimal(text) if text.isascii() else None     # Decimal('٣') is 3
    except InvalidOperation:
        value = None
    if value is None:
        raise ValueError(f"{column} {text!r} is not a number")
    if not value.is_finite() or value < 0:
        raise ValueError(f"{column} {text!r} must be zero or more")
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{column} {text!r} has more than {digits} decimals")
    if scaled > 10 ** 12:
        raise ValueError(f"{column} {text!r} is too large")
    return int(scaled)


def _seconds(text: str, column: str) -> int:
    seconds = whole_number(text, 1, 3600)
    if seconds is None:
        raise ValueError(f"{column} {text!r} must be whole seconds from 1 to 3600")
    return seconds


def format_money(minor: int, currency: str, minor_digits: int = 2) -> str:
    """Gives '12.50 EUR' for 1250."""
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10 ** minor_digits)
    return f"{sign}{whole}.{part:0{minor_digits}d} {currency}" if minor_digits else f"{sign}{whole} {currency}"


def format_price(millicents: int, currency: str) -> str:
    """Gives a price per minute with the decimals it needs, at least the currency's."""
    text = format_money(millicents, currency, MINOR_DIGITS + len(str(MILLI)) - 1)
    amount, code = text.split(" ")
    whole, part = amount.split(".")
    return f"{whole}.{part.rstrip('0').ljust(MINOR_DIGITS, '0')} {code}"


def prefixes_of(number: str) -> list[str]:
    """Gives every prefix of an E.164 number's digits, longest first."""
    digits = number.lstrip("+")
    return [digits[:length] for length in range(min(len(digits), MAX_PREFIX_DIGITS), 0, -1)]


def talk_budget(available: int, leg_a: Rate, leg_a_elapsed: float, leg_b: Rate,
                leg_a_after: float = 0.0) -> int:
    """Gives the longest bridge (s) the money allows while leg A already ran.

    Leg A is billed as one leg from its answer to its end: its cost for
    `leg_a_elapsed + t + leg_a_after` seconds plus leg B's for `t` must fit
    `available`. `leg_a_after` keeps money for the prompts after the bridge.
    Rounded down to leg B's increments; 0 when not even its first fits.
    """
    def fits(seconds: int) -> bool:
        return (leg_a.cost(leg_a_elapsed + seconds + leg_a_after) + leg_b.cost(seconds)
                <= available)

    if not fits(leg_b.initial_increment):
        return 0
    low, high = leg_b.initial_increment, 24 * 3600
    if fits(high):
        return _round_down(high, leg_b)
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return _round_down(low, leg_b)
