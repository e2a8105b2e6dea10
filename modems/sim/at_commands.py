"""3GPP TS 27.007 / 27.005 commands every virtual modem answers the standard way."""
from __future__ import annotations

import logging
import re

from modems.numbers import InvalidNumber, to_e164
from modems.sim import ussd
from modems.sim.at_engine import (CME_NO_SERVICE, CME_NOT_ALLOWED, CME_SIM_NOT_INSERTED,
                                  CME_SIM_PIN, CME_SIM_PUK,
                                  CME_WRONG_PASSWORD, CMS_SIM_PIN, AtError, CmeError, CmsError,
                                  Reply, Request)
from modems.sim.calls import Cause, LegState
from modems.sim.sms_commands import SMS_HANDLERS

log = logging.getLogger(__name__)

SIM_COMMANDS = {"+CIMI", "+CNUM", "D", "+CUSD", "+CLCC"}
SMS_COMMANDS = {"+CMGR", "+CMGL", "+CMGD", "+CMGS", "+CPMS", "+CSCA", "+CNMI"}


def _value(getter, query: str = "", test: str = ""):
    """Gives a handler answering the exec/query form with one line."""
    def handler(modem, request: Request) -> Reply:
        if request.kind == "test":
            return Reply([test] if test else [])
        if request.kind == "set":
            raise AtError()
        text = getter(modem)
        return Reply([f"{query}{text}" if query else text])
    return handler


def _setting(attr: str, query: str, test: str = "", convert=int):
    """Gives a handler for a numeric setting: set stores, query reports."""
    def handler(modem, request: Request) -> Reply:
        if request.kind == "set":
            setattr(modem.settings, attr, convert(request.int_arg(0)))
        elif request.kind == "query":
            return Reply([query.format(int(getattr(modem.settings, attr)))])
        elif request.kind == "test" and test:
            return Reply([test])
        return Reply()
    return handler


def _ok(modem, request: Request) -> Reply:
    return Reply()


def _reset(modem, request: Request) -> Reply:
    sim_state = modem.sim_state
    modem.settings = type(modem.settings)()
    modem.sim_state = sim_state
    return Reply()


def _echo(modem, request: Request) -> Reply:
    modem.settings.echo = request.arg not in ("", "0")
    return Reply()


def _verbose(modem, request: Request) -> Reply:
    if request.arg == "0":
        raise AtError()   # numeric result codes are not offered
    return Reply()


def _cfun(modem, request: Request) -> Reply:
    if request.kind == "query":
        return Reply([f"+CFUN: {modem.settings.cfun}"])
    if request.kind == "test":
        return Reply(["+CFUN: (0,1,4),(0-1)"])
    if request.kind == "set":
        level = request.int_arg(0)
        if level not in (0, 1, 4) or request.int_arg(1, 0) not in (0, 1):
            raise CmeError(CME_NOT_ALLOWED)
        if request.int_arg(1, 0) == 1:      # 27.007 §8.2 <rst>=1: reset the MT first
            return Reply(after=[modem.reboot])
        modem.settings.cfun = level
        if level != 1:
            return Reply(after=[lambda: modem.drop_call()])
    return Reply()


def _cpin(modem, request: Request) -> Reply:
    if modem.sim_state == "NOT INSERTED":
        raise CmeError(CME_SIM_NOT_INSERTED)
    if request.kind == "query":
        return Reply([f"+CPIN: {modem.sim_state}"])
    if request.kind != "set":
        return Reply()
    args = request.args()
    if modem.sim_state == "READY":
        raise CmeError(CME_NOT_ALLOWED)
    if modem.sim_state == "SIM PUK":
        if len(args) < 2 or args[0] != modem.sim_puk:
            raise CmeError(CME_WRONG_PASSWORD)
        modem.sim_pin, modem.sim_state, modem.pin_attempts = args[1], "READY", 3
        return Reply(after=[modem.flush_pending_sms])
    if args and args[0] == modem.sim_pin:
        modem.sim_state, modem.pin_attempts = "READY", 3
        return Reply(after=[modem.flush_pending_sms])
    modem.pin_attempts -= 1
    if modem.pin_attempts <= 0:
        modem.sim_state = "SIM PUK"
    raise CmeError(CME_WRONG_PASSWORD)


def _clac(modem, request: Request) -> Reply:
    if modem.dialect.clac is None or request.kind != "exec":
        raise AtError()
    return Reply(list(modem.dialect.clac))


