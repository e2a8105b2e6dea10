"""Live events for followers (the web page's Server-Sent Events): publish, subscribe.

A follower gets a queue of its own; a slow follower loses its oldest events
rather than holding up a call (`maxsize`), and every event has a growing id
so a page that reconnects can tell what it missed. A leg's event
(`leg_event`) says its state, number, seconds talked and, once it is over,
why it ended; every leg that was dialled ends with one last event. A call's
detail page follows two more kinds (`kind`): `timeline_event`, once what
happened in a session is written to its timeline (gateway/calls/timeline.py),
and `settled_event`, once its bill is; a follower takes leg events alone
unless it subscribes to more.
"""
from __future__ import annotations

import itertools
import queue
import threading


def leg_event(session_id: int | None, label: str, leg, state: str, at: float) -> dict:
    """Gives the live event of one leg (`label` "a" or "b") now in `state`."""
    return {"kind": "leg", "session": session_id, "leg": label, "number": leg.number,
            "state": state, "cause": leg.cause if leg.ended_at is not None else "",
            "seconds": round(leg.talk_seconds), "at": at}


def timeline_event(session_id: int, at: float) -> dict:
    """Gives the event that a session's timeline has new lines in the database."""
    return {"kind": "timeline", "session": session_id, "at": at}


def settled_event(session_id: int, cost: int, at: float) -> dict:
    """Gives the event that a session's bill is written (`cost` in minor units)."""
    return {"kind": "settled", "session": session_id, "cost": cost, "at": at}


class LiveEvents:
    def __init__(self, maxsize: int = 256):
        self._followers: dict[queue.Queue, tuple[str, ...] | None] = {}   # -> kinds it takes
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._maxsize = maxsize

    def subscribe(self, kinds: tuple[str, ...] | None = ("leg",)) -> queue.Queue:
        """Gives a follower's queue of the events of `kinds` (None: every kind); leg
        events alone unless asked, as before the other kinds were published."""
        follower: queue.Queue = queue.Queue(self._maxsize)
        with self._lock:
            self._followers[follower] = kinds
        return follower

    def unsubscribe(self, follower: queue.Queue) -> None:
        with self._lock:
            self._followers.pop(follower, None)

    def publish(self, event: dict) -> None:
        event = {**event, "id": next(self._ids)}
        kind = event.get("kind", "leg")
        with self._lock:
            followers = [follower for follower, kinds in self._followers.items()
                         if kinds is None or kind in kinds]
        for follower in followers:
            while True:
                try:
                    follower.put_nowait(event)
                    break
                except queue.Full:
                    try:
                        follower.get_nowait()      # drop the oldest for this follower
                    except queue.Empty:
                        continue
