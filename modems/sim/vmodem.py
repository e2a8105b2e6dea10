"""A virtual modem: a PTY speaking one vendor's AT dialect, its SIM, calls and faults."""
from __future__ import annotations

import logging
import re
import threading
import time
import zlib
from dataclasses import dataclass, field, replace

from modems.sim import audio, sms_pdu, ussd
from modems.sim.at_commands import handler_for
from modems.sim.at_engine import Reply, execute, frame_reply
from modems.sim.calls import Call, Cause, LegState
from modems.sim.dialects import get_dialect
from modems.sim.modem_audio import ModemAudio
from modems.sim.faults import FaultsMixin
from modems.sim.other_calls import OtherCallsMixin
from modems.sim.ptyport import PtyPort
from modems.sim.sms_pdu import StoredSms

log = logging.getLogger(__name__)

CTRL_Z, ESC = 0x1A, 0x1B
MAX_LINE = 4096


@dataclass
class Settings:
    """What power-up, replug and ATZ reset."""

    echo: bool = True
    cmee: int = 0
    clip: bool = False
    crc: bool = False
    cnmi_mt: int = 0
    cnmi_ds: int = 0     # 27.005 3.4.1: 1 pushes status reports (+CDS), 2 stores them (+CDSI)
    creg: int = 0
    cmgf: int = 0
    cscs: str = "GSM"
    cfun: int = 1
    vendor: dict = field(default_factory=dict)   # URC switches a dialect command turned on


