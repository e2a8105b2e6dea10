"""What a typed AT command line would do to a modem, read the way the modem reads it.

`judge(line)` splits a command line as ITU-T V.250 section 5 does and gives
each command's name, form and effect, and the line's worst effect:

- READ_ONLY: a query (`AT+X?`), a test (`AT+X=?`), an S-register read, or one
  of a short list of action commands that only report (`ATI`, `AT+CSQ`,
  `AT+CGMI`, `AT+CLCC`, ...);
- CHANGES: anything else (dialling, hanging up, writing settings, deleting
  SMS): the modem may act on it, so a person must say they mean it;
- UNDOES_SETUP: a command that changes what the driver set at open and
  relies on (echo, result codes, SMS mode and reports, caller ID reports,
  the port's speed, the radio, a vendor's call reports): after it the box
  may miss calls or SMS until the modem is reset.

V.250 rules applied (5.2.1 command line, 5.3 basic syntax, 5.4 extended syntax):
spaces are ignored outside double quotes, letters are case-insensitive,
basic commands follow each other without separator (`ATE0Z`), extended
commands run to the next `;` outside quotes, and a dial string (`D`) runs to
the next `;` or the end of the line (6.3.1). A line that cannot be split
this way is refused outright (AtLineError): a modem might read it otherwise.
"""
from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from modems.profiles import PROFILES

EXTENDED_PREFIXES = "+^$%*#!@"      # V.250 uses '+'; vendors add '^' (Huawei), '$', '%', ...
_EXTENDED_NAME = re.compile(r"[A-Z][A-Z0-9!%\-./:_]*")   # V.250 5.4.1
_NUMBER = re.compile(r"[0-9]*")


class Effect(enum.IntEnum):
    """What a command does, mildest first (a line has its worst command's effect)."""

    READ_ONLY = 0
    CHANGES = 1
    UNDOES_SETUP = 2


class AtLineError(ValueError):
    """A command line that cannot be split as V.250 does; the message says where."""


@dataclass(frozen=True)
class AtCommand:
    """One command of a line: `name` like 'E', '&F', 'S0', 'D', '+CMGF', '^CVOICE';
    `form` 'action', 'read' (?), 'test' (=?) or 'set' (=args)."""

    name: str
    form: str
    args: str = ""

    @property
    def text(self) -> str:
        tail = {"action": self.args, "read": "?", "test": "=?", "set": "=" + self.args}
        return self.name + tail[self.form]


@dataclass(frozen=True)
class Verdict:
    """The commands of a line, each with its effect, and the line's worst effect."""

    commands: tuple[tuple[AtCommand, Effect], ...]

    @property
    def effect(self) -> Effect:
        return max((effect for _, effect in self.commands), default=Effect.READ_ONLY)

    def names(self, effect: Effect) -> list[str]:
        """Gives the commands of this effect as written after AT (`+CMGF=1`, `Z`)."""
        return [command.text for command, seen in self.commands if seen == effect]


# Action commands that only report. 27.007 5.1-5.4 identification, 8.5 +CSQ, 8.1 +CPAS,
# 6.10 +CEER, 7.18 +CLCC, 8.4 +CBC, 8.69 +CESQ; V.250 6.1.3 I, 6.1.4-6.1.7 +GMI/+GMM/+GMR/+GSN
# and +GCAP; the ICCID commands of each profile (SIMCom +CCID/+CICCID, Quectel +QCCID,
# Huawei ^ICCID, others +ICCID); &V shows the active profile (V.250 annex).
REPORTING_ACTIONS = frozenset({
    "I", "&V", "+CSQ", "+CESQ", "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+GMI", "+GMM", "+GMR",
    "+GSN", "+GCAP", "+CIMI", "+CNUM", "+CLCC", "+CPAS", "+CEER", "+CBC", "+CCID", "+ICCID",
    "+QCCID", "+CICCID", "^ICCID", "+CLAC", "+QCSQ",
})
# AT+CRSM=<command>,...: 176 READ BINARY, 178 READ RECORD, 192 GET RESPONSE, 242 STATUS
# (27.007 8.18, TS 51.011 9.2) only read the SIM; 214/220 write it.
_CRSM_READS = {"176", "178", "192", "242"}

# What the driver sets at open and relies on (python-gsmmodem's connect(), modems/driver.py,
# and each profile's init_commands): V.250 6.1.1 Z, 6.1.2 &F, 6.2.4 E, 6.2.6 V, 6.2.5 Q,
# 6.2.7 X (result codes), 6.2.8-6.2.9 &C/&D (DCD/DTR: a DTR drop may hang up),
# 6.2.10-6.2.13 +IPR/+ICF/+IFC; 27.007 9.1 +CMEE, 8.2 +CFUN, 7.3 +COPS (2 deregisters),
# 7.2 +CREG (the health check parses it), 7.6 +CLIP, 6.11 +CRC, 6.4 +CVHU, 5.5 +CSCS;
# 27.005 3.2.3 +CMGF, 3.4.1 +CNMI, 3.2.2 +CPMS, 3.2.1 +CSMS, 3.3.3 +CSDH.
SETUP_COMMANDS = frozenset({
    "Z", "&F", "E", "V", "Q", "X", "&C", "&D", "&K", "+IPR", "+ICF", "+IFC",
    "+CMEE", "+CFUN", "+COPS", "+CREG", "+CLIP", "+CRC", "+CVHU", "+CSCS",
    "+CMGF", "+CNMI", "+CPMS", "+CSMS", "+CSDH", "+CMER",
})
# Commands that wait for a second line after a "> " prompt (27.005 3.5.1 +CMGS, 3.5.3 +CMGW,
# 3.5.5 +CMGC; Huawei ^SMGS): the console sends one line, so the modem would hang waiting.
PROMPTING_COMMANDS = frozenset({"+CMGS", "+CMGW", "+CMGC", "^SMGS"})


