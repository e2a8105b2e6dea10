"""SIMCom SIM7600 / SIM800.

AT+CLAC answers ERROR. With AT+CLCC=1 every call state change is a +CLCC line
(stat 6 = disconnected); VOICE CALL: BEGIN / END: hhmmss frame an active call;
MISSED_CALL when a caller gives up before we answer. After AT+DDET=1 keys the
far end presses come as +RXDTMF: d (SIM7600) or +DTMF:d (SIM800), set per
modem in modem.dtmf_urc. USB audio is switched on with AT+CPCMREG=1.
The module's voice settings are levels it keeps and reports (AT+CECM echo canceller,
AT+SIDET side tone gain, AT+CMICGAIN 0-8, AT+CLVL 0-5), out-of-range values answer
ERROR; the power-up values are plausible, not read from a real SIM7600.
"""
from __future__ import annotations

import time

from modems.sim.at_engine import AtError, Reply, Request
from modems.sim.calls import Cause, LegState
from modems.sim.dialects.base import Dialect, accept_handler, iccid_handler, switch_handler


def _clcc(modem, request: Request) -> Reply:
    if request.kind == "set":
        modem.settings.vendor["clcc"] = request.int_arg(0)
        return Reply()
    if request.kind == "test":
        return Reply()
    if request.kind == "query":
        raise AtError()
    return Reply(modem.dialect.clcc_lines(modem))


class SimcomDialect(Dialect):
    name = "simcom"
    manufacturer = "SIMCOM INCORPORATED"
    model = "SIM7600E-H"
    revision = "LE20B04SIM7600M22"
    clac = None
    voice_levels = {**Dialect.voice_levels, "+CECM": (0, 1, (0,)), "+SIDET": (0, 65535, (1024,)),
                    "+CMICGAIN": (0, 8, (3,))}
    handlers = {
        "+CLCC": _clcc,
        "+DDET": switch_handler("ddet", "+DDET: {}", "+DDET: (0,1)"),
        "+CPCMREG": switch_handler("pcm", "+CPCMREG: {}", "+CPCMREG: (0,1)"),
        "+CCID": iccid_handler("+ICCID"),
        "+ICCID": iccid_handler("+ICCID"),
        "+CICCID": iccid_handler("+ICCID"),
        "+CSDVC": accept_handler("+CSDVC: 1"),
    }

    def other_call_state(self, modem, other, released: bool) -> None:
        if modem.settings.vendor.get("clcc"):
            modem.urc(f"+CLCC: {other.clcc_fields(6 if released else None)}")

    def vendor_call_state(self, modem, cid, call, previous, leg) -> None:
        if modem.settings.vendor.get("clcc"):
            modem.urc(f"+CLCC: {self.clcc_fields(modem, cid, call)}")
        if leg is LegState.ACTIVE:
            modem.urc("VOICE CALL: BEGIN")
        elif leg is LegState.RELEASED:
            if call.answered is not None:
                seconds = int(call.duration())
                modem.urc(f"VOICE CALL: END: {seconds // 3600:02d}{seconds // 60 % 60:02d}"
                          f"{seconds % 60:02d}")
            elif previous is LegState.INCOMING and (
                    call.released_by is call.caller or call.cause is Cause.NO_ANSWER):
                number = call.caller.presented()[0]
                modem.urc(f"MISSED_CALL: {time.strftime('%I:%M%p')} {number}")

    def dtmf_urc(self, modem, digit: str) -> str | None:
        if modem.settings.vendor.get("ddet"):
            return modem.dtmf_urc.format(d=digit)
        return None
