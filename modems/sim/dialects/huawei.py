"""Huawei E1550 / E173 / E1752 (voice-enabled firmware).

Call progress comes as ^ORIG/^CONF/^CONN/^CEND, written without a space after
the colon as these firmwares do (python-gsmmodem's patterns expect exactly that).
Voice is raw 8 kHz PCM on a second serial port, but only after AT^DDSETEX=2
is sent during the call. Some firmwares leave the cc_cause off ^CEND
(modem.cend_with_cause). SMS storage indices start at 0 on these sticks.
"""
from __future__ import annotations

from modems.sim.at_engine import CME_NOT_ALLOWED, CmeError, Reply, Request
from modems.sim.calls import LegState
from modems.sim.dialects.base import (STANDARD_CLAC, Dialect, accept_handler,
                                      switch_handler)

END_STATUS = 104


def _dtmf(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply()
    args = request.args()
    if request.kind != "set" or len(args) < 2:
        raise CmeError(CME_NOT_ALLOWED)
    calls = dict(modem.calls())
    call = calls.get(request.int_arg(0))
    if call is None or call.leg_state(modem) is not LegState.ACTIVE:
        raise CmeError(CME_NOT_ALLOWED)
    digits = args[1].upper()
    modem.send_dtmf(digits)
    return Reply()


def _iccid_as_stored(modem, request: Request) -> Reply:
    """E173/E1550 firmwares answer AT^ICCID? with the digits as the card stores them:
    nibbles swapped in pairs, F-padded (`98942000002143658709` for 89490200001234567890)."""
    digits = modem.iccid + "F" * (len(modem.iccid) % 2)
    stored = "".join(digits[index + 1] + digits[index] for index in range(0, len(digits), 2))
    return Reply([f"^ICCID: {stored}"])


def _ddsetex(modem, request: Request) -> Reply:
    if request.kind == "set":
        if request.int_arg(0) != 2:
            raise CmeError(CME_NOT_ALLOWED)
        modem.settings.vendor["voice_port"] = 1
    return Reply()


def _cvoice(modem, request: Request) -> Reply:
    if request.kind == "query":
        return Reply(["^CVOICE: 0,8000,16,20"])
    if request.kind == "test":
        return Reply(["^CVOICE: (0)"])
    return Reply()


class HuaweiDialect(Dialect):
    name = "huawei"
    manufacturer = "huawei"
    model = "E1550"
    revision = "11.608.12.02.143"
    clac = STANDARD_CLAC + ("^CVOICE", "^DTMF", "^USSDMODE", "^DDSETEX", "^ICCID", "^CURC")
    voice_port = True
    first_sms_index = 0
    handlers = {
        "^CVOICE": _cvoice,
        "^USSDMODE": switch_handler("ussdmode", "^USSDMODE: {}"),
        "^DDSETEX": _ddsetex,
        "^DTMF": _dtmf,
        "^ICCID": _iccid_as_stored,
        "^CURC": accept_handler("^CURC: 1"),
    }

    def other_call_state(self, modem, other, released: bool) -> None:
        """^CONN/^CEND for a data call: call_type 1 (CS data) in ^CONN, no type in ^CEND."""
        if released:
            modem.urc(f"^CEND:{other.call_id},0,{END_STATUS},16")
        else:
            modem.urc(f"^CONN:{other.call_id},1")

    def vendor_call_state(self, modem, cid, call, previous, leg) -> None:
        outgoing = call.caller is modem
        if leg is LegState.DIALING and previous is None:
            modem.urc(f"^ORIG:{cid},0")
        elif leg is LegState.ALERTING and outgoing:
            modem.urc(f"^CONF:{cid}")
        elif leg is LegState.ACTIVE:
            modem.urc(f"^CONN:{cid},0")
        elif leg is LegState.RELEASED:
            duration = int(call.duration())
            cause = f",{call.cause.code}" if modem.cend_with_cause and call.cause else ""
            modem.urc(f"^CEND:{cid},{duration},{END_STATUS}{cause}")
