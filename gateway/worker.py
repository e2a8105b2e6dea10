"""`Worker`: one background loop of the box, with its thread, queue, timers and guard.

The daemon's writer, the SMS inbox and outbox, the session heartbeat, the
database watch and the intents runner are all the same loop, written once
here: take the next message off the queue or wait for the next timer, run
the step, go on. A worker owns

- its thread: named, daemonic, started by `start()`, ended by `stop()` (safe
  twice) after the messages queued before the stop;
- its timers, keyed: `every` (periodic), `paced` (periodic, the action
  giving the seconds until its next run), `after` (once, replacing the key's
  due time), `sooner` (earlier than already due: a wake-up). Due timers fire
  in due order, ties in the order they were set;
- the guarded step: a database connection error drops the thread's
  connection and is reported to the outage watch (gateway/store/outage.py)
  once per error; anything else is logged with the worker's name and the
  step it broke; the loop goes on either way;
- its database connection, closed when the thread ends;
- its liveness for the systemd watchdog: `alive()`, and `last_turn` (the
  monotonic time its loop last went round).

Messages are small dataclasses (not tagged tuples), handled one at a time in
the order they were put.

The modem pool's supervisors (modems/pool.py) keep their own loop, on
purpose: `modems` must not import `gateway` (the imports point one way), a
supervisor has no queue and no database, its one "step" (watching an open
modem) lasts as long as the modem is up, and its answer to an error is to
close the modem and open it again, not to log and go on. Its liveness is
already the pool's `threads_alive()`. A worker core in a neutral package
below `modems` would buy that one loop a room of its own in the house.
"""
from __future__ import annotations

from dataclasses import dataclass
import itertools
import logging
import queue
import threading
import time
from typing import Any, Callable, Hashable, Protocol

from gateway.store.db import close_database
from gateway.store.outage import CONNECTION_ERRORS, first_line, forget_connection

log = logging.getLogger(__name__)


class OutageWatch(Protocol):
    """Who is told when the database is lost (gateway.store.outage.DatabaseWatch)."""

    def lost(self, error: Exception) -> None: ...


@dataclass
class _Timer:
    due: float                  # monotonic
    order: int                  # ties fire in the order the timers were set
    what: str                   # for the log: "reading the SIM of m1"
    action: Callable[..., Any]
    args: tuple
    every: float | Callable[[], float] | None
    paced: bool = False         # the action gives the seconds until its next run


class _Stop:
    """Put on the queue by stop(): the loop ends when it reaches it."""


class _Wake:
    """Put on the queue when a timer changed: the loop looks at its timers again."""


