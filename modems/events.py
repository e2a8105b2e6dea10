"""What a modem tells the rest of the box, normalized across vendors.

Every driver turns its vendor's unsolicited result codes into these events and
delivers them, per modem, in the order the modem sent them.
"""
from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field


class CallState(enum.Enum):
    """State of one call, named after 3GPP TS 27.007 +CLCC <stat> plus the end."""

    ACTIVE = "active"        # 0
    HELD = "held"            # 1
    DIALING = "dialing"      # 2 (MO)
    ALERTING = "alerting"    # 3 (MO: the far end rings)
    INCOMING = "incoming"    # 4 (MT)
    WAITING = "waiting"      # 5 (MT, another call active)
    ENDED = "ended"

    @classmethod
    def from_clcc(cls, stat: int) -> "CallState":
        """Gives the state for a +CLCC <stat> number."""
        return _CLCC_STATES[stat]


_CLCC_STATES = {0: CallState.ACTIVE, 1: CallState.HELD, 2: CallState.DIALING,
                3: CallState.ALERTING, 4: CallState.INCOMING, 5: CallState.WAITING}


class EndCause(enum.Enum):
    """Why a call ended, in the user's words."""

    NORMAL = "normal"          # answered, then released by either side
    BUSY = "busy"
    NO_ANSWER = "no answer"
    REJECTED = "rejected"      # MT call we rejected, or MO call the far end rejected
    NO_CARRIER = "no carrier"  # released before answer without a reason we can tell
    NETWORK = "network"        # no network, call dropped, congestion
    MODEM_DOWN = "modem down"  # the modem vanished while the call was up


class Direction(enum.Enum):
    OUTGOING = "outgoing"
    INCOMING = "incoming"


@dataclass(frozen=True)
class ModemEvent:
    modem: str
    at: float = field(default_factory=time.monotonic, kw_only=True)


@dataclass(frozen=True)
class ModemUp(ModemEvent):
    manufacturer: str = ""
    model: str = ""
    profile: str = ""


@dataclass(frozen=True)
class ModemDown(ModemEvent):
    reason: str = ""


@dataclass(frozen=True)
class ModemRecovery(ModemEvent):
    """The pool took a step to bring a sick modem back (modems/recovery.py), and why.

    step: "reset" (AT+CFUN=1,1 or the profile's own restart), "reopen" (the port came
    back and the modem was opened again), "power-cycle" (its USB port was switched off
    and on), "gave up" (every step failed: the owner must look). `ok` says whether the
    modem answered again after the step; `attempt` counts the steps of this episode."""

    step: str = ""
    reason: str = ""
    ok: bool = False
    attempt: int = 1


@dataclass(frozen=True)
class IncomingCall(ModemEvent):
    """An incoming call rings. `number` is E.164, or None when withheld."""

    call_id: int = 0
    number: str | None = None
    number_raw: str = ""
    type_of_address: int | None = None
    ring: int = 1                  # how many times it has rung so far


@dataclass(frozen=True)
class CallStateChanged(ModemEvent):
    call_id: int = 0
    state: CallState = CallState.DIALING
    direction: Direction = Direction.OUTGOING
    number: str | None = None
    cause: EndCause | None = None      # set when state is ENDED
    cause_code: int | None = None      # the modem's own code (e.g. ^CEND cc_cause) if any
    duration: float | None = None      # seconds active, when the modem reports it


@dataclass(frozen=True)
class DtmfReceived(ModemEvent):
    digit: str = ""
    source: str = "modem"   # "modem" (URC) or "audio" (in-band detector)


@dataclass(frozen=True)
class SmsStored(ModemEvent):
    """The modem announced a new SMS in storage (+CMTI); the gateway reads it,
    commits it, and only then deletes it."""

    memory: str = "SM"
    index: int = 0


@dataclass(frozen=True)
class SmsReceived(ModemEvent):
    """An SMS read from the modem: raw PDU kept, decoded fields when decodable."""

    index: int | None = None
    pdu: str = ""
    sender: str | None = None      # E.164, or the alphanumeric/short-code sender as is
    sender_raw: str = ""
    text: str | None = None
    smsc_time: str | None = None   # ISO 8601
    concat_ref: int | None = None
    concat_part: int | None = None
    concat_total: int | None = None
    error: str | None = None       # set when the PDU could not be decoded
    status_report: bool = False    # the PDU is a status report (read it as SmsStatusReport)


@dataclass(frozen=True)
class SmsStatusReport(ModemEvent):
    """What the network says became of an SMS the box sent (3GPP TS 23.040 9.2.2.3
    SMS-STATUS-REPORT), pushed by the modem (+CDS) or read from its storage.

    `reference` is the TP-MR that +CMGS gave for the part it reports on, `recipient`
    the TP-RA (E.164 where it is a number), `status` the TP-ST (23.040 9.2.3.15: 0x00
    to 0x1F done, 0x20 to 0x3F still trying, 0x40 and on failed for good)."""

    index: int | None = None       # where it was stored; None when pushed (+CDS)
    memory: str | None = None
    pdu: str = ""
    reference: int | None = None
    recipient: str | None = None
    status: int | None = None
    smsc_time: str | None = None   # ISO 8601: when the SMSC took the SMS (TP-SCTS)
    done_time: str | None = None   # ISO 8601: when it was delivered or given up (TP-DT)
    error: str | None = None       # set when the PDU could not be decoded


@dataclass(frozen=True)
class StatusReportStored(ModemEvent):
    """The modem stored a status report (+CDSI, 27.005 3.4.1 <ds>=2): read it, then
    delete it."""

    memory: str = "SR"
    index: int = 0


@dataclass(frozen=True)
class SignalChanged(ModemEvent):
    rssi: int | None = None        # +CSQ 0..31, None = unknown (99)
    dbm: int | None = None
    bars: int = 0                  # 0..5
    registration: str = "unknown"  # home | roaming | searching | denied | not registered | unknown
    operator: str | None = None


@dataclass(frozen=True)
class UssdReceived(ModemEvent):
    status: int = 0
    text: str = ""
