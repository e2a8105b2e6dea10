"""The `alerts` worker: tells the owner what went wrong, once per cause, and its recovery.

Alerts are rows of `alert` (gateway/store/alerts.py: raise_alert / recover,
one open alert per cause); this worker delivers this box's rows to every
`[alerts] urls` apprise URL (gateway/care/alert_delivery.py), with back-off
while a URL fails. With no URLs an alert is only logged and listed.

It also raises the alerts the box sees from above:
- a modem down for `modem_down_after` seconds (a ModemDown with no ModemUp
  since, or a configured modem not up that long after the start), recovered
  by its ModemUp; the pool's recovery steps (modems.events.ModemRecovery):
  "power-cycle" a notice, "gave up" an open alert "modem-dead";
- a database outage longer than `database_down_after` (the outage watch,
  gateway/store/outage.py, wakes it), recovered when the database answers;
- the disk of state_dir below `disk_free_percent` free, checked every
  `disk_check_interval`;
- the restart after a crash (the previous `daemon` row was not stopped), a notice.
Other threads raise through `raise_` / `recover` (queued, never blocking).

An alert raised while the database is down cannot be written: it is held in
memory (alert_delivery.Held), delivered directly, and written to the table
(with what was sent) when the database answers again.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
import logging
import shutil
import threading
import time
from typing import NamedTuple, Protocol

from gateway.care.alert_delivery import Delivery, Held, due_rows, next_due, write_held
from gateway.care.alert_kinds import MESSAGES, duration, outage_text
from gateway.care.send import AppriseSender, Sender
from gateway.config.alerts import AlertsConfig
from gateway.store import alerts as store
from gateway.store.alerts import NOTICE_QUIET
from gateway.store.outage import CONNECTION_ERRORS
from gateway.worker import Worker
from modems.events import ModemDown, ModemEvent, ModemRecovery, ModemUp

log = logging.getLogger(__name__)

DISK_HYSTERESIS = 2.0      # percent above the threshold before a disk alert recovers


class Usage(NamedTuple):
    total: int
    used: int
    free: int


class Outage(Protocol):
    """The database outage watch (gateway.store.outage.DatabaseWatch) as alerts see it."""

    down_since: float | None
    reason: str

    @property
    def down(self) -> bool: ...

    def lost(self, error: Exception) -> None: ...


@dataclass(frozen=True)
class Raise:
    kind: str
    subject: str
    message: str
    at: float
    advice: str = ""
    modem: str | None = None
    notice: bool = False


@dataclass(frozen=True)
class Recover:
    kind: str
    subject: str
    message: str
    at: float


@dataclass(frozen=True)
class Modems:
    """The configured modems after a reload."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Restarted:
    """The daemon's previous run ended without stopping (gateway/store/status.py)."""

    status: str
    heartbeat_at: float
    pid: int


