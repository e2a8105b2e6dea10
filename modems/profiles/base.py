"""What every vendor profile provides; the generic 27.007 modem is the base."""
from __future__ import annotations

from dataclasses import dataclass

from modems.events import CallState, Direction, EndCause
from modems.profiles.voice import ModuleVoice, VoiceCommand, VoiceQuery, level, muted


@dataclass(frozen=True)
class CallHint:
    """What one unsolicited line says about calls.

    The modem's AT+CLCC list stays the truth: a hint only carries what the
    list cannot tell (why a call ended, how long it lasted) and asks for a
    re-read of the list.
    """

    call_id: int | None = None
    state: CallState | None = None
    direction: Direction | None = None
    cause: EndCause | None = None
    cause_code: int | None = None
    duration: float | None = None


@dataclass(frozen=True)
class DtmfHint:
    digit: str


# 3GPP TS 27.007 §7.18 <mode>: 0 voice, 1 data, 2 fax, 3..8 alternating or voice-then-data
# bearers, 9 unknown. A Quectel EG25-G keeps a finished data call listed as
# `+CLCC: 1,1,0,1,0,"",128` beside the voice call; as chan_quectel does, only mode 0 is a
# call the box tracks, in the list and in every vendor's call URCs.
VOICE_MODE = 0

# 3GPP TS 24.008 annex H cause values a callback box meets.
CC_CAUSES = {
    1: EndCause.NETWORK,       # unassigned number
    16: EndCause.NORMAL,       # normal call clearing
    17: EndCause.BUSY,         # user busy
    18: EndCause.NO_ANSWER,    # no user responding
    19: EndCause.NO_ANSWER,    # user alerting, no answer
    21: EndCause.REJECTED,     # call rejected
    27: EndCause.NETWORK,      # destination out of order
    31: EndCause.NORMAL,       # normal, unspecified
    34: EndCause.NETWORK,      # no circuit available
    38: EndCause.NETWORK,      # network out of order
    41: EndCause.NETWORK,      # temporary failure
    42: EndCause.NETWORK,      # congestion
}

# Final result codes of 27.007/V.250 that end a voice call, on every vendor.
RESULT_CODE_CAUSES = {
    "BUSY": EndCause.BUSY,
    "NO ANSWER": EndCause.NO_ANSWER,
    "NO CARRIER": EndCause.NO_CARRIER,
    "NO DIALTONE": EndCause.NETWORK,
}


# The last resort for a modem without an ICCID command: 27.007 §8.18 restricted SIM access,
# READ BINARY (176) of EF_ICCID (file 2FE2 = 12258, TS 31.102 §4.2.2), all 10 bytes.
READ_EF_ICCID = "AT+CRSM=176,12258,0,0,10"


class Profile:
    """The generic 27.007 modem: no call-progress URCs, so AT+CLCC is polled
    while a call exists; no DTMF URC, so keys come from the audio."""

    name = "generic"
    voice = "unknown (USB audio or a serial voice port, depending on the model)"
    audio_kind = "alsa"
    poll_interval = 0.2          # seconds between AT+CLCC reads while a call exists
    urc_prefixes: tuple[str, ...] = (
        "RING", "+CRING", "+CLIP", "+CMTI", "+CMT:", "+CDSI", "+CDS:", "+CUSD", "+CREG",
        "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "+CCWA", "RDY", "+CPIN",
    )
    iccid_commands: tuple[str, ...] = ("AT+CCID", "AT+ICCID", "AT^ICCID?", "AT+QCCID",
                                       "AT+CICCID", READ_EF_ICCID)
    init_commands: tuple[str, ...] = ()
    # Restarts the modem when it is sick (modems/recovery.py): 27.007 §8.2 +CFUN=<fun>,<rst>
    # with <rst>=1 resets the MT before setting full functionality. A vendor whose manual
    # names another restart command overrides this.
    reset_command = "AT+CFUN=1,1"
    after_dial: tuple[str, ...] = ()
    after_answer: tuple[str, ...] = ()

    @staticmethod
    def matches(manufacturer: str, model: str) -> bool:
        return True

    def parse_urc(self, line: str) -> CallHint | DtmfHint | None:
        """Gives what a vendor URC says, or None when it is not a vendor URC."""
        return None

    def dtmf_command(self, call_id: int, digit: str) -> str:
        return f"AT+VTS={digit}"

    # -- the module's own voice settings (modems/profiles/voice.py) -----------------------
    # 3GPP TS 27.007 names only the loudspeaker volume (§8.23 +CLVL, levels the maker
    # chooses) and the microphone mute (§8.24 +CMUT, 0 = not muted); echo canceller, side
    # tone and microphone gain are vendor commands, so a generic modem keeps its own.
    module_echo_cancel_default = True   # what module_echo_cancel unset means, where offered
    voice_queries: tuple[VoiceQuery, ...] = (
        VoiceQuery("speaker volume", "AT+CLVL?", "+CLVL:", level),       # 27.007 §8.23
        VoiceQuery("microphone", "AT+CMUT?", "+CMUT:", muted),           # 27.007 §8.24
    )

    def voice_commands(self, wanted: ModuleVoice) -> tuple[list[VoiceCommand], list[str]]:
        """Gives the lines that set what is wanted, in order, and the wishes the owner
        gave that this module has no command for."""
        commands: list[VoiceCommand | None] = []
        missing = []
        echo = self.module_echo_cancel_default if wanted.echo_cancel is None else wanted.echo_cancel
        commands.append(self.echo_cancel_command(echo))
        if commands[-1] is None and wanted.echo_cancel is not None:
            missing.append("module_echo_cancel")
        if not wanted.side_tone:
            commands.append(self.side_tone_off_command())
        if wanted.mic_gain is not None:
            commands.append(self.mic_gain_command(wanted.mic_gain))
            if commands[-1] is None:
                missing.append("mic_gain")
        if wanted.speaker_volume is not None:
            commands.append(self.speaker_volume_command(wanted.speaker_volume))
        return [command for command in commands if command is not None], missing

    def echo_cancel_command(self, on: bool) -> VoiceCommand | None:
        return None

    def side_tone_off_command(self) -> VoiceCommand | None:
        return None

    def mic_gain_command(self, gain: int) -> VoiceCommand | None:
        return None

    def speaker_volume_command(self, volume: int) -> VoiceCommand | None:
        # 27.007 §8.23: AT+CLVL=<level>; the test form +CLVL: (list of supported <level>s)
        # gives the range, which differs by maker.
        return VoiceCommand(f"speaker volume {volume}", f"AT+CLVL={volume}", volume, "AT+CLVL=?")
