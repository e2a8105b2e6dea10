"""SIMCom modules (SIM7600, SIM800, A7670).

- `AT+CLCC=1` makes the module print a +CLCC line on every call state change
  (stat 6 = disconnected, a SIMCom extension); it is a hint, the list stays
  the truth.
- A +CLCC URC of a data or fax call (<mode> not 0) is ignored, as its list line is.
- `VOICE CALL: BEGIN` / `VOICE CALL: END: hhmmss` frame an active call.
- `AT+DDET=1` reports received keys: SIM7600 as `+RXDTMF: 5`, SIM800 as
  `+DTMF:5` (python-gsmmodem knows only the second).
- SIM7600 carries voice as 8 kHz 16-bit PCM on its USB serial interface 04 after
  `AT+CPCMREG=1` (SIMCom USB audio application note): `audio = "serial:..."`.
- Answers ERROR to AT+CLAC.
- Voice settings of the module (SIM7500_SIM7600 Series AT Command Manual, audio
  commands, cited by command heading): echo canceller AT+CECM, side tone AT+SIDET,
  microphone gain AT+CMICGAIN, speaker volume AT+CLVL. Some SIM7600 firmwares answer
  ERROR to AT+CECM outside a call; the driver logs that and goes on.
"""
from __future__ import annotations

import re

from modems.events import CallState
from modems.profiles.base import READ_EF_ICCID, VOICE_MODE, CallHint, DtmfHint, Profile
from modems.profiles.voice import VoiceCommand, VoiceQuery, level, on_off, side_tone_gain

# The +CLCC URC of AT+CLCC=1 (SIM7500/SIM7600 AT Command Manual, AT+CLCC) has the fields of
# 27.007 §7.18 plus stat 6 = disconnected; <mode> is read so that a data call's line is ignored.
_CLCC = re.compile(r'\+CLCC:\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+)')
_VOICE_END = re.compile(r"VOICE CALL: END: (\d{2})(\d{2})(\d{2})")
_DTMF = re.compile(r"\+(?:RX)?DTMF:\s*([0-9*#A-D])")
# AT+CSDVC <dev> (SIM7500_SIM7600 AT Command Manual, AT+CSDVC Switch voice channel device).
_DEVICES = {1: "handset", 3: "speaker phone"}


class SimcomProfile(Profile):
    name = "simcom"
    voice = ("SIM7600: serial voice port (8 kHz PCM on USB interface 04, enabled by "
             "AT+CPCMREG=1); SIM800, A7670: a sound card (ALSA)")
    poll_interval = 1.0
    urc_prefixes = Profile.urc_prefixes + (
        "+CLCC", "VOICE CALL", "+RXDTMF", "+DTMF", "MISSED_CALL", "SMS DONE", "PB DONE",
        "+CPCMREG",
    )
    iccid_commands = ("AT+CICCID", "AT+CCID", "AT+ICCID", READ_EF_ICCID)
    init_commands = ("AT+CLCC=1", "AT+DDET=1", "AT+CPCMREG=1")
    voice_queries = (
        VoiceQuery("echo canceller", "AT+CECM?", "+CECM:", on_off),         # AT+CECM
        VoiceQuery("side tone", "AT+SIDET?", "+SIDET:", side_tone_gain),    # AT+SIDET
        VoiceQuery("microphone gain", "AT+CMICGAIN?", "+CMICGAIN:", level), # AT+CMICGAIN
        VoiceQuery("speaker volume", "AT+CLVL?", "+CLVL:", level),          # AT+CLVL
        VoiceQuery("voice device", "AT+CSDVC?", "+CSDVC:",                  # AT+CSDVC
                   lambda values: _DEVICES.get(values[0], str(values[0])) if values else "unknown"),
    )

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

    # -- the module's own voice settings ------------------------------------------------

    def echo_cancel_command(self, on: bool) -> VoiceCommand:
        # SIM7500_SIM7600 AT Command Manual, AT+CECM Enable/Disable echo canceller:
        # AT+CECM=<mode>, 0 disables it, 1 enables it.
        return VoiceCommand(f"echo canceller {'on' if on else 'off'}", f"AT+CECM={int(on)}")

    def side_tone_off_command(self) -> VoiceCommand:
        # SIM7500_SIM7600 AT Command Manual, AT+SIDET Digital attenuation of sidetone:
        # AT+SIDET=<val>, a gain; 0 is no side tone.
        return VoiceCommand("side tone off", "AT+SIDET=0")

    def mic_gain_command(self, gain: int) -> VoiceCommand:
        # SIM7500_SIM7600 AT Command Manual, AT+CMICGAIN Adjust mic gain: AT+CMICGAIN=<value>,
        # levels 0-8 (the test form gives the module's own range, checked first).
        return VoiceCommand(f"microphone gain {gain}", f"AT+CMICGAIN={gain}", gain,
                            "AT+CMICGAIN=?")