def _luhn_complete(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


class VirtualModem(FaultsMixin, OtherCallsMixin):
    """One modem of the virtual network; all state is guarded by the network lock."""

    def __init__(self, network, name: str, number: str, profile: str = "generic",
                 sim_pin: str | None = None, imei: str | None = None, iccid: str | None = None,
                 imsi: str | None = None, operator: str = "Virtual GSM", usb: str = "1-1.1"):
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ValueError(f"modem name must be letters, digits, - or _: {name!r}")
        self._net = network
        self.name, self.number, self.profile = name, number, profile
        self.dialect = get_dialect(profile)
        digits = re.sub(r"\D", "", number)[-9:].rjust(9, "0")
        self.imei = imei or _luhn_complete("35" + str(zlib.crc32(name.encode()) % 1000).rjust(3, "0") + digits)
        self.iccid = iccid or _luhn_complete("894910" + digits + "0000")
        self.imsi = imsi or "26201" + digits.rjust(10, "0")
        self.operator = operator
        self.usb = usb          # where it sits on the virtual USB tree (modems/sim/usb_hub.py)
        self.sim_pin, self.sim_puk = sim_pin, "12345678"
        self.credit_minor = 500          # what *100# tells (modems/sim/ussd.py)
        self.ussd_replies: dict = {"*100#": ussd.credit_answer}
        self.ussd_session: str | None = None     # the open menu's path
        self.cend_with_cause = True
        self.dtmf_urc = "+RXDTMF: {d}"
        self.cmti_urc = '+CMTI: "{memory}",{index}'   # chan_quectel has seen '+CMTI: ,{index}'
        self.sms_capacity = 20
        self.cnmi_ds_supported, self.csms_service = (0, 1, 2), 0   # AT+CNMI <ds>, AT+CSMS
        self.rssi = 18
        self.urc_during_next_command: str | None = None
        # written after the first information line of the next reply that has one: real
        # modems put a RING or +CMTI between a response's lines (oFono's gatchat routes
        # such lines by prefix for that reason)
        self.urc_inside_next_reply: str | None = None
        # (monotonic time written, line) of every URC, when a benchmark sets a list here
        self.urc_log: list[tuple[float, str]] | None = None
        self.smsc = sms_pdu.SMSC_NUMBER
        # Command names (like "+CECM") this modem's firmware lacks: answered ERROR.
        self.refused_commands: set[str] = set()
        # True: a line of several commands (AT+CSQ;+CREG?, V.250 5.2.1.1) is answered ERROR,
        # as by a firmware that takes one command per line
        self.one_command_per_line = False
        by_id = network.workdir / "by-id"
        self._at = PtyPort(by_id / f"{name}-at", f"sim-{name}-at", self._on_data)
        self.port = str(self._at.link)
        self.media = ModemAudio(self, network, serial_voice=self.dialect.voice_port)
        self.audio = self.media.device
        self._received = bytearray()
        self.commands: list[str] = []
        self._cond = threading.Condition(network.lock)
        self._sms: dict[int, StoredSms] = {}
        self.reports: dict[int, StoredSms] = {}        # the SR memory: status reports
        self._pending_sms: list[str] = []
        self._storage_full = False
        self._no_network = False
        self._plugged = False
        self._calls: dict[int, Call] = {}
        self.other_calls: dict = {}      # call id -> OtherCall (modems/sim/other_calls.py)
        self._legs: dict[int, LegState] = {}
        self._dialled: dict[Call, str] = {}
        self._dial_text: str | None = None
        self._reset()

    def __repr__(self) -> str:
        return f"<VirtualModem {self.name} {self.profile} {self.number}>"

    def _reset(self) -> None:
        """Power-up state: settings fresh, SIM locked again if it has a PIN."""
        self.settings = Settings()
        # the module's voice settings (Dialect.voice_levels): command -> its values
        self.voice = {name: list(defaults)
                      for name, (_, _, defaults) in self.dialect.voice_levels.items()}
        self.sim_state = "SIM PIN" if self.sim_pin else "READY"
        self.pin_attempts = 3
        self._hung = False               # a re-enumerated modem has rebooted (faults.py)
        self._wedged = False
        self._stuck_unregistered = False
        self._line = bytearray()
        self._pdu_input = None
        self._pdu_buffer = bytearray()
        self._deferred: list[str] = []

    # -- lifecycle (called by the network) ------------------------------------
    def open(self) -> None:
        with self._net.lock:
            self._reset()
            self._at.open()
            self.media.open()
            self._plugged = True

    def close(self, final: bool = True) -> None:
        """Takes the modem off the network; `final` also closes its ALSA FIFOs."""
        with self._net.lock:
            self._plugged = False
            self._release_all(Cause.NETWORK)
        self._at.close()
        self.media.close(final)

    # -- what tests look at ---------------------------------------------------------
    @property
    def received(self) -> bytes:
        with self._net.lock:
            return bytes(self._received)

    @property
    def stored_sms(self) -> list[tuple[int, int, str]]:
        with self._net.lock:
            return [(s.index, s.status, s.pdu) for s in sorted(self._sms.values(),
                                                             key=lambda s: s.index)]

    def wait_for_command(self, regex: str, timeout: float = 5.0, after: int = 0) -> str:
        """Gives the first command line matching `regex` among those received after the
        first `after` (a count of `commands` taken earlier); TimeoutError if none."""
        pattern = re.compile(regex)
        with self._cond:
            found: list[str] = []
            def match() -> bool:
                found[:] = [c for c in self.commands[after:] if pattern.search(c)][:1]
                return bool(found)
            if not self._cond.wait_for(match, timeout):
                raise TimeoutError(f"{self.name}: no command matching {regex!r}")
            return found[0]

    def deliver_raw_pdu(self, pdu_hex: str) -> None:
        """Delivers an SMS-DELIVER PDU (hex, with SMSC) exactly as given."""
        with self._net.lock:
            self.deliver_pdu(pdu_hex)

    def _release_all(self, cause: Cause) -> None:
        for call in list(self._calls.values()):
            self._net.switch.release(call, cause)

    # -- network state -------------------------------------------------------------------
    def registered(self) -> bool:
        return (self._plugged and not self._no_network and self.sim_state == "READY"
                and self.settings.cfun == 1 and not self._stuck_unregistered)

    def registration(self) -> int:
        """Gives the +CREG <stat>: 1 registered home, 0 not registered."""
        return 1 if self.registered() else 0

    def reachable(self) -> bool:
        return self.registered()

    def presented(self) -> tuple[str, int]:
        return self.number, 145

    # -- SMS storage ---------------------------------------------------------------------
    def deliver_pdu(self, pdu_hex: str) -> bool:
        """Stores an incoming SMS and announces it (True), or leaves it queued at the SMSC."""
        if self._store_incoming(pdu_hex):
            return True
        self._pending_sms.append(pdu_hex)
        return False

    def _store_incoming(self, pdu_hex: str) -> bool:
        if not self.registered():
            return False
        if self.settings.cnmi_mt == 2:
            self.urc(f"+CMT: ,{sms_pdu.tpdu_length(pdu_hex)}\r\n{pdu_hex}")
            return True
        if self._storage_full or len(self._sms) >= self.sms_capacity:
            log.info("modem %s: SMS storage full, SMS kept at the SMSC", self.name)
            return False
        index = self.dialect.first_sms_index
        while index in self._sms:
            index += 1
        self._sms[index] = StoredSms(index, 0, pdu_hex)
        if self.settings.cnmi_mt == 1:
            memory = self.settings.vendor.get("cpms", ["SM"] * 3)[2]
            self.urc(self.cmti_urc.format(memory=memory, index=index))
        return True

    def flush_pending_sms(self) -> None:
        pending, self._pending_sms = self._pending_sms, []
        for pdu_hex in pending:
            self.deliver_pdu(pdu_hex)

    def sms_storage(self) -> dict[int, StoredSms]:
        """Gives the memory AT+CPMS <mem1> reads and deletes in."""
        return self.reports if self.settings.vendor.get("cpms", "S")[0] == "SR" else self._sms

    # -- calls (network side) -------------------------------------------------------------
    def call_id(self, call: Call) -> int | None:
        return next((cid for cid, c in self._calls.items() if c is call), None)

    def calls(self) -> list[tuple[int, Call]]:
        return sorted(self._calls.items(), key=lambda item: item[0])

    def dial(self, number_text: str, dialled: str) -> None:
        """Starts an outgoing call (after ATD's OK is written)."""
        self._dial_text = number_text
        try:
            self._net.switch.originate(self, dialled)
        finally:
            self._dial_text = None

    def dialled_text(self, call: Call) -> str:
        return self._dialled.get(call, call.dialed)

    def call_changed(self, call: Call) -> None:
        cid = self.call_id(call)
        leg = call.leg_state(self)
        if cid is None:
            cid = self._free_call_id()
            self._calls[cid] = call
            if call.caller is self:
                self._dialled[call] = self._dial_text or call.dialed
        if self._legs.get(cid) is leg:
            return
        previous = self._legs.get(cid)
        self._legs[cid] = leg
        try:
            self.dialect.call_state(self, cid, call, previous, leg)
        finally:
            if leg is LegState.RELEASED:
                del self._calls[cid], self._legs[cid]
                self._dialled.pop(call, None)
                if not self._calls:
                    self.settings.vendor.pop("voice_port", None)
                    self.media.calls_over()

    def ring(self, call: Call) -> None:
        cid = self.call_id(call)
        if cid is not None and call.leg_state(self) is LegState.INCOMING:
            self.dialect.ring(self, cid, call)

    def dtmf_received(self, digit: str) -> None:
        line = self.dialect.dtmf_urc(self, digit)
        if line:
            self.urc(line)

    def send_dtmf(self, digits: str) -> None:
        """Plays keys to the far end of the active call (AT+VTS, AT^DTMF).

        The far end has the first key before the command's OK goes out, so a
        daemon that sends one key per command sees them all arrive in order.
        """
        call = next((c for c in self._calls.values() if c.leg_state(self) is LegState.ACTIVE), None)
        if call is None:
            return
        far = call.other(self)
        self.media.play_keys(digits)
        far.dtmf_received(digits[0])
        step = audio.DTMF_TONE_S + audio.DTMF_GAP_S
        for index, digit in enumerate(digits[1:], start=1):
            self._net.later(index * step, far.dtmf_received, digit)

    # -- the AT port ------------------------------------------------------------------------------
    def urc(self, text: str) -> None:
        """Writes an unsolicited result code, held back while a PDU is being typed."""
        if not self._plugged or self._hung:
            return
        if self._pdu_input is not None:
            self._deferred.append(text)
            return
        # the time before the write: a daemon on another core may read the line and stamp
        # its event before write() returns here (bench/modems.py pairs them by time)
        written_at = time.monotonic()
        self._at.write(f"\r\n{text}\r\n".encode("latin-1", "replace"))
        if self.urc_log is not None:
            self.urc_log.append((written_at, text))

    def _on_data(self, data: bytes) -> None:
        with self._net.lock:
            self._received += data
            if self._hung:
                self._hung_input(data)
                return
            start = 0
            for position, byte in enumerate(data):
                if self._pdu_input is not None:
                    if byte in (CTRL_Z, ESC):
                        self._echo(data[start:position + 1])
                        start = position + 1
                        self._finish_pdu(None if byte == ESC else self._pdu_buffer.decode("latin-1"))
                    elif byte not in b"\r\n":
                        self._pdu_buffer.append(byte)
                elif byte == 0x0D:
                    self._echo(data[start:position + 1])
                    start = position + 1
                    line, self._line = bytes(self._line), bytearray()
                    self._command_line(line.decode("latin-1"))
                elif byte != 0x0A and len(self._line) < MAX_LINE:
                    self._line.append(byte)
            self._echo(data[start:])

    def _echo(self, data: bytes) -> None:
        if data and self.settings.echo and not self._hung:
            self._at.write(data)

    def _command_line(self, line: str) -> None:
        line = line.strip(" \t\0")
        if not line:
            return
        self.commands.append(line)
        self._cond.notify_all()
        if self.urc_during_next_command:
            urc, self.urc_during_next_command = self.urc_during_next_command, None
            self.urc(urc)
        self._send_reply(execute(self, line, lambda name: handler_for(self, name)))

    def _send_reply(self, reply: Reply) -> None:
        if reply.prompt is not None:
            self._at.write(frame_reply(reply) + b"\r\n> ")
            self._pdu_input, self._pdu_buffer = reply.prompt, bytearray()
            return
        if self.urc_inside_next_reply and reply.lines:
            urc, self.urc_inside_next_reply = self.urc_inside_next_reply, None
            self._at.write(frame_reply(Reply(lines=reply.lines[:1], final="")))
            self.urc(urc)
            reply = replace(reply, lines=reply.lines[1:])
        self._at.write(frame_reply(reply))
        for action in reply.after:
            try:
                action()
            except Exception:
                log.exception("modem %s: follow-up of a command failed", self.name)

    def _finish_pdu(self, pdu_text: str | None) -> None:
        handler, self._pdu_input = self._pdu_input, None
        deferred, self._deferred = self._deferred, []
        self._send_reply(handler(pdu_text))
        for text in deferred:
            self.urc(text)

    # -- audio (called by the network clock every 20 ms) ----------------------------------
    def uplink_frame(self) -> bytes:
        return self.media.uplink_frame()

    def downlink(self, frame: bytes) -> None:
        self.media.downlink(frame)

    def idle_tick(self) -> None:
        self.media.idle_tick()
