"""The daemon: the box's parts started, watched and stopped in one place.

`Daemon` opens the database (or, for a shared server away at boot, starts in
outage mode and catches up when it answers), then runs the modem pool, the
call service, the SMS service, the web UI and these threads of its own:
- `db-writer` (callbox/writer.py): takes modem events from its queue (the
  pool's threads only put them there), writes each to the log and `event_log`,
  keeps `modem_status` current, writes the `daemon` heartbeat every
  HEARTBEAT_INTERVAL seconds and archives old records daily.
- `db-watch` (a Worker running gateway/store/outage.py `DatabaseWatch.look`):
  whether the database answers; replays the journal of bills written during an
  outage (gateway/money/journal.py).
- `alerts` (gateway/care/alerts.py): delivers alerts to the owner and raises
  those of modems down, database outages, a full disk and a crash before.
Running it as a service (signals, systemd) is callbox/service.py.
"""
from __future__ import annotations

from collections.abc import Callable
import ctypes
import logging
import os
import pathlib
import threading
import time

from audio import prompts
from audio.phrases import PhraseCache
from audio.speech import Speech
from callbox.writer import ARCHIVE_FIRST_AFTER, EventWriter, pool_statuses
from gateway import __version__
from gateway.calls.by_sms import CallActions
from gateway.calls.service import CallService
from gateway.calls.voicetest import VoiceTests
from gateway.care.simcare import SimCare
from gateway.care.webhooks import Webhooks
from gateway.care.alerts import Alerts
from gateway.care.sims import SimLimits
from gateway.config import Config, ConfigError, load, mask_url_password
from gateway.meters import Meters
from gateway.money.journal import Journal, price_and_settle
from gateway.sms.service import SmsService
from gateway.store.db import close_database, db, is_url, open_database
from gateway.store.migrations import migrate
from gateway.store.outage import CONNECTION_ERRORS, DatabaseWatch, first_line, forget_connection
from gateway.store.status import StatusStore
from gateway.worker import Worker
from modems.events import ModemEvent
from modems.pool import ModemPool
from webui import metrics as metrics_page
from webui.app import make_app
from webui.server import WebServer

log = logging.getLogger(__name__)

M_ARENA_MAX = -8           # glibc <malloc.h>
MALLOC_ARENAS = 2          # glibc's own cap is 8 per core


