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
- Voice settings of the module (Quectel EC2x&EG9x&EG2x-G&EM05 Series AT Commands
  Manual V2.0, chapter 12): the audio mode AT+QAUDMOD (§12.6) switches the echo
  canceller with the rest of the module's processing, side tone AT+QSIDET (§12.9),
  microphone gain AT+QMIC (§12.10), speaker volume AT+CLVL (§12.1, levels 0-5).
  AT+QEEC (§12.8) tunes the echo canceller by parameter index, whose meanings only
  the audio application note gives per firmware: the box leaves it to the owner
  (the AT console), as chan_quectel does.
"""
from __future__ import annotations

import re

from modems.events import CallState
from modems.profiles.base import READ_EF_ICCID, VOICE_MODE, CallHint, DtmfHint, Profile
from modems.profiles.voice import VoiceCommand, VoiceQuery, level, side_tone_gain

# Quectel EC2x/EG25 AT Commands Manual, AT+QINDCFG "ccinfo": +QIND: "ccinfo",<id>,<dir>,
# <stat>,<mode>,<mpty>,<number>,<type>, the 27.007 §7.18 +CLCC fields (any further field
# is not read); <mode> is read so that a data call's line is ignored.
_CCINFO = re.compile(r'\+QIND:\s*"ccinfo",\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+)')
# ^DSCI: <id>,<dir>,<stat>,<type>,<number>,<num_type>: <type> 0 is voice (chan_quectel
# drops every other type); the number may be empty and unquoted.
_DSCI = re.compile(r"\^DSCI:\s*(\d+),\s*(\d),\s*(\d+),\s*(\d+)")
_TONE = re.compile(r"\+QTONEDET:\s*(\d+)")
_KEYS = set("0123456789*#ABCD")
# AT+QAUDMOD <mode> (§12.6): 0 handset, 1 headset, 2 speaker, 4 bluetooth, 5 general, each
# with its echo canceller, noise suppressor and gains; 3 switches all of that off.
_HANDSET_MODE, _NO_PROCESSING_MODE = 0, 3
_MODES = {0: "handset", 1: "headset", 2: "speaker", 4: "bluetooth", 5: "general"}


def _audio_mode(values: list[int]) -> str:
    if not values:
        return "unknown"
    if values[0] == _NO_PROCESSING_MODE:
        return "off (audio mode 3: no echo canceller, no noise suppressor)"
    return f"on (audio mode {values[0]}, {_MODES.get(values[0], 'unknown')})"


def _state(stat: int, released: int) -> CallState | None:
    if stat == released:
        return CallState.ENDED
    return CallState.from_clcc(stat) if stat <= 5 else None


class QuectelProfile(Profile):
    name = "quectel"
    voice = "USB audio (ALSA), enabled by AT+QPCMV=1,2"
    poll_interval = 1.0
    urc_prefixes = Profile.urc_prefixes + ("+QIND", "^DSCI", "+QTONEDET", "+QUSIM", "+CPIN")
    iccid_commands = ("AT+QCCID", "AT+CCID", "AT+ICCID", READ_EF_ICCID)
    init_commands = ('AT+QINDCFG="ccinfo",1,0', "AT^DSCI=1", "AT+QTONEDET=1", "AT+QPCMV=1,2")
    voice_queries = (
        VoiceQuery("echo canceller", "AT+QAUDMOD?", "+QAUDMOD:", _audio_mode),   # §12.6
        VoiceQuery("side tone", "AT+QSIDET?", "+QSIDET:", side_tone_gain),      # §12.9
        VoiceQuery("microphone gain", "AT+QMIC?", "+QMIC:",                     # §12.10
                   lambda values: f"{values[0]} (digital {values[1]})" if len(values) > 1
                   else level(values)),
        VoiceQuery("speaker volume", "AT+CLVL?", "+CLVL:", level),              # §12.1
    )

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

    # -- the module's own voice settings (AT Commands Manual V2.0, chapter 12) -----------

    def echo_cancel_command(self, on: bool) -> VoiceCommand:
        # §12.6 AT+QAUDMOD=<mode>: mode 0 (handset) runs the module's echo canceller and
        # noise suppressor, mode 3 switches all audio processing off.
        mode = _HANDSET_MODE if on else _NO_PROCESSING_MODE
        return VoiceCommand(f"echo canceller {'on' if on else 'off'} (audio mode {mode})",
                            f"AT+QAUDMOD={mode}")

    def side_tone_off_command(self) -> VoiceCommand:
        # §12.9 AT+QSIDET=<st_gain>, 0-65535, 0 = no side tone; not saved, so set each open.
        return VoiceCommand("side tone off", "AT+QSIDET=0")

    def mic_gain_command(self, gain: int) -> VoiceCommand:
        # §12.10 AT+QMIC=<txgain>[,<txdgain>]: the uplink codec gain, 0-65535; the digital
        # gain is left as the audio mode has it.
        return VoiceCommand(f"microphone gain {gain}", f"AT+QMIC={gain}", gain, "AT+QMIC=?")
