"""Quectel EC25 / EC20 / UC20.

Call state changes come as +QIND: "ccinfo",... once AT+QINDCFG="ccinfo",1 is
set (stat 7 = released); firmwares without it use ^DSCI (AT^DSCI=1, stat 6 =
released), reported here only when ccinfo is off. Keys from the far end come as
+QTONEDET: <ASCII code> after AT+QTONEDET=1. USB audio: AT+QPCMV=1,2.
Voice settings as the AT Commands Manual V2.0 chapter 12 gives them: AT+QAUDMOD 0-5
(power-up 0), AT+QSIDET 0-65535 (0), AT+QMIC <txgain>[,<txdgain>] 0-65535 each,
AT+CLVL 0-5 (3); AT+QEEC is not modelled (ERROR).
"""
from __future__ import annotations

from modems.sim.at_engine import Reply, Request
from modems.sim.calls import LegState
from modems.sim.dialects.base import (STANDARD_CLAC, Dialect, accept_handler, iccid_handler,
                                      leg_number, switch_handler)


def _qindcfg(modem, request: Request) -> Reply:
    args = request.args()
    if request.kind == "set" and args:
        kind = args[0].lower()
        if len(args) == 1:
            return Reply([f'+QINDCFG: "{kind}",{modem.settings.vendor.get(kind, 0)}'])
        modem.settings.vendor[kind] = request.int_arg(1)
    return Reply()


class QuectelDialect(Dialect):
    name = "quectel"
    manufacturer = "Quectel"
    model = "EC25"
    revision = "EC25EFAR06A06M4G"
    clac = STANDARD_CLAC + ("+QINDCFG", "^DSCI", "+QTONEDET", "+QPCMV", "+QCCID", "+QAUDMOD",
                            "+QSIDET", "+QMIC", "+CLVL", "+CMUT")
    voice_levels = {**Dialect.voice_levels, "+QAUDMOD": (0, 5, (0,)), "+QSIDET": (0, 65535, (0,)),
                    "+QMIC": (0, 65535, (8192, 8192))}
    handlers = {
        "+QINDCFG": _qindcfg,
        "^DSCI": switch_handler("dsci", "^DSCI: {}", "^DSCI: (0,1)"),
        "+QTONEDET": switch_handler("tonedet", "+QTONEDET: {}", "+QTONEDET: (0,1)"),
        "+QPCMV": accept_handler("+QPCMV: 1,2"),
        "+QCCID": iccid_handler("+QCCID"),
    }

    def vendor_call_state(self, modem, cid, call, previous, leg) -> None:
        vendor = modem.settings.vendor
        if vendor.get("ccinfo"):
            stat = 7 if leg is LegState.RELEASED else None
            modem.urc(f'+QIND: "ccinfo",{self.clcc_fields(modem, cid, call, stat)}')
        elif vendor.get("dsci"):
            number, toa = leg_number(modem, call)
            direction = 0 if call.caller is modem else 1
            modem.urc(f"^DSCI: {cid},{direction},{leg.value},0,{number},{toa}")

    def other_call_state(self, modem, other, released: bool) -> None:
        """A data call in the vendor URCs: ccinfo with <mode> 1, ^DSCI with <type> 1."""
        vendor = modem.settings.vendor
        if vendor.get("ccinfo"):
            modem.urc(f'+QIND: "ccinfo",{other.clcc_fields(7 if released else None)}')
        elif vendor.get("dsci"):
            modem.urc(f"^DSCI: {other.call_id},{other.direction},{6 if released else other.stat},"
                      f"{other.mode},{other.number},{other.type_of_address}")

    def dtmf_urc(self, modem, digit: str) -> str | None:
        if modem.settings.vendor.get("tonedet"):
            return f"+QTONEDET: {ord(digit)}"
        return None
