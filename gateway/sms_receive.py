"""The `sms-in` thread: read each SMS off the SIM, commit it, delete it, run its command.

Order is the whole point: a PDU is read (never deleted by the read),
committed to the database, and only then deleted from the SIM. If the
commit fails, the SMS stays on the SIM and the SIM is read again later; if
the delete fails, the next read finds a duplicate (same dedup key) and
deletes it then. Work arrives on one queue (from the pool's threads via
SmsService.on_event) and timers: a full read of each SIM when it comes up
and every `drain_interval`, a re-read after a database failure, and the
check for concatenated messages whose parts stopped arriving.
"""
from __future__ import annotations

import collections
import logging
import queue
import re
import threading
import time
from typing import Callable

from gsmmodem.exceptions import CmsError

from gateway.journal import CONNECTION_ERRORS, forget_connection
from gateway import sms_store as store
from gateway.db import close_database

log = logging.getLogger(__name__)

STOP = object()
CMS_INVALID_INDEX, CMS_MEMORY_FULL = 321, 322     # 3GPP TS 27.005 3.2.5
RETRY_FIRST, RETRY_MAX = 0.5, 10.0   # seconds between reads of a SIM while the database fails
ALERT_REPEAT = 3600.0            # seconds before the same alert is raised again
_CPMS = re.compile(r"\+CPMS:\s*\"?\w*\"?,\s*(\d+),\s*(\d+)")


def storage_usage(driver) -> tuple[int, int] | None:
    """Gives (used, total) of the SIM's SMS memory, or None when the modem does not say.

    Asks the driver's `sms_storage_usage()` where it has one; until then reads
    +CPMS through the driver's one-line command (the only AT text in gateway/)."""
    own = getattr(driver, "sms_storage_usage", None)
    if own is not None:
        return own()
    for line in driver.command("AT+CPMS?"):
        match = _CPMS.match(line)
        if match:
            return int(match[1]), int(match[2])
    return None