class Worker:
    """A background loop: see the module docstring."""

    def __init__(self, name: str, handle: Callable[[Any], None] | None = None, *,
                 watch: OutageWatch | None = None, idle: Callable[[], None] | None = None,
                 on_stop: Callable[[], None] | None = None, finish: bool = False):
        """`handle(message)` runs for each message put; `idle()` once per turn of the loop
        while the queue is empty; `on_stop()` after the last message, before the
        connection closes. `finish`: also handle what was put after the stop (a pool
        thread's last events), rather than leaving it."""
        self.name = name
        self.watch = watch
        self._handle = handle
        self._idle = idle
        self._on_stop = on_stop
        self._finish = finish
        self._queue: queue.Queue = queue.Queue()
        self._timers: dict[Hashable, _Timer] = {}
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._woken = False           # a _Wake waits on the queue already
        self._stopping = threading.Event()
        self._started = False
        self.last_turn: float | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    # -- life ------------------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._started:
                raise RuntimeError(f"{self.name} was started already")
            self._started = True
        self.thread.start()

    def ask_stop(self) -> None:
        """Asks the loop to end after the messages queued so far; does not wait."""
        if not self._stopping.is_set():
            self._stopping.set()
            self._queue.put(_Stop())

    def stop(self, timeout: float = 15.0) -> bool:
        """Ends the loop after the messages queued so far; gives whether the thread ended
        within `timeout` seconds. Safe twice, and from the worker's own thread."""
        self.ask_stop()
        if not self.thread.is_alive() or self.thread is threading.current_thread():
            return True
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.error("%s did not finish in %.0f s", self.name, timeout)
            return False
        return True

    @property
    def stopping(self) -> bool:
        """True once stop() was asked: a long step should stop early."""
        return self._stopping.is_set()

    def alive(self) -> bool:
        """True while the loop runs (the watchdog's question)."""
        return self.thread.is_alive()

    # -- what other threads call -------------------------------------------------------------

    def put(self, message: Any) -> None:
        """Queues a message for `handle`; never blocks."""
        self._queue.put(message)

    def every(self, key: Hashable, seconds: float | Callable[[], float], what: str,
              action: Callable[..., Any], *args, first: float = 0.0) -> None:
        """Runs `action(*args)` every `seconds` (a number, or a function giving it each
        time), the first time `first` seconds from now."""
        self._set(key, first, what, action, args, seconds, replace=True)

    def paced(self, key: Hashable, seconds: float, what: str, action: Callable[..., Any],
              *args, first: float = 0.0) -> None:
        """Runs `action(*args)` again after the seconds it gives (or sooner, when the
        timer is brought forward meanwhile); after `seconds` when it fails or gives no
        number. The first time `first` seconds from now."""
        self._set(key, first, what, action, args, seconds, replace=True, paced=True)

    def after(self, key: Hashable, seconds: float, what: str, action: Callable[..., Any],
              *args) -> None:
        """Runs `action(*args)` once, `seconds` from now; replaces the key's timer."""
        self._set(key, seconds, what, action, args, None, replace=True)

    def sooner(self, key: Hashable, seconds: float = 0.0, what: str | None = None,
               action: Callable[..., Any] | None = None, *args) -> None:
        """Makes the key's timer due within `seconds` (never later than it was due); sets
        it, once, with `what` and `action` when there is none."""
        self._set(key, seconds, what, action, args, None, replace=False)

    def cancel(self, key: Hashable) -> None:
        with self._lock:
            self._timers.pop(key, None)

    def due(self, key: Hashable) -> float | None:
        """Gives the monotonic time the key's timer is due, or None when there is none."""
        with self._lock:
            timer = self._timers.get(key)
            return timer.due if timer is not None else None

    def _set(self, key, seconds, what, action, args, every, replace: bool,
             paced: bool = False) -> None:
        due = time.monotonic() + seconds
        with self._lock:
            timer = self._timers.get(key)
            if timer is not None and not replace:
                timer.due = min(timer.due, due)
            elif action is None:
                return                # nothing to bring forward, nothing to set
            else:
                self._timers[key] = _Timer(due, next(self._order), what, action, args, every,
                                           paced)
            wake = not self._woken and threading.current_thread() is not self.thread
            self._woken = self._woken or wake
        if wake:
            self._queue.put(_Wake())

    # -- the guarded step ------------------------------------------------------------------

    def guard(self, what: str, function: Callable[..., Any], *args) -> Any:
        """Runs one step; gives its result, or None when it failed (and was logged)."""
        try:
            return function(*args)
        except CONNECTION_ERRORS as error:
            self.database_lost(error, what)
        except Exception:
            log.exception("%s: error while %s", self.name, what)
        return None

    def database_lost(self, error: Exception, what: str = "working") -> None:
        """Drops this thread's connection and tells the outage watch (from inside a step
        that handles a connection error itself)."""
        forget_connection()
        log.warning("%s: the database is unreachable while %s: %s", self.name, what,
                    first_line(error))
        if self.watch is not None:
            self.watch.lost(error)

    # -- the thread --------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
            if self._finish:
                self._take_left()
            if self._on_stop is not None:
                self.guard("stopping", self._on_stop)
        except BaseException:   # logged here, once; the thread ends and alive() says so
            log.exception("%s: the loop itself failed; the thread ends", self.name)
        finally:
            close_database()

    def _loop(self) -> None:
        while True:
            self.last_turn = time.monotonic()
            if not self._stopping.is_set():
                self._fire_due()
            if self._idle is not None and self._queue.empty() and not self._stopping.is_set():
                self.guard("idle work", self._idle)
            try:
                message = self._queue.get(timeout=self._wait())
            except queue.Empty:
                continue
            if isinstance(message, _Stop):
                return
            if isinstance(message, _Wake):
                with self._lock:
                    self._woken = False
                continue
            self._handle_one(message)

    def _wait(self) -> float | None:
        with self._lock:
            if not self._timers or self._stopping.is_set():
                return None
            first = min(timer.due for timer in self._timers.values())
        return max(0.0, first - time.monotonic())

    def _fire_due(self) -> None:
        moment = time.monotonic()
        with self._lock:
            due = sorted(((timer.due, timer.order, key) for key, timer in self._timers.items()
                          if timer.due <= moment), key=lambda item: item[:2])
        for _, order, key in due:
            with self._lock:
                timer = self._timers.get(key)
                if timer is None or timer.order != order or timer.due > moment:
                    continue         # cancelled, replaced or put off by an earlier timer
                if timer.every is None:
                    del self._timers[key]
                else:                # due again even when this turn fails
                    interval = timer.every() if callable(timer.every) else timer.every
                    timer.due = time.monotonic() + interval
            again = self.guard(timer.what, timer.action, *timer.args)
            if timer.paced and isinstance(again, (int, float)) and not isinstance(again, bool):
                self.sooner(key, again)

    def _handle_one(self, message: Any) -> None:
        if self._handle is None:
            log.error("%s: no handler for %r", self.name, type(message).__name__)
            return
        self.guard(f"handling {type(message).__name__}", self._handle, message)

    def _take_left(self) -> None:
        """Handles what was put after the stop (finish=True)."""
        while True:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                return
            if not isinstance(message, (_Stop, _Wake)):
                self._handle_one(message)