def _csq(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply(["+CSQ: (0-31,99),(0-7,99)"])
    return Reply([f"+CSQ: {modem.rssi},99" if modem.registered() else "+CSQ: 99,99"])


def _creg(modem, request: Request) -> Reply:
    if request.kind == "set":
        mode = request.int_arg(0)
        if mode not in (0, 1, 2):
            raise CmeError(CME_NOT_ALLOWED)
        modem.settings.creg = mode
    elif request.kind == "query":
        stat = modem.registration()
        extra = ',"1A2B","01C3D4E5"' if modem.settings.creg == 2 and stat == 1 else ""
        return Reply([f"+CREG: {modem.settings.creg},{stat}{extra}"])
    elif request.kind == "test":
        return Reply(["+CREG: (0-2)"])
    return Reply()


def _cops(modem, request: Request) -> Reply:
    if request.kind == "query":
        if not modem.registered():
            return Reply(["+COPS: 0"])
        return Reply([f'+COPS: 0,0,"{modem.operator}",7'])
    if request.kind == "test":
        return Reply([f'+COPS: (2,"{modem.operator}","VGSM","26299",7),,(0-4),(0-2)'])
    return Reply()


def _clcc(modem, request: Request) -> Reply:
    if request.kind == "set" or request.kind == "query":
        raise AtError()
    if request.kind == "test":
        return Reply()
    return Reply(modem.dialect.clcc_lines(modem))


def _dial(modem, request: Request) -> Reply:
    text = request.arg.strip()
    voice = text.endswith(";")
    number = text.rstrip(";").strip().lstrip("TPtp")     # tone/pulse prefix of V.250
    if not re.fullmatch(r"[0-9+*#]{1,40}", number):
        raise AtError()
    if not voice or not modem.registered():
        return Reply(final="NO CARRIER")
    if modem.calls():
        raise CmeError(CME_NOT_ALLOWED)
    try:
        dialled = to_e164(number, modem._net.country)
    except InvalidNumber:
        dialled = number
    return Reply(after=[lambda: modem.dial(number, dialled)])


def _answer(modem, request: Request) -> Reply:
    ringing = [c for _, c in modem.calls() if c.leg_state(modem) is LegState.INCOMING]
    if not ringing:
        return Reply(final="NO CARRIER")
    return Reply(after=[lambda: modem._net.switch.answer(ringing[0], modem)])


def _hangup(modem, request: Request) -> Reply:
    if request.kind not in ("exec", "set") or (request.name == "H" and request.arg not in ("", "0")):
        raise AtError()
    def release_all():
        for _, call in modem.calls():
            incoming = call.leg_state(modem) is LegState.INCOMING
            # Rejecting a ringing call is signalled as "user busy" (24.008 cause 17)
            modem._net.switch.release(call, Cause.BUSY if incoming else Cause.NORMAL, by=modem)
    return Reply(after=[release_all])


def _active_call(modem):
    return next((c for _, c in modem.calls() if c.leg_state(modem) is LegState.ACTIVE), None)


def _vts(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply(["+VTS: (0-9,#,*,A-D),(0-255)"])
    digits = "".join(c for c in request.arg.split(",")[0].upper() if c in "0123456789*#ABCD")
    if request.kind != "set" or not digits:
        raise AtError()
    if _active_call(modem) is None:
        raise CmeError(CME_NOT_ALLOWED)
    modem.send_dtmf(digits)
    return Reply()


def _chld(modem, request: Request) -> Reply:
    if request.kind == "test":
        return Reply(["+CHLD: (0,1,1x,2,2x,3,4)"])
    if request.kind != "set":
        raise AtError()
    arg = request.arg.strip()
    targets = []
    if arg == "1":
        targets = [c for _, c in modem.calls() if c.leg_state(modem) is LegState.ACTIVE]
    elif arg.startswith("1") and arg[1:].isdigit():
        targets = [c for cid, c in modem.calls() if cid == int(arg[1:])]
    elif arg == "0":
        targets = [c for _, c in modem.calls() if c.leg_state(modem) is LegState.INCOMING]
    def release():
        for call in targets:
            modem._net.switch.release(call, Cause.NORMAL, by=modem)
    return Reply(after=[release])


def _cusd(modem, request: Request) -> Reply:
    if request.kind == "query":
        return Reply(["+CUSD: 1"])
    if request.kind != "set":
        return Reply()
    args = request.args()
    if request.int_arg(0) == 2:
        ussd.cancel(modem)
        return Reply()
    if len(args) < 2:
        return Reply()
    if not modem.registered():
        raise CmeError(CME_NO_SERVICE)
    line = ussd.answer_line(modem, args[1])
    return Reply(after=[lambda: modem.urc(line)])


def _cvhu(modem, request: Request) -> Reply:
    # ATH hangs up voice calls whatever is set; only the query needs an answer
    return Reply(["+CVHU: 0"] if request.kind == "query" else [])


def _crsm(modem, request: Request) -> Reply:
    """27.007 §8.18 restricted SIM access: only READ BINARY (176) of EF_ICCID (2FE2 = 12258),
    whose 10 bytes are BCD with swapped nibbles, F-padded (TS 31.102 §4.2.2)."""
    if request.kind != "set":
        return Reply()
    if modem.sim_state == "NOT INSERTED":
        raise CmeError(CME_SIM_NOT_INSERTED)
    if request.args()[:2] != ["176", "12258"]:
        return Reply(["+CRSM: 148,4"])           # GSM 11.11 §9.4.4: file not found
    digits = modem.iccid.ljust(20, "F")
    stored = "".join(digits[index + 1] + digits[index] for index in range(0, 20, 2))
    return Reply([f'+CRSM: 144,0,"{stored}"'])


def _ati(modem, request: Request) -> Reply:
    return Reply(modem.dialect.ati(modem))


HANDLERS = {
    "Z": _reset, "&F": _reset, "E": _echo, "V": _verbose, "Q": _ok, "X": _ok, "L": _ok,
    "M": _ok, "&C": _ok, "&D": _ok, "&W": _ok, "S0": _ok, "S7": _ok, "I": _ati,
    "D": _dial, "A": _answer, "H": _hangup, "+CHUP": _hangup,
    "+CFUN": _cfun, "+CMEE": _setting("cmee", "+CMEE: {}", "+CMEE: (0-2)"), "+CPIN": _cpin,
    "+CLAC": _clac,
    "+CGMI": _value(lambda m: m.dialect.manufacturer), "+GMI": _value(lambda m: m.dialect.manufacturer),
    "+CGMM": _value(lambda m: m.dialect.model), "+GMM": _value(lambda m: m.dialect.model),
    "+CGMR": _value(lambda m: m.dialect.revision), "+GMR": _value(lambda m: m.dialect.revision),
    "+CGSN": _value(lambda m: m.imei), "+GSN": _value(lambda m: m.imei),
    "+CIMI": _value(lambda m: m.imsi),
    "+CNUM": _value(lambda m: f'"","{m.number}",145', "+CNUM: "),
    "+GCAP": _value(lambda m: "+CGSM,+DS,+ES", "+GCAP: "),
    "+CSQ": _csq, "+CREG": _creg, "+COPS": _cops,
    "+CLIP": _setting("clip", "+CLIP: {},1", "+CLIP: (0,1)", bool),
    "+CRC": _setting("crc", "+CRC: {}", "+CRC: (0,1)", bool),
    "+CVHU": _cvhu,
    "+CRSM": _crsm, "+CLCC": _clcc, "+VTS": _vts, "+CHLD": _chld, "+CUSD": _cusd,
}
HANDLERS.update(SMS_HANDLERS)


def voice_level(modem, request: Request) -> Reply:
    """A voice setting the module keeps (Dialect.voice_levels): set checks each given
    field against the range (ERROR outside, fields left out keep their value), query
    reports `<name>: v[,v]`, test gives `(low-high)` per field."""
    low, high, defaults = modem.dialect.voice_levels[request.name]
    values = modem.voice[request.name]
    if request.kind == "query":
        return Reply([f"{request.name}: {','.join(str(value) for value in values)}"])
    if request.kind == "test":
        return Reply([f"{request.name}: {','.join([f'({low}-{high})'] * len(defaults))}"])
    given = request.args()
    if request.kind != "set" or not 1 <= len(given) <= len(defaults):
        raise AtError()
    new = [request.int_arg(index) for index in range(len(given))]
    if not all(low <= value <= high for value in new):
        raise AtError()
    values[:len(new)] = new
    return Reply()


def _sim_locked(modem, name: str):
    if modem.sim_state == "READY":
        return None
    puk = modem.sim_state == "SIM PUK"
    if name in SMS_COMMANDS:
        return CmsError(CMS_SIM_PIN + (1 if puk else 0))
    if name in SIM_COMMANDS:
        return CmeError(CME_SIM_PUK if puk else CME_SIM_PIN)
    return None


def handler_for(modem, name: str):
    """Gives the handler a modem uses for command `name`, or None if it has none."""
    if name in modem.refused_commands:
        return None     # a firmware without this command: ERROR, as for any unknown one
    handler = modem.dialect.handlers.get(name) or HANDLERS.get(name)
    if handler is None and name in modem.dialect.voice_levels:
        handler = voice_level
    if handler is None:
        return None
    error = _sim_locked(modem, name)
    if error is not None:
        def locked(modem, request, error=error):
            raise error
        return locked
    return handler

