"""Faults a test injects into a virtual modem, and what cures each, as on real hardware.

- unplug / replug: the USB device goes and comes back (new PTYs, fresh state).
- hang: the modem stops answering. Its firmware still acts on a reset line
  (`AT+CFUN=1,1`) and reboots, like a modem whose AT task is stuck while the
  rest runs; `hang(through_reset=True)` is a modem wedged so deep that only
  switching its USB port off and on (replug) brings it back.
- no_network: the network is gone (cured by no_network(False)).
- remove_sim: the SIM is taken out (+CPIN? answers CME ERROR 10) until the modem
  restarts with fresh state.
- stuck_unregistered: the network is there but the modem stays unregistered,
  answering AT, until it is reset (`AT+CFUN=1,1`) or power-cycled.
A reset reboots the modem: its port vanishes for `reboot_seconds` and comes
back with fresh state, as a USB modem re-enumerates.
"""
from __future__ import annotations

import logging
import re

from modems.sim.calls import Cause

log = logging.getLogger(__name__)

_RESET_LINE = re.compile(r"AT\+CFUN=1,1")


class FaultsMixin:
    """The faults of VirtualModem (modems/sim/vmodem.py)."""

    reboot_seconds = 0.2      # how long the port is gone while the modem reboots

    def unplug(self) -> None:
        """Yanks the USB device: symlinks gone, PTYs closed, calls dropped."""
        log.info("modem %s: unplugged", self.name)
        self.close(final=False)

    def replug(self) -> None:
        """Re-enumerates: new PTYs at the same symlinks, fresh modem state."""
        if self._plugged:
            self.close(final=False)
        log.info("modem %s: replugged", self.name)
        self.open()
        with self._net.lock:
            self.flush_pending_sms()

    def reboot(self) -> None:
        """Restarts as after AT+CFUN=1,1: the port goes at once and comes back after
        reboot_seconds. Safe to call from the modem's own threads, under the lock."""
        self._net.scheduler.call_later(0, self._reboot_now)

    def _reboot_now(self) -> None:
        if not self._net.running or not self._plugged:
            return
        log.info("modem %s: rebooting", self.name)
        self.unplug()
        self._net.scheduler.call_later(self.reboot_seconds, self._come_back)

    def _come_back(self) -> None:
        if self._net.running and not self._plugged:
            self.replug()

    def hang(self, hung: bool = True, through_reset: bool = False) -> None:
        """Stops answering (module docstring); hang(False) answers again."""
        with self._net.lock:
            self._hung = hung
            self._wedged = hung and through_reset
            self._line.clear()

    def stuck_unregistered(self, stuck: bool = True) -> None:
        """Stays unregistered, answering AT, until reset or power-cycled."""
        with self._net.lock:
            self._stuck_unregistered = stuck
            if self.settings.creg:
                self.urc(f"+CREG: {self.registration()}")

    def _hung_input(self, data: bytes) -> None:
        """A hung modem answers nothing, but a reset line still reboots it unless wedged."""
        for byte in data:
            if byte == 0x0D:
                line = bytes(self._line).decode("latin-1").strip().replace(" ", "").upper()
                self._line.clear()
                if not line:
                    continue
                self.commands.append(line)
                self._cond.notify_all()
                if _RESET_LINE.fullmatch(line) and not self._wedged:
                    self.reboot()
            elif byte != 0x0A and len(self._line) < 4096:
                self._line.append(byte)

    def send_garbage(self, data: bytes) -> None:
        self._at.write(data)

    def no_network(self, lost: bool = True) -> None:
        with self._net.lock:
            self._no_network = lost
            if lost:
                self._release_all(Cause.NETWORK)
            if self.settings.creg:
                self.urc(f"+CREG: {self.registration()}")
            if not lost:
                self.flush_pending_sms()

    def remove_sim(self) -> None:
        """Takes the SIM out: +CPIN? answers CME ERROR 10, the modem leaves the network."""
        with self._net.lock:
            self.sim_state = "NOT INSERTED"
            self._release_all(Cause.NETWORK)

    def drop_call(self) -> None:
        """The network drops this modem's calls; both ends see cause `network`."""
        with self._net.lock:
            self._release_all(Cause.NETWORK)

    def set_storage_full(self, full: bool = True) -> None:
        with self._net.lock:
            self._storage_full = full
            if not full:
                self.flush_pending_sms()
