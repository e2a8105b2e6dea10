"""The daemon's `db-writer` thread: modem events in, the event log and status rows out.

A gateway.worker.Worker takes the modem events the pool's threads put on its queue
and writes each to the log and `event_log` (gateway/store/status.py), keeps
`modem_status` current (at once for a modem up or down, and every
`health_interval`), writes the `daemon` heartbeat and this box's row every
HEARTBEAT_INTERVAL seconds, and archives old call and SMS records daily. Until
the database has first answered since the start (a shared server away at boot)
an event goes to the log only.
"""
from __future__ import annotations

from collections.abc import Callable
import logging

from gateway import __version__
from gateway.config import Config
from gateway.store import boxes
from gateway.store.event_text import describe_event
from gateway.store.outage import DatabaseWatch
from gateway.store.retention import archive_old
from gateway.store.status import StatusStore
from gateway.worker import Worker
from modems.events import ModemDown, ModemEvent, ModemUp
from modems.pool import ModemPool

log = logging.getLogger(__name__)

ARCHIVE_FIRST_AFTER = 60.0          # seconds after start before the first archive run
ARCHIVE_INTERVAL = 24 * 3600.0      # then daily
HEARTBEAT_INTERVAL = 10.0   # seconds between `daemon` rows; `callbox status` calls 30 s stale


class EventWriter:
    """The `db-writer` worker and what it writes. `config` gives the running configuration
    (a reload replaces it), `pool` the modem pool once there is one, `sessions` how many
    sessions run; `observe`, if given, sees each event after it is recorded."""

    def __init__(self, store: StatusStore, watch: DatabaseWatch, *,
                 config: Callable[[], Config], pool: Callable[[], ModemPool | None],
                 sessions: Callable[[], int], now: Callable[[], float],
                 observe: Callable[[ModemEvent], None] | None = None,
                 archive_first_after: float = ARCHIVE_FIRST_AFTER):
        self._store = store
        self._config = config
        self._pool = pool
        self._sessions = sessions
        self._now = now
        self._observe = observe
        worker = Worker("db-writer", self._write_event, watch=watch, finish=True,
                        on_stop=self._last_status)
        worker.every("status", lambda: config().gateway.health_interval,
                     "refreshing the modem status", self._refresh_all)
        worker.every("heartbeat", HEARTBEAT_INTERVAL, "writing the heartbeat", self._heartbeat)
        worker.every("archive", ARCHIVE_INTERVAL, "archiving old call and SMS records",
                     self._archive, first=archive_first_after)
        self.worker = worker

    def _write_event(self, event: ModemEvent) -> None:
        name = type(event).__name__
        self.worker.guard(f"recording {name}", self._record_event, event)
        if self._observe is not None:
            self.worker.guard(f"showing {name} to the observer", self._observe, event)

    def _record_event(self, event: ModemEvent) -> None:
        if not self._store.started:    # no database yet since the start: the log only
            log.info("%s", describe_event(event).message)
            return
        self._store.record_event(event, self._status_of)
        if isinstance(event, (ModemUp, ModemDown)):
            self._heartbeat()   # the status line counts modems up: keep it true at once

    def _status_of(self, modem: str):
        pool = self._pool()
        return pool.status_of(modem) if pool is not None else None

    def _last_status(self) -> None:
        if self._store.started:
            self._store.record_stop()

    def _archive(self) -> None:
        """Moves CDRs and SMS older than retention_days to CSV files (daily)."""
        gateway = self._config().gateway
        archive_old(self._now(), gateway.retention_days, gateway.archive_dir)

    def _refresh_all(self) -> None:
        if not self._store.started:
            return
        pool = self._pool()
        statuses = pool_statuses(pool)
        self._store.refresh_modems(statuses)
        if pool is not None:     # a reload may have removed modems
            self._store.keep_modems(status.name for status in statuses)

    def _heartbeat(self) -> None:
        if not self._store.started:
            return            # the database has not answered yet since the start
        config = self._config()
        self._store.heartbeat(len(config.modems))
        boxes.beat(config.gateway.box, __version__, pool_statuses(self._pool()), self._sessions(),
                   self._now())


def pool_statuses(pool: ModemPool | None) -> list:
    """Gives every modem's status as the pool knows it (none before there is a pool)."""
    return pool.status() if pool is not None else []
