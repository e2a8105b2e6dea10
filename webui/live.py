"""Live call state for the web: the last event of each leg, and who owns which session.

The tracker follows the box's LiveEvents with a queue of its own and drains
it when asked (no thread of its own): the queue drops its oldest events when
full, and only the newest state of each leg matters here.
"""
from __future__ import annotations

import queue
import threading

from gateway.ledger import Session

KEPT_SESSIONS = 200      # sessions whose last live state is kept; older ones read the books


class LiveTracker:
    def __init__(self, live):
        self.live = live
        self._follower = live.subscribe() if live is not None else None
        self._lock = threading.Lock()
        self._legs: dict[int, dict[str, dict]] = {}      # session id -> leg -> last event
        self._owners: dict[int, int] = {}                # session id -> account id

    def started(self, session_id: int, account_id: int) -> None:
        with self._lock:
            self._owners[session_id] = account_id

    def owner(self, session_id: int | None) -> int | None:
        """Gives the account of a session: remembered if started here, else from the books."""
        if session_id is None:
            return None
        with self._lock:
            if session_id in self._owners:
                return self._owners[session_id]
        row = Session.get_or_none(Session.id == session_id)
        if row is None or row.account_id is None:
            return None
        with self._lock:
            self._owners[session_id] = row.account_id
        return row.account_id

    def legs(self, session_id: int) -> dict[str, dict]:
        """Gives the newest live event of each leg of a session."""
        self._drain()
        with self._lock:
            return dict(self._legs.get(session_id, {}))

    def _drain(self) -> None:
        if self._follower is None:
            return
        with self._lock:
            while True:
                try:
                    event = self._follower.get_nowait()
                except queue.Empty:
                    return
                if event.get("session") is not None:
                    self._legs.setdefault(event["session"], {})[event["leg"]] = event
                    while len(self._legs) > KEPT_SESSIONS:
                        self._legs.pop(next(iter(self._legs)))     # the oldest session

    def close(self) -> None:
        if self._follower is not None:
            self.live.unsubscribe(self._follower)
            self._follower = None
