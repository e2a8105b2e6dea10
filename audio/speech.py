"""Numbers, money and durations as lists of prompt names, and a `Speech` that voices them.

    say_money(1250)        -> ["twelve", "dollars", "and", "fifty", "cents"]
    say_number(1234)       -> ["one", "thousand", "two", "hundred", "thirty", "four"]
    say_duration(754)      -> ["twelve", "minutes"]
    Speech(currency="EUR").money(1250)  -> PCM of "twelve euros and fifty cents"
"""
from __future__ import annotations

import pathlib
from collections.abc import Iterable

from audio.player import PAUSE_S, sequence

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
        "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
LARGEST = 999_999

# (major plural, major singular, minor plural, minor singular) per ISO 4217 code
CURRENCY_WORDS = {
    "USD": ("dollars", "dollar", "cents", "cent"),
    "EUR": ("euros", "euro", "cents", "cent"),
}


def say_number(n: int) -> list[str]:
    """Gives the prompt names that say `n` (-999999..999999), e.g. 215 -> two hundred fifteen."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"say_number needs an int, not {n!r}")
    if abs(n) > LARGEST:
        raise ValueError(f"{n} is beyond what the prompts can say (up to {LARGEST})")
    if n < 0:
        return ["minus"] + say_number(-n)
    if n == 0:
        return ["zero"]
    thousands, rest = divmod(n, 1000)
    words = _below_thousand(thousands) + ["thousand"] if thousands else []
    return words + (_below_thousand(rest) if rest else [])


def _below_thousand(n: int) -> list[str]:
    hundreds, rest = divmod(n, 100)
    words = [ONES[hundreds], "hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(TENS[tens])
        if ones:
            words.append(ONES[ones])
    elif rest:
        words.append(ONES[rest])
    return words


def say_money(minor_units: int, currency_words: tuple[str, str, str, str] = CURRENCY_WORDS["USD"]
              ) -> list[str]:
    """Gives the prompt names that say an amount of minor units (cents).

    1250 -> twelve dollars and fifty cents; 100 -> one dollar; 50 -> fifty cents.
    """
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError(f"money is an int of minor units, not {minor_units!r}")
    majors, major, minors, minor = currency_words
    if minor_units < 0:
        return ["minus"] + say_money(-minor_units, currency_words)
    whole, cents = divmod(minor_units, 100)
    whole_words = say_number(whole) + [major if whole == 1 else majors]
    cent_words = say_number(cents) + [minor if cents == 1 else minors]
    if whole and cents:
        return whole_words + ["and"] + cent_words
    return cent_words if cents else whole_words


def say_duration(seconds: int | float) -> list[str]:
    """Gives the prompt names for a time limit, rounded down: whole minutes, or seconds."""
    seconds = int(seconds)
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {seconds}")
    minutes = seconds // 60
    if minutes:
        return say_number(minutes) + ["minute" if minutes == 1 else "minutes"]
    return say_number(seconds) + ["second" if seconds == 1 else "seconds"]


class Speech:
    """Says numbers, money and durations in one language and currency, as PCM."""

    def __init__(self, lang: str = "en", prompt_dir: pathlib.Path | str | None = None,
                 currency: str | None = None,
                 currency_words: tuple[str, str, str, str] | None = None, pause_s: float = PAUSE_S):
        if currency_words is None:
            code = (currency or "USD").upper()
            if code not in CURRENCY_WORDS:
                raise ValueError(f"no currency words for {code}; have {sorted(CURRENCY_WORDS)}")
            currency_words = CURRENCY_WORDS[code]
        self.lang = lang
        self.prompt_dir = prompt_dir
        self.currency_words = currency_words
        self.pause_s = pause_s

    def sequence(self, names: Iterable[str]) -> bytes:
        """Gives the PCM of prompts `names` with short pauses between them."""
        return sequence(names, self.lang, self.prompt_dir, self.pause_s)

    def say(self, *parts: str | list[str]) -> bytes:
        """Gives the PCM of prompt names and lists of them: say("your_balance_is", say_money(5))."""
        names: list[str] = []
        for part in parts:
            names.extend([part] if isinstance(part, str) else part)
        return self.sequence(names)

    def number(self, n: int) -> bytes:
        return self.sequence(say_number(n))

    def money(self, minor_units: int) -> bytes:
        return self.sequence(say_money(minor_units, self.currency_words))

    def duration(self, seconds: int | float) -> bytes:
        return self.sequence(say_duration(seconds))
