"""The `sms-in` thread: read each SMS off the SIM, commit it, delete it, run its command.

Order is the whole point: a PDU is read (never deleted by the read),
committed to the database, and only then deleted from the SIM. An SMS the
database refuses (anything but an outage) stays on the SIM while the ones
after it go on; refused for QUARANTINE_AFTER, it is committed again as its
raw PDU alone, quarantined with an alert, and deleted: one bad message never
blocks the others, nor fills the SIM. While the database is away (or
refuses even the raw PDU) the SMS stays on the SIM and the SIM is read
again later; if the delete fails, the next read finds a duplicate (same
dedup key) and deletes it then. Each modem's health (SMS left on the SIM,
failures) is written for `callbox status` and the Modems page
(gateway/sms/health.py). The thread is a gateway.worker.Worker: messages
arrive on its queue (from the pool's threads via SmsService.on_event), and
its timers are a full read of each SIM when it comes up and every
`drain_interval`, a re-read after a database failure, the pending commands,
and the check for concatenated messages whose parts stopped arriving. Status
reports on the texts the box sent come the same way and are recorded by
gateway/sms/reports.py.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
import threading
import time
from typing import Callable

from gsmmodem.exceptions import CmsError

from gateway.meters import Meters
from gateway.sms import store
from gateway.sms.health import HealthRecorder
from gateway.sms.reports import DeliveryReports, ReportPushed, ReportStored
from gateway.store.alerts import RAISED
from gateway.store.outage import CONNECTION_ERRORS
from gateway.worker import OutageWatch, Worker
from modems.events import SmsReceived

log = logging.getLogger(__name__)

CMS_INVALID_INDEX, CMS_MEMORY_FULL = 321, 322     # 3GPP TS 27.005 3.2.5
RETRY_FIRST, RETRY_MAX = 0.5, 10.0   # seconds between reads of a SIM while the database fails
ALERT_REPEAT = 3600.0            # seconds before the same alert is raised again
# What became of one SMS read off a SIM: stored (or quarantined) and deleted; stored but
# still on the SIM (the delete failed); left on the SIM (the database refused it: tried
# again, quarantined after QUARANTINE_AFTER); not stored (the database is away).
DONE, KEPT, LEFT, AWAY = "done", "kept", "left", "away"
QUARANTINE_AFTER = 5.0       # seconds an SMS is refused before its raw PDU is quarantined


# What the `sms-in` queue carries (put by SmsService.on_event on the pool's threads).
@dataclass(frozen=True)
class StoredOnSim:
    """The modem stored an SMS on its SIM at `index` (+CMTI): read it."""
    modem: str
    index: int


@dataclass(frozen=True)
class ReadSim:
    """Read every SMS on the modem's SIM (it came up)."""
    modem: str


@dataclass(frozen=True)
class Pushed:
    """An SMS the modem handed over without storing it (+CMT)."""
    sms: SmsReceived


@dataclass(frozen=True)
class ModemGone:
    """The modem went down: no more reads of its SIM until it is up again."""
    modem: str


