"""What every vendor profile provides; the generic 27.007 modem is the base."""
from __future__ import annotations

from dataclasses import dataclass

from modems.events import CallState, Direction, EndCause


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
    iccid_commands: tuple[str, ...] = ("AT+CCID", "AT+ICCID", "AT^ICCID?", "AT+QCCID", "AT+CICCID")
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
