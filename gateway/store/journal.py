"""Living through a database outage: the outage watch and the local journal of bills.

Boxes that share a PostgreSQL server must outlive its outages (a restart, a
network cut): calls in progress go on and are billed when it is back, new
sessions are refused with an apology, nothing is lost.

- `DatabaseWatch` (thread `db-watch`) asks the database `SELECT 1` every
  `interval` seconds (every second while it is down), says in the log when it
  goes away and when it returns, and on return replays the journal. Anyone who
  meets a connection error calls `lost(error)`; `down` is what the call service
  and the web UI ask before they start something new.
- `Journal` is a small SQLite file of its own (`<state_dir>/journal.db`, always
  local) holding the settlements that could not be written. Entries are
  replayed in order and removed once applied. Replaying is safe twice:
  `ledger.settle` leaves a session that is settled already alone, so an entry
  replayed after a crash between its commit and its removal changes nothing.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
import sqlite3
import threading
import time
from typing import Callable

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


class Journal:
    """Settlements waiting for the database, in a local SQLite file."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._lock = threading.Lock()
        with self._connect() as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS entry (id INTEGER PRIMARY KEY, "
                               "kind TEXT NOT NULL, payload TEXT NOT NULL, "
                               "created_at REAL NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        connection.execute("PRAGMA synchronous=FULL")     # a bill must survive a power cut
        return connection

    def add_settlement(self, session_id: int, cdrs: list[dict], now: float) -> None:
        payload = json.dumps({"session_id": session_id, "cdrs": cdrs, "now": now})
        with self._lock, self._connect() as connection:
            connection.execute("INSERT INTO entry (kind, payload, created_at) VALUES (?, ?, ?)",
                               ("settle", payload, time.time()))
        log.warning("session %d: the database is unreachable; its bill (%d legs) is kept in "
                    "the local journal until it returns", session_id, len(cdrs))

    def pending(self) -> int:
        with self._lock, self._connect() as connection:
            return connection.execute("SELECT COUNT(*) FROM entry").fetchone()[0]

    def replay(self, settle: Callable[[int, list[dict], float], int]) -> int:
        """Applies the waiting settlements in order; gives how many were applied.

        Stops at the first connection error (the rest waits for the next try)."""
        applied = 0
        with self._lock:
            with self._connect() as connection:
                rows = connection.execute(
                    "SELECT id, kind, payload FROM entry ORDER BY id").fetchall()
            for entry_id, kind, payload in rows:
                data = json.loads(payload)
                try:
                    total = settle(data["session_id"], data["cdrs"], data["now"])
                except CONNECTION_ERRORS:
                    forget_connection()
                    break
                with self._connect() as connection:
                    connection.execute("DELETE FROM entry WHERE id = ?", (entry_id,))
                applied += 1
                log.info("session %d: billed from the journal (%d legs, cost %d)",
                         data["session_id"], len(data["cdrs"]), total)
        return applied


def price_and_settle(session_id: int, cdrs: list[dict], now: float) -> int:
    """Settles a journaled session, pricing first the legs whose rate was not known."""
    from gateway.money import ledger
    for cdr in cdrs:
        if cdr.get("cost") is None:
            rate = ledger.rate_for(cdr["number"])
            seconds = max(0.0, cdr["ended_at"] - cdr["answered_at"]) if cdr.get(
                "answered_at") else 0.0
            cdr["billed_seconds"] = rate.billed_seconds(seconds) if rate else 0
            cdr["cost"] = rate.cost(seconds) if rate else 0
            cdr["rate_prefix"] = rate.prefix if rate else None
    return ledger.settle(session_id, cdrs, now)


class DatabaseWatch:
    """Knows whether the database answers; see the module docstring."""

    def __init__(self, journal: Journal, settle: Callable[[int, list[dict], float], int],
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
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="db-watch", daemon=True)

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def lost(self, error: Exception) -> None:
        """Someone met a connection error: the database counts as down until it answers."""
        self._mark_down(error)
        self._wake.set()          # look again now, then every second

    def _mark_down(self, error: Exception) -> None:
        if self.down_since is None:
            self.down_since = self.now()
            self.reason = str(error).strip().splitlines()[0] if str(error).strip() else \
                type(error).__name__
            log.error("the database is unreachable (%s): calls in progress go on and are "
                      "billed when it returns; new sessions are refused", self.reason)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(1.0 if self.down else self.interval)
            self._wake.clear()
            if self._stop.is_set():
                break
            self.check()
        close_database()

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
        self.replay()
        return True

    def replay(self) -> None:
        """Writes the bills waiting in the journal (as far as the database lets it)."""
        if self.journal.pending():
            applied = self.journal.replay(self._settle)
            log.info("journal: %d bill(s) written, %d waiting", applied, self.journal.pending())
