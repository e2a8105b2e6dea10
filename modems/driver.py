"""One modem: open it, know what it is, place and take calls, SMS, USSD (driver_sms.py).

The driver speaks AT through `AtLink`, picks a vendor profile, and turns what
the modem says into the events of `modems.events`, in the modem's order, on
the modem's own dispatcher thread. Calls placed or answered from other
threads (a call flow) hand their call-list work to that thread too.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from typing import Callable

import serial
from gsmmodem.exceptions import (CommandError, CmeError, IncorrectPinError, PinRequiredError,
                                 TimeoutException)

from modems.atlink import AtLink, response_prefix
from modems.calls import CallTracker, parse_clip
from modems.driver_health import HealthMixin, SimIdentity
from modems.driver_sms import SmsUssdMixin
from modems.driver_voice import ModuleVoiceMixin
from modems.errors import ModemError, SimPinError
from modems.events import CallState, DtmfReceived, ModemEvent, ModemUp, SignalChanged, SmsStored
from modems.numbers import InvalidNumber, dial_string
from modems.profiles import CallHint, DtmfHint, Profile, by_name, detect
from modems.profiles.base import RESULT_CODE_CAUSES
from modems.profiles.voice import ModuleVoice
from modems.signal import Health, after_creg_urc, parse_creg

log = logging.getLogger(__name__)

# 27.005 §3.4.1: +CMTI: <mem>,<index>. chan_quectel meets `+CMTI: ,2` (no <mem>) on
# Quectel modules; the memory is then the preferred one, read by index alike.
_CMTI = re.compile(r'\+CMTI:\s*(?:"([^"]*)"|([^,"]*)),\s*(\d+)')
_DTMF_KEYS = re.compile(r"[0-9*#A-D]{1,32}")
_PIN = re.compile(r"[0-9]{4,8}")
CLIP_WAIT_S = 0.3     # after RING, how long a +CLIP line may take before the ring is reported

ModemHealth = Health


@dataclass
class ModemIdentity:
    manufacturer: str
    model: str
    revision: str
    imei: str
    profile: str


class ModemDriver(HealthMixin, SmsUssdMixin, ModuleVoiceMixin):
    """A modem on a serial port, with events delivered to `on_event`. With `module_voice`
    the module's own voice settings are set after open (modems/driver_voice.py)."""

    def __init__(self, name: str, port: str, *, profile: str = "auto", sim_pin: str | None = None,
                 country: str = "DE", on_event: Callable[[ModemEvent], None] | None = None,
                 at_timeout: float = 5.0, on_lost: Callable[[str], None] | None = None,
                 module_voice: ModuleVoice | None = None):
        self.name = name
        self.port = port
        self.country = country
        self.at_timeout = at_timeout
        self.identity: ModemIdentity | None = None
        self.profile: Profile | None = by_name(profile) if profile != "auto" else None
        self._forced_profile = profile != "auto"
        if sim_pin is not None and not _PIN.fullmatch(str(sim_pin)):
            raise ModemError(f"{name}: sim_pin must be 4 to 8 digits")
        self._sim_pin = sim_pin
        self._module_voice = module_voice
        self._on_event = on_event or (lambda event: None)
        self._on_lost = on_lost or (lambda reason: None)
        self._link: AtLink | None = None
        self._ring_waiting_for_clip = 0
        self._poll_stop = threading.Event()
        self._poll_event = threading.Event()
        self._poller: threading.Thread | None = None
        self.calls = CallTracker(name, country, self._list_calls, self._emit, self._defer,
                                 on_call=self._poll_event.set)
        self.lost_reason: str | None = None
        self._last_signal: SignalChanged | None = None
        self._known_iccid: str | None = None
        self._read_from: str | None = None   # +CPMS <mem1> as last asked or set back
        self._sim_identity: SimIdentity | None = None     # modems/driver_health.py
        self._health_apart = False       # health read one command at a time (driver_health.py)
        self._line_listeners: tuple[Callable[[str], None], ...] = ()

    # -- life cycle -----------------------------------------------------------------

    def open(self, announce: bool = True) -> ModemIdentity:
        """Opens the port, runs the init sequence, unlocks the SIM; gives what the modem is.

        With `announce` the ModemUp event follows at once; the pool announces
        later itself, once the modem is ready to be lent."""
        link = AtLink(self.name, self.port, on_urc=self._on_urc, is_urc=self._is_urc,
                      on_fatal=self._on_fatal)
        self._link = link
        self.lost_reason = None
        self._sim_identity = None        # what the last opening read may be another card's
        self._read_from = None           # the modem's SMS read memory: asked again
        self._health_apart = False       # another modem may be behind the port now
        try:
            link.connect(pin=self._sim_pin)
            self.identity = self._identify(link)
            for command in self.profile.init_commands:
                self._try(command)
            self._ask_sms_service()
            self._apply_module_voice()
        except (PinRequiredError, IncorrectPinError) as error:
            self.close()
            raise SimPinError(self._pin_message(error)) from None
        except CmeError as error:
            self.close()
            if error.code in (11, 12, 16, 17, 18):
                raise SimPinError(self._pin_message(error)) from None
            raise ModemError(f"{self.name}: modem refused {error.command!r} (CME error {error.code})") from None
        except TimeoutException:
            self.close()
            raise ModemError(f"{self.name}: no answer to AT commands on {self.port}") from None
        except ModemError:
            self.close()
            raise
        except (serial.SerialException, OSError) as error:
            self.close()
            raise ModemError(f"{self.name}: cannot open {self.port}: {error}") from None
        except CommandError as error:
            self.close()
            raise ModemError(f"{self.name}: modem refused {error.command!r} during start") from None
        if announce:
            self.announce_up()
        self._poller = threading.Thread(target=self._poll_calls, name=f"{self.name}-clcc",
                                        daemon=True)
        self._poller.start()
        return self.identity

    def announce_up(self) -> None:
        """Emits ModemUp, in order with the modem's other events."""
        identity = self.identity
        self._require_link().call_soon(lambda: self._emit(ModemUp(
            self.name, manufacturer=identity.manufacturer, model=identity.model,
            profile=identity.profile)))

    def _pin_message(self, error: Exception) -> str:
        if isinstance(error, PinRequiredError):
            return f"{self.name}: the SIM needs a PIN; set sim_pin for this modem"
        code = getattr(error, "code", None)
        if code == 12 or code == 18:
            return f"{self.name}: the SIM is locked and needs its PUK; unlock it in a phone"
        return (f"{self.name}: the SIM refused the configured PIN; not retried, because "
                "three wrong PINs lock the SIM - correct sim_pin")

    def _identify(self, link: AtLink) -> ModemIdentity:
        manufacturer = self._first_line("AT+CGMI")
        model = self._first_line("AT+CGMM")
        revision = self._first_line("AT+CGMR")
        imei = self._first_line("AT+CGSN")
        if self.profile is None:
            self.profile = detect(manufacturer, model)
        return ModemIdentity(manufacturer, model, revision, imei, self.profile.name)

    def close(self) -> None:
        """Stops the threads and closes the port; safe to call twice."""
        self._poll_stop.set()
        self._poll_event.set()      # the poller sleeps on it while no call exists
        if self._link is not None:
            self._link.close()
        if self._poller is not None and self._poller is not threading.current_thread():
            self._poller.join(timeout=2)

    @property
    def alive(self) -> bool:
        return self._link is not None and self._link.alive and self.lost_reason is None

    @property
    def threads(self) -> list[threading.Thread]:
        """The threads this modem needs alive (for the watchdog)."""
        if self._link is None:
            return []
        return [thread for thread in (self._link.rxThread, self._link.urc_thread, self._poller)
                if thread is not None]

    @property
    def at_failures(self) -> tuple[int, int]:
        """Gives the AT errors and timeouts since this opening (AtLink counts them)."""
        link = self._link
        return (link.at_errors, link.at_timeouts) if link is not None else (0, 0)

    @property
    def in_call(self) -> bool:
        return self.calls.active

    # -- AT ---------------------------------------------------------------------------

    def command(self, line: str, timeout: float | None = None) -> list[str]:
        """Sends one AT command line and gives its response lines (final line last)."""
        if any(ord(char) < 0x20 or ord(char) == 0x7F for char in line):
            raise ModemError("an AT command is one line without control characters")
        link = self._require_link()
        try:
            return link.write(line, timeout=timeout or self.at_timeout, parseError=False)
        except TimeoutException:
            raise ModemError(f"{self.name}: no answer to {line!r}") from None

    def _write(self, line: str, timeout: float | None = None) -> list[str]:
        link = self._require_link()
        if not link.alive:
            raise ModemError(f"{self.name}: the modem is gone")
        return link.write(line, timeout=timeout or self.at_timeout)

    def _try(self, line: str) -> list[str] | None:
        """Sends an optional command: None when the modem refuses it."""
        try:
            with self._require_link().optional():
                return self._write(line)
        except CommandError:
            log.debug("%s: %s not supported", self.name, line)
            return None

    def _first_line(self, line: str) -> str:
        response = self._try(line) or []
        for entry in response:
            if entry and entry != "OK" and not entry.startswith("AT"):
                return entry.split(":", 1)[-1].strip() if entry.startswith("+") else entry
        return ""

    def _require_link(self) -> AtLink:
        if self._link is None:
            raise ModemError(f"{self.name}: not open")
        return self._link

    # -- calls ----------------------------------------------------------------------------

    def dial(self, number: str) -> int:
        """Places a voice call; gives its call id. The number must be E.164 or a service code."""
        digits = dial_string(number)
        before = set(self.calls.calls)
        response = self._write(f"ATD{digits};", timeout=max(self.at_timeout, 10))
        if response and response[-1] in RESULT_CODE_CAUSES:
            raise ModemError(f"{self.name}: call to {number} failed at once: {response[-1]}")
        for command in self.profile.after_dial:
            self._try(command)
        self._in_dispatcher(self.calls.refresh)
        new = [call_id for call_id, call in self.calls.calls.items()
               if call_id not in before and call.direction.value == "outgoing"]
        self._poll_event.set()
        if new:
            return max(new)
        # Over before we could list it (busy at once): report it as dialled and ended.
        return self._in_dispatcher(lambda: self.calls.ended_before_listed(number))

    def answer(self, call_id: int | None = None) -> None:
        self._write("ATA", timeout=max(self.at_timeout, 10))
        for command in self.profile.after_answer:
            self._try(command)
        self._in_dispatcher(self.calls.refresh)

    def hangup(self, call_id: int | None = None) -> None:
        """Ends one call (or all calls when call_id is None)."""
        ids = [call_id] if call_id is not None else list(self.calls.calls)
        self._in_dispatcher(lambda: self.calls.released_by_us(ids))
        if call_id is not None and len(self.calls.calls) > 1:
            self._write(f"AT+CHLD=1{int(call_id)}")
        elif self._try("AT+CHUP") is None:
            self._write("ATH")
        self._in_dispatcher(self.calls.refresh)

    reject = hangup

    def send_dtmf(self, digits: str, call_id: int | None = None) -> None:
        """Sends keys to the far end of the active call."""
        if not isinstance(digits, str) or not _DTMF_KEYS.fullmatch(digits):
            raise InvalidNumber(digits, "DTMF keys are 0-9, *, #, A-D")
        if call_id is None:
            call_id = min(self.calls.calls, default=1)
        for digit in digits:
            self._write(self.profile.dtmf_command(call_id, digit))

    # -- listening to the raw lines (the admin's AT console) ------------------------------

    def add_line_listener(self, listener: Callable[[str], None]) -> None:
        """Also hands every unsolicited line, as received, to `listener` (dispatcher thread)."""
        self._line_listeners = self._line_listeners + (listener,)   # copied: no lock to read

    def remove_line_listener(self, listener: Callable[[str], None]) -> None:
        self._line_listeners = tuple(item for item in self._line_listeners if item != listener)

    # -- unsolicited lines (dispatcher thread) --------------------------------------------

    def _is_urc(self, line: str, pending: str | None) -> bool:
        profile = self.profile or Profile()
        if not line.startswith(profile.urc_prefixes):
            return False
        if line[0] in "+^" and ":" not in line:
            return False    # a bare name is an answer line (AT+CLAC lists +CREG, +CLIP...)
        if pending:
            expected = response_prefix(pending)
            if expected and line.startswith(expected):
                return False
        return True

    def _on_urc(self, line: str) -> None:
        for listener in self._line_listeners:
            try:
                listener(line)
            except Exception:   # a listener's bug must not cost the modem its events
                log.exception("%s: line listener failed on %r", self.name, line)
        profile = self.profile or Profile()
        if line == "RING" or line.startswith("+CRING"):
            # +CLIP follows RING as a line of its own; report the ring with it,
            # or without a caller if none comes.
            self._ring_waiting_for_clip += 1
            self._require_link().call_later(CLIP_WAIT_S, self._ring_without_clip)
            self._poll_event.set()
            return
        if line.startswith("+CLIP"):
            if self._ring_waiting_for_clip:
                self._ring_waiting_for_clip -= 1
            self.calls.ring(parse_clip(line))
            return
        if line in RESULT_CODE_CAUSES:
            self.calls.hint(CallHint(cause=RESULT_CODE_CAUSES[line]))
            return
        if line.startswith("+CREG:"):    # 27.007 §7.2 URC, after AT+CREG=1 or 2
            signal = after_creg_urc(self.name, self._last_signal, parse_creg([line]))
            if signal is not None:
                self._last_signal = signal
                self._emit(signal)
            return
        if match := _CMTI.match(line):
            memory = (match[1] if match[1] is not None else match[2]).strip()
            self._emit(SmsStored(self.name, memory=memory, index=int(match[3])))
            return
        if self._on_sms_urc(line):       # +CDS, +CDSI, +CMT: driver_sms.py
            return
        if self.profile is None:
            return
        hint = profile.parse_urc(line)
        if isinstance(hint, DtmfHint):
            self._emit(DtmfReceived(self.name, digit=hint.digit, source="modem"))
        elif isinstance(hint, CallHint):
            self.calls.hint(hint)
            self._poll_event.set()
        else:
            log.debug("%s: unhandled line %r", self.name, line)

    def _ring_without_clip(self) -> None:
        if self._ring_waiting_for_clip:
            self._ring_waiting_for_clip -= 1
            self.calls.ring(None)

    def _on_fatal(self, error: Exception) -> None:
        self.lost_reason = f"port vanished ({error})"
        log.warning("%s: %s", self.name, self.lost_reason)
        link = self._link
        if link is not None:
            link.call_soon(self.calls.modem_gone)
        self._on_lost(self.lost_reason)

    def _emit(self, event: ModemEvent) -> None:
        self._on_event(event)

    def _list_calls(self) -> list[str]:
        try:
            return self._write("AT+CLCC")
        except (CommandError, TimeoutException, ModemError) as error:
            log.debug("%s: AT+CLCC failed: %s", self.name, error)
            return [f"+CLCC: {call.call_id},{1 if call.direction.value == 'incoming' else 0},"
                    f"{_CLCC_STAT[call.state]},0,0" for call in self.calls.calls.values()]

    def _defer(self, work: Callable[[], None]) -> None:
        self._require_link().call_soon(work)

    def _in_dispatcher(self, work: Callable[[], object]) -> object:
        return self._require_link().run_in_dispatcher(work, timeout=max(self.at_timeout * 2, 5))

    # -- polling the call list while calls exist --------------------------------------------

    def _poll_calls(self) -> None:
        while not self._poll_stop.is_set():
            if not self.calls.active:      # woken by a call that appears, or by close()
                self._poll_event.wait()
                self._poll_event.clear()
                continue
            self._poll_stop.wait(self.profile.poll_interval)
            link = self._link
            if link is not None and link.alive and self.calls.active:
                link.call_soon(self.calls.refresh)


_CLCC_STAT = {CallState.ACTIVE: 0, CallState.HELD: 1, CallState.DIALING: 2,
              CallState.ALERTING: 3, CallState.INCOMING: 4, CallState.WAITING: 5}
