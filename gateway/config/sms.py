"""The [sms] section: command words, reply texts, help and retry timing.

    [sms]
    empty_sms_is_callback = true
    [sms.aliases]
    cb = ["CB", "CALLBACK"]
    [sms.replies]
    balance = "Your balance is {amount} ({words})."
    [sms.texts.de]
    balance = "Guthaben: {amount}"
    [sms.words.de]
    bal = ["GUTHABEN", "KONTOSTAND"]

English is [sms.aliases] and [sms.replies]; the other languages' words and texts
are built in (gateway/config/sms_texts/) and overridden per language. A command
word is accepted in every language from every sender, compared folded (no case,
no accents: `sms_texts.fold`); no folded word may name two commands.

Reply texts are checked at start: a placeholder the text may not use (a typo,
or `{0}` / `{x.attr}`) is an error naming the key, so a reply can never fail
to format, or reach into an object, while the box runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import functools
import re
import string

from gateway.config import sms_texts
from gateway.config.reader import Table, check_waits, describe
from gateway.config.sms_texts import fold
from gateway.config.table import RETRY_WAITS, SMS, SMS_ALIASES, SMS_REPLIES

COMMANDS = SMS_ALIASES.names()
MIN_MAX_AGE = 60        # seconds: the smallest sms_max_age but 0
_WORD = r"[^\s,]{1,20}"
_CODE = r"[a-z]{2,3}"


@dataclass(frozen=True)
class SmsConfig:
    """The [sms] keys; the defaults are table.SMS's (tests build one without a file)."""

    empty_sms_is_callback: bool = SMS["empty_sms_is_callback"].default
    help_interval: float = SMS["help_interval"].default
    incomplete_after: float = SMS["incomplete_after"].default
    retry_backoff: tuple[float, ...] = SMS["retry_backoff"].default
    send_from: tuple[str, ...] = SMS["send_from"].default      # modem names; empty = any
    drain_interval: float = SMS["drain_interval"].default
    sms_max_age: float = SMS["sms_max_age"].default       # seconds; 0 = never too old
    aliases: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {key.name: key.default for key in SMS_ALIASES.keys})
    replies: dict[str, str] = field(
        default_factory=lambda: {key.name: key.default for key in SMS_REPLIES.keys})
    # the other languages: code -> reply name -> text, code -> command -> words
    texts: dict[str, dict[str, str]] = field(
        default_factory=lambda: {lang: dict(t) for lang, t in sms_texts.TEXTS.items()})
    words: dict[str, dict[str, tuple[str, ...]]] = field(
        default_factory=lambda: {lang: dict(w) for lang, w in sms_texts.WORDS.items()})

    @functools.cached_property
    def _commands(self) -> dict[str, str]:
        """Folded word -> its command: the English words first, then every other
        language's (a built-in word an owner's English alias already took is skipped)."""
        index: dict[str, str] = {}
        for words in (self.aliases, *self.words.values()):
            for command, items in words.items():
                for word in items:
                    index.setdefault(fold(word), command)
        return index

    def languages(self) -> tuple[str, ...]:
        """Gives the codes of the languages the replies are written in, English first."""
        return ("en", *sorted(self.texts))

    def command_of(self, word: str) -> str | None:
        """Gives the command a word names in any language (any case, accents or not),
        or None."""
        return self._commands.get(fold(word))

    def reply(self, name: str, lang: str = "en", **values: object) -> str:
        """Gives a reply text in `lang` (English where it has none) with its placeholders
        filled in; the command words it shows are the language's own."""
        words = {command: self.word(command, lang) for command in COMMANDS}
        text = self.texts.get(lang, {}).get(name) or self.replies[name]
        return text.format(**words, **values)

    def word(self, command: str, lang: str = "en") -> str:
        """Gives the word a reply in `lang` shows for a command (its first one)."""
        own = self.words.get(lang, {}).get(command)
        return own[0] if own else self.aliases[command][0]


def parse_sms(table: Table, modem_names: tuple[str, ...]) -> SmsConfig:
    """Gives the [sms] section, validated; raises ConfigError."""
    values = table.get_section(SMS)
    check_waits(table, SMS["retry_backoff"], values["retry_backoff"], *RETRY_WAITS)
    values["retry_backoff"] = tuple(float(wait) for wait in values["retry_backoff"])
    values["send_from"] = _send_from(table, values["send_from"], modem_names)
    if 0 < values["sms_max_age"] < MIN_MAX_AGE:
        raise table.error("sms_max_age", f"must be 0 (never too old) or at least {MIN_MAX_AGE} "
                          f"seconds, got {values['sms_max_age']:g}: the network alone may "
                          "take that long")
    values["aliases"] = _aliases(_sub_table(table, "aliases"))
    values["replies"] = _replies(_sub_table(table, "replies"))
    values["texts"] = _texts(_sub_table(table, "texts"))
    values["words"] = _words(_sub_table(table, "words"), values["aliases"])
    table.check_unknown()
    return SmsConfig(**values)


