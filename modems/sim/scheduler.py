"""Timed events of the virtual network: one thread, a heap and a condition."""
from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)


class Timer:
    """A scheduled action; cancel() prevents it from running if it has not yet."""

    __slots__ = ("due", "action", "cancelled")

    def __init__(self, due: float, action: Callable[[], None]):
        self.due = due
        self.action = action
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Runs actions at monotonic deadlines on one named daemon thread."""

    def __init__(self, name: str):
        self._name = name
        self._heap: list[tuple[float, int, Timer]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._running = False

    def start(self) -> None:
        with self._cond:
            if self._running:
                return
            self._running = True
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._running = False
            self._heap.clear()
            self._cond.notify_all()
        if self._thread and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def call_later(self, delay: float, action: Callable[[], None]) -> Timer:
        """Gives a Timer that runs `action` after `delay` seconds."""
        timer = Timer(time.monotonic() + max(0.0, delay), action)
        with self._cond:
            heapq.heappush(self._heap, (timer.due, next(self._order), timer))
            self._cond.notify_all()
        return timer

    def _next_due(self) -> Timer | None:
        with self._cond:
            while self._running:
                if not self._heap:
                    self._cond.wait()
                    continue
                due, _, timer = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                if not timer.cancelled:
                    return timer
            return None

    def _run(self) -> None:
        while True:
            timer = self._next_due()
            if timer is None:
                return
            try:
                timer.action()
            except Exception:
                log.exception("scheduled action %r failed", timer.action)
