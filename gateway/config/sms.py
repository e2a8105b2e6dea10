"""The [sms] section: command words, reply texts, help and retry timing.

    [sms]
    empty_sms_is_callback = true
    [sms.aliases]
    cb = ["CB", "CALLBACK"]
    [sms.replies]
    balance = "Your balance is {amount} ({words})."

Reply texts are checked at start: a placeholder the text may not use (a typo,
or `{0}` / `{x.attr}`) is an error naming the key, so a reply can never fail
to format, or reach into an object, while the box runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
import re
import string

from gateway.config.reader import Table, check_waits, describe
from gateway.config.table import RETRY_WAITS, SMS, SMS_ALIASES, SMS_REPLIES

COMMANDS = SMS_ALIASES.names()
MIN_MAX_AGE = 60        # seconds: the smallest sms_max_age but 0
_WORD = r"[^\s,]{1,20}"


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

    def command_of(self, word: str) -> str | None:
        """Gives the command a word (any case) names, or None."""
        word = word.upper()
        for command, words in self.aliases.items():
            if word in words:
                return command
        return None

    def reply(self, name: str, **values: object) -> str:
        """Gives a reply text with its placeholders filled in."""
        words = {command: self.aliases[command][0] for command in COMMANDS}
        return self.replies[name].format(**words, **values)


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


def _aliases(table: Table) -> dict[str, tuple[str, ...]]:
    aliases: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for command, value in table.get_section(SMS_ALIASES).items():
        if not isinstance(value, (list, tuple)) or not value:
            raise table.error(command, "must be a non-empty list of words, like "
                              f"{list(SMS_ALIASES[command].default)}, got {describe(value)}")
        words = []
        for item in value:
            if not isinstance(item, str) or not re.fullmatch(_WORD, item):
                raise table.error(command, f"{describe(item)} is not one word (1 to 20 "
                                  "characters, no spaces or commas)")
            word = item.upper()
            if word in owner:
                raise table.error(command, f"{item!r} is already a word of {owner[word]!r}")
            owner[word] = command
            words.append(word)
        aliases[command] = tuple(words)
    table.check_unknown()
    return aliases


def _replies(table: Table) -> dict[str, str]:
    replies = table.get_section(SMS_REPLIES)
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
