"""Self-healing: the steps the pool's supervisor takes to bring a sick modem back.

A modem is sick when it does not answer the health check (MAX_TIMEOUTS polls in
a row), cannot be opened twice in a row, or stays unregistered from the network
for `registration_grace`. The steps escalate, one episode at a time:

1. reset: the profile's restart command (27.007 §8.2 `AT+CFUN=1,1`: full
   functionality after a reset of the MT) written on the port afresh, so that a
   modem whose answers are stuck still gets it; then wait `wait` seconds for the
   port to go and come back (a USB modem re-enumerates as it reboots) and open it
   again. Up to `tries` resets an episode.
2. power-cycle: when the modem has `usb_power_cycle = true`, switch its USB port
   off and on with `power_cycle_command` (uhubctl), the port found from the
   device path (modems/usb.py) or given as `usb_port`; then reopen likewise.
3. gave up: the owner must look. The modem is not reset again until it has been
   registered again (or the owner replugs it, or the configuration reloads).

A modem in a call or lent to a session is never reset: the step waits until it
is free. Each step is logged with its reason, emitted as a ModemRecovery event,
and counted on the modem's ModemStatus. An episode ends once the modem is
registered again.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

import serial

from modems.events import ModemDown, ModemRecovery
from modems.profiles import PROFILES, Profile
from modems.usb import PowerCycleError, power_cycle, usb_location

log = logging.getLogger(__name__)

REGISTERED = ("home", "roaming")
DEFAULT_RESET = "AT+CFUN=1,1"
DEFAULT_POWER_CYCLE = "uhubctl -l {hub} -p {port} -a cycle"
MAX_OPEN_FAILURES = 2      # failed opens in a row of a present port before a reset
RETURN_WATCH = 0.1         # seconds between looks at a port expected to go or come back


@dataclass(frozen=True)
class RecoverySettings:
    """How hard the supervisor tries ([gateway] keys of the same names)."""

    registration_grace: float = 120.0   # seconds unregistered before a reset
    recovery_tries: int = 3             # resets an episode before a power cycle / giving up
    recovery_wait: float = 30.0         # seconds a reset or power-cycled modem gets to return
    power_cycle_command: str = DEFAULT_POWER_CYCLE


@dataclass
class Episode:
    """One modem's trouble, from the first sign to registered again."""

    unregistered_since: float | None = None
    steps: int = 0
    resets: int = 0
    power_cycled: bool = False
    gave_up: bool = False
    open_failures: int = 0
    gone_since: float | None = None     # when the port of a modem that was up vanished
    waiting_said: bool = False      # "waiting for the call to end" logged once


def send_line(port: str, command: str, timeout: float) -> str:
    """Writes `command` on the port opened afresh; gives the modem's final answer ("OK",
    "ERROR", ...), "no answer", or why the port went (as a rebooting modem's does)."""
    try:
        link = serial.Serial(port, 115200, timeout=0.05, write_timeout=timeout)
    except (serial.SerialException, OSError) as error:
        return f"cannot open the port: {error}"
    received = b""
    try:
        link.reset_input_buffer()
        link.write(command.encode("ascii") + b"\r")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received += link.read(256)
            for line in received.split(b"\r\n"):
                line = line.strip()
                if line in (b"OK", b"ERROR") or line.startswith((b"+CME ERROR", b"+CMS ERROR")):
                    return line.decode("ascii", "replace")
        return "no answer"
    except (serial.SerialException, OSError) as error:
        return f"the port went away ({error})"
    finally:
        try:
            link.close()
        except (serial.SerialException, OSError):
            pass    # the port vanished under us: nothing left to close


def port_identity(port: str) -> tuple[int, int] | None:
    """Gives what changes when the port is created anew (inode, change time), None if gone."""
    try:
        stat = os.lstat(port)
    except OSError:
        return None
    return stat.st_ino, stat.st_ctime_ns


