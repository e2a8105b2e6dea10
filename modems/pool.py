"""All the box's modems: open them, watch their health, reopen them, lend them to calls.

One supervisor thread per modem opens it, polls its health every
`health_interval`, marks it down after repeated AT timeouts or when its port
vanishes, closes the old handle, and reopens it when the port is back. A
wrong SIM PIN is tried once and never again: the SIM would lock.

Lending for a call (`acquire`) takes only modems registered on the network
with their SIM ready, as the last health check saw them (a modem just opened,
not yet checked, passed its SIM check when it opened). Among them the daemon's
`Chooser` decides the order and may leave some out (a SIM at its limit:
gateway/care/sims.py); without one, configuration order. `rank` gives the
chooser's order to others who pick a modem themselves (the SMS outbox, which
retries a modem off the network with the operator's reason).

`apply(configs)` changes the set of modems while the pool runs (a reload):
new modems start, removed or changed ones retire. A retiring modem is lent
to no one; it closes as soon as no session holds it, so a reload never cuts
a call (a changed modem then reopens with its new settings).
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable

from gsmmodem.exceptions import TimeoutException

from modems.config import ModemConfig
from modems.driver import ModemDriver, ModemHealth, ModemIdentity
from modems.errors import ModemError, SimPinError
from modems.events import ModemDown, ModemEvent
from modems.lending import WORK, Chooser, on_network
from modems.recovery import Episode, RecoveryMixin, RecoverySettings

log = logging.getLogger(__name__)

ROLES = frozenset({"trigger", "callback", "destination"})
MAX_TIMEOUTS = 2        # health polls in a row without an answer before a modem is down
PORT_WATCH = 0.25       # seconds between looks for a returning port


@dataclass
class ModemStatus:
    name: str
    state: str                      # opening | up | recovering | down | sim error
    reason: str = ""
    identity: ModemIdentity | None = None
    health: ModemHealth | None = None
    roles: frozenset[str] = frozenset()
    group: str | None = None
    audio: str = ""
    in_call: bool = False
    recoveries: dict[str, int] = field(default_factory=dict)    # step -> times taken
    last_recovery_at: float | None = None       # wall clock of the last step
    last_recovery: str = ""                     # e.g. "reset: no answer to AT commands (back)"
    at_errors: int = 0              # commands refused since start (all openings)
    at_timeouts: int = 0            # commands unanswered since start


@dataclass
class _Slot:
    config: ModemConfig
    status: ModemStatus
    driver: ModemDriver | None = None
    allocated: bool = False
    wake: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None
    retiring: bool = False          # lend it to no one; close once no session holds it
    retired: threading.Event = field(default_factory=threading.Event)   # supervisor: stop
    successor: ModemConfig | None = None    # a changed modem: open this once retired
    episode: Episode = field(default_factory=Episode)      # its trouble, if any
    usb_location: str | None = None         # "1-1.3", read from sysfs while the port exists
    lost: str | None = None                 # why it went down, until it is opened again


class ModemPool(RecoveryMixin):
    """The configured modems, each kept open by its own supervisor thread."""

    def __init__(self, configs: Iterable[ModemConfig], *, country: str,
                 on_event: Callable[[ModemEvent], None], health_interval: float = 10.0,
                 at_timeout: float = 5.0, recovery: RecoverySettings = RecoverySettings(),
                 chooser: Chooser | None = None):
        self.country = country
        self.recovery = recovery
        self.chooser = chooser
        self.health_interval = health_interval
        self.at_timeout = at_timeout
        self._on_event = on_event
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._slots = {config.name: self._new_slot(config) for config in configs}

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        for slot in list(self._slots.values()):
            self._launch(slot)

    def _launch(self, slot: _Slot) -> None:
        slot.thread = threading.Thread(target=self._supervise, args=(slot,),
                                       name=f"{slot.config.name}-supervisor", daemon=True)
        slot.thread.start()

    def apply(self, configs: Iterable[ModemConfig]) -> dict[str, list[str]]:
        """Changes the running set of modems to `configs`; gives the names by what happened
        to them ("added", "removed", "changed"). Calls in progress go on (see the module)."""
        wanted = {config.name: config for config in configs}
        done: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
        with self._lock:
            current = {name: slot for name, slot in self._slots.items() if not slot.retiring}
            for name, slot in current.items():
                if name not in wanted:
                    done["removed"].append(name)
                    self._retire(slot, None)
                elif wanted[name] != slot.config:
                    done["changed"].append(name)
                    self._retire(slot, wanted[name])
            for name, config in wanted.items():
                if name not in self._slots:
                    done["added"].append(name)
                    self._slots[name] = self._new_slot(config)
                    self._launch(self._slots[name])
                elif name not in current and self._slots[name].retiring:
                    self._slots[name].successor = config    # re-added while retiring
        for kind, names in done.items():
            for name in names:
                log.info("%s: %s by the new configuration", name, kind)
        return done

    def _new_slot(self, config: ModemConfig) -> _Slot:
        return _Slot(config, ModemStatus(config.name, "down", "not opened yet",
                                         roles=config.roles, group=config.group,
                                         audio=config.audio))

    def _retire(self, slot: _Slot, successor: ModemConfig | None) -> None:
        # holds self._lock
        slot.retiring = True
        slot.successor = successor
        if not slot.allocated:
            slot.retired.set()
            slot.wake.set()
        else:
            log.info("%s: in use by a call; it closes when the call ends", slot.config.name)

    def _finish_retirement(self, slot: _Slot) -> None:
        """Runs on the retired slot's supervisor as it ends: forget it or open its successor."""
        with self._lock:
            if self._slots.get(slot.config.name) is not slot:
                return
            successor = slot.successor
            if successor is None or self._stop.is_set():
                del self._slots[slot.config.name]
                log.info("%s: closed and removed", slot.config.name)
                return
            fresh = self._slots[slot.config.name] = self._new_slot(successor)
        log.info("%s: reopening with its new settings", successor.name)
        self._launch(fresh)

    def stop(self) -> None:
        """Closes every modem; safe to call twice."""
        self._stop.set()
        with self._lock:
            slots = list(self._slots.values())
        for slot in slots:
            slot.wake.set()
        for slot in slots:
            if slot.thread is not None and slot.thread is not threading.current_thread():
                slot.thread.join(timeout=5)

    def threads_alive(self) -> bool:
        """True when every supervisor and every up modem's threads run (for the watchdog)."""
        with self._lock:
            slots = [slot for slot in self._slots.values() if not slot.retiring]
        for slot in slots:
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
            return [self._snapshot(slot) for slot in self._slots.values()]

    def status_of(self, name: str) -> ModemStatus | None:
        """Gives one modem's status (None: no such modem)."""
        with self._lock:
            return self._snapshot(self._slots[name]) if name in self._slots else None

    @staticmethod
    def _snapshot(slot: _Slot) -> ModemStatus:
        # holds self._lock
        slot.status.in_call = bool(slot.driver and slot.driver.in_call)
        status = ModemStatus(**vars(slot.status))
        if slot.driver is not None:     # this opening's counts on top of the earlier ones'
            errors, timeouts = slot.driver.at_failures
            status.at_errors += errors
            status.at_timeouts += timeouts
        return status

    def driver(self, name: str) -> ModemDriver | None:
        slot = self._slots.get(name)
        return slot.driver if slot is not None and slot.status.state == "up" else None

    def acquire(self, role: str, group: str | None = None,
                exclude: Iterable[str] = ()) -> ModemDriver | None:
        """Lends a free, up modem with `role` (and `group`) for a call, the one `rank`
        puts first; None when none may take it (all busy, off the network, at a limit)."""
        if role not in ROLES:
            raise ValueError(f"unknown modem role {role!r}")
        excluded = set(exclude)

        def free(slot: _Slot) -> bool:
            driver = slot.driver
            return (slot.status.state == "up" and driver is not None and not slot.allocated
                    and not slot.retiring and role in slot.config.roles
                    and slot.config.name not in excluded
                    and (group is None or slot.config.group == group) and not driver.in_call)

        with self._lock:
            candidates = [self._snapshot(slot) for slot in self._slots.values() if free(slot)]
        for status in self.rank("call", [status for status in candidates if on_network(status)]):
            with self._lock:        # it may have been taken while the chooser ranked
                slot = self._slots.get(status.name)
                if slot is not None and free(slot):
                    slot.allocated = True
                    return slot.driver
        return None

    def rank(self, work: str, candidates: list[ModemStatus]) -> list[ModemStatus]:
        """Gives the `candidates` that may take `work` ("call" | "sms") in the order to use
        them, as the chooser orders them (configuration order without one)."""
        if work not in WORK:
            raise ValueError(f"unknown kind of work {work!r}")
        if self.chooser is None or not candidates:
            return list(candidates)
        try:
            return self.chooser(work, list(candidates))
        except Exception:   # a fault in the chooser must not stop the box from lending
            log.exception("choosing a modem for %s failed; taking configuration order", work)
            return list(candidates)

    def reset(self, name: str) -> bool:
        """Closes an up modem so its supervisor reports it down and opens it again;
        gives False when it is not up."""
        driver = self.driver(name)
        if driver is None:
            return False
        driver.lost_reason = "reset by an admin"
        driver.close()
        slot = self._slots.get(name)
        if slot is not None:
            slot.wake.set()
        return True

    def release(self, name: str) -> None:
        with self._lock:
            slot = self._slots.get(name)
            if slot is not None:
                slot.allocated = False
                if slot.retiring:
                    slot.retired.set()
                    slot.wake.set()

    # -- one modem's supervisor ------------------------------------------------------------

    def _halted(self, slot: _Slot) -> bool:
        return self._stop.is_set() or slot.retired.is_set()

    def _pause(self, slot: _Slot, seconds: float) -> None:
        """Waits `seconds`, or less when the pool stops or the modem retires."""
        if slot.wake.wait(seconds) and self._halted(slot):
            return
        slot.wake.clear()

    def _supervise(self, slot: _Slot) -> None:
        while not self._halted(slot):
            try:
                self._supervise_once(slot)
            except Exception:   # a bug here must not leave the modem unwatched for good
                log.exception("%s: supervisor error; closing and starting over", slot.config.name)
                self._close(slot)
                self._set(slot, "down", "internal error, restarting")
                self._pause(slot, 1.0)
        self._close(slot)
        log.debug("%s: supervisor stopped", slot.config.name)
        if slot.retired.is_set():
            self._finish_retirement(slot)

    def _supervise_once(self, slot: _Slot) -> None:
        """Opens the modem if it can and watches it until it is lost."""
        if slot.status.state == "sim error":
            slot.wake.wait()          # never retry a PIN; wait for stop or reload
            slot.wake.clear()
            return
        if not os.path.exists(slot.config.port):
            if not slot.episode.gave_up:
                self._set(slot, "down", f"port {slot.config.port} not present")
            if self._gone_too_long(slot) and self._recover_gone(slot):
                self._watch(slot)
                self._close(slot)
                return
            self._pause(slot, PORT_WATCH)
            return
        slot.episode.gone_since = None
        if not self._answers(slot) or not self._open(slot):
            sick = f"cannot be opened ({slot.status.reason})"
            if slot.status.state != "sim error" and self._note_open_failed(slot) \
                    and self._claim(slot, sick):
                if self._recover(slot, sick):
                    self._watch(slot)
                    self._close(slot)
                return
            self._pause(slot, max(self.health_interval, 1.0) if slot.episode.gave_up else 1.0)
            return
        if slot.lost is not None:
            reason, slot.lost = slot.lost, None
            self._step_done(slot, "reopen", f"opened again after: {reason}", True)
        self._watch(slot)
        self._close(slot)

    def _open(self, slot: _Slot, quiet: bool = False) -> bool:
        """Opens the modem and announces it up; gives False (logged, state down) if not."""
        config = slot.config
        self._set(slot, "opening", "")
        driver = ModemDriver(config.name, config.port, profile=config.profile,
                             sim_pin=config.sim_pin, country=self.country,
                             on_event=self._on_event, at_timeout=self.at_timeout,
                             on_lost=lambda reason: slot.wake.set(),
                             module_voice=config.module_voice)
        try:
            identity = driver.open(announce=False)
        except SimPinError as error:
            log.error("%s", error)
            self._set(slot, "sim error", str(error).split(": ", 1)[-1])
            self._on_event(ModemDown(config.name, reason=slot.status.reason))
            return False
        except ModemError as error:
            (log.info if quiet else log.warning)("%s", error)
            self._set(slot, "down", str(error).split(": ", 1)[-1])
            return False
        with self._lock:
            slot.driver = driver
            slot.status.identity = identity
        self._note_usb_location(slot)
        slot.episode.open_failures = 0
        self._set(slot, "up", "")
        driver.announce_up()
        log.debug("%s: up (%s %s, profile %s)", config.name, identity.manufacturer,
                  identity.model, identity.profile)
        return True

    def _watch(self, slot: _Slot) -> None:
        """Polls health until the modem is lost or the pool stops; takes recovery steps
        when it stops answering or stays unregistered (modems/recovery.py)."""
        timeouts = 0
        while not self._halted(slot):
            driver = slot.driver
            if driver is None or not driver.alive:
                self._down(slot, driver.lost_reason if driver and driver.lost_reason
                           else "port closed")
                return
            try:
                health = driver.health()
                timeouts = 0
                with self._lock:
                    slot.status.health = health
                sick = self._unregistered_too_long(slot, health.registration)
            except (TimeoutException, ModemError):
                if not driver.alive:
                    continue
                timeouts += 1
                log.warning("%s: no answer to the health check (%d of %d)", slot.config.name,
                            timeouts, MAX_TIMEOUTS)
                sick = None
                if timeouts >= MAX_TIMEOUTS:
                    sick = "no answer to AT commands"
                    if slot.episode.gave_up:
                        self._down(slot, sick)
                        return
            if sick is not None and self._claim(slot, sick):
                if not self._recover(slot, sick):
                    return
                timeouts = 0
                continue
            if timeouts and timeouts < MAX_TIMEOUTS:
                continue
            slot.wake.wait(self.health_interval)
            slot.wake.clear()

    def _down(self, slot: _Slot, reason: str) -> None:
        log.warning("%s: down: %s", slot.config.name, reason)
        self._close(slot)
        self._set(slot, "down", reason)
        slot.lost = reason
        self._on_event(ModemDown(slot.config.name, reason=reason))

    def _close(self, slot: _Slot) -> None:
        with self._lock:
            driver, slot.driver = slot.driver, None
            slot.allocated = False
            if driver is not None:      # its counts stay with the slot
                errors, timeouts = driver.at_failures
                slot.status.at_errors += errors
                slot.status.at_timeouts += timeouts
        if driver is not None:
            driver.close()

    def _set(self, slot: _Slot, state: str, reason: str) -> None:
        with self._lock:
            slot.status.state = state
            slot.status.reason = reason