class Inbox:
    """What the `sms-in` thread does; see the module docstring."""

    def __init__(self, config, pool, runner, now: Callable[[], float],
                 modem_lock: Callable[[str], threading.Lock], replies_queued: Callable[[], None],
                 watch: OutageWatch | None = None, meters: Meters | None = None):
        self.box = config.gateway.box
        self.meters = meters or Meters()
        self.sms = config.sms
        self.pool = pool
        self.runner = runner
        self.now = now
        self.modem_lock = modem_lock
        self.replies_queued = replies_queued
        self.health = HealthRecorder(self.box, now)
        self._retry_wait: dict[str, float] = {}     # modem -> seconds before the next re-read
        self._alerted: dict[tuple[str, str], float] = {}
        self._full: dict[str, str] = {}             # modem -> how it said its SMS memory is full
        self._recount: set[str] = set()             # modems to count the SIM of when idle
        self._failing: dict[str, float] = {}        # dedup key -> first refusal (monotonic)
        self.reports = DeliveryReports(self.box, pool, modem_lock, now)
        # A message's failure (an outage: the SMS stays on the SIM; a bad SMS, a modem's
        # hiccup) is logged by the worker, which goes on with the next.
        self.worker = Worker("sms-in", self._handle, watch=watch, idle=self._count_idle)
        self.worker.after("commands", 0.0, "running the pending SMS commands",
                          self._run_pending)
        self.worker.every("expire", min(self.sms.incomplete_after / 4, 30.0),
                          "using incomplete SMS", self._expire)

    def put(self, message: StoredOnSim | ReadSim | Pushed | ModemGone | ReportPushed
            | ReportStored) -> None:
        self.worker.put(message)

    # -- the worker's steps ------------------------------------------------------------------

    def _handle(self, message: StoredOnSim | ReadSim | Pushed | ModemGone | ReportPushed
                | ReportStored) -> None:
        if isinstance(message, (ReportPushed, ReportStored)):
            self.reports.handle(message)
        elif isinstance(message, StoredOnSim):
            self._read_stored(message.modem, message.index)
        elif isinstance(message, ReadSim):
            self._drain(message.modem)
        elif isinstance(message, Pushed):
            self._receive(None, message.sms)
        elif isinstance(message, ModemGone):
            self.worker.cancel(("drain", message.modem))

    def _drain_in(self, modem: str, seconds: float, sooner: bool = False) -> None:
        """Sets the next full read of the modem's SIM `seconds` from now (or, `sooner`,
        at most that far away)."""
        set_timer = self.worker.sooner if sooner else self.worker.after
        set_timer(("drain", modem), seconds, f"reading the SIM of {modem}", self._drain, modem)

    def _count_idle(self) -> None:
        """A burst of +CMTI is over (the queue is empty): counts each SIM to count (see
        _read_stored) once."""
        for modem in sorted(self._recount):
            self.worker.guard(f"counting the SMS on the SIM of {modem}", self._count, modem)
        self._recount.clear()

    # -- reading ----------------------------------------------------------------------------

    def _read_stored(self, modem: str, index: int) -> None:
        driver = self.pool.driver(modem)
        if driver is None:
            return                     # read when the modem is up again (ModemUp drains it)
        try:
            with self.modem_lock(modem):
                sms = driver.read_sms(index)
        except CmsError as error:
            if error.code != CMS_INVALID_INDEX:
                self._modem_error(modem, RAISED["reading"].format(index=index), error)
            return                     # 321: a full read took it already
        except Exception as error:     # the modem's trouble: read the whole SIM a bit later
            self._modem_error(modem, RAISED["reading"].format(index=index), error)
            return
        if not sms.pdu:
            log.debug("%s: no SMS at %d any more (%s)", modem, index, sms.error)
            return
        # Stored and deleted from a SIM last counted empty, it left the SIM empty: no count.
        # Else (it stayed; the count was of messages read since, or none was taken) count.
        if self._receive(driver, sms) != DONE or self.health.on_sim(modem) != 0:
            self._recount.add(modem)

    def _count(self, modem: str) -> None:
        driver = self.pool.driver(modem)
        if driver is not None:
            self.health.counted(modem, self._usage(modem, driver))

    def _drain(self, modem: str) -> None:
        """Reads every SMS on a modem's SIM: stores, deletes, runs; notes what it left."""
        driver = self.pool.driver(modem)
        if driver is None:
            self.worker.cancel(("drain", modem))
            return
        self._drain_in(modem, self.sms.drain_interval)
        try:
            with self.modem_lock(modem):
                before = driver.sms_storage_usage()
                messages = driver.list_sms()
        except Exception as error:
            self._modem_error(modem, RAISED["listing"], error)
            return
        if before is not None and before[1] > 0 and before[0] >= before[1]:
            self._full.setdefault(modem, RAISED["storage full"].format(
                held=before[0], room=before[1]))
        if messages:
            log.info("%s: %d SMS on the SIM", modem, len(messages))
        messages = [sms for sms in messages if sms.pdu]
        outcomes = []
        for sms in messages:
            outcomes.append(self._receive(driver, sms))
            if outcomes[-1] == AWAY:
                break                  # the database is away: the rest stays on the SIM too
        after = self._usage(modem, driver)
        self._recount.discard(modem)
        self.health.read(modem, after, clean=all(outcome == DONE for outcome in outcomes))
        if modem in self._full:
            removed = sum(1 for outcome in outcomes if outcome == DONE)
            self._storage_full_alert(modem, self._full.pop(modem), len(messages), removed, after)

    def _usage(self, modem: str, driver) -> tuple[int, int] | None:
        """Gives the SIM's (used, total) after a read, or None when it cannot be known."""
        try:
            with self.modem_lock(modem):
                return driver.sms_storage_usage()
        except Exception as error:   # the read itself is done; only the count is unknown
            log.warning("%s: cannot ask how full the SIM is: %s", modem, error)
            return None

    def _receive(self, driver, sms) -> str:
        """Commits one SMS (or its raw PDU, quarantined), then deletes it from the SIM,
        then runs what it completed; gives what became of it (DONE, KEPT, LEFT, AWAY)."""
        modem = sms.modem
        if sms.status_report:        # a modem that stores reports with the messages
            self.reports.among_messages(driver, sms)
            return DONE
        stored = self._store(sms)
        if stored in (LEFT, AWAY):
            self._retry_later(modem)
            return stored
        self._retry_wait.pop(modem, None)
        if not stored.duplicate:
            self.meters.sms_received.inc(modem)
        if stored.duplicate:
            log.info("%s: SMS %s is a copy of one stored already", modem, sms.index)
        elif stored.quarantined:
            self.meters.sms_quarantined.inc(modem)
            log.warning("%s: SMS %s quarantined: %s", modem, sms.index,
                        sms.error or "the database refused it as it was")
        outcome = DONE
        if driver is not None and sms.index is not None:
            try:
                with self.modem_lock(modem):
                    driver.delete_sms(sms.index)
            except Exception as error:   # still on the SIM: the next read deletes the copy
                self._modem_error(modem, RAISED["deleting"].format(index=sms.index), error)
                outcome = KEPT
        for command_id in stored.commands:
            self._execute(command_id)
        return outcome

    def _store(self, sms):
        """Gives what storing the SMS did (a `Stored`), or AWAY or LEFT."""
        key = store.dedup_key(sms)
        try:
            stored = store.store_received(sms, self.box, self.now())
        except CONNECTION_ERRORS as error:
            return self._not_stored(sms, error)
        except Exception as error:     # this message's trouble, or the database's for a moment
            return self._refused(sms, key, error)
        self._failing.pop(key, None)
        return stored

    def _refused(self, sms, key: str, error: Exception):
        """Gives LEFT while the database has refused this SMS for less than
        QUARANTINE_AFTER (a passing trouble must not quarantine a command); then its raw
        PDU quarantined (a `Stored`), or AWAY/LEFT when even that fails. A pushed SMS
        (+CMT, not on the SIM) cannot be read again: it is quarantined at once."""
        moment = time.monotonic()
        for old in [old for old, since in self._failing.items() if moment - since > 3600]:
            del self._failing[old]          # gone from the SIM long ago: forget it
        first = self._failing.setdefault(key, moment)
        reason = f"could not be stored: {error!r}"
        if sms.index is not None and moment - first < QUARANTINE_AFTER:   # pushed: no SIM copy
            log.error("%s: the database refused SMS %s (%r); left on the SIM, tried again "
                      "after the others", sms.modem, sms.index, error)
            self.health.failed(sms.modem, f"SMS {sms.index} {reason}; tried again")
            return LEFT
        try:
            stored = store.quarantine(sms, self.box, self.now(), reason)
        except CONNECTION_ERRORS as second:
            return self._not_stored(sms, second)
        except Exception as second:    # the database takes nothing: keep it on the SIM
            self._not_stored(sms, second)
            return LEFT
        del self._failing[key]
        self.health.failed(sms.modem, f"SMS {sms.index} {reason}; quarantined")
        return stored

    def _not_stored(self, sms, error: Exception) -> str:
        if isinstance(error, CONNECTION_ERRORS):
            self.worker.database_lost(error, f"storing SMS {sms.index} of {sms.modem}")
        log.error("%s: cannot store SMS %s (left on the SIM, read again later): %s",
                  sms.modem, sms.index, error)
        self.health.failed(sms.modem, f"SMS {sms.index} left on the SIM: the database "
                           f"refused it ({error})")
        return AWAY

    def _execute(self, command_id: int) -> None:
        try:
            done = self.runner.execute(command_id)
        except Exception as error:    # left pending; tried again shortly
            if isinstance(error, CONNECTION_ERRORS):
                self.worker.database_lost(error, f"running SMS command {command_id}")
            log.exception("SMS command %d failed; trying again", command_id)
            self.worker.after("commands", RETRY_MAX, "running the pending SMS commands",
                              self._run_pending)
            return
        if done:
            self.replies_queued()

    def _run_pending(self) -> None:
        for command_id in store.pending_commands(self.box):
            self._execute(command_id)

    def _expire(self) -> None:
        for command_id in store.expire_parts(self.box, self.now(), self.sms.incomplete_after):
            self._execute(command_id)

    # -- trouble --------------------------------------------------------------------------------

    def _retry_later(self, modem: str) -> None:
        wait = self._retry_wait.get(modem, RETRY_FIRST)
        self._retry_wait[modem] = min(wait * 2, RETRY_MAX)
        self._drain_in(modem, wait)

    def _modem_error(self, modem: str, what: str, error: Exception) -> None:
        self.health.failed(modem, f"{what} failed: {error or type(error).__name__}")
        if isinstance(error, CmsError) and error.code == CMS_MEMORY_FULL:
            # the next read empties the SIM and says in the alert whether it could
            self._full.setdefault(modem, RAISED["memory full"].format(doing=what))
            self._drain_in(modem, 0.0)
            return
        log.warning("%s: %s failed: %s", modem, what, error or type(error).__name__)
        if self.pool.driver(modem) is not None:
            self._drain_in(modem, RETRY_MAX, sooner=True)

    def _storage_full_alert(self, modem: str, found: str, read: int, removed: int,
                            after: tuple[int, int] | None) -> None:
        """Raises the admin alert (once an hour per modem), saying what the read did."""
        holds = "" if after is None else RAISED["now holds"].format(held=after[0], room=after[1])
        if removed == read:
            text = RAISED["emptied"].format(found=found, read=read, holds=holds)
        else:
            text = RAISED["not emptied"].format(
                found=found, left=read - removed, read=read, holds=holds,
                failure=self.health.last_error(modem) or RAISED["no failure"])
        key = ("sms-storage-full", modem)
        moment = time.monotonic()
        if moment - self._alerted.get(key, -ALERT_REPEAT) < ALERT_REPEAT:
            log.warning("%s: %s", modem, text)
            return
        self._alerted[key] = moment
        try:
            store.raise_alert(self.box, "sms-storage-full", modem, self.now(), text)
        except Exception:   # the alert's words are logged even when the database fails
            log.exception("cannot record the storage alert: %s", text)