class RecoveryMixin:
    """The escalating steps of ModemPool's supervisor (modems/pool.py provides _open,
    _close, _set, _halted, _pause, _lock, _on_event, recovery and at_timeout)."""

    def _unregistered_too_long(self, slot, registration: str) -> str | None:
        """Gives why the modem needs a step when it has been unregistered for longer than
        registration_grace, or None; a registered modem ends its episode."""
        episode = slot.episode
        if registration in REGISTERED:
            if episode.steps:
                log.info("%s: registered again after %d recovery step(s)", slot.config.name,
                         episode.steps)
            slot.episode = Episode()
            return None
        now = time.monotonic()
        if episode.unregistered_since is None:
            episode.unregistered_since = now
            log.info("%s: not registered on the network (%s)", slot.config.name, registration)
        lost_for = now - episode.unregistered_since
        if episode.gave_up or lost_for < self.recovery.registration_grace:
            return None
        return f"not registered on the network for {lost_for:.0f} s ({registration})"

    def _claim(self, slot, reason: str) -> bool:
        """Takes the modem away from lending for a step; False while a call or session has
        it (a modem in a call is never reset: the next health check asks again)."""
        with self._lock:
            driver = slot.driver
            busy = slot.allocated or (driver is not None and driver.in_call)
            if not busy:
                slot.status.state, slot.status.reason = "recovering", reason
                slot.episode.waiting_said = False
                return True
        if not slot.episode.waiting_said:
            slot.episode.waiting_said = True
            log.warning("%s: %s; it is in a call, so it is reset once the call ends",
                        slot.config.name, reason)
        return False

    def _recover(self, slot, reason: str) -> bool:
        """Takes the next steps until the modem answers again or the box gives up; gives
        whether the modem is open and up again. The slot was claimed."""
        episode = slot.episode
        name = slot.config.name
        announced = False
        while not self._halted(slot):
            if episode.resets < self.recovery.recovery_tries:
                step = "reset"
            elif slot.config.usb_power_cycle and not episode.power_cycled:
                step = "power-cycle"
            else:
                return self._give_up(slot, reason)
            if not announced:
                announced = True
                log.warning("%s: %s; recovering with a %s", name, reason, step)
                self._on_event(ModemDown(name, reason=reason))
            if step == "reset":
                episode.resets += 1
                back = self._reset_and_reopen(slot)
            else:
                episode.power_cycled = True
                back = self._power_cycle_and_reopen(slot)
            self._step_done(slot, step, reason, back)
            if back:
                return True
        return False

    def _reset_and_reopen(self, slot) -> bool:
        config = slot.config
        command = self._reset_command(slot)
        self._close(slot)
        before = port_identity(config.port)
        answer = send_line(config.port, command, self.at_timeout)
        log.info("%s: sent %s: %s", config.name, command, answer)
        return self._reopen_after(slot, before)

    @staticmethod
    def _reset_command(slot) -> str:
        """Gives the reset command of the modem's profile: the open driver's, else the one
        it was last opened with, else the configured one (27.007's by default)."""
        driver, identity = slot.driver, slot.status.identity
        name = identity.profile if identity is not None else slot.config.profile
        profile = driver.profile if driver is not None and driver.profile is not None \
            else PROFILES.get(name, Profile)()
        return profile.reset_command or DEFAULT_RESET

    def _power_cycle_and_reopen(self, slot) -> bool:
        config = slot.config
        location = config.usb_port or slot.usb_location
        if location is None:
            log.error("%s: cannot power-cycle its USB port: the port is not known from %s; "
                      "set usb_port (like \"1-1.3\", see `uhubctl`)", config.name, config.port)
            return False
        self._close(slot)
        before = port_identity(config.port)
        try:
            said = power_cycle(self.recovery.power_cycle_command, location, config.name)
        except PowerCycleError as error:
            log.error("%s: power-cycling USB port %s failed: %s", config.name, location, error)
            return False
        log.info("%s: USB port %s switched off and on%s", config.name, location,
                 f": {said}" if said else "")
        return self._reopen_after(slot, before)

    def _reopen_after(self, slot, before: tuple[int, int] | None) -> bool:
        """Waits for the port to go and come back (or to be created anew), then opens the
        modem, trying until recovery_wait runs out; gives whether it is up."""
        port, wait = slot.config.port, self.recovery.recovery_wait
        deadline = time.monotonic() + wait
        while not self._halted(slot) and time.monotonic() < deadline:
            if port_identity(port) != before:
                break
            self._pause(slot, RETURN_WATCH)
        deadline = time.monotonic() + wait
        while not self._halted(slot):
            # A bare AT first: opening a modem that does not answer takes the AT library
            # ten seconds per try.
            if os.path.exists(port) and send_line(port, "AT", self.at_timeout) == "OK" \
                    and self._open(slot, quiet=True):
                return True
            if slot.status.state == "sim error":
                return False        # a wrong PIN is never tried twice: the SIM would lock
            if time.monotonic() >= deadline:
                return False
            self._pause(slot, RETURN_WATCH if not os.path.exists(port) else 1.0)
        return False

    def _give_up(self, slot, reason: str) -> bool:
        episode = slot.episode
        episode.gave_up = True
        tried = f"{episode.resets} reset(s)" + (" and a USB power cycle"
                                                if episode.power_cycled else "")
        words = f"{reason}; {tried} did not help"
        log.error("%s: gave up: %s; check the modem, its SIM and its antenna",
                  slot.config.name, words)
        driver = slot.driver
        up = driver is not None and driver.alive
        self._set(slot, "up" if up else "down", "" if up else f"gave up: {words}")
        if not up:
            slot.lost = f"gave up: {words}"
        self._step_done(slot, "gave up", words, False)
        return up

    def _step_done(self, slot, step: str, reason: str, ok: bool) -> None:
        episode = slot.episode
        episode.steps += 1
        episode.unregistered_since = None       # a rebooted modem gets the grace again
        episode.open_failures = 0
        name = slot.config.name
        if step != "gave up":
            (log.info if ok else log.warning)("%s: %s (%s): %s", name, step, reason,
                                              "it answers again" if ok else "still dead")
        with self._lock:
            status = slot.status
            status.recoveries = {**status.recoveries, step: status.recoveries.get(step, 0) + 1}
            status.last_recovery_at = time.time()
            status.last_recovery = f"{step}: {reason}" + ("" if step == "gave up" else
                                                          " (back)" if ok else " (failed)")
        self._on_event(ModemRecovery(name, step=step, reason=reason, ok=ok,
                                     attempt=episode.steps))

    def _note_usb_location(self, slot) -> None:
        """Remembers where the modem sits on USB while its port exists (a dead modem's
        port may be gone when the power cycle needs it)."""
        if slot.config.usb_port is None and slot.usb_location is None:
            slot.usb_location = usb_location(slot.config.port)

    def _answers(self, slot) -> bool:
        """Gives whether the modem answers a bare AT (opening a silent modem would take the
        AT library ten seconds to find out). A modem given up on keeps its reason shown."""
        answer = send_line(slot.config.port, "AT", self.at_timeout)
        if answer == "OK":
            return True
        if not slot.episode.gave_up:
            self._set(slot, "down", f"no answer to AT commands ({answer})")
        return False

    def _gone_too_long(self, slot) -> bool:
        """True when the port of a modem that was up has been gone for recovery_wait and a
        power cycle may bring it back (a modem that dropped off the USB bus)."""
        episode = slot.episode
        if slot.lost is None or episode.gave_up or episode.power_cycled \
                or not slot.config.usb_power_cycle:
            return False
        now = time.monotonic()
        if episode.gone_since is None:
            episode.gone_since = now
        return now - episode.gone_since >= self.recovery.recovery_wait

    def _recover_gone(self, slot) -> bool:
        """Power-cycles the USB port of a modem whose port stays gone; gives whether it is
        open and up again (else the box gave up on it)."""
        episode = slot.episode
        reason = (f"its port {slot.config.port} has been gone for "
                  f"{time.monotonic() - episode.gone_since:.0f} s")
        log.warning("%s: %s; power-cycling its USB port", slot.config.name, reason)
        episode.power_cycled = True
        back = self._power_cycle_and_reopen(slot)
        self._step_done(slot, "power-cycle", reason, back)
        if back:
            slot.lost = None
            return True
        self._give_up(slot, reason)
        return False

    def _note_open_failed(self, slot) -> bool:
        """Counts a failed open of a present port; gives True when a step should follow."""
        episode = slot.episode
        episode.open_failures += 1
        return not episode.gave_up and episode.open_failures >= MAX_OPEN_FAILURES

