"""All the box's modems: open them, watch their health, reopen them, lend them to calls.

One supervisor thread per modem opens it, polls its health every
`health_interval`, marks it down after repeated AT timeouts or when its port
vanishes, closes the old handle, and reopens it when the port is back. A
wrong SIM PIN is tried once and never again: the SIM would lock.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable

from gsmmodem.exceptions import TimeoutException

from modems.driver import ModemDriver, ModemHealth, ModemIdentity
from modems.errors import ModemError, SimPinError
from modems.events import ModemDown, ModemEvent

log = logging.getLogger(__name__)

ROLES = frozenset({"trigger", "callback", "destination"})
MAX_TIMEOUTS = 2        # health polls in a row without an answer before a modem is down
PORT_WATCH = 0.25       # seconds between looks for a returning port


@dataclass(frozen=True)
class ModemConfig:
    name: str
    port: str
    audio: str
    roles: frozenset[str]
    sim_pin: str | None = None
    group: str | None = None
    profile: str = "auto"


@dataclass
class ModemStatus:
    name: str
    state: str                      # opening | up | down | sim error
    reason: str = ""
    identity: ModemIdentity | None = None
    health: ModemHealth | None = None
    roles: frozenset[str] = frozenset()
    group: str | None = None
    audio: str = ""
    in_call: bool = False


@dataclass
class _Slot:
    config: ModemConfig
    status: ModemStatus
    driver: ModemDriver | None = None
    allocated: bool = False
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


class ModemPool:
    """The configured modems, each kept open by its own supervisor thread."""

    def __init__(self, configs: Iterable[ModemConfig], *, country: str,
                 on_event: Callable[[ModemEvent], None], health_interval: float = 10.0,
                 at_timeout: float = 5.0):
        self.country = country
        self.health_interval = health_interval
        self.at_timeout = at_timeout
        self._on_event = on_event
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._slots = {config.name: _Slot(config, ModemStatus(
            config.name, "down", "not opened yet", roles=config.roles, group=config.group,
            audio=config.audio)) for config in configs}

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        for slot in self._slots.values():
            slot.thread = threading.Thread(target=self._supervise, args=(slot,),
                                           name=f"{slot.config.name}-supervisor", daemon=True)
            slot.thread.start()

    def stop(self) -> None:
        """Closes every modem; safe to call twice."""
        self._stop.set()
        for slot in self._slots.values():
            slot.wake.set()
        for slot in self._slots.values():
            if slot.thread is not None and slot.thread is not threading.current_thread():
                slot.thread.join(timeout=5)

    def threads_alive(self) -> bool:
        """True when every supervisor and every up modem's threads run (for the watchdog)."""
        for slot in self._slots.values():
            if slot.thread is None or not slot.thread.is_alive():
                return False
            driver = slot.driver
            if driver is not None and slot.status.state == "up":
                if not all(thread.is_alive() for thread in driver.threads):
                    return False
        return True

    # -- what others ask ----------------------------------------------------------------

    def status(self) -> list[ModemStatus]:
        with self._lock:
            result = []
            for slot in self._slots.values():
                slot.status.in_call = bool(slot.driver and slot.driver.in_call)
                result.append(ModemStatus(**vars(slot.status)))
            return result

    def driver(self, name: str) -> ModemDriver | None:
        slot = self._slots.get(name)
        if slot is None or slot.status.state != "up":
            return None
        return slot.driver

    def acquire(self, role: str, group: str | None = None,
                exclude: Iterable[str] = ()) -> ModemDriver | None:
        """Lends a free, up modem with `role` (and `group`), or None when all are busy."""
        if role not in ROLES:
            raise ValueError(f"unknown modem role {role!r}")
        excluded = set(exclude)
        with self._lock:
            for slot in self._slots.values():
                driver = slot.driver
                if (slot.status.state == "up" and driver is not None and not slot.allocated
                        and role in slot.config.roles and slot.config.name not in excluded
                        and (group is None or slot.config.group == group)
                        and not driver.in_call):
                    slot.allocated = True
                    return driver
        return None

    def release(self, name: str) -> None:
        with self._lock:
            slot = self._slots.get(name)
            if slot is not None:
                slot.allocated = False

    # -- one modem's supervisor ------------------------------------------------------------

    def _supervise(self, slot: _Slot) -> None:
        while not self._stop.is_set():
            try:
                self._supervise_once(slot)
            except Exception:   # a bug here must not leave the modem unwatched for good
                log.exception("%s: supervisor error; closing and starting over", slot.config.name)
                self._close(slot)
                self._set(slot, "down", "internal error, restarting")
                self._stop.wait(1.0)
        self._close(slot)
        log.debug("%s: supervisor stopped", slot.config.name)

    def _supervise_once(self, slot: _Slot) -> None:
        """Opens the modem if it can and watches it until it is lost."""
        if slot.status.state == "sim error":
            slot.wake.wait()          # never retry a PIN; wait for stop or reload
            slot.wake.clear()
            return
        if not os.path.exists(slot.config.port):
            self._set(slot, "down", f"port {slot.config.port} not present")
            self._stop.wait(PORT_WATCH)
            return
        if not self._open(slot):
            self._stop.wait(1.0)
            return
        self._watch(slot)
        self._close(slot)

    def _open(self, slot: _Slot) -> bool:
        config = slot.config
        self._set(slot, "opening", "")
        driver = ModemDriver(config.name, config.port, profile=config.profile,
                             sim_pin=config.sim_pin, country=self.country,
                             on_event=self._on_event, at_timeout=self.at_timeout,
                             on_lost=lambda reason: slot.wake.set())
        try:
            identity = driver.open(announce=False)
        except SimPinError as error:
            log.error("%s", error)
            self._set(slot, "sim error", str(error).split(": ", 1)[-1])
            self._on_event(ModemDown(config.name, reason=slot.status.reason))
            return False
        except ModemError as error:
            log.warning("%s", error)
            self._set(slot, "down", str(error).split(": ", 1)[-1])
            return False
        with self._lock:
            slot.driver = driver
            slot.status.identity = identity
        self._set(slot, "up", "")
        driver.announce_up()
        log.debug("%s: up (%s %s, profile %s)", config.name, identity.manufacturer,
                 identity.model, identity.profile)
        return True

    def _watch(self, slot: _Slot) -> None:
        """Polls health until the modem is lost or the pool stops."""
        timeouts = 0
        driver = slot.driver
        while not self._stop.is_set():
            if not driver.alive:
                self._down(slot, driver.lost_reason or "port closed")
                return
            try:
                health = driver.health()
                timeouts = 0
                with self._lock:
                    slot.status.health = health
            except (TimeoutException, ModemError) as error:
                if not driver.alive:
                    continue
                timeouts += 1
                log.warning("%s: no answer to the health check (%d of %d)", slot.config.name,
                            timeouts, MAX_TIMEOUTS)
                if timeouts >= MAX_TIMEOUTS:
                    self._down(slot, f"no answer to AT commands ({error or 'timeout'})")
                    return
                continue
            slot.wake.wait(self.health_interval)
            slot.wake.clear()

    def _down(self, slot: _Slot, reason: str) -> None:
        log.warning("%s: down: %s", slot.config.name, reason)
        self._close(slot)
        self._set(slot, "down", reason)
        self._on_event(ModemDown(slot.config.name, reason=reason))

    def _close(self, slot: _Slot) -> None:
        with self._lock:
            driver, slot.driver = slot.driver, None
            slot.allocated = False
        if driver is not None:
            driver.close()

    def _set(self, slot: _Slot, state: str, reason: str) -> None:
        with self._lock:
            slot.status.state = state
            slot.status.reason = reason
