"""Which language a caller hears: the account's, else the caller's own choice, else the
number's country calling code ([languages]), else the box's ([callback] language).

    language_for("+905321234567", account, config)  -> "tr"

The account's language is set by an admin or the holder (gateway/actions/accounts.py
`set_language`, from the `callbox` command, the web and SMS); a caller without an
account language may choose one in the language menu ([callback] language_menu),
kept here by calling number. Codes are ISO 639-1 ("de"), or the name of a folder of an
admin's own recordings; audio.prompts.spoken_languages lists the ones the box has.
"""
from __future__ import annotations

from peewee import AutoField, CharField, FloatField

from audio.prompts import CODES, spoken_languages
from gateway.config import Config
from gateway.store.db import BaseModel
from gateway.store.prepared import Param, Prepared

MENU_SIZE = 9              # one key each, 1 to 9
# Each language's name in itself, as a list of languages shows it to its speakers.
NATIVE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español",
                "it": "Italiano", "pl": "Polski", "tr": "Türkçe", "ru": "Русский",
                "ar": "العربية"}
CLEARING = ("", "-", "default")    # words that take an account's language away


class LanguageError(ValueError):
    """A language the box has no prompts in; the message lists those it has."""


class CallerLanguage(BaseModel):
    """The language a caller chose in the language menu, by calling number."""

    id = AutoField()
    number = CharField(unique=True)            # E.164
    language = CharField()
    chosen_at = FloatField()

    class Meta:
        table_name = "caller_language"


def language_for(number: str | None, account, config: Config) -> str:
    """Gives the language to speak to `number` (E.164, or None when withheld) calling for
    `account` (a row with `.language`, or None when not known yet)."""
    return decide(number, account, config)[0]


def decide(number: str | None, account, config: Config) -> tuple[str, str]:
    """Gives the language and why: "account", "chosen", "[languages] +90" or "default"."""
    if account is not None and getattr(account, "language", None):
        return account.language, "account"
    chosen = chosen_by(number)
    if chosen is not None:
        return chosen, "chosen"
    return by_number(number, config)


def by_number(number: str | None, config: Config) -> tuple[str, str]:
    """Gives the language of `number` by the configuration alone, and why: its country
    calling code's ("[languages] +90"), else the box's ("default"); no database asked (a
    caller told the database is away hears this one)."""
    for prefix, language in config.languages:          # longest prefix first
        if number and number.startswith(prefix):
            return language, f"[languages] {prefix}"
    return config.callback.language, "default"


# asked for every SMS command and call, prepared (gateway/store/prepared.py)
_CHOSEN = Prepared(lambda: CallerLanguage.select(CallerLanguage.language)
                   .where(CallerLanguage.number == Param("number")).limit(1).tuples())


def chosen_by(number: str | None) -> str | None:
    """Gives the language the caller chose in the menu, or None."""
    if not number:
        return None
    return _CHOSEN.scalar(number=number)


def save_choice(number: str, language: str, now: float) -> None:
    """Keeps the language `number` chose in the menu (a new choice replaces the old)."""
    updated = CallerLanguage.update(language=language, chosen_at=now).where(
        CallerLanguage.number == number).execute()
    if not updated:
        CallerLanguage.insert(number=number, language=language, chosen_at=now
                              ).on_conflict_ignore().execute()


def checked(code: str | None) -> str | None:
    """Gives a language code as stored ("DE" -> "de"), None for "-", "default" or empty
    (no language of its own); LanguageError for a language without prompts."""
    text = (code or "").strip()
    if text.lower() in CLEARING:
        return None
    known = spoken_languages()
    for language in known:
        if text.lower() == language.lower():
            return language
    raise LanguageError(f"no voice prompts in the language {text[:20]!r}: the languages "
                        f"are {', '.join(known)} (or - for the box's default)")


def menu_languages(config: Config) -> tuple[str, ...]:
    """Gives the languages of the menu, key 1 first: the box's, then those of [languages]
    (in the order of audio.prompts.CODES, then by name), at most MENU_SIZE."""
    others = {language for _, language in config.languages} - {config.callback.language}
    ordered = sorted(others, key=lambda code: (CODES.index(code) if code in CODES
                                               else len(CODES), code))
    return (config.callback.language, *ordered)[:MENU_SIZE]


def choices() -> list[tuple[str, str]]:
    """Gives (code, "Deutsch (de)") of every language the box can speak, for a list to
    choose from."""
    return [(code, f"{NATIVE_NAMES[code]} ({code})" if code in NATIVE_NAMES else code)
            for code in spoken_languages()]
