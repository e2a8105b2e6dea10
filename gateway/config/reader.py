"""Typed reading of one TOML table: each getter checks type, unit and range.

Every mistake becomes one ConfigError that names the file, the key and the
reason, e.g. `/etc/callbox/callbox.toml: callback.ring_before_reject: must be
between 1 and 10 rings, got 12`. A table remembers which keys were read, so a
key nobody asked for (a typo, a key from a newer version) is reported too.

A `Key` says all the reader and the documented file need to know of one key;
gateway/config/table.py lists them, one `Section` per table of the file.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
import difflib
from pathlib import Path
import re

REQUIRED = object()   # default meaning "the key must be present"

_TYPE_NAMES = {bool: "a boolean (true or false)", int: "an integer", float: "a number",
               str: "a string", list: "a list", dict: "a table"}


@dataclass(frozen=True)
class Key:
    """One configuration key: its kind, default, unit and range, which `Table.get`
    checks, and its help, which gateway/config/document.py writes into the file.

    Kinds: bool, int, float, str (with `pattern`, described by `what`), choice (one
    of `choices`), words (a list of distinct `choices`), prefixes (E.164 prefixes),
    routes ({prefix = group}); numbers (a list of them in [minval, maxval]), names,
    aliases and secret are read as parsed and checked by their section's code.
    """

    name: str
    kind: str
    default: object = REQUIRED      # what an absent key means; REQUIRED: it must be given
    help: str = ""                  # what it is for, in the user's words
    unit: str = ""
    minval: float | None = None
    maxval: float | None = None
    choices: tuple[str, ...] = ()   # the words allowed; of a reply text: its own placeholders
    pattern: str | None = None      # a string must match it whole...
    what: str = ""                  # ...which these words say (errors and the file)
    missing: str | None = None      # the reason when a required key is absent
    shown: str | None = None        # the file's value when not the default as TOML
    note: str = ""                  # words after the default in the file, e.g. "(two years)"


@dataclass(frozen=True)
class Section:
    """One table of the file ([gateway], [sms.replies], [[modem]]) and its keys in order."""

    name: str
    keys: tuple[Key, ...]
    help: str = ""                  # comment lines above the keys, kept as written
    many: bool = False              # [[name]]: any number of tables (modems)
    key_notes: bool = True          # each key's comment ends with its range and default
    example: str = ""               # of [[modem]]: example tables, commented out

    def __getitem__(self, name: str) -> Key:
        for key in self.keys:
            if key.name == name:
                return key
        raise KeyError(f"{self.name}.{name}")

    def names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)


class ConfigError(Exception):
    """A configuration mistake: file, key and reason in one line."""

    def __init__(self, path: Path | str, key: str | None, reason: str):
        self.path = str(path)
        self.key = key
        self.reason = reason
        where = f"{self.path}: {key}" if key else self.path
        super().__init__(f"{where}: {reason}")


def describe(value: object) -> str:
    """Gives a value as the user wrote it, with its TOML type."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


