"""What a reply says in the sender's language: money, amounts in words, ages, and
the names of languages.

    amount_text(1234, "EUR", "de")  -> "12,34 €"  (plain spaces: the GSM alphabet's)
    amount_words(1234, "EUR", "de") -> "zwölf Euro und vierunddreißig Cent"
    age_text(7500, "fr")            -> "2 heures"
    language_name("de")             -> "Deutsch"
    reason_text("account ayse is locked", "de") -> "das Konto ayse ist gesperrt"
    connect_summary(outcome, "de", sms, "EUR")
        -> "+4930...: beendet. +9053...: besetzt. Gesprächszeit 0:00, Kosten 0,00 €."

Digits are Babel's (the language's separators and currency sign); words are
audio/words.py's, the same the voice says. A language Babel does not know (an admin's
own recordings) is written as English.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
import functools
import logging
import re
from typing import Protocol

from babel import Locale, UnknownLocaleError
from babel.dates import format_timedelta
from babel.numbers import format_currency

from audio.words import LANGS, money_text
from gateway.config.sms import SmsConfig
from gateway.config.sms_texts import REASONS, STATES
from gateway.money.billing import MINOR_DIGITS, format_money

log = logging.getLogger(__name__)


def locale_of(lang: str) -> Locale:
    """Gives Babel's locale of a language code, English for one it does not know."""
    try:
        return Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def amount_text(minor: int, currency: str, lang: str) -> str:
    """Gives an amount of minor units in digits as `lang` writes money (12,34 €)."""
    try:
        text = format_currency(Decimal(minor).scaleb(-MINOR_DIGITS), currency,
                               locale=locale_of(lang))
    except (ValueError, ArithmeticError) as error:     # a code Babel cannot write
        log.warning("amount %d %s not written for %s (%s): in digits", minor, currency, lang,
                    error)
        return format_money(minor, currency)
    # the GSM alphabet has no no-break spaces: one would make the whole SMS UCS-2 (70
    # characters a part instead of 160)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def amount_words(minor: int, currency: str, lang: str) -> str:
    """Gives an amount in words in `lang` (English for a language without number words):
    1234 EUR en -> twelve euro and thirty-four cents."""
    try:
        return money_text(minor, lang if lang in LANGS else "en", currency)
    except (ValueError, OverflowError):     # beyond what the words go to: the digits say it
        return amount_text(minor, currency, lang)


def age_text(seconds: float, lang: str) -> str:
    """Gives how old a message is in `lang`, English in two units (2 hours 5 minutes), other
    languages in their own words rounded to one unit (2 Stunden)."""
    if locale_of(lang).language == "en":
        return age_words(seconds)
    return format_timedelta(timedelta(seconds=int(seconds)), threshold=1.1,
                            locale=locale_of(lang))


def age_words(seconds: float) -> str:
    """Gives a time span in English: 45 -> "45 seconds", 7500 -> "2 hours 5 minutes"."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} second{'s' * (seconds != 1)}"
    words = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        count, seconds = divmod(seconds, size)
        if count:
            words.append(f"{count} {name}{'s' * (count != 1)}")
    return " ".join(words[:2])


def language_name(lang: str) -> str:
    """Gives a language's name in itself (Deutsch, français, العربية), or its code."""
    try:
        name = Locale.parse(lang).get_display_name(lang)
    except (UnknownLocaleError, ValueError):
        return lang
    return name or lang


@functools.cache
def _reason_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    """Gives each English reason (sms_texts/en.py) as a pattern of its whole text, its
    values in braces caught by name, with the reason's name."""
    found = []
    for name, text in REASONS["en"].items():
        pieces = re.split(r"\{(\w+)\}", text)
        pattern = "".join(re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+)"
                          for index, piece in enumerate(pieces))
        found.append((re.compile(pattern, re.DOTALL), name))
    return tuple(found)


def reason(key: str, lang: str, /, **values: object) -> str:
    """Gives a refusal reason by its name in `lang` (English for a language without it)."""
    text = REASONS.get(lang, {}).get(key) or REASONS["en"][key]
    return text.format(**values)


def reason_text(refusal: str, lang: str) -> str:
    """Gives the call side's reason for a refusal in `lang`, found by its whole English
    text with its values kept; a reason not known here stays as it is (English)."""
    for pattern, key in _reason_patterns():
        found = pattern.fullmatch(refusal)
        if found:
            return reason(key, lang, **found.groupdict())
    if lang != "en":
        log.info("refusal reason %r has no text in %s: sent in English", refusal, lang)
    return refusal


class ConnectOutcome(Protocol):
    """How a connect two ended, as the call side tells it
    (gateway/calls/flows/connect_two.py Outcome)."""

    a: str
    b: str
    a_state: str            # "ended", "busy", "no answer", "not called", ...
    b_state: str
    seconds: float          # B's talk time
    cost: int               # minor units
    refusal: str | None     # why the box started no call (English), or None


def state_text(state: str, lang: str) -> str:
    """Gives how a leg ended in `lang` ("no answer" -> "keine Antwort"); a state not known
    here (a modem's own error) stays as it is."""
    return STATES.get(lang, {}).get(state) or STATES["en"].get(state) or state


def connect_summary(outcome: ConnectOutcome, lang: str, sms: SmsConfig, currency: str) -> str:
    """Gives the SMS that tells the requester how a connect two ended, in `lang`."""
    if outcome.refusal:
        return sms.reply("not_connected", lang, reason=reason_text(outcome.refusal, lang))
    minutes, seconds = divmod(int(outcome.seconds), 60)
    return sms.reply("connect_summary", lang, a=outcome.a, b=outcome.b,
                     a_state=state_text(outcome.a_state, lang),
                     b_state=state_text(outcome.b_state, lang),
                     talk_time=f"{minutes}:{seconds:02d}",
                     cost=amount_text(outcome.cost, currency, lang))
