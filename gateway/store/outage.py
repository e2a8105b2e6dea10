"""Living through a database outage: what a lost connection looks like, and the watch.

Boxes that share a PostgreSQL server must outlive its outages (a restart, a
network cut): calls in progress go on and are billed when it is back, new
sessions are refused with an apology, nothing is lost.

- `CONNECTION_ERRORS` is what a lost connection raises through peewee;
  `forget_connection()` drops the thread's broken connection so its next query
  opens a new one.
- `DatabaseWatch` knows whether the database answers. Anyone who meets a
  connection error calls `lost(error)` (a `gateway.worker.Worker` does so for
  its step); `down` is what the call service and the web UI ask before they
  start something new. `look()` asks the database once and gives the seconds
  until the next look: every `interval`, every second while it is down. The
  watch has no thread of its own: the daemon runs `look()` on the `db-watch`
  worker, which `wake` brings forward when someone reports the database lost.
- On the database's return the watch replays the journal of bills written
  during the outage (gateway/money/journal.py). The watch only calls it (its
  `pending()` and `replay(settle)`), so the store knows nothing of money.
- `on_change` listeners hear when the database goes down and comes back (the
  alerts worker looks then whether to raise or recover its outage alert).
"""
from __future__ import annotations

import logging
import time
from typing import Callable, Protocol

from peewee import InterfaceError, OperationalError

from gateway.store.db import close_database, db

log = logging.getLogger(__name__)

# What a lost connection raises through peewee (SQLite: "unable to open", PostgreSQL:
# "server closed the connection", "connection refused", "the connection is closed").
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def forget_connection() -> None:
    """Drops this thread's connection after an error, so the next query opens a new one."""
    try:
        close_database()
    except Exception:      # a broken connection may not even close cleanly
        state = getattr(db.obj, "_state", None)
        if state is not None:
            state.reset()


def first_line(error: BaseException) -> str:
    """Gives the first line of an error's text (a driver's may run to many), or its kind."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Bills(Protocol):
    """The journal of bills waiting for the database (gateway.money.journal.Journal)."""

    def pending(self) -> int: ...

    def replay(self, settle: Callable[[int, list[dict], float], int]) -> int: ...


class DatabaseWatch:
    """Knows whether the database answers; see the module docstring."""

    def __init__(self, journal: Bills, settle: Callable[[int, list[dict], float], int],
                 interval: float = 5.0, now: Callable[[], float] = time.time,
                 on_return: Callable[[], None] | None = None):
        """`on_return` runs when the database answers after being down, before the box
        counts it as up (the daemon's catch-up when it was away at start)."""
        self.journal = journal
        self._on_return = on_return
        self._settle = settle
        self.interval = interval
        self.now = now
        self.down_since: float | None = None
        self.reason = ""
        # Brings the next look forward; the worker that runs look() sets it.
        self.wake: Callable[[], None] = lambda: None
        # Told (on any thread; they must return at once) when the database is found down
        # and when it answers again: the alerts worker (gateway/care/alerts.py).
        self.on_change: list[Callable[[], None]] = []

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def lost(self, error: Exception) -> None:
        """Someone met a connection error: the database counts as down until it answers."""
        self._mark_down(error)
        self.wake()          # look again now, then every second

    def _mark_down(self, error: Exception) -> None:
        if self.down_since is None:
            self.down_since = self.now()
            self.reason = first_line(error)
            log.error("the database is unreachable (%s): calls in progress go on and are "
                      "billed when it returns; new sessions are refused", self.reason)
            self._tell()

    def look(self) -> float:
        """Asks the database once (see check); gives the seconds until the next look."""
        self.check()
        return 1.0 if self.down else self.interval

    def check(self) -> bool:
        """Asks the database once; on its return replays the journal. Gives whether it answers."""
        try:
            db.execute_sql("SELECT 1")
        except CONNECTION_ERRORS as error:
            forget_connection()
            self._mark_down(error)     # no wake: the next look is a second away
            return False
        if self.down_since is not None:
            if self._on_return is not None:
                try:
                    self._on_return()
                except CONNECTION_ERRORS as error:
                    forget_connection()
                    self._mark_down(error)
                    return False
            log.info("the database answers again after %.0f s", self.now() - self.down_since)
            self.down_since = None
            self.reason = ""
            self._tell()
        self.replay()
        return True

    def _tell(self) -> None:
        for listener in self.on_change:
            try:
                listener()
            except Exception:       # a listener's fault must not change the watch
                log.exception("error while telling of the database's state")

    def replay(self) -> None:
        """Writes the bills waiting in the journal (as far as the database lets it)."""
        if self.journal.pending():
            applied = self.journal.replay(self._settle)
            log.info("journal: %d bill(s) written, %d waiting", applied, self.journal.pending())
