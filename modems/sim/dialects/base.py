"""What every virtual modem does the 27.007 way; vendor dialects add to it."""
from __future__ import annotations

from modems.sim.at_engine import Reply, Request
from modems.sim.calls import Call, Cause, LegState

FINAL_FOR_CAUSE = {Cause.BUSY: "BUSY", Cause.NO_ANSWER: "NO ANSWER"}

STANDARD_CLAC = (
    "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+CIMI", "+CNUM", "+CFUN", "+CMEE", "+CPIN",
    "+CSQ", "+CREG", "+COPS", "+CLCC", "+CHUP", "+CHLD", "+CLIP", "+CRC", "+CVHU",
    "+VTS", "+CUSD", "+CMGF", "+CSCA", "+CSMP", "+CSCS", "+CPMS", "+CNMI", "+CMGR",
    "+CMGL", "+CMGD", "+CMGS", "D", "A", "H", "Z", "E", "I",
)


def leg_number(modem, call: Call) -> tuple[str, int]:
    """Gives the number and type of address a modem shows for a call."""
    if call.caller is modem:
        text = modem.dialled_text(call)
        return text, 145 if text.startswith("+") else 129
    return call.caller.presented()


class Dialect:
    """Generic 27.007 modem: no call-progress URCs; the driver polls AT+CLCC."""

    name = "generic"
    manufacturer = "Generic"
    model = "GSM Modem"
    revision = "1.0.0"
    clac: tuple[str, ...] | None = STANDARD_CLAC
    voice_port = False          # True: audio on a second serial port instead of ALSA
    first_sms_index = 1
    handlers: dict = {}
    # The module's own voice settings as levels it keeps (at_commands.voice_level):
    # command -> (lowest, highest, power-up values, one per field). A 27.007 modem has
    # the loudspeaker volume (§8.23 +CLVL, its range the maker's) and the mute (§8.24).
    voice_levels: dict[str, tuple[int, int, tuple[int, ...]]] = {
        "+CLVL": (0, 5, (3,)), "+CMUT": (0, 1, (0,)),
    }

    def ati(self, modem) -> list[str]:
        return [f"Manufacturer: {self.manufacturer}", f"Model: {self.model}",
                f"Revision: {self.revision}", f"IMEI: {modem.imei}", "+GCAP: +CGSM,+DS,+ES"]

    def clcc_fields(self, modem, cid: int, call: Call, stat: int | None = None) -> str:
        """Gives `id,dir,stat,mode,mpty,"number",type` as in +CLCC, then the modem's
        optional fields (`clcc_tail`)."""
        number, toa = leg_number(modem, call)
        direction = 0 if call.caller is modem else 1
        stat = call.leg_state(modem).value if stat is None else stat
        return f'{cid},{direction},{stat},0,0,"{number}",{toa}{modem.clcc_tail}'

    def clcc_lines(self, modem) -> list[str]:
        """Gives the AT+CLCC answer: the voice calls and any non-voice line, by call id."""
        lines = [(cid, self.clcc_fields(modem, cid, call)) for cid, call in modem.calls()]
        lines += [(cid, other.clcc_fields()) for cid, other in modem.other_calls.items()]
        return [f"+CLCC: {fields}" for _, fields in sorted(lines)]

    def other_call_state(self, modem, other, released: bool) -> None:
        """Vendor URCs for a non-voice line appearing or ending; the generic modem has none."""

    def ring(self, modem, cid: int, call: Call) -> None:
        modem.urc("+CRING: VOICE" if modem.settings.crc else "RING")
        if modem.settings.clip:
            number, toa = call.caller.presented()
            modem.urc(f'+CLIP: "{number}",{toa},,,,{1 if not number else 0}')

    def call_state(self, modem, cid: int, call: Call, previous: LegState | None,
                   leg: LegState) -> None:
        """Emits what the modem says when one of its calls changes state."""
        self.vendor_call_state(modem, cid, call, previous, leg)
        if leg is LegState.RELEASED and call.released_by is not modem:
            modem.urc(FINAL_FOR_CAUSE.get(call.cause, "NO CARRIER"))

    def vendor_call_state(self, modem, cid, call, previous, leg) -> None:
        """Vendor call-progress URCs; the generic modem has none."""

    def dtmf_urc(self, modem, digit: str) -> str | None:
        """Gives the URC reporting a key the far end pressed, if this modem reports keys."""
        return None


def iccid_handler(prefix: str):
    """Gives a handler answering `<prefix>: <iccid>` for exec and query forms."""
    def handler(modem, request: Request) -> Reply:
        return Reply([f"{prefix}: {modem.iccid}"])
    return handler


def switch_handler(key: str, query: str, test: str = ""):
    """Gives a handler for `AT<cmd>=n` that turns vendor URC switch `key` on or off."""
    def handler(modem, request: Request) -> Reply:
        if request.kind == "set":
            modem.settings.vendor[key] = request.int_arg(0)
            return Reply()
        if request.kind == "query":
            return Reply([query.format(modem.settings.vendor.get(key, 0))])
        if request.kind == "test":
            return Reply([test] if test else [])
        return Reply()
    return handler


def accept_handler(query: str = ""):
    """Gives a handler that accepts any form of a command that needs no behaviour here."""
    def handler(modem, request: Request) -> Reply:
        return Reply([query] if request.kind == "query" and query else [])
    return handler