def split_line(line: str) -> list[AtCommand]:
    """Gives the commands of one AT command line in order; AtLineError if it is malformed."""
    body = _normalize(line)
    if not body.startswith("AT"):
        raise AtLineError("an AT command starts with AT")
    body, position, commands = body[2:], 0, []
    while position < len(body):
        char = body[position]
        if char == ";":
            position += 1
        elif char in EXTENDED_PREFIXES:
            command, position = _extended(body, position)
            commands.append(command)
        elif char == "D":
            end = _until_semicolon(body, position + 1)
            commands.append(AtCommand("D", "action", body[position + 1:end]))
            position = end
        elif char.isalpha() or char == "&":
            command, position = _basic(body, position)
            commands.append(command)
        else:
            raise AtLineError(f"cannot read {body[position:position + 10]!r} as a command: "
                              "the modem might read it otherwise, so it is not sent")
    return commands


def judge(line: str) -> Verdict:
    """Gives each command of the line with its effect; AtLineError if it is malformed."""
    setup = SETUP_COMMANDS | _profile_setup()
    return Verdict(tuple((command, _effect(command, setup)) for command in split_line(line)))


def prompting(line: str) -> list[str]:
    """Gives the commands of the line that would wait for a prompted second line."""
    return [command.text for command in split_line(line)
            if command.name in PROMPTING_COMMANDS and command.form in ("action", "set")]


def _normalize(line: str) -> str:
    """Gives the line without spaces and in capitals, both outside double quotes only."""
    out, quoted = [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char == " ":
                continue
            char = char.upper()
        out.append(char)
    if quoted:
        raise AtLineError("a double quote is not closed: the modem would read the rest "
                          "of the line as text")
    return "".join(out)


def _until_semicolon(body: str, start: int) -> int:
    """Gives the index of the next ';' outside quotes, or the end of the body."""
    quoted = False
    for index in range(start, len(body)):
        if body[index] == '"':
            quoted = not quoted
        elif body[index] == ";" and not quoted:
            return index
    return len(body)


def _extended(body: str, start: int) -> tuple[AtCommand, int]:
    name = _EXTENDED_NAME.match(body, start + 1)
    if name is None:
        raise AtLineError(f"{body[start]} must be followed by a command name")
    end = _until_semicolon(body, name.end())
    full, tail = body[start] + name.group(), body[name.end():end]
    if tail == "":
        return AtCommand(full, "action"), end
    if tail == "?":
        return AtCommand(full, "read"), end
    if tail == "=?":
        return AtCommand(full, "test"), end
    if tail.startswith("="):
        return AtCommand(full, "set", tail[1:]), end
    raise AtLineError(f"{full}{tail}: a further command after {full} needs a ';' first")


def _basic(body: str, start: int) -> tuple[AtCommand, int]:
    """Gives one basic command (V.250 5.3.1: letter or &letter, then a number) or an
    S-parameter (5.3.2: Sn? reads, Sn=value sets). Only S-parameters have a read form: a
    '?' after another basic command (ATE1?) is not split, as a modem may run ATE1 first."""
    end = start + (2 if body[start] == "&" else 1)
    name = body[start:end]
    if name == "&" or not name[-1].isalpha():
        raise AtLineError("& must be followed by a letter")
    number = _NUMBER.match(body, end)
    if name != "S":
        return AtCommand(name, "action", number.group()), number.end()
    if not number.group():
        raise AtLineError("S must be followed by a register number (S0?, S0=1)")
    name, end = "S" + number.group(), number.end()
    if body[end:end + 1] == "=":
        value = _NUMBER.match(body, end + 1)
        return AtCommand(name, "set", value.group()), value.end()
    if body[end:end + 1] == "?":
        return AtCommand(name, "read"), end + 1
    return AtCommand(name, "action"), end


def _effect(command: AtCommand, setup: frozenset[str]) -> Effect:
    if command.form in ("read", "test"):
        return Effect.READ_ONLY
    if command.name.startswith("S") and command.name[1:].isdigit():
        # S0 answers calls by itself, S3-S5 change the line's end characters (V.250 6.2.1-6.2.3)
        return Effect.UNDOES_SETUP
    if command.form == "action" and command.name in REPORTING_ACTIONS:
        return Effect.READ_ONLY     # before the set-up list: AT+CLCC lists, AT+CLCC=1 sets
    if command.name in setup:
        return Effect.UNDOES_SETUP
    if command.name == "+CRSM" and command.args.split(",", 1)[0] in _CRSM_READS:
        return Effect.READ_ONLY
    return Effect.CHANGES


@functools.cache
def _profile_setup() -> frozenset[str]:
    """Gives the names of the commands a vendor profile sends at open (AT+CLCC=1, ...)."""
    names = set()
    for profile in PROFILES.values():
        for text in profile.init_commands:
            for command in split_line(text):
                if command.form in ("action", "set"):
                    names.add(command.name)
    return frozenset(names)
