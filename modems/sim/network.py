"""The virtual GSM network: modems, phones, calls, SMS routing and the audio clock."""
from __future__ import annotations

import datetime
import itertools
import logging
import os
import pathlib
import signal
import threading
import time
from dataclasses import dataclass, replace

from modems.numbers import InvalidNumber, to_e164
from modems.sim import audio, sms_pdu
from modems.sim.calls import Switch
from modems.sim.phone import VirtualPhone
from modems.sim.scheduler import Scheduler
from modems.sim.sms_commands import route_status_report
from modems.sim.usb_hub import UsbHub
from modems.sim.vmodem import VirtualModem

log = logging.getLogger(__name__)

ALSA_CONF = pathlib.Path("/usr/share/alsa/alsa.conf")
TICK_S = audio.FRAME_SAMPLES / audio.RATE
_ids = itertools.count(1)
_alsa_users: dict[int, pathlib.Path] = {}     # networks whose config this process loads
_alsa_users_lock = threading.Lock()
_alsa_env_before: list[str | None] = []


@dataclass(frozen=True)
class Delays:
    """Network timing in seconds."""

    call_setup: float = 0.0      # dial -> the far end rings (or busy / unassigned)
    alerting: float = 0.0        # far end rings -> the caller is told it is alerting
    ring_interval: float = 0.05  # between two RINGs
    answer: float = 0.0          # answer -> the call is active
    sms: float = 0.0             # submit -> delivered
    no_answer_after: float = 30.0

    @classmethod
    def zero(cls, **changes) -> "Delays":
        """Gives delays for tests: everything at once, RINGs still repeat, and an
        unanswered call gives up after 2 s instead of 30."""
        return replace(cls(no_answer_after=2.0), **changes)

    @classmethod
    def realistic(cls, **changes) -> "Delays":
        """Gives delays like a live network, for the demo."""
        return replace(cls(call_setup=0.5, alerting=1.0, ring_interval=2.5, answer=0.3,
                           sms=1.0, no_answer_after=30.0), **changes)