def _sub_table(table: Table, key: str) -> Table:
    value = table.get_any(key, {})
    if not isinstance(value, dict):
        raise table.error(key, f"must be a table [{table.name}.{key}], got {describe(value)}")
    return Table(table.path, f"{table.name}.{key}", value)


def _send_from(table: Table, value: object, modem_names: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise table.error("send_from", f"must be a list of modem names, got {describe(value)}")
    for item in value:
        if not isinstance(item, str) or item not in modem_names:
            raise table.error("send_from", f"{describe(item)} is not the name of a [[modem]]"
                              + (f" ({', '.join(modem_names)})" if modem_names else ""))
    return tuple(value)


def _aliases(table: Table, given: dict[str, object] | None = None
             ) -> dict[str, tuple[str, ...]]:
    """Checks command words (all of [sms.aliases], or the `given` ones of a language)."""
    aliases: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for command, value in (table.get_section(SMS_ALIASES) if given is None else given).items():
        if not isinstance(value, (list, tuple)) or not value:
            raise table.error(command, "must be a non-empty list of words, like "
                              f"{list(SMS_ALIASES[command].default)}, got {describe(value)}")
        words = []
        for item in value:
            if not isinstance(item, str) or not re.fullmatch(_WORD, item):
                raise table.error(command, f"{describe(item)} is not one word (1 to 20 "
                                  "characters, no spaces or commas)")
            word = item.upper()
            if fold(word) in owner:
                raise table.error(command, f"{item!r} is already a word of "
                                  f"{owner[fold(word)]!r}")
            owner[fold(word)] = command
            words.append(word)
        aliases[command] = tuple(words)
    table.check_unknown()
    return aliases


def _replies(table: Table, replies: dict[str, str] | None = None) -> dict[str, str]:
    """Checks reply texts (all of [sms.replies], or the `replies` given of a language)."""
    replies = table.get_section(SMS_REPLIES) if replies is None else replies
    for name, text in replies.items():
        if not text.strip():
            raise table.error(name, "must not be empty")
        allowed = set(SMS_REPLIES[name].choices) | set(COMMANDS)
        try:
            parsed = [item for item in string.Formatter().parse(text) if item[1] is not None]
        except ValueError as error:
            raise table.error(name, f"has a broken placeholder: {error} (write {{{{ for a "
                              "literal {)") from None
        for _, placeholder, spec, _ in parsed:
            if spec and "{" in spec:
                raise table.error(name, f"{{{placeholder}}} has a placeholder inside its format")
            if placeholder not in allowed:
                raise table.error(name, f"has the unknown placeholder {{{placeholder}}}; it "
                                  f"may use {', '.join('{' + n + '}' for n in sorted(allowed))}")
    table.check_unknown()
    return replies


def _languages(table: Table) -> dict[str, Table]:
    """Gives the tables of [sms.texts] or [sms.words] by language code."""
    tables = {}
    for code in table.data:
        if code == "en":
            english = "replies" if table.name.endswith("texts") else "aliases"
            raise table.error(code, f"English is [sms.{english}], not [{table.name}.en]")
        if not re.fullmatch(_CODE, code):
            raise table.error(code, "is not a language code (two or three small letters, "
                              "like de)")
        tables[code] = _sub_table(table, code)
        table.read.add(code)
    return tables


def _texts(table: Table) -> dict[str, dict[str, str]]:
    texts = {lang: dict(own) for lang, own in sms_texts.TEXTS.items()}
    for code, own in _languages(table).items():
        given = {name: own.get_str(name) for name in SMS_REPLIES.names() if name in own.data}
        own.read.update(SMS_REPLIES.names())     # the rest are unknown keys, with a suggestion
        own.check_unknown()
        texts.setdefault(code, {}).update(_replies(own, given))
    return texts


def _words(table: Table, aliases: dict[str, tuple[str, ...]]
           ) -> dict[str, dict[str, tuple[str, ...]]]:
    words = {lang: dict(own) for lang, own in sms_texts.WORDS.items()}
    tables = _languages(table)
    for code, own in tables.items():
        given = {name: own.get_any(name) for name in SMS_ALIASES.names() if name in own.data}
        own.read.update(SMS_ALIASES.names())
        words.setdefault(code, {}).update(_aliases(own, given))
    owner = {fold(word): ("en", command) for command, items in aliases.items() for word in items}
    for code in sorted(words):
        for command, items in words[code].items():
            for word in items:
                taken = owner.setdefault(fold(word), (code, command))
                # an owner's English alias may take a built-in word of another language
                if taken[1] != command and (taken[0] != "en" or code in tables):
                    raise table.error(f"{code}.{command}", f"{word!r} is already a word of "
                                      f"{taken[1]!r} in {taken[0]}")
    return words
