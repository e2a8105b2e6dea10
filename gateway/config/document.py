"""The documented default configuration file, written from the table of keys.

    python -m gateway.config.document > config/callbox.toml

Each key gets its help, then its unit and range, then its default, then the
line that sets it to that default; so the file cannot say one default while
the reader applies another (tests/test_config_table.py checks the file is
what this gives). [[modem]] has no defaults to set: its keys are listed in a
comment, followed by example tables that are commented out.
"""
from __future__ import annotations

import sys
import textwrap

from gateway.config.reader import REQUIRED, Key, Section, toml_value
from gateway.config.table import SECTIONS

WIDTH = 78
HEADER = """\
# callbox configuration: /etc/callbox/callbox.toml
#
# Every key is listed with its unit, range and default; the values below ARE
# the defaults, so a key you leave out means the same. Unknown sections and
# keys are errors (a typo never falls back to a default silently).
# Check a file with:   callbox config check /etc/callbox/callbox.toml
# Error messages name a modem as modem[N], counting [[modem]] tables from 1.
"""


def render() -> str:
    """Gives the whole documented file."""
    parts = [HEADER]
    for section in SECTIONS:
        parts.append(_modems(section) if section.many else _section(section))
    return "\n".join(parts)


def value_of(key: Key) -> str:
    """Gives the key's default as the file writes it after `key = `."""
    return key.shown if key.shown is not None else toml_value(key.default)


def range_of(key: Key) -> str:
    """Gives the sentence that says which values the key takes, or ''."""
    if key.kind in ("int", "float", "numbers"):
        unit = f"{key.unit.capitalize()}, " if key.unit else ""
        each = " each" if key.kind == "numbers" else ""
        return f"{unit}{key.minval:g} to {key.maxval:g}{each}."
    if key.kind == "bool":
        return "true or false."
    if key.kind == "choice":
        return f"One of {' | '.join(key.choices)}."
    if key.what:
        return f"{key.what[0].upper()}{key.what[1:]}."
    return ""


def default_of(key: Key) -> str:
    """Gives 'Default: X.' for a key that has one, else ''."""
    if key.default is REQUIRED or key.default is None:
        return ""
    return f"Default: {value_of(key)}{' ' + key.note if key.note else ''}."


def _notes(key: Key) -> str:
    return " ".join(part for part in (key.help, range_of(key), default_of(key)) if part)


def _comment(text: str) -> list[str]:
    """Gives text as comment lines, its own line breaks kept."""
    return [f"# {line}" if line else "#" for line in text.splitlines()]


def _wrapped(text: str, first: str = "# ", rest: str = "# ") -> list[str]:
    return textwrap.wrap(text, width=WIDTH, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


def _section(section: Section) -> str:
    lines = [f"[{section.name}]", *_comment(section.help)]
    if section.help and section.key_notes:
        lines.append("#")           # the keys' own comments follow
    for key in section.keys:
        lines += _wrapped(_notes(key) if section.key_notes else key.help)
        lines.append(f"{key.name} = {value_of(key)}")
    return "\n".join(lines) + "\n"


def _modems(section: Section) -> str:
    lines = _comment(section.help)
    for key in section.keys:
        needed = "required" if key.default is REQUIRED else "optional"
        lines += _wrapped(f"{needed}; {_notes(key)}", first=f"#   {key.name:<9} ",
                          rest="#" + " " * 13)
    lines += ["#", f"# Two example {section.name}s; remove the leading # to use them.", "#"]
    lines += [f"#{line}" for line in section.example.splitlines()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
