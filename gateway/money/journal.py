"""The journal of bills: settlements kept in a local file while the database is away.

`Journal` is a small SQLite file of its own (`<state_dir>/journal.db`, always
local) holding the settlements that could not be written (the call service
adds them; gateway/store/outage.py `DatabaseWatch` replays them when the
database returns). Entries are replayed in order and removed once applied.
Replaying is safe twice: `ledger.settle` leaves a session that is settled
already alone, so an entry replayed after a crash between its commit and its
removal changes nothing. `price_and_settle` is the settle the watch is given:
it prices first the legs whose rate could not be read during the outage.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
import sqlite3
import threading
import time
from typing import Callable

from gateway.money import ledger
from gateway.store.outage import CONNECTION_ERRORS, forget_connection

log = logging.getLogger(__name__)


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
    for cdr in cdrs:
        if cdr.get("cost") is None:
            rate = ledger.rate_for(cdr["number"])
            seconds = max(0.0, cdr["ended_at"] - cdr["answered_at"]) if cdr.get(
                "answered_at") else 0.0
            cdr["billed_seconds"] = rate.billed_seconds(seconds) if rate else 0
            cdr["cost"] = rate.cost(seconds) if rate else 0
            cdr["rate_prefix"] = rate.prefix if rate else None
    return ledger.settle(session_id, cdrs, now)
