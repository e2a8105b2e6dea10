"""Quectel modules (EC25, EC20, UC20, EG25).

- `AT+QINDCFG="ccinfo",1,0` gives `+QIND: "ccinfo",id,dir,stat,mode,mpty,"number",type`
  on every call state change (stat 7 = released); older firmwares lack it, so
  `AT^DSCI=1` (`^DSCI: id,dir,stat,type,number,num_type`, stat 6 = released)
  is enabled as the fallback.
- An EG25-G was seen keeping a finished data call in AT+CLCC (`+CLCC: 1,1,0,1,0,"",128`)
  beside the voice call, so voice calls may have id 2; ccinfo/^DSCI of non-voice calls
  (<mode>/<type> not 0) are ignored like their list lines.
- `AT+QTONEDET=1` reports received keys as `+QTONEDET: <ASCII code>`.
- `AT+QPCMV=1,2` routes voice to the USB audio class device.
"""
from __future__ import annotations

import re

from modems.events import CallState
from modems.profiles.base import VOICE_MODE, CallHint, DtmfHint, Profile

# Quectel EC2x/EG25 AT Commands Manual, AT+QINDCFG "ccinfo": +QIND: "ccinfo",<id>,<dir>,
# <stat>,<mode>,<mpty>,<number>,<type>, the 27.007 §7.18 +CLCC fields (any further field
# is not read); <mode> is read so that a data call's line is ignored.
_CCINFO = re.compile(r'\+QIND:\s*"ccinfo",\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+)')
# ^DSCI: <id>,<dir>,<stat>,<type>,<number>,<num_type>: <type> 0 is voice (chan_quectel
# drops every other type); the number may be empty and unquoted.
_DSCI = re.compile(r"\^DSCI:\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+)")
_TONE = re.compile(r"\+QTONEDET:\s*(\d+)")
_KEYS = set("0123456789*#ABCD")


def _state(stat: int, released: int) -> CallState | None:
    if stat == released:
        return CallState.ENDED
    return CallState.from_clcc(stat) if stat <= 5 else None


class QuectelProfile(Profile):
    name = "quectel"
    voice = "USB audio (ALSA), enabled by AT+QPCMV=1,2"
    poll_interval = 1.0
    urc_prefixes = Profile.urc_prefixes + ("+QIND", "^DSCI", "+QTONEDET", "+QUSIM", "+CPIN")
    iccid_commands = ("AT+QCCID", "AT+CCID", "AT+ICCID")
    init_commands = ('AT+QINDCFG="ccinfo",1,0', "AT^DSCI=1", "AT+QTONEDET=1", "AT+QPCMV=1,2")

    @staticmethod
    def matches(manufacturer: str, model: str) -> bool:
        return "quectel" in manufacturer.lower()

    def parse_urc(self, line: str) -> CallHint | DtmfHint | None:
        if match := _TONE.match(line):
            digit = chr(int(match[1])) if int(match[1]) < 128 else ""
            return DtmfHint(digit) if digit in _KEYS else None
        match = _CCINFO.match(line) or _DSCI.match(line)
        if match is None:
            return None
        if int(match[4]) != VOICE_MODE:
            return None     # a data or fax call: not ours to track
        released = 7 if line.startswith("+QIND") else 6
        return CallHint(call_id=int(match[1]), state=_state(int(match[3]), released))
