"""Numbers, money and durations as the words of a language, with its grammar (num2words).

    money_text(2150, "de", "EUR")   -> "einundzwanzig Euro und fünfzig Cent"
    money_text(2100, "fr", "EUR")   -> "vingt et un euros"
    duration_text(120, "ru")        -> "две минуты"     (feminine, the Slavic plural)
    duration_text(60, "ar")         -> "دقيقة واحدة"

num2words says the numbers, picks the plural form and makes the number agree
with the currency's gender where it knows the currency in that language. What
it lacks is filled here: the minute and second nouns of each language (with
their gender), the Turkish and Arabic currency names, and a last resort for a
currency a language has no words for (the number in the language, the code
spelled out; logged once).
"""
from __future__ import annotations

import functools
import logging
import re

from num2words import CONVERTER_CLASSES, num2words
from num2words.lang_AR import ARABIC_ONES, CURRENCY_EGP, CURRENCY_KWD, CURRENCY_SR, Num2Word_AR

log = logging.getLogger(__name__)

# the conjunction between the major and the minor unit ("twelve euros and fifty cents");
# Russian and Turkish say the two amounts one after the other
AND = {"en": " and ", "de": " und ", "fr": " et ", "es": " con ", "it": " e ", "pl": " i ",
       "ru": " ", "tr": " ", "ar": " و"}

# Minute and second nouns: (singular, plural) or the language's plural forms as its
# num2words converter's pluralize() wants them; FEMININE: the nouns are feminine there.
UNITS = {
    "en": (("minute", "minutes"), ("second", "seconds")),
    "de": (("Minute", "Minuten"), ("Sekunde", "Sekunden")),
    "fr": (("minute", "minutes"), ("seconde", "secondes")),
    "es": (("minuto", "minutos"), ("segundo", "segundos")),
    "it": (("minuto", "minuti"), ("secondo", "secondi")),
    "pl": (("minuta", "minuty", "minut"), ("sekunda", "sekundy", "sekund")),
    "ru": (("минута", "минуты", "минут"), ("секунда", "секунды", "секунд")),
    "tr": (("dakika", "dakika"), ("saniye", "saniye")),   # no plural after a number
    # Arabic: (singular, dual, plural for 3-10, singular accusative for 11-99)
    "ar": (("دقيقة", "دقيقتان", "دقائق", "دقيقة"), ("ثانية", "ثانيتان", "ثوان", "ثانية")),
}

# num2words has no currency names in Turkish, and Arabic ones for a few Gulf currencies
TURKISH_CURRENCIES = {"EUR": ("avro", "sent"), "USD": ("dolar", "sent"),
                      "TRY": ("lira", "kuruş"), "GBP": ("sterlin", "peni")}
_AR_CENT = ("سنت", "سنتان", "سنتات", "سنتاً")
ARABIC_CURRENCIES = {
    "EUR": (("يورو", "يوروان", "يوروهات", "يورو"), _AR_CENT),
    "USD": (("دولار", "دولاران", "دولارات", "دولاراً"), _AR_CENT),
    "SAR": tuple(CURRENCY_SR), "EGP": tuple(CURRENCY_EGP), "KWD": tuple(CURRENCY_KWD),
}

LANGS = tuple(AND)
_TURKISH_PARTS = re.compile("sıfır|bir|iki|üç|dört|beş|altmış|altı|yedi|sekiz|dokuz|on|yirmi|"
                            "otuz|kırk|elli|yetmiş|seksen|doksan|yüz|bin|milyon|milyar|"
                            "trilyon|eksi")


def _check(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"no number words for language {lang!r} (have {', '.join(LANGS)})")


def cardinal(n: int, lang: str) -> str:
    """Gives `n` in words as counted alone ("einundzwanzig", "vingt et un")."""
    _check(lang)
    words = num2words(n, lang=lang)
    if lang == "tr":       # num2words writes "yirmibir"; Turkish spells "yirmi bir"
        words = " ".join(_TURKISH_PARTS.findall(words))
    return words


def known_currency(currency: str) -> bool:
    """Gives whether some language here has words for `currency` (an ISO 4217 code)."""
    return any(has_words(lang, currency) for lang in LANGS)


def has_words(lang: str, currency: str) -> bool:
    """Gives whether `lang` names `currency` (else amounts fall back to its code)."""
    if lang == "tr":
        return currency in TURKISH_CURRENCIES
    if lang == "ar":
        return currency in ARABIC_CURRENCIES
    return currency in CONVERTER_CLASSES[lang].CURRENCY_FORMS


