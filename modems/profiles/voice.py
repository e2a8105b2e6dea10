"""The module's own voice settings: what the box asks of a modem, the AT lines that ask it,
and how the modem's answers read in plain words.

The box has its own echo canceller and gain (audio/voice.py); these are the settings
inside the module (its echo canceller, side tone, microphone gain, speaker volume),
which each vendor names differently. A profile turns `ModuleVoice` into the lines of
its manual (`Profile.voice_commands`) and names the query forms (`Profile.voice_queries`)
that `callbox probe` reads. The driver sends them after open; a line the module refuses
is logged and skipped (modems/driver_voice.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class ModuleVoice:
    """What the box wants of the module's own voice processing ([[modem]] keys).

    None leaves the module's own value, except `echo_cancel`, where None means the
    profile's default (on, where the manual documents a switch)."""

    echo_cancel: bool | None = None
    side_tone: bool = False
    mic_gain: int | None = None
    speaker_volume: int | None = None


@dataclass(frozen=True)
class VoiceCommand:
    """One line that sets one setting; `value`, when given, is checked first against the
    range the module states in its answer to `test` (the `=?` form)."""

    setting: str                # what it does, in plain words: "side tone off"
    line: str                   # "AT+QSIDET=0"
    value: int | None = None
    test: str = ""              # "AT+CLVL=?"


@dataclass(frozen=True)
class VoiceQuery:
    """One query form and how its values read: `describe` gets the integers after
    `prefix` and gives plain words."""

    setting: str                # "speaker volume"
    line: str                   # "AT+CLVL?"
    prefix: str                 # "+CLVL:"
    describe: Callable[[list[int]], str]


_NUMBER = re.compile(r"-?\d+")
_RANGE = re.compile(r"\((\d+)\s*-\s*(\d+)\)")


def values_after(prefix: str, response: list[str]) -> list[int] | None:
    """Gives the integers of the first line that starts with `prefix`, or None."""
    for line in response:
        if line.startswith(prefix):
            return [int(number) for number in _NUMBER.findall(line[len(prefix):])]
    return None


def first_range(response: list[str]) -> tuple[int, int] | None:
    """Gives the first `(low-high)` of a test command's answer, or None."""
    for line in response:
        if match := _RANGE.search(line):
            return int(match[1]), int(match[2])
    return None


def on_off(values: list[int]) -> str:
    return "on" if values and values[0] else "off"


def level(values: list[int]) -> str:
    return str(values[0]) if values else "unknown"


def side_tone_gain(values: list[int]) -> str:
    return f"on (gain {values[0]})" if values and values[0] else "off"


def muted(values: list[int]) -> str:
    return "muted" if values and values[0] else "not muted"