class Inbox:
    """What the `sms-in` thread does; see the module docstring."""

    def __init__(self, config, pool, runner, now: Callable[[], float],
                 modem_lock: Callable[[str], threading.Lock], replies_queued: Callable[[], None]):
        self.box = config.gateway.box
        self.sms = config.sms
        self.pool = pool
        self.runner = runner
        self.now = now
        self.modem_lock = modem_lock
        self.replies_queued = replies_queued
        self.queue: queue.Queue = queue.Queue()
        self.latencies: collections.deque = collections.deque(maxlen=100_000)
        self._drain_due: dict[str, float] = {}      # modem -> monotonic time of its next read
        self._retry_wait: dict[str, float] = {}     # modem -> seconds before the next re-read
        self._alerted: dict[tuple[str, str], float] = {}
        self._commands_due: float | None = 0.0       # run pending commands (at start: now)
        self._expire_due = 0.0
        self._expire_every = min(self.sms.incomplete_after / 4, 30.0)

    # -- the thread ------------------------------------------------------------------------

    def run(self) -> None:
        try:
            while True:
                self._timers()
                try:
                    item = self.queue.get(timeout=self._wait())
                except queue.Empty:
                    continue
                if item is STOP:
                    return
                try:
                    self._handle(item)
                except CONNECTION_ERRORS as error:   # outage: the SMS stays on the SIM
                    forget_connection()
                    log.warning("sms-in: the database is unreachable (%s); the SMS waits on "
                                "the SIM", error)
                except Exception:   # one bad SMS or modem hiccup must not end the thread
                    log.exception("sms-in: handling %r failed", item[:2])
        finally:
            close_database()

    def _wait(self) -> float:
        dues = list(self._drain_due.values()) + [self._expire_due]
        if self._commands_due is not None:
            dues.append(self._commands_due)
        return max(0.0, min(dues) - time.monotonic())

    def _timers(self) -> None:
        moment = time.monotonic()
        if self._commands_due is not None and moment >= self._commands_due:
            self._commands_due = None
            self._guarded("running the pending SMS commands", self._run_pending)
        if moment >= self._expire_due:
            self._expire_due = moment + self._expire_every
            self._guarded("using incomplete SMS", self._expire)
        for modem, due in list(self._drain_due.items()):
            if moment >= due:
                self._drain_due[modem] = moment + self.sms.drain_interval
                self._guarded(f"reading the SIM of {modem}", self._drain, modem)

    def _guarded(self, what: str, work: Callable, *args) -> None:
        try:
            work(*args)
        except CONNECTION_ERRORS as error:   # an outage: tried again at its next turn
            forget_connection()
            log.warning("sms-in: the database is unreachable while %s: %s", what, error)
        except Exception:
            log.exception("sms-in: error while %s", what)

    def _handle(self, item: tuple) -> None:
        kind = item[0]
        if kind == "stored":
            self._read_stored(item[1], item[2], item[3])
        elif kind == "drain":
            self._drain(item[1])
        elif kind == "received":
            self._receive(None, item[1], item[2])
        elif kind == "modem down":
            self._drain_due.pop(item[1], None)

    # -- reading ----------------------------------------------------------------------------

    def _read_stored(self, modem: str, index: int, announced_at: float) -> None:
        driver = self.pool.driver(modem)
        if driver is None:
            return                     # read when the modem is up again (ModemUp drains it)
        try:
            with self.modem_lock(modem):
                sms = driver.read_sms(index)
        except CmsError as error:
            if error.code != CMS_INVALID_INDEX:
                self._modem_error(modem, f"reading SMS {index}", error)
            return                     # 321: a full read took it already
        except Exception as error:     # the modem's trouble: read the whole SIM a bit later
            self._modem_error(modem, f"reading SMS {index}", error)
            return
        if not sms.pdu:
            log.debug("%s: no SMS at %d any more (%s)", modem, index, sms.error)
            return
        self._receive(driver, sms, announced_at)

    def _drain(self, modem: str) -> None:
        """Reads every SMS on a modem's SIM: stores, deletes, runs; alerts when it was full."""
        driver = self.pool.driver(modem)
        if driver is None:
            self._drain_due.pop(modem, None)
            return
        self._drain_due[modem] = time.monotonic() + self.sms.drain_interval
        try:
            with self.modem_lock(modem):
                usage = storage_usage(driver)
                messages = driver.list_sms()
        except Exception as error:
            self._modem_error(modem, "listing the SIM's SMS", error)
            return
        if usage is not None and usage[1] > 0 and usage[0] >= usage[1]:
            self._storage_full(modem, f"SIM storage full ({usage[0]} of {usage[1]})",
                               read_again=False)
        if messages:
            log.info("%s: %d SMS on the SIM", modem, len(messages))
        for sms in messages:
            if not sms.pdu:
                continue
            if not self._receive(driver, sms, None):
                return                  # the database fails: the rest stays on the SIM too

    def _receive(self, driver, sms, announced_at: float | None) -> bool:
        """Commits one SMS, then deletes it from the SIM, then runs what it completed."""
        modem = sms.modem
        try:
            stored = store.store_received(sms, self.box, self.now())
        except Exception as error:     # database trouble: the SMS stays on the SIM
            if isinstance(error, CONNECTION_ERRORS):
                forget_connection()
            log.error("%s: cannot store SMS %s (left on the SIM, read again later): %s",
                      modem, sms.index, error)
            self._retry_later(modem)
            return False
        self._retry_wait.pop(modem, None)
        if stored.duplicate:
            log.info("%s: SMS %s is a copy of one stored already", modem, sms.index)
        elif stored.quarantined:
            log.warning("%s: undecodable SMS %s quarantined: %s", modem, sms.index, sms.error)
        if driver is not None and sms.index is not None:
            try:
                with self.modem_lock(modem):
                    driver.delete_sms(sms.index)
            except Exception as error:   # still on the SIM: the next read deletes the copy
                self._modem_error(modem, f"deleting SMS {sms.index}", error)
        for command_id in stored.commands:
            self._execute(command_id, announced_at)
        return True

    def _execute(self, command_id: int, announced_at: float | None) -> None:
        try:
            done = self.runner.execute(command_id)
        except Exception as error:    # left pending; tried again shortly
            if isinstance(error, CONNECTION_ERRORS):
                forget_connection()
            log.exception("SMS command %d failed; trying again", command_id)
            self._commands_due = time.monotonic() + RETRY_MAX
            return
        if done:
            if announced_at is not None:
                self.latencies.append(time.monotonic() - announced_at)
            self.replies_queued()

    def _run_pending(self) -> None:
        for command_id in store.pending_commands(self.box):
            self._execute(command_id, None)

    def _expire(self) -> None:
        for command_id in store.expire_parts(self.box, self.now(), self.sms.incomplete_after):
            self._execute(command_id, None)

    # -- trouble --------------------------------------------------------------------------------

    def _retry_later(self, modem: str) -> None:
        wait = self._retry_wait.get(modem, RETRY_FIRST)
        self._retry_wait[modem] = min(wait * 2, RETRY_MAX)
        self._drain_due[modem] = time.monotonic() + wait

    def _modem_error(self, modem: str, what: str, error: Exception) -> None:
        if isinstance(error, CmsError) and error.code == CMS_MEMORY_FULL:
            self._storage_full(modem, f"the modem reports its SMS memory full while {what}",
                               read_again=True)
            return
        else:
            log.warning("%s: %s failed: %s", modem, what, error or type(error).__name__)
        if self.pool.driver(modem) is not None:
            self._drain_due[modem] = min(self._drain_due.get(modem, float("inf")),
                                         time.monotonic() + RETRY_MAX)

    def _storage_full(self, modem: str, message: str, read_again: bool) -> None:
        """Raises the admin alert (once an hour per modem); the SIM is read empty."""
        key = ("sms-storage-full", modem)
        moment = time.monotonic()
        if moment - self._alerted.get(key, -ALERT_REPEAT) >= ALERT_REPEAT:
            self._alerted[key] = moment
            try:
                store.raise_alert(self.box, "sms-storage-full", modem, self.now(),
                                  f"{message}: new SMS wait at the network until it is emptied; "
                                  "emptying it now")
            except Exception:   # the alert is logged above even when the database fails
                log.exception("cannot record the storage alert")
        if read_again:
            self._drain_due[modem] = moment
