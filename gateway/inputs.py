"""What a person types, read one way everywhere: whole numbers and text that can be stored.

`str.isdigit()` is true for '²' and '٣': `int('²')` then raises and
`int('٣')` quietly gives 3, and `int()` of 30 digits overflows a 64-bit
database column. So a number typed anywhere (a web field, a path, a query,
a command-line argument) is ASCII digits only, at most 18 of them (always
below 2**63), and within the range its caller gives.

A text is storable when it encodes as UTF-8 and carries no NUL: a lone
surrogate (JSON's "\\ud800", or a command-line byte that is not UTF-8, which
Python turns into one) cannot be written to SQLite, and PostgreSQL refuses
NUL in text columns. Nor do we store other control characters (ESC and the
like redraw a terminal that lists the text later); tab and line ends stay.
"""
from __future__ import annotations

import re

ID_MAX = 10 ** 18 - 1            # 18 digits: fits every 64-bit integer column
_DIGITS = re.compile(r"[0-9]{1,18}")
_DECIMAL = re.compile(r"[0-9]{1,9}(\.[0-9]{1,6})?")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def whole_number(text: str | None, low: int = 0, high: int = ID_MAX) -> int | None:
    """Gives the number `text` spells in ASCII digits when it lies in [low, high], else None."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def decimal_number(text: str | None, low: float, high: float) -> float | None:
    """Gives the number `text` spells as ASCII digits with an optional '.' and decimals
    (no sign, exponent, 'nan' or 'inf', which float() takes) when in [low, high], else None."""
    if not isinstance(text, str) or not _DECIMAL.fullmatch(text):
        return None
    number = float(text)
    return number if low <= number <= high else None


def row_id(text: str | None) -> int | None:
    """Gives the row id `text` spells (1 or more, ASCII digits), else None."""
    return whole_number(text, 1)


def page_number(text: str | None, last: int | None = None, most: int = ID_MAX) -> int:
    """Gives the page asked for: 1 when `text` is not a page number up to `most`, `last`
    when beyond it."""
    number = whole_number(text, 1, most) or 1
    return min(number, last) if last is not None else number


def text_problem(text: str) -> str | None:
    """Gives why `text` is not stored (lone surrogates, NUL, control characters other than
    tab and line ends), or None when it is fine."""
    if "\x00" in text:
        return "no NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode text (a lone surrogate or a byte that is not UTF-8)"
    if _CONTROL.search(text):
        return "no control characters"
    return None