class Alerts:
    """The alerts worker of one box; see the module docstring."""

    def __init__(self, config: AlertsConfig, box: str, state_dir: str, database: str = "", *,
                 now: Callable[[], float] = time.time, watch: Outage | None = None,
                 sender: Sender | None = None, modems: Iterable[str] = (),
                 disk: Callable[[str], Usage] = shutil.disk_usage):
        """`database` names the database in its alert (password masked); `modems` are the
        configured modems, each alerted when not up `modem_down_after` after start."""
        self.config = config
        self.box = box
        self.state_dir = state_dir
        self.database = database
        self.now = now
        self.watch = watch
        self.delivery = Delivery(config, box, sender or AppriseSender(config.send_timeout))
        self.worker = Worker("alerts", self._handle, watch=watch)
        self._disk = disk
        self._modems = list(modems)
        self._lock = threading.Lock()
        self._held: list[Held] = []                 # raised while the database was down
        self._recoveries: list[Recover] = []        # of rows, waiting for the database
        self._up: set[str] = set()
        self._removed: set[str] = set()             # by a reload: no longer alerted
        self._ever_up: set[str] = set()
        self._down_reason: dict[str, str] = {}
        self._outage: float | None = None           # down_since of the outage alerted
        self._disk_low: bool | None = None

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        config, worker = self.config, self.worker
        worker.paced("deliver", config.poll_interval, "delivering alerts", self._deliver_due)
        worker.paced("database", config.poll_interval, "looking at the database outage",
                     self._look_at_database)
        if config.disk_free_percent > 0:
            worker.every("disk", config.disk_check_interval, "looking at the free disk space",
                         self._look_at_disk)
        for name in self._modems:
            self._expect_up(name)
        worker.start()

    def stop(self, timeout: float = 15.0) -> bool:
        stopped = self.worker.stop(timeout)
        self.delivery.sender.close()
        return stopped

    def alive(self) -> bool:
        return self.worker.alive()

    # -- what other threads call (queued) ----------------------------------------------------

    def raise_(self, kind: str, subject: str, message: str, *, advice: str = "",
               modem: str | None = None, notice: bool = False) -> None:
        """Raises an alert of the cause (kind, subject) from any thread."""
        self.worker.put(Raise(kind, subject, message, self.now(), advice, modem, notice))

    def recover(self, kind: str, subject: str, message: str) -> None:
        """Recovers the open alert of the cause, if any, from any thread."""
        self.worker.put(Recover(kind, subject, message, self.now()))

    def on_event(self, event: ModemEvent) -> None:
        """Sees a modem event (on a pool thread: only queues it)."""
        if isinstance(event, (ModemUp, ModemDown, ModemRecovery)):
            self.worker.put(event)

    def restarted(self, status: str, heartbeat_at: float, pid: int) -> None:
        """The previous run of this box's daemon ended without stopping: a notice."""
        self.worker.put(Restarted(status, heartbeat_at, pid))

    def modems_changed(self, names: Iterable[str]) -> None:
        """The configuration was reloaded with these modems (SIGHUP)."""
        self.worker.put(Modems(tuple(names)))

    def wake(self) -> None:
        """Looks at the database and what is due now (the outage watch's hook)."""
        self.worker.sooner("database")
        self.worker.sooner("deliver")

    def held_open(self) -> int:
        """Gives how many open alerts wait in memory for the database."""
        with self._lock:
            return sum(1 for held in self._held if held.state == "open")

    # -- the worker's thread -----------------------------------------------------------------

    def _handle(self, message) -> None:
        if isinstance(message, Raise):
            self._raise(message)
        elif isinstance(message, Recover):
            self._recover(message)
        elif isinstance(message, ModemDown):
            self._up.discard(message.modem)
            self._down_reason[message.modem] = message.reason
            self._expect_up(message.modem)
        elif isinstance(message, ModemUp):
            self._modem_up(message.modem)
        elif isinstance(message, ModemRecovery):
            self._modem_recovery(message)
        elif isinstance(message, Restarted):
            self._restarted(message)
        elif isinstance(message, Modems):
            self._modems_changed(message.names)

    def _database_down(self) -> bool:
        return self.watch is not None and self.watch.down

    def _raise(self, alert: Raise) -> None:
        if not self._database_down():
            try:
                row = store.raise_alert(self.box, alert.kind, alert.subject, alert.at,
                                        alert.message, advice=alert.advice, modem=alert.modem,
                                        notice=alert.notice)
            except CONNECTION_ERRORS as error:
                self.worker.database_lost(error, f"raising alert {alert.kind}")
            else:
                if row is not None:
                    self.worker.sooner("deliver")
                return
        self._hold(alert)

    def _hold(self, alert: Raise) -> None:
        """Keeps an alert the database cannot take in memory, and delivers it directly."""
        with self._lock:
            for held in self._held:
                same = (held.kind, held.subject) == (alert.kind, alert.subject)
                if same and (held.state == "open" or (
                        alert.notice and held.state == "notice"
                        and held.at > alert.at - NOTICE_QUIET)):
                    held.repeats += 1
                    held.last_at = alert.at
                    return
            self._held.append(Held(alert.kind, alert.subject, alert.message, alert.at,
                                   alert.advice, alert.modem,
                                   "notice" if alert.notice else "open",
                                   next_attempt_at=alert.at))
        log.warning("alert %s (%s), kept in memory until the database answers: %s",
                    alert.kind, alert.subject, alert.message)
        self.worker.sooner("deliver")

    def _recover(self, recovery: Recover) -> None:
        with self._lock:
            held = next((held for held in self._held if held.state == "open" and
                         (held.kind, held.subject) == (recovery.kind, recovery.subject)), None)
            if held is not None:
                held.state, held.recovered_at, held.recovery = ("recovered", recovery.at,
                                                                recovery.message)
                held.next_attempt_at, held.attempts = recovery.at, 0
        if held is not None:
            log.info("alert %s (%s) recovered: %s", recovery.kind, recovery.subject,
                     recovery.message)
        elif self._database_down():
            self._recoveries.append(recovery)
        else:
            try:
                if store.recover(self.box, recovery.kind, recovery.subject, recovery.at,
                                 recovery.message) is None:
                    return
            except CONNECTION_ERRORS as error:
                self.worker.database_lost(error, f"recovering alert {recovery.kind}")
                self._recoveries.append(recovery)
                return
        self.worker.sooner("deliver")

    def _deliver_due(self) -> float:
        """Writes what waited for the database, sends what is due; gives the seconds until
        the next look."""
        moment = self.now()
        wait = self.config.poll_interval
        if not self._database_down():
            self._write_held()
            if self.config.urls:
                for row in due_rows(self.box, moment):
                    if self.worker.stopping:
                        break
                    self.delivery.deliver(row, moment)
                upcoming = next_due(self.box)
                if upcoming is not None:
                    wait = min(wait, max(0.0, upcoming - self.now()))
        with self._lock:
            held = [item for item in self._held if item.next_attempt_at is not None]
        for item in held if self.config.urls else ():
            if item.next_attempt_at <= moment:
                self.delivery.deliver(item, moment)
            if item.next_attempt_at is not None:
                wait = min(wait, max(0.0, item.next_attempt_at - self.now()))
        return wait

    def _write_held(self) -> None:
        """Writes the alerts held during an outage to the table, with what was sent."""
        while True:
            with self._lock:
                if not self._held:
                    break
                held = self._held[0]
            write_held(self.box, held)
            with self._lock:
                self._held.remove(held)
        while self._recoveries:
            recovery = self._recoveries[0]
            store.recover(self.box, recovery.kind, recovery.subject, recovery.at,
                          recovery.message)
            self._recoveries.pop(0)

    # -- sources -----------------------------------------------------------------------------

    def _look_at_database(self) -> float:
        """Raises the outage alert once it lasted database_down_after, recovers it when the
        database answers; gives the seconds until the next look."""
        watch, wait = self.watch, self.config.poll_interval
        if watch is None:
            return wait
        since = watch.down_since
        if since is not None and self._outage != since:
            left = since + self.config.database_down_after - self.now()
            if left > 0:
                return min(wait, left)
            self._outage = since
            self._hold(Raise("database-down", self.database, outage_text(since, self.now(),
                                                                           watch.reason),
                             since))
        elif since is None and self._outage is not None:
            lasted = duration(self.now() - self._outage)
            self._outage = None
            self._recover(Recover("database-down", self.database,
                                  MESSAGES["database back"].format(lasted=lasted),
                                  self.now()))
            self.worker.sooner("deliver")
        return wait

    def _look_at_disk(self) -> None:
        usage = self._disk(self.state_dir)
        free = 100.0 * usage.free / usage.total if usage.total else 100.0
        threshold = self.config.disk_free_percent
        if free < threshold and self._disk_low is not True:
            self._disk_low = True
            self._raise(Raise("disk-full", self.state_dir,
                              MESSAGES["disk low"].format(
                                  free=f"{free:.1f} %", mib=usage.free // 2**20,
                                  folder=self.state_dir, threshold=f"{threshold:g} %"),
                              self.now()))
        elif free >= threshold + DISK_HYSTERESIS and self._disk_low is not False:
            self._disk_low = False
            self._recover(Recover("disk-full", self.state_dir,
                                  MESSAGES["disk back"].format(free=f"{free:.1f} %"),
                                  self.now()))

    def _expect_up(self, name: str, since: str = MESSAGES["the start"]) -> None:
        """Alerts the modem down unless it comes up within modem_down_after."""
        key = ("modem", name)
        if self.worker.due(key) is None:
            self.worker.after(key, self.config.modem_down_after, f"alerting modem {name} down",
                              self._modem_down, name, self.now(), since)

    def _modems_changed(self, names: tuple[str, ...]) -> None:
        self._removed = (self._removed | set(self._modems)) - set(names)
        for name in set(self._modems) - set(names):
            self.worker.cancel(("modem", name))
            self._up.discard(name)
            for kind in ("modem-down", "modem-dead"):
                self._recover(Recover(kind, name, MESSAGES["modem removed"].format(name=name),
                                      self.now()))
        for name in names:
            if name not in self._modems:
                self._expect_up(name, MESSAGES["the reload"])
        self._modems = list(names)

    def _modem_down(self, name: str, since: float, began: str) -> None:
        if name in self._up or name in self._removed:
            return
        after = duration(self.config.modem_down_after)
        reason = self._down_reason.get(name, "")
        message = "modem down" if name in self._ever_up else "modem never up"
        text = MESSAGES[message + (" why" if reason else "")].format(
            name=name, after=after, began=began, reason=reason)
        self._raise(Raise("modem-down", name, text, since, modem=name))

    def _modem_up(self, name: str) -> None:
        self._up.add(name)
        self._ever_up.add(name)
        self.worker.cancel(("modem", name))
        for kind in ("modem-down", "modem-dead"):
            self._recover(Recover(kind, name, MESSAGES["modem up"].format(name=name),
                                  self.now()))

    def _modem_recovery(self, event: ModemRecovery) -> None:
        name = event.modem
        if event.step == "power-cycle":
            answered = MESSAGES["answered" if event.ok else "not answered"]
            self._raise(Raise("modem-power-cycled", name, MESSAGES["power-cycled"].format(
                name=name, reason=event.reason, answered=answered, attempt=event.attempt),
                              self.now(), modem=name, notice=True))
        elif event.step == "gave up":
            self._raise(Raise("modem-dead", name,
                              MESSAGES["gave up"].format(name=name, reason=event.reason),
                              self.now(), modem=name))

    def _restarted(self, previous: Restarted) -> None:
        last = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(previous.heartbeat_at))
        self._raise(Raise("daemon-crashed", self.box,
                          MESSAGES["restarted"].format(box=self.box, pid=previous.pid,
                                                       last=last, status=previous.status),
                          self.now(), notice=True))