def has_control_characters(text: str) -> bool:
    """True when text holds a control character (newline, escape, NUL...)."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


class Table:
    """One TOML table, read through typed getters that know unit and range."""

    def __init__(self, path: Path | str, name: str, data: dict):
        self.path = path
        self.name = name
        self.data = data
        self.read: set[str] = set()

    def key(self, key: str) -> str:
        """Gives the full name of a key as the error messages write it."""
        return f"{self.name}.{key}"

    def error(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.path, self.key(key), reason)

    def get_any(self, key: str, default: object = REQUIRED, missing: str | None = None) -> object:
        """Gives the value as TOML parsed it, of any type."""
        self.read.add(key)
        if key in self.data:
            return self.data[key]
        if default is REQUIRED:
            raise self.error(key, missing or "missing (this key is required)")
        return default

    def _typed(self, key: str, value: object, kind: type, unit: str = "") -> None:
        wrong = not isinstance(value, kind)
        if kind in (int, float) and isinstance(value, bool):
            wrong = True
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            wrong = False
        if wrong:
            unit_text = f" ({unit})" if unit else ""
            raise self.error(key, f"must be {_TYPE_NAMES[kind]}{unit_text}, got {describe(value)}")

    def get_str(self, key: str, default: object = REQUIRED, *, pattern: str | None = None,
                what: str = "", missing: str | None = None) -> str | None:
        """Gives a string; with a pattern, the whole string must match it."""
        value = self.get_any(key, default, missing)
        if value is default:
            return value
        self._typed(key, value, str)
        if has_control_characters(value):
            raise self.error(key, "must not contain control characters")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise self.error(key, f"must be {what or 'of the form ' + pattern}, got {value!r}")
        return value

    def _number(self, key: str, default: object, kind: type, unit: str,
                minval: float | None, maxval: float | None):
        value = self.get_any(key, default)
        self._typed(key, value, kind, unit)
        value = kind(value)
        unit_text = f" {unit}" if unit else ""
        got = f"got {value:g}"
        if minval is not None and maxval is not None and not minval <= value <= maxval:
            raise self.error(key, f"must be between {minval:g} and {maxval:g}{unit_text}, {got}")
        if minval is not None and value < minval:
            raise self.error(key, f"must be at least {minval:g}{unit_text}, {got}")
        if maxval is not None and value > maxval:
            raise self.error(key, f"must be at most {maxval:g}{unit_text}, {got}")
        return value

    def get_int(self, key: str, default: object = REQUIRED, *, unit: str = "",
                minval: int | None = None, maxval: int | None = None) -> int:
        """Gives an integer within [minval, maxval]."""
        return self._number(key, default, int, unit, minval, maxval)

    def get_float(self, key: str, default: object = REQUIRED, *, unit: str = "",
                  minval: float | None = None, maxval: float | None = None) -> float:
        """Gives a number (an integer is taken as well) within [minval, maxval]."""
        return self._number(key, default, float, unit, minval, maxval)

    def get_bool(self, key: str, default: object = REQUIRED) -> bool:
        value = self.get_any(key, default)
        self._typed(key, value, bool)
        return value

    def get_choice(self, key: str, choices: Iterable[str], default: object = REQUIRED) -> str:
        """Gives one of a few fixed words."""
        choices = tuple(choices)
        value = self.get_any(key, default)
        self._typed(key, value, str)
        if value not in choices:
            raise self.error(key, f"must be one of {' | '.join(choices)}, got {value!r}")
        return value

    def get_word_list(self, key: str, choices: Iterable[str], default: object = REQUIRED,
                      missing: str | None = None) -> tuple[str, ...]:
        """Gives a non-empty list of distinct words, each one of `choices`."""
        choices = tuple(choices)
        value = self.get_any(key, default, missing)
        self._typed(key, value, list)
        if not value:
            raise self.error(key, f"must not be empty: give one or more of {', '.join(choices)}")
        seen: list[str] = []
        for item in value:
            if not isinstance(item, str) or item not in choices:
                raise self.error(key, f"{describe(item)} is not one of {', '.join(choices)}")
            if item in seen:
                raise self.error(key, f"{item!r} is listed twice")
            seen.append(item)
        return tuple(seen)

    def get_prefix_list(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """Gives a list of number prefixes: each '+' and 1 to 15 digits, E.164 style."""
        value = self.get_any(key, list(default))
        self._typed(key, value, list)
        prefixes: list[str] = []
        for item in value:
            if not isinstance(item, str) or not re.fullmatch(r"\+[0-9]{1,15}", item):
                raise self.error(key, f"{describe(item)} is not a prefix like \"+49900\" "
                                 "(+ and 1 to 15 digits)")
            prefixes.append(item)
        return tuple(prefixes)

    def get_prefix_map(self, key: str) -> tuple[tuple[str, str], ...]:
        """Gives {"+prefix" = "word"} pairs, longest prefix first."""
        value = self.get_any(key, {})
        self._typed(key, value, dict)
        pairs = []
        for prefix, word in value.items():
            if not re.fullmatch(r"\+[0-9]{1,15}", prefix):
                raise self.error(key, f"{prefix!r} is not a prefix like \"+4917\"")
            if not isinstance(word, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", word):
                raise self.error(key, f"the group for {prefix} must be 1 to 32 of letters, "
                                 f"digits, _ . -, got {describe(word)}")
            pairs.append((prefix, word))
        return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))

    def get(self, key: Key) -> object:
        """Gives the key's value checked by its kind, unit and range (see Key)."""
        name, default = key.name, key.default
        if default is None and key.kind in ("bool", "int", "float") and self.data.get(name) is None:
            self.read.add(name)
            return None     # an optional setting left out: the owner of the value decides
        if key.kind == "bool":
            return self.get_bool(name, default)
        if key.kind in ("int", "float"):
            return self._number(name, default, int if key.kind == "int" else float, key.unit,
                                key.minval, key.maxval)
        if key.kind == "str":
            return self.get_str(name, default, pattern=key.pattern, what=key.what,
                                missing=key.missing)
        if key.kind == "choice":
            return self.get_choice(name, key.choices, default)
        if key.kind == "words":
            return self.get_word_list(name, key.choices, default, key.missing)
        if key.kind == "prefixes":
            return self.get_prefix_list(name, default)
        if key.kind == "routes":
            return self.get_prefix_map(name)
        return self.get_any(name, default, key.missing)

    def get_section(self, section: Section) -> dict[str, object]:
        """Gives every key of the section by name, each checked by `get`."""
        return {key.name: self.get(key) for key in section.keys}

    def check_unknown(self) -> None:
        """Raises for the first key that no getter asked for."""
        for key in self.data:
            if key not in self.read:
                raise self.error(key, "unknown key" + did_you_mean(key, self.read))


def check_waits(table: "Table", key: Key, value: object, fewest: int, most: int,
                example: str = "[10, 60, 300]") -> None:
    """Raises unless `value` is a list of `fewest` to `most` waits, each in the key's
    range (a retry_backoff: [sms], [alerts], [[webhook]])."""
    if not isinstance(value, (list, tuple)) or not fewest <= len(value) <= most:
        raise table.error(key.name, f"must be a list of {fewest} to {most} waits in "
                          f"{key.unit}, like {example}, got {describe(value)}")
    for item in value:
        if (isinstance(item, bool) or not isinstance(item, (int, float))
                or not key.minval <= item <= key.maxval):
            raise table.error(key.name, f"{describe(item)} is not a wait between "
                              f"{key.minval:g} and {key.maxval:g} {key.unit}")


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """Gives ' (did you mean X?)' when a known word is close, else ''."""
    close = difflib.get_close_matches(word, sorted(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def toml_value(value: object) -> str:
    """Gives a value written as TOML (strings, numbers, booleans, lists of those)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return '"' + re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04x}", escaped) + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
