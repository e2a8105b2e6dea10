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

from gateway.config.reader import Table, describe

COMMANDS = ("cb", "connect", "reg", "unreg", "bal", "help")

DEFAULT_ALIASES = {
    "cb": ("CB", "CALLBACK"),
    "connect": ("CONNECT", "CONF"),
    "reg": ("REG", "REGISTER"),
    "unreg": ("UNREG", "UNREGISTER"),
    "bal": ("BAL", "BALANCE"),
    "help": ("HELP", "?"),
}

# reply name -> (default text, placeholders it may use besides the command words)
REPLIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "callback": ("Calling you back now.", ()),
    "callback_to": ("Calling you back now, then {destination}.", ("destination",)),
    "connect": ("Connecting {a} and {b}. A summary follows by SMS when the call ends.",
                ("a", "b")),
    "refused": ("Sorry, not now: {reason}", ("reason",)),
    "register_first": ("Register first: {reg} <account> <pin>", ()),
    "registered": ("This phone ({number}) is now registered for account {account}.",
                   ("number", "account")),
    "wrong_pin": ("Wrong account or PIN.", ()),
    "pin_locked": ("Too many wrong PINs: PIN entry is locked, try again later.", ()),
    "unregistered": ("This phone ({number}) is no longer registered.", ("number",)),
    "not_registered": ("This phone is not registered.", ()),
    "balance": ("Your balance is {amount} ({words}).", ("amount", "words")),
    "invalid_number": ("{number} is not a number the box can call.", ("number",)),
    "usage_connect": ("Write {connect} <number> <number>.", ()),
    "usage_reg": ("Write {reg} <account> <pin>.", ()),
    "help": ("Commands: {cb} = call me back. {cb} <number> = call me, then that number. "
             "{connect} <a> <b> = connect two numbers. {reg} <account> <pin> = register "
             "this phone. {unreg} = unregister it. {bal} = balance. {help} = this list.", ()),
}

DEFAULT_RETRY_BACKOFF = (10.0, 60.0, 300.0, 1800.0)
_WORD = r"[^\s,]{1,20}"


@dataclass(frozen=True)
class SmsConfig:
    empty_sms_is_callback: bool = True
    help_interval: float = 3600.0                 # seconds between help replies to one number
    incomplete_after: float = 600.0               # seconds before a partial message is used
    retry_backoff: tuple[float, ...] = DEFAULT_RETRY_BACKOFF   # seconds before each retry
    send_from: tuple[str, ...] = ()               # modem names; empty = any modem that is up
    drain_interval: float = 300.0                 # seconds between full reads of each SIM
    aliases: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_ALIASES))
    replies: dict[str, str] = field(
        default_factory=lambda: {name: text for name, (text, _) in REPLIES.items()})

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
    result = SmsConfig(
        empty_sms_is_callback=table.get_bool("empty_sms_is_callback", True),
        help_interval=table.get_float("help_interval", 3600.0, unit="seconds", minval=0,
                                      maxval=7 * 86400),
        incomplete_after=table.get_float("incomplete_after", 600.0, unit="seconds", minval=10,
                                         maxval=86400),
        retry_backoff=_backoff(table),
        send_from=_send_from(table, modem_names),
        drain_interval=table.get_float("drain_interval", 300.0, unit="seconds", minval=5,
                                       maxval=86400),
        aliases=_aliases(_sub_table(table, "aliases")),
        replies=_replies(_sub_table(table, "replies")),
    )
    table.check_unknown()
    return result


def _sub_table(table: Table, key: str) -> Table:
    value = table.get_any(key, {})
    if not isinstance(value, dict):
        raise table.error(key, f"must be a table [{table.name}.{key}], got {describe(value)}")
    return Table(table.path, f"{table.name}.{key}", value)


def _backoff(table: Table) -> tuple[float, ...]:
    value = table.get_any("retry_backoff", list(DEFAULT_RETRY_BACKOFF))
    if not isinstance(value, list) or not 1 <= len(value) <= 10:
        raise table.error("retry_backoff", "must be a list of 1 to 10 waits in seconds, like "
                          f"[10, 60, 300], got {describe(value)}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not 1 <= item <= 86400:
            raise table.error("retry_backoff", f"{describe(item)} is not a wait between 1 and "
                              "86400 seconds")
    return tuple(float(item) for item in value)


def _send_from(table: Table, modem_names: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get_any("send_from", [])
    if not isinstance(value, list):
        raise table.error("send_from", f"must be a list of modem names, got {describe(value)}")
    for item in value:
        if not isinstance(item, str) or item not in modem_names:
            raise table.error("send_from", f"{describe(item)} is not the name of a [[modem]]"
                              + (f" ({', '.join(modem_names)})" if modem_names else ""))
    return tuple(value)


def _aliases(table: Table) -> dict[str, tuple[str, ...]]:
    aliases: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for command in COMMANDS:
        value = table.get_any(command, list(DEFAULT_ALIASES[command]))
        if not isinstance(value, list) or not value:
            raise table.error(command, "must be a non-empty list of words, like "
                              f"{list(DEFAULT_ALIASES[command])}, got {describe(value)}")
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
    replies = {}
    for name, (default, own) in REPLIES.items():
        text = table.get_str(name, default)
        if not text.strip():
            raise table.error(name, "must not be empty")
        allowed = set(own) | set(COMMANDS)
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
        replies[name] = text
    table.check_unknown()
    return replies