class Daemon:
    """The box's daemon, runnable in-process: start(), wait(), stop()."""

    def __init__(self, config: Config, now: Callable[[], float] = time.time,
                 observe: Callable[[ModemEvent], None] | None = None, phones=None,
                 archive_first_after: float = ARCHIVE_FIRST_AFTER):
        """`observe`, if given, sees each modem event after it is recorded, on the
        writer thread: it must return quickly (set an Event, put on a queue).
        `phones` (name -> virtual phone) gives the web UI its Virtual phones page.
        `archive_first_after`: seconds from start to the first archive run (then daily)."""
        self.config = config
        self._archive_first_after = archive_first_after
        self.phones = phones
        self.demo_logins: list[tuple[str, str, str]] = []  # the demo's, on the login page
        self.now = now
        self._observe = observe
        self._store = StatusStore(config.gateway.box, now)
        self._stop_requested = threading.Event()
        self._lock = threading.Lock()
        self._started = False
        self._stopped = False
        self._pool: ModemPool | None = None
        self._modems = config.modems       # the [[modem]] tables the pool runs
        self.calls: CallService | None = None
        self.watch: DatabaseWatch | None = None
        self.sms: SmsService | None = None
        self.care: SimCare | None = None          # `sim-care`: SIM credit, keep-alive
        self.sims: SimLimits | None = None     # the pool's chooser: limits, least used first
        self.voicetests: VoiceTests | None = None  # `callbox voicetest`, one thread each
        self.web = None
        self.webhooks: Webhooks | None = None     # None when no [[webhook]] is configured
        self.alerts: Alerts | None = None
        self.meters = Meters()          # what the call and SMS threads count
        self.metrics = None             # gateway/care/metrics.py Metrics, when enabled
        self._metrics_server: WebServer | None = None
        self._writer: Worker | None = None
        self._watching: Worker | None = None     # runs self.watch.look

    @property
    def pool(self) -> ModemPool | None:
        return self._pool

    @property
    def metrics_server(self) -> WebServer | None:
        """The server of [metrics] listen, when metrics have a listener of their own."""
        return self._metrics_server

    def start(self) -> None:
        """Opens the database, starts the writer and the modem pool."""
        with self._lock:
            if self._started:
                raise RuntimeError("the daemon was started already")
            self._started = True
        few_malloc_arenas()
        gateway = self.config.gateway
        self.watch = DatabaseWatch(Journal(os.path.join(gateway.state_dir, "journal.db")),
                                   price_and_settle, now=self.now, on_return=self._catch_up)
        self._watching = _watch_worker(self.watch)
        self.alerts = Alerts(self.config.alerts, gateway.box, gateway.state_dir,
                             mask_url_password(gateway.database), now=self.now,
                             watch=self.watch, modems=[modem.name for modem in self._modems])
        self.watch.on_change.append(self.alerts.wake)
        try:
            open_database(gateway.database)
            reachable = True
        except CONNECTION_ERRORS as error:      # a shared server may be away at boot
            if not is_url(gateway.database):
                raise                           # an SQLite file that cannot open: say so
            reachable = False
            log.error("the database is unreachable at start: the box answers callers only "
                      "to say so until it returns")
            self.watch.lost(error)
        finally:
            forget_connection()   # from here on each thread opens its own connection
        log.info("callbox %s started for box %r with %d modem(s), database %s", __version__,
                 gateway.box, len(self.config.modems), mask_url_password(gateway.database))
        if not self.config.modems:
            log.warning("no [[modem]] in %s: the box has nothing to do until one is added",
                        self.config.path)
        self.sims = SimLimits(self.config, self.now, self._statuses, watch=self.watch)
        self._pool = ModemPool(self.config.modems,
                               country=gateway.country, on_event=self._on_event,
                               health_interval=gateway.health_interval,
                               at_timeout=gateway.at_timeout, recovery=gateway.recovery(),
                               chooser=self.sims.rank)
        self.calls = CallService(self.config, self._pool, _speech(self.config), self.now,
                                 watch=self.watch, meters=self.meters)
        if reachable:
            try:
                self._catch_up()
            finally:
                close_database()
        self._writer = EventWriter(
            self._store, self.watch, config=lambda: self.config, pool=lambda: self._pool,
            sessions=self._sessions_running,
            now=self.now, observe=self._observe,
            archive_first_after=self._archive_first_after).worker
        self._writer.start()
        self._watching.start()
        self.alerts.start()
        self.sims.worker.start()
        self.calls.start()
        actions = CallActions(self.calls, gateway.box, self.now,
                              notifier=lambda number, modem: self.sms.summary_to(number, modem))
        self.sms = SmsService(self.config, self._pool, actions, self.now, watch=self.watch,
                              meters=self.meters)
        self.sms.start()
        self.voicetests = VoiceTests(self.calls, self.calls.context.speech)
        self.care = SimCare(lambda: self.config, self._pool, self.sms, self.now, watch=self.watch,
                            voice_tests=self.voicetests)
        self.care.worker.start()
        self.calls.serve_intents(actions.start)
        self._start_webhooks()
        self.metrics = self._metrics() if self.config.metrics.enabled else None
        self.web = WebServer.from_config(make_app(self.config, self), self.config.web)
        self.web.start()
        if self.metrics is not None and self.config.metrics.listen:
            self._metrics_server = metrics_page.server(self.metrics, self.config)
            self._metrics_server.start()
        self._pool.start()

    def _start_webhooks(self) -> None:
        """Starts the `webhooks` thread (gateway/care/webhooks.py) when any is configured."""
        gateway = self.config.gateway
        if self.config.webhooks:
            self.webhooks = Webhooks(self.config.webhooks, gateway.box, gateway.currency,
                                     gateway.retention_days, self.now, watch=self.watch,
                                     ready=lambda: self._store.started)
            self.webhooks.start()

    def _metrics(self):
        """Gives the box's metrics (docs/metrics.md); imported only when enabled, so a box
        without them never loads prometheus_client."""
        from gateway.care.metrics import Metrics
        metrics = Metrics(self.config.gateway.box, self.meters, statuses=self._statuses,
                          sessions_running=self.calls.active_sessions,
                          database_down=lambda: self.watch.down or not self._store.started,
                          read_soon=lambda: self._writer.sooner(
                              "metrics", 0.0, "reading the figures for the metrics",
                              metrics.read_database), now=self.now)
        return metrics

    def _catch_up(self) -> None:
        """Once the database first answers (at start, or later when it was away at start):
        the schema, this daemon's row, the bills of an earlier outage, then crash
        recovery: all before the box takes a new session."""
        if self._store.started:
            return
        migrate(db.obj)
        self._store.record_start(os.getpid(), __version__, self._modems)
        if self._store.unclean_end is not None:
            self.alerts.restarted(*self._store.unclean_end)
        self.watch.replay()
        self.calls.recover()

    def _on_event(self, event: ModemEvent) -> None:
        # Runs on a pool thread: queue the event and return at once.
        if self._writer is not None:
            self._writer.put(event)
        if self.alerts is not None:
            self.alerts.on_event(event)
        if self.calls is not None:
            self.calls.on_event(event)
        if self.sms is not None:
            self.sms.on_event(event)
        if self.care is not None:
            self.care.on_event(event)
        if self.webhooks is not None:
            self.webhooks.on_event(event)

    def reload(self) -> None:
        """Re-reads the configuration file (SIGHUP): policy, voice, prefix lists and rates
        take effect for the next calls and voice tests; modems added start, modems removed
        or changed close once their call ends. Running calls go on."""
        try:
            fresh = load(self.config.path)
        except ConfigError as error:
            log.error("reload refused, keeping the running configuration: %s", error)
            return
        missing_prompts = prompts.check(fresh.callback.language)
        if missing_prompts:     # the next callers would hear silence
            log.error("reload refused, keeping the running configuration: language %s: %s",
                      fresh.callback.language, missing_prompts)
            return
        voice = (fresh.callback.language, fresh.gateway.currency) != (
            self.config.callback.language, self.config.gateway.currency) and _speech(fresh)
        self.config = fresh
        if self._pool is not None and fresh.modems != self._modems:
            self._modems = fresh.modems
            self._pool.apply(fresh.modems)
            if self.alerts is not None:
                self.alerts.modems_changed(modem.name for modem in fresh.modems)
        if self.calls is not None:
            self.calls.reconfigure(self.config, voice or None)
        if voice and self.voicetests is not None:
            self.voicetests.speech = voice        # the next voice test speaks it
        if self.sims is not None:
            self.sims.reconfigure(self.config)
        log.info("configuration reloaded from %s", self.config.path)

    def healthy(self) -> bool:
        """True when every thread the box needs is alive (the watchdog's question)."""
        workers = [self._writer, self._watching, self.sims.worker if self.sims else None] + (
            self.sms.workers if self.sms is not None else []) + (
            [self.care.worker] if self.care is not None else []) + (
            [self.webhooks.worker] if self.webhooks is not None else []) + (
            [self.alerts.worker] if self.alerts is not None else [])
        threads = self.calls.threads if self.calls is not None else []
        alive = all(worker is not None and worker.alive() for worker in workers) and all(
            thread.is_alive() for thread in threads)
        return alive and (self._pool is None or self._pool.threads_alive())

    def status_line(self) -> str:
        statuses = self._statuses()
        up = sum(1 for status in statuses if status.state == "up")
        calls = self._sessions_running()
        line = f"{up}/{len(statuses)} modems up, {calls} call{'s' if calls != 1 else ''}"
        if self.watch is not None and self.watch.down:
            line += ", database unreachable"
        return line

    def request_stop(self) -> None:
        """Asks wait() to return; the caller then calls stop()."""
        self._stop_requested.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Waits until a stop is requested; gives True if it was."""
        return self._stop_requested.wait(timeout)

    def stop(self) -> None:
        """Stops the pool, writes the last rows, closes the database; safe to call twice."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        self._stop_requested.set()
        # Each step on its own: one failing must not keep the others from running.
        if self.web is not None:
            _step("stopping the web server", self.web.stop)
        if self._metrics_server is not None:
            _step("stopping the metrics server", self._metrics_server.stop)
        if self.voicetests is not None:
            _step("ending the voice tests", self.voicetests.stop)
        if self.calls is not None:
            _step("ending the calls", self.calls.stop)
        if self.care is not None:
            _step("stopping SIM care", self.care.worker.stop)
        if self.sms is not None:
            _step("stopping SMS", self.sms.stop)
        if self.webhooks is not None:
            _step("stopping the webhooks", self.webhooks.stop)
        if self._watching is not None:
            _step("stopping the database watch", self._watching.stop, 5.0)
        if self.sims is not None:
            _step("stopping the SIM limits", self.sims.worker.stop, 5.0)
        if self._pool is not None:
            _step("stopping the modems", self._pool.stop)
        if self._writer is not None:     # it writes what the pool said last, then ends
            self._writer.stop(15.0)
        if self.alerts is not None:
            _step("stopping the alerts", self.alerts.stop, 5.0)
        _step("closing the database", close_database)
        log.info("callbox stopped")

    def _statuses(self) -> list:
        return pool_statuses(self._pool)

    def _sessions_running(self) -> int:
        return self.calls.active_sessions() if self.calls is not None else 0


