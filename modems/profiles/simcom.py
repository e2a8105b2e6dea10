"""SIMCom modules (SIM7600, SIM800, A7670).

- `AT+CLCC=1` makes the module print a +CLCC line on every call state change
  (stat 6 = disconnected, a SIMCom extension); it is a hint, the list stays
  the truth.
- A +CLCC URC of a data or fax call (<mode> not 0) is ignored, as its list line is.
- `VOICE CALL: BEGIN` / `VOICE CALL: END: hhmmss` frame an active call.
- `AT+DDET=1` reports received keys: SIM7600 as `+RXDTMF: 5`, SIM800 as
  `+DTMF:5` (python-gsmmodem knows only the second).
- SIM7600 carries voice over USB audio after `AT+CPCMREG=1`.
- Answers ERROR to AT+CLAC.
"""
from __future__ import annotations

import re

from modems.events import CallState
from modems.profiles.base import VOICE_MODE, CallHint, DtmfHint, Profile

# The +CLCC URC of AT+CLCC=1 (SIM7500/SIM7600 AT Command Manual, AT+CLCC) has the fields of
# 27.007 §7.18 plus stat 6 = disconnected; <mode> is read so that a data call's line is ignored.
_CLCC = re.compile(r'\+CLCC:\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+)')
_VOICE_END = re.compile(r"VOICE CALL: END: (\d{2})(\d{2})(\d{2})")
_DTMF = re.compile(r"\+(?:RX)?DTMF:\s*([0-9*#A-D])")


class SimcomProfile(Profile):
    name = "simcom"
    voice = "USB audio (ALSA), enabled by AT+CPCMREG=1"
    poll_interval = 1.0
    urc_prefixes = Profile.urc_prefixes + (
        "+CLCC", "VOICE CALL", "+RXDTMF", "+DTMF", "MISSED_CALL", "SMS DONE", "PB DONE",
        "+CPCMREG",
    )
    iccid_commands = ("AT+CICCID", "AT+CCID", "AT+ICCID")
    init_commands = ("AT+CLCC=1", "AT+DDET=1", "AT+CPCMREG=1")

    @staticmethod
    def matches(manufacturer: str, model: str) -> bool:
        return "simcom" in manufacturer.lower()

    def parse_urc(self, line: str) -> CallHint | DtmfHint | None:
        if match := _DTMF.match(line):
            return DtmfHint(match[1])
        if match := _CLCC.match(line):
            if int(match[4]) != VOICE_MODE:
                return None     # a data or fax call (27.007 <mode>): not ours to track
            stat = int(match[3])
            state = CallState.ENDED if stat == 6 else CallState.from_clcc(stat) if stat <= 5 else None
            return CallHint(call_id=int(match[1]), state=state)
        if match := _VOICE_END.match(line):
            hours, minutes, seconds = (int(part) for part in match.groups())
            return CallHint(duration=float(hours * 3600 + minutes * 60 + seconds))
        if line.startswith(("VOICE CALL", "MISSED_CALL")):
            return CallHint()
        return None