class Network:
    """Modems and phones on one simulated network; a context manager."""

    def __init__(self, workdir: pathlib.Path, delays: Delays = Delays.zero(), country: str = "DE",
                 alsa_id: str | None = None):
        self.workdir = pathlib.Path(workdir).resolve()
        self.delays = delays
        self.country = country
        self.id = alsa_id or f"n{os.getpid()}x{next(_ids)}"
        self.lock = threading.RLock()
        self.switch = Switch(self)
        self.scheduler = Scheduler(f"sim-{self.id}-timers")
        self.modems: dict[str, VirtualModem] = {}
        self.phones: dict[str, VirtualPhone] = {}
        self.asoundrc = self.workdir / "asoundrc"
        self.usb = UsbHub(self, self.workdir)     # power-cycles ports (modems/sim/usb_hub.py)
        self._running = False
        self._stop = threading.Event()
        self._clock: threading.Thread | None = None
        for character in ": ":
            if character in str(self.asoundrc):
                raise ValueError(f"workdir must not contain {character!r} (ALSA_CONFIG_PATH "
                                 f"separator): {self.workdir}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._write_asoundrc()

    # -- lifecycle -----------------------------------------------------------------
    def __enter__(self) -> "Network":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        with self.lock:
            if self._running:
                return
            self._running = True
            self._stop.clear()
        self.scheduler.start()
        for modem in list(self.modems.values()):
            modem.open()
        self.usb.start(f"sim-{self.id}-usb")
        self._clock = threading.Thread(target=self._run_clock, name=f"sim-{self.id}-clock",
                                       daemon=True)
        self._clock.start()
        log.info("virtual network %s started in %s", self.id, self.workdir)

    def stop(self) -> None:
        """Stops everything and closes every PTY and FIFO; safe to call twice."""
        with self.lock:
            if not self._running:
                return
            self._running = False
        self._stop.set()
        self.usb.stop()
        if self._clock and self._clock is not threading.current_thread():
            self._clock.join(timeout=5)
        for modem in list(self.modems.values()):
            try:
                modem.close()
            except Exception:
                log.exception("closing modem %s failed", modem.name)
        self.scheduler.stop()
        self._forget_alsa_config()
        log.info("virtual network %s stopped", self.id)

    @property
    def running(self) -> bool:
        return self._running

    # -- members ------------------------------------------------------------------------
    def add_modem(self, name: str = "m1", number: str = "+4915110000001", profile: str = "generic",
                  sim_pin: str | None = None, imei: str | None = None, iccid: str | None = None,
                  imsi: str | None = None, operator: str = "Virtual GSM",
                  usb: str | None = None) -> VirtualModem:
        """Adds a modem; gives it. Its port appears at once if the network runs. `usb`: its
        place on the virtual USB hub, default "1-1.<n>" for the n-th modem."""
        number = to_e164(number, self.country)
        with self.lock:
            if name in self.modems:
                raise ValueError(f"modem {name!r} exists already")
            if self.find_party(number) is not None:
                raise ValueError(f"number {number} is taken already")
            modem = VirtualModem(self, name, number, profile, sim_pin, imei, iccid, imsi, operator,
                                 usb or f"1-1.{len(self.modems) + 1}")
            self.modems[name] = modem
            self._write_asoundrc()
            running = self._running
        if running:
            modem.open()
        return modem

    def add_phone(self, number: str = "+4917012345678", withheld: bool = False,
                  presentation: str = "international") -> VirtualPhone:
        number = to_e164(number, self.country)
        with self.lock:
            if self.find_party(number) is not None:
                raise ValueError(f"number {number} is taken already")
            phone = VirtualPhone(self, number, withheld, presentation)
            self.phones[number] = phone
            return phone

    def find_party(self, number: str):
        """Gives the modem or phone that has `number` (any written form), or None."""
        try:
            wanted = to_e164(number, self.country)
        except InvalidNumber:
            return None
        if wanted in self.phones:
            return self.phones[wanted]
        return next((m for m in self.modems.values() if m.number == wanted), None)

    def later(self, delay: float, action, *args) -> None:
        """Runs `action(*args)` under the network lock after `delay` seconds."""
        def run():
            with self.lock:
                if self._running:
                    action(*args)
        self.scheduler.call_later(delay, run)

    def settle(self, timeout: float = 5.0) -> bool:
        """Waits until every network event due by now has run (e.g. SMS delivered at once)."""
        done = threading.Event()
        self.scheduler.call_later(0, done.set)
        return done.wait(timeout)

    # -- SMS routing ------------------------------------------------------------------------
    def submit_sms(self, sender: str, to: str, text: str, reference: int,
                   sent_at: datetime.datetime | None = None) -> None:
        """A phone sends: deliver to a modem as SMS-DELIVER PDUs (time-stamped `sent_at`,
        default now) or to a phone's inbox."""
        target = self.find_party(to)
        if target is None:
            log.info("SMS from %s to unknown %s dropped", sender, to)
            return
        if isinstance(target, VirtualModem):
            for pdu_hex in sms_pdu.encode_deliver(sender, text, reference, sent_at):
                self.later(self.delays.sms, target.deliver_pdu, pdu_hex)
        else:
            self.later(self.delays.sms, target.sms_delivered, sender, text)

    def submit_from_modem(self, modem: VirtualModem, submitted: sms_pdu.Submitted,
                          reference: int = 0) -> None:
        """A modem sends (AT+CMGS gave it `reference`): delivered to a modem or a phone;
        with TP-SRR the SMSC then sends the modem a status report (23.040 9.2.2.3):
        delivered, still trying (a modem that could not store it yet), or failed for
        an unknown number."""
        target = self.find_party(submitted.number)
        submitted_at = datetime.datetime.now().astimezone()

        def deliver() -> None:
            if target is None:
                log.info("SMS from %s to unknown %s dropped", modem.number, submitted.number)
                status = sms_pdu.INCOMPATIBLE_DESTINATION
            elif isinstance(target, VirtualModem):
                pdus = sms_pdu.encode_deliver(modem.number, submitted.text, 0)
                stored = target.deliver_pdu(pdus[0])
                status = sms_pdu.DELIVERED if stored else sms_pdu.STILL_TRYING
            else:
                target.sms_delivered(modem.number, submitted.text, submitted.reference,
                                     submitted.part, submitted.parts)
                status = sms_pdu.DELIVERED
            if submitted.status_report:
                route_status_report(modem, sms_pdu.encode_status_report(
                    reference, submitted.number, submitted_at, status))

        self.later(self.delays.sms, deliver)

    # -- audio clock ---------------------------------------------------------------------------
    def _run_clock(self) -> None:
        # A daemon closing its capture PCM makes our FIFO write fail with EPIPE;
        # with SIGPIPE blocked here that stays an error even if the host process
        # restored the default (fatal) SIGPIPE action.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGPIPE})
        deadline = time.monotonic()
        while not self._stop.is_set():
            try:
                with self.lock:
                    self._tick()
            except Exception:
                log.exception("audio tick failed")
            deadline += TICK_S
            late = time.monotonic() - deadline
            if late > 0.2:
                log.debug("audio clock %.0f ms late; skipping ahead", late * 1000)
                deadline = time.monotonic()
            self._stop.wait(max(0.0, deadline - time.monotonic()))

    def _tick(self) -> None:
        """Moves one 20 ms frame each way for every active call."""
        in_call = set()
        for first, second in self.switch.active_pairs():
            frame_from_first, frame_from_second = first.uplink_frame(), second.uplink_frame()
            first.downlink(frame_from_second)
            second.downlink(frame_from_first)
            in_call.update((id(first), id(second)))
        for modem in self.modems.values():
            if id(modem) not in in_call:
                modem.idle_tick()

    # -- ALSA --------------------------------------------------------------------------------------
    def _write_asoundrc(self) -> None:
        endpoints = {m.media.pcm_name: m.media.alsa for m in self.modems.values() if m.media.alsa}
        tmp = self.asoundrc.with_name(self.asoundrc.name + ".new")
        tmp.write_text(audio.render_asoundrc(endpoints))
        os.replace(tmp, self.asoundrc)

    def alsa_env(self) -> dict[str, str]:
        """Gives the environment a process needs to open this network's PCMs."""
        return {"ALSA_CONFIG_PATH": f"{ALSA_CONF}:{self.asoundrc}"}

    def use_alsa_config(self) -> None:
        """Makes this process see this network's PCMs (and those of other live networks)."""
        with _alsa_users_lock:
            if not _alsa_users:
                _alsa_env_before[:] = [os.environ.get("ALSA_CONFIG_PATH")]
            _alsa_users[id(self)] = self.asoundrc
            self._apply_alsa_env()

    def _forget_alsa_config(self) -> None:
        with _alsa_users_lock:
            if _alsa_users.pop(id(self), None) is None:
                return
            if _alsa_users:
                self._apply_alsa_env()
                return
            before = _alsa_env_before[0] if _alsa_env_before else None
            if before is None:
                os.environ.pop("ALSA_CONFIG_PATH", None)
            else:
                os.environ["ALSA_CONFIG_PATH"] = before

    @staticmethod
    def _apply_alsa_env() -> None:
        os.environ["ALSA_CONFIG_PATH"] = ":".join([str(ALSA_CONF)] + [str(p) for p in _alsa_users.values()])