def few_malloc_arenas() -> bool:
    """Caps glibc's malloc arenas at MALLOC_ARENAS; gives whether it could.

    glibc gives a thread that meets a busy arena an arena of its own, up to 8 per core, and
    each keeps what it once held. The daemon's ~90 threads allocate under the GIL, so more
    arenas buy no speed: bench/modems.py, 8 modems: 1.4 MB less resident memory on 2 cores
    (a 4-core Pi allows twice the arenas)."""
    try:
        return ctypes.CDLL(None).mallopt(M_ARENA_MAX, MALLOC_ARENAS) == 1
    except (OSError, AttributeError):
        return False      # not glibc: its allocator has rules of its own


def _watch_worker(watch: DatabaseWatch) -> Worker:
    """Gives the `db-watch` worker: a look every `interval` (every second while the database
    is down), and one at once when someone reports it lost."""
    worker = Worker("db-watch", watch=watch)
    worker.paced("look", watch.interval, "asking the database", watch.look, first=watch.interval)
    watch.wake = lambda: worker.sooner("look")
    return worker


def _speech(config: Config):
    """Gives the box's voice: its language and currency; phrases kept in the state dir."""
    return Speech(lang=config.callback.language, currency=config.gateway.currency,
                  phrases=PhraseCache(pathlib.Path(config.gateway.state_dir) / "phrases"))


def _step(what: str, function: Callable, *args) -> None:
    """Runs one step of shutdown; logs an error in it and goes on."""
    try:
        function(*args)
    except CONNECTION_ERRORS as error:     # an outage: nothing left to tell at shutdown
        forget_connection()
        log.warning("the database is unreachable while %s: %s", what, first_line(error))
    except Exception:
        log.exception("error while %s", what)
