"""Huawei voice sticks (E1550, E173, E1752, E169...).

- Voice is raw 8 kHz S16LE PCM on a second serial port, and only after
  `AT^DDSETEX=2` once the call is set up (chan_dongle sends it after ATD and
  ATA; without it the voice port stays silent).
- Call progress comes as ^ORIG (dialling), ^CONF (alerting), ^CONN (answered)
  and ^CEND:idx,duration,end_status[,cc_cause]; the cc_cause field is missing
  on some firmwares (E1550 11.608), so it is optional here.
- ^ORIG/^CONN carry a call_type (0 voice, 1 CS data, 2 PS data, 9 emergency): data
  calls are not ours and are ignored.
- DTMF is sent with AT^DTMF=<id>,<key>; received keys are only in-band.
- The sticks chatter ^RSSI, ^BOOT, ^MODE, ^SRVST... at any time, including
  inside a command's response.
- Voice settings: the voice firmware of the E1550/E173 documents no echo canceller,
  side tone or microphone gain command; the raw PCM on the serial port is all there
  is (the box's own echo canceller and gain work on it). AT^CVOICE? tells whether the
  voice port is on and its format (^CVOICE: <mode>,<rate>,<bits>,<frame ms>, mode 0 =
  voice on); the 27.007 AT+CLVL (§8.23) and AT+CMUT (§8.24) are answered.
"""
from __future__ import annotations

import re

from modems.events import CallState, Direction
from modems.profiles.base import READ_EF_ICCID, CC_CAUSES, CallHint, Profile
from modems.profiles.voice import VoiceQuery

# Huawei AT command interface specification, ^ORIG:<call_x>,<call_type> and
# ^CONN:<call_x>,<call_type>: call_type 0 voice, 1 CS data, 2 PS data, 9 emergency (voice).
_ORIG = re.compile(r"\^ORIG:\s*(\d+),\s*(\d+)")
_CONF = re.compile(r"\^CONF:\s*(\d+)")
_CONN = re.compile(r"\^CONN:\s*(\d+),\s*(\d+)")
_VOICE_CALL_TYPES = (0, 9)
_CEND = re.compile(r"\^CEND:\s*(\d+),\s*(\d+),\s*(\d+)(?:,\s*(\d+))?")


def _voice_port(values: list[int]) -> str:
    if len(values) < 4:
        return "unknown"
    state = "on" if values[0] == 0 else "off"
    return f"{state} ({values[1]} Hz, {values[2]} bit, {values[3]} ms frames)"


class HuaweiProfile(Profile):
    name = "huawei"
    voice = "serial voice port (raw 8 kHz PCM, enabled by AT^DDSETEX=2)"
    audio_kind = "serial"
    poll_interval = 1.0
    urc_prefixes = Profile.urc_prefixes + (
        "^ORIG", "^CONF", "^CONN", "^CEND", "^RSSI", "^BOOT", "^MODE", "^SRVST", "^SIMST",
        "^RFSWITCH", "^HCSQ", "^DSFLOWRPT", "^SYSSTART",
    )
    iccid_commands = ("AT^ICCID?", "AT+CCID", "AT+ICCID", READ_EF_ICCID)
    init_commands = ("AT^CVOICE?",)
    after_dial = ("AT^DDSETEX=2",)
    after_answer = ("AT^DDSETEX=2",)
    voice_queries = (VoiceQuery("voice port", "AT^CVOICE?", "^CVOICE:", _voice_port),) \
        + Profile.voice_queries

    @staticmethod
    def matches(manufacturer: str, model: str) -> bool:
        return "huawei" in manufacturer.lower()

    def parse_urc(self, line: str) -> CallHint | None:
        if match := _ORIG.match(line) or _CONN.match(line):
            if int(match[2]) not in _VOICE_CALL_TYPES:
                return None     # a data call's progress: not ours to track
            if line.startswith("^CONN"):
                return CallHint(call_id=int(match[1]), state=CallState.ACTIVE)
            return CallHint(call_id=int(match[1]), state=CallState.DIALING,
                            direction=Direction.OUTGOING)
        if match := _CONF.match(line):
            return CallHint(call_id=int(match[1]), state=CallState.ALERTING)
        if match := _CEND.match(line):
            code = int(match[4]) if match[4] is not None else None
            return CallHint(call_id=int(match[1]), state=CallState.ENDED,
                            cause=CC_CAUSES.get(code) if code is not None else None,
                            cause_code=code, duration=float(match[2]))
        return None

    def dtmf_command(self, call_id: int, digit: str) -> str:
        return f"AT^DTMF={call_id},{digit}"