def money_text(minor_units: int, lang: str, currency: str) -> str:
    """Gives an amount of minor units (cents) in words: 2150 EUR de ->
    einundzwanzig Euro und fünfzig Cent; 100 -> ein Euro; 50 -> fünfzig Cent."""
    if not isinstance(minor_units, int) or isinstance(minor_units, bool):
        raise TypeError(f"money is an int of minor units, not {minor_units!r}")
    _check(lang)
    currency = currency.upper()
    if minor_units < 0:
        return f"{_minus(lang)} {money_text(-minor_units, lang, currency)}"
    whole, cents = divmod(minor_units, 100)
    if not has_words(lang, currency):
        _no_words(lang, currency)
        major, minor = f"{cardinal(whole, lang)} {' '.join(currency)}", cardinal(cents, lang)
    elif lang == "tr":
        name, subunit = TURKISH_CURRENCIES[currency]
        major, minor = f"{cardinal(whole, lang)} {name}", f"{cardinal(cents, lang)} {subunit}"
    elif lang == "ar":
        name, subunit = ARABIC_CURRENCIES[currency]
        major, minor = _arabic(whole, name, False), _arabic(cents, subunit, False)
    else:
        text = num2words(minor_units, lang=lang, to="currency", currency=currency,
                         separator=" |")
        major, minor = (part.strip() for part in text.split("|"))
        if lang == "pl" and whole == 1 and currency == "EUR":
            major = "jedno euro"            # euro is neuter in Polish; num2words says jeden
    if whole and cents:
        return f"{major}{AND[lang]}{minor}"
    return minor if cents else major


def duration_text(seconds: int | float, lang: str) -> str:
    """Gives a time limit in words, rounded down: whole minutes, or seconds below one."""
    _check(lang)
    seconds = int(seconds)
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {seconds}")
    minutes = seconds // 60
    minute_forms, second_forms = UNITS[lang]
    if minutes:
        return counted(minutes, minute_forms, lang)
    return counted(seconds, second_forms, lang)


def counted(n: int, forms: tuple[str, ...], lang: str) -> str:
    """Gives `n` minutes or seconds (the nouns `forms`) with the number agreeing."""
    if lang == "ar":
        return _arabic(n, forms, True)
    if lang in ("pl", "ru"):
        noun = CONVERTER_CLASSES[lang].pluralize(n, forms)
    else:
        noun = forms[0] if n == 1 or (n == 0 and lang == "fr") else forms[1]
    return f"{_agreeing(n, lang)} {noun}"


def _agreeing(n: int, lang: str) -> str:
    """Gives `n` as it stands before a minute or second noun (their gender in `lang`)."""
    words = cardinal(n, lang)
    if lang == "de" and n == 1:
        return "eine"                                  # die Minute, die Sekunde
    if lang == "fr" and words.endswith(" un") or words == "un":
        return words + "e"                             # une minute, vingt et une secondes
    if lang == "es" and words.endswith("veintiuno"):
        return words[:-3] + "ún"                       # veintiún minutos
    if lang in ("es", "it") and words.endswith("uno"):
        return words[:-1]                              # un minuto, treinta y un, ventun
    if lang == "pl":
        if n == 1:
            return "jedna"                             # jedna minuta
        if words.split()[-1] == "dwa":
            return words[:-3] + "dwie"                 # dwie minuty, dwadzieścia dwie
    if lang == "ru":
        return CONVERTER_CLASSES["ru"].to_cardinal(n, gender="f")    # одна, две минуты
    return words


def _arabic(n: int, forms: tuple[str, ...], feminine: bool) -> str:
    """Gives `n` of a noun in Arabic: one and two as the noun (with واحد) and its dual;
    3-10 with the noun's plural, the number of the opposite gender; 11 and up with the
    singular (num2words' Arabic converter chooses form and gender past two)."""
    if n == 1:
        return f"{forms[0]} {'واحدة' if feminine else 'واحد'}"
    if n == 2:
        return forms[1]
    if n == 0:
        return f"صفر {forms[0]}"
    converter = Num2Word_AR()           # it keeps state between calls: one per phrase
    converter.currency_unit = tuple(forms)
    converter.currency_subunit = ("", "", "", "")
    converter.isCurrencyNameFeminine = feminine
    converter.arabicOnes = ARABIC_ONES
    converter.arabicPrefixText = converter.arabicSuffixText = ""
    return " ".join(converter.convert(n).split())


def _minus(lang: str) -> str:
    return num2words(-1, lang=lang).replace(num2words(1, lang=lang), "").strip()


@functools.lru_cache(maxsize=None)
def _no_words(lang: str, currency: str) -> None:
    log.warning("no %s words for the currency %s: amounts are said as the number and the "
                "letters of its code", lang, currency)
