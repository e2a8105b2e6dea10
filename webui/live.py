"""Live call state for the web: the last event of each leg, who owns which session, and
the live event streams (Server-Sent Events, GET /api/events).

The tracker follows the box's LiveEvents with a queue of its own and drains
it when asked (no thread of its own): the queue drops its oldest events when
full, and only the newest state of each leg matters here.

A stream holds a web server worker for as long as its page is open, so streams are
counted (`StreamSlots`): at most `streams_per_login` per login and `max_streams` in
all ([web] in the configuration); one more is answered 429 or 503 with a JSON reason
and Retry-After, and the live page falls back to polling and tries again. The server
(webui/server.py) sizes its pool so that all streams taken still leave its workers
free. A stream ends within a second of its client going away, freeing its slot.
"""
from __future__ import annotations

import json
import queue
import threading

from gateway.money.ledger import Session
from gateway.store.db import close_database

KEPT_SESSIONS = 200      # sessions whose last live state is kept; older ones read the books
KEEPALIVE = 15.0          # seconds between comments on an idle stream, so proxies keep it
STREAM_LIFETIME = 3600.0  # seconds; the browser's EventSource reconnects by itself
RETRY_AFTER = 5           # seconds a refused stream is told to wait


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


class StreamRefused(Exception):
    """No slot for one more live stream: `status` (429 or 503) and the reason."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


class StreamSlots:
    """Counts the open live streams: at most `per_login` per login, `total` in all."""

    def __init__(self, total: int, per_login: int):
        self.total = total
        self.per_login = per_login
        self._lock = threading.Lock()
        self._open: dict[int, int] = {}         # login (web user) id -> open streams

    def take(self, login_id: int) -> None:
        """Takes a slot for the login; raises StreamRefused when none is left."""
        with self._lock:
            if self._open.get(login_id, 0) >= self.per_login:
                raise StreamRefused(429, f"this login has {self.per_login} live pages open "
                                    "already: close one (the others keep updating)")
            if sum(self._open.values()) >= self.total:
                raise StreamRefused(503, f"the box serves {self.total} live pages already: "
                                    "this page updates by polling until one closes")
            self._open[login_id] = self._open.get(login_id, 0) + 1

    def give_back(self, login_id: int) -> None:
        with self._lock:
            left = self._open.get(login_id, 0) - 1
            if left > 0:
                self._open[login_id] = left
            else:
                self._open.pop(login_id, None)

    def in_use(self) -> int:
        with self._lock:
            return sum(self._open.values())


class LiveStream:
    """One follower's Server-Sent Events, as a WSGI body: the leg events (`event: leg`) of
    its account's sessions, or every event of one session (`session_id`, which the caller
    made sure this login may see: its leg, timeline and settled events, each named by its
    kind; gateway/calls/live.py), for that call's detail page.

    `close()` (the server calls it when the response ends, however it ends) gives the
    slot back once; a generator's `finally` would not run for a body never started."""

    def __init__(self, web, login_id: int, account_id: int | None, client_gone,
                 session_id: int | None = None):
        """`client_gone()` tells whether the client hung up (webui/server.py puts it in
        the request's environ; without it, a write to a gone client ends the stream)."""
        web.streams.take(login_id)
        self._web = web
        self._login_id = login_id
        self._account_id = account_id
        self._session_id = session_id
        self._client_gone = client_gone or (lambda: False)
        self._events = web.calls.context.live
        self._follower = self._events.subscribe(None if session_id is not None else ("leg",))
        self._closed = False

    def __iter__(self):
        return self._lines()

    def _lines(self):
        waited = lived = 0.0
        yield ": live call events\nretry: 2000\n\n"
        while (not self._web.stopping.is_set() and lived < STREAM_LIFETIME
               and not self._client_gone()):
            try:
                event = self._follower.get(timeout=1.0)
            except queue.Empty:
                waited += 1.0
                lived += 1.0
                if waited >= KEEPALIVE:
                    waited = 0.0
                    yield ": keepalive\n\n"
                continue
            if not self._wanted(event):
                continue
            waited = 0.0
            kind = event.get("kind", "leg")
            yield f"id: {event['id']}\nevent: {kind}\ndata: {json.dumps(event)}\n\n"

    def _wanted(self, event: dict) -> bool:
        if self._session_id is not None:
            return event.get("session") == self._session_id
        return self._web.tracker.owner(event.get("session")) == self._account_id

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._events.unsubscribe(self._follower)
        self._web.streams.give_back(self._login_id)
        close_database()      # tracker.owner may have queried from this worker thread
