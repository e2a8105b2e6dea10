"""`callbox run`: the daemon as a service: plain logging, signals, systemd's notify loop.

SIGTERM/SIGINT stop the daemon (running calls hear goodbye and are settled),
SIGHUP reloads its configuration; READY, STATUS and WATCHDOG go to systemd
(callbox/systemd.py), the watchdog only while every thread the box needs lives.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from peewee import DatabaseError

from audio import prompts
from callbox.daemon import Daemon
from callbox.systemd import Notifier
from gateway.config import load
from gateway.store.migrations import SchemaTooNew

log = logging.getLogger("callbox.daemon")


def configure_logging(level: str) -> None:
    """Logs plain lines to stderr; with a timestamp unless journald adds its own."""
    stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s "
    logging.basicConfig(level=level.upper(), stream=sys.stderr, force=True,
                        format=stamp + "%(levelname)s %(message)s")
    # The AT library narrates its own init at INFO ("Connecting to modem...");
    # our log already says in plain words what happened to which modem.
    if level.lower() != "debug":
        logging.getLogger("gsmmodem").setLevel(logging.WARNING)


class SignalWatch:
    """Turns SIGTERM and SIGINT into daemon.request_stop(), from a thread of its own.

    The signal handler itself does nothing: the wakeup fd carries the signal
    number to this thread, which sets the stop event. Setting an Event from the
    handler could deadlock: the handler runs on the main thread, which may hold
    that same Event's lock inside wait().
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

    def __init__(self, daemon: Daemon):
        self.daemon = daemon
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._previous = {number: signal.signal(number, _wake_only) for number in self.SIGNALS}
        self._previous_fd = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        self._thread = threading.Thread(target=self._watch, name="signal-watch", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while True:
            data = os.read(self._read, 16)
            if not data:
                return
            for number in data:
                if number == signal.SIGHUP:
                    self.daemon.reload()
                    continue
                log.info("stopping on %s", signal.Signals(number).name)
                self.daemon.request_stop()

    def close(self) -> None:
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        os.close(self._write)
        self._thread.join(timeout=5)
        os.close(self._read)


def _wake_only(number, frame) -> None:
    """Does nothing: the signal's work is done by SignalWatch via the wakeup fd."""


def run(config_path: str) -> int:
    """Runs the daemon until SIGTERM/SIGINT; gives the exit code. Raises ConfigError."""
    config = load(config_path)
    configure_logging(config.gateway.log_level)
    missing_prompts = prompts.check(config.callback.language)
    if missing_prompts:     # exit 2: systemd does not restart (RestartPreventExitStatus)
        log.error("cannot run, the box would answer calls in silence: %s", missing_prompts)
        return 2
    daemon = Daemon(config)
    watch = SignalWatch(daemon)
    notifier = Notifier()
    try:
        daemon.start()
        notifier.ready()
        interval = notifier.watchdog_interval() or 10.0
        while not daemon.wait(interval):
            # the watchdog is fed only while every needed thread lives: a dead
            # modem reader or session supervisor gets the box restarted
            if daemon.healthy():
                notifier.watchdog()
            else:
                log.error("a thread of the box died; not feeding the watchdog")
            notifier.status(daemon.status_line())
        notifier.stopping()
    except (OSError, DatabaseError, SchemaTooNew) as error:
        log.error("cannot run: %s", error)
        return 1
    except Exception:
        log.exception("cannot run")
        return 1
    finally:
        daemon.stop()
        watch.close()
    return 0
