"""What a person types, read one way everywhere: whole numbers and text that can be stored.

`str.isdigit()` is true for '²' and '٣': `int('²')` then raises and
`int('٣')` quietly gives 3, and `int()` of 30 digits overflows a 64-bit
database column. So a number typed anywhere (a web field, a path, a query,
a command-line argument) is ASCII digits only, at most 18 of them (always
below 2**63), and within the range its caller gives.

A text is storable when it encodes as UTF-8 and carries no NUL: a lone
surrogate (JSON's "\\ud800", or a command-line byte that is not UTF-8, which
Python turns into one) cannot be written to SQLite, and PostgreSQL refuses
NUL in text columns.
"""
from __future__ import annotations

import re

ID_MAX = 10 ** 18 - 1            # 18 digits: fits every 64-bit integer column
_DIGITS = re.compile(r"[0-9]{1,18}")


def whole_number(text: str | None, low: int = 0, high: int = ID_MAX) -> int | None:
    """Gives the number `text` spells in ASCII digits when it lies in [low, high], else None."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def row_id(text: str | None) -> int | None:
    """Gives the row id `text` spells (1 or more, ASCII digits), else None."""
    return whole_number(text, 1)


def page_number(text: str | None, last: int | None = None) -> int:
    """Gives the page asked for: 1 when `text` is not a page number, `last` when beyond it."""
    number = whole_number(text, 1) or 1
    return min(number, last) if last is not None else number


def text_problem(text: str) -> str | None:
    """Gives why `text` cannot be stored (lone surrogates, NUL), or None when it can."""
    if "\x00" in text:
        return "no NUL characters"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode text (a lone surrogate or a byte that is not UTF-8)"
    return None
