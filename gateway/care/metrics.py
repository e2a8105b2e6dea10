"""The box's metrics in Prometheus' text format (docs/metrics.md says what each one means).

Everything is read at the moment of a scrape, from four places:
- the daemon's `Meters` (gateway/meters.py): what the call and SMS threads counted;
- the modem pool's status (modems/pool.py `ModemStatus`): up, registered, signal, in a
  call, AT errors and timeouts, recovery steps;
- the database, a few cheap queries: calls and talk time today per modem, the SMS
  outbox, alerts sent and open, the SIMs' last known credit. The daemon's db-writer
  thread runs them when a scrape asks (`read_soon`), on its own connection, so a
  scrape opens none. Skipped while the database is down (its metrics are then
  absent, `callbox_database_up` says why);
- the daemon: sessions running, whether the database answers.

The registry is this object's own (several daemons run in one test process), and
this module is the only one that imports prometheus_client: the daemon imports it
only when [metrics] enabled is true.

    metrics = Metrics(box, meters, statuses=pool.status, sessions_running=...,
                      database_down=lambda: watch.down, read_soon=...)
    metrics.render()            # bytes for GET /metrics, of metrics.content_type
"""
from __future__ import annotations

from datetime import datetime
import logging
import threading
import time
from typing import Callable, Iterator

from peewee import SQL, Case, Table, fn
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (CounterMetricFamily, GaugeMetricFamily,
                                    HistogramMetricFamily, Metric)

from gateway import __version__
from gateway.care import credit
from gateway.meters import Meters
from gateway.money.billing import MINOR_DIGITS
from gateway.money.ledger import Cdr
from gateway.store.alerts import Alert
from gateway.store.db import db
from gateway.store.outage import CONNECTION_ERRORS, forget_connection
from gateway.store.prepared import Param, Prepared

log = logging.getLogger(__name__)

# The classic text format every Prometheus 2.x reads (prometheus_client's newest says 1.0.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REGISTERED = ("home", "roaming")
READ_WAIT = 1.0         # seconds a scrape waits for the db-writer to read the database
ID_MARGIN = 100         # call record ids below the day's first still read (see _first_today)


class Metrics:
    """A registry with one collector: the whole box, read at each scrape."""

    content_type = CONTENT_TYPE

    def __init__(self, box: str, meters: Meters, *, statuses: Callable[[], list],
                 sessions_running: Callable[[], int], database_down: Callable[[], bool],
                 database_lost: Callable[[Exception], None] | None = None,
                 read_soon: Callable[[], None] | None = None,
                 now: Callable[[], float] = time.time):
        """`statuses()` gives the pool's ModemStatus list. `read_soon()` asks the thread that
        keeps a database connection (the daemon's db-writer) to call `read_database()` now;
        without it a scrape queries the database on its own thread, and tells
        `database_lost(error)` (gateway.store.outage.DatabaseWatch.lost) of a lost
        connection."""
        self.box = box
        self.meters = meters
        self.statuses = statuses
        self.sessions_running = sessions_running
        self.database_down = database_down
        self.database_lost = database_lost
        self.read_soon = read_soon
        self.now = now
        self._stored: list[Metric] = []            # the database's, as last read
        self._reads = 0                             # reads of the database done
        self._read_done = threading.Condition()
        self.last_scrape_seconds = 0.0
        self._today_from = (0.0, 0)       # (local midnight, an id below that day's records)
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)

    def render(self) -> bytes:
        """Gives the text of one scrape."""
        started = time.perf_counter()
        try:
            return generate_latest(self.registry)
        finally:
            self.last_scrape_seconds = time.perf_counter() - started

    # -- the collector (prometheus_client calls it) ---------------------------------------
    def collect(self) -> Iterator[Metric]:
        info = GaugeMetricFamily("callbox_info", "The box and its version (always 1).",
                                 labels=("box", "version"))
        info.add_metric((self.box, __version__), 1)
        yield info
        down = bool(self.database_down())
        yield _gauge("callbox_database_up", "1 while the database answers, 0 during an outage.",
                     0 if down else 1)
        yield _gauge("callbox_sessions_running", "Sessions (callbacks, connect-twos) running now.",
                     self.sessions_running())
        yield _gauge("callbox_scrape_duration_seconds", "Seconds the previous scrape took.",
                     self.last_scrape_seconds)
        statuses = self.statuses()
        yield from _modem_metrics(statuses)
        yield from self._counted()
        if not down:
            yield from self._from_database()

    def _counted(self) -> Iterator[Metric]:
        meters = self.meters
        for counter in meters.counters():
            family = CounterMetricFamily(counter.name, counter.help, labels=counter.labels)
            for labels, value in sorted(counter.values().items()):
                family.add_metric(labels, value)
            yield family
        histogram = meters.dial_latency
        buckets, total = histogram.snapshot()
        family = HistogramMetricFamily(histogram.name, histogram.help)
        family.add_metric((), buckets, total)
        yield family
        audio = meters.audio
        for name, help, value in (
                ("callbox_bridge_frames_dropped", "Audio frames a call bridge threw away "
                 "(its buffer was full: the sending modem's clock runs fast).", audio.dropped),
                ("callbox_bridge_underruns", "Audio frames a call bridge had none to play "
                 "(silence played: the sending modem's clock runs slow).", audio.underruns),
                ("callbox_audio_late_frames", "Audio frames captured a period or more late "
                 "(the box's audio thread was held up).", audio.late)):
            family = CounterMetricFamily(name, help)
            family.add_metric((), value)
            yield family

    # -- the database ----------------------------------------------------------------------
    def read_database(self) -> None:
        """Reads the database's figures for the scrapes (on the db-writer thread: a scrape
        then opens no connection of its own, which saves a web thread's memory)."""
        statuses = self.statuses()
        families = [*self._today(statuses), self._outbox(), *self._alerts(),
                    *self._balances(statuses)]
        with self._read_done:
            self._stored = families
            self._reads += 1
            self._read_done.notify_all()

    def _from_database(self) -> list[Metric]:
        """Gives the database's metrics, read now (or as last read, when the reading thread
        is busy for longer than READ_WAIT); none when a query meets a lost connection."""
        if self.read_soon is None:
            try:
                self.read_database()
            except CONNECTION_ERRORS as error:
                forget_connection()
                if self.database_lost is not None:
                    self.database_lost(error)
                log.warning("metrics: the database is unreachable; its metrics are left out")
                return []
            return self._stored
        with self._read_done:
            wanted = self._reads + 1
        self.read_soon()
        with self._read_done:
            self._read_done.wait_for(lambda: self._reads >= wanted, READ_WAIT)
            return self._stored

    def _today(self, statuses: list) -> list[Metric]:
        now = self.now()
        midnight = local_midnight(now)
        today = {modem: (calls, seconds or 0.0) for modem, calls, seconds in _TODAY.rows(
            first=self._first_today(midnight), box=self.box, midnight=midnight, now=now)}
        calls = GaugeMetricFamily("callbox_modem_calls_today",
                                  "Calls placed on the modem since local midnight.",
                                  labels=("modem",))
        seconds = GaugeMetricFamily("callbox_modem_talk_seconds_today",
                                    "Seconds talked on the modem since local midnight "
                                    "(a call in progress counts up to now).", labels=("modem",))
        for status in statuses:
            count, talked = today.get(status.name, (0, 0.0))
            calls.add_metric((status.name,), count)
            seconds.add_metric((status.name,), max(0.0, talked))
        return [calls, seconds]

    def _first_today(self, midnight: float) -> int:
        """Gives an id below every call record of the day (the table has no index on its
        times: one full look a day, then each scrape reads only the day's rows by id)."""
        if self._today_from[0] != midnight:
            first = (Cdr.select(fn.MIN(Cdr.id)).where(Cdr.started_at >= midnight).scalar()
                     or (Cdr.select(fn.MAX(Cdr.id)).scalar() or 0) + 1)
            # records written a moment apart may commit out of id order (PostgreSQL)
            self._today_from = (midnight, max(0, first - ID_MARGIN))
        return self._today_from[1]

    def _outbox(self) -> Metric:
        count = _OUTBOX.scalar(box=self.box)
        return _gauge("callbox_sms_outbox_depth", "SMS waiting to be sent (queued or sending).",
                      count)

    def _alerts(self) -> list[Metric]:
        rows = _ALERTS.rows(box=self.box)
        sent = CounterMetricFamily("callbox_alerts_sent", "Alert messages delivered to the "
                                   "owner (a raise and a recovery count one each), by kind.",
                                   labels=("kind",))
        opened = GaugeMetricFamily("callbox_alerts_open", "Alerts open now, by kind.",
                                   labels=("kind",))
        for kind, sent_count, recoveries_sent, open_count in rows:
            sent.add_metric((kind,), sent_count + recoveries_sent)
            opened.add_metric((kind,), open_count or 0)
        return [sent, opened]

    def _balances(self, statuses: list) -> list[Metric]:
        """The newest credit found of each SIM in a modem (gateway/care/credit.py)."""
        slots = {status.health.iccid: status.name for status in statuses
                 if status.health is not None and status.health.iccid}
        family = GaugeMetricFamily("callbox_sim_balance", "The SIM's credit as the operator "
                                   "last told it (USSD), in its currency's units.",
                                   labels=("modem", "iccid"))
        for iccid, row in sorted(credit.latest_amounts(slots).items()):
            family.add_metric((slots[iccid], iccid), row.amount_minor / 10 ** MINOR_DIGITS)
        return [family]


# the queries of every scrape, prepared (gateway/store/prepared.py)
_TODAY = Prepared(lambda: Cdr.select(
    Cdr.modem, fn.COUNT(Cdr.id), fn.SUM(fn.COALESCE(Cdr.ended_at, Param("now")) - Cdr.answered_at))
    .where((Cdr.id >= Param("first")) & (Cdr.box == Param("box"))
           & (Cdr.started_at >= Param("midnight")))
    .group_by(Cdr.modem).tuples())
# the outbox table by name: care may not import gateway.sms (pyproject.toml)
_SMS_OUT = Table("sms_out", ("box", "state")).bind(db)
_OUTBOX = Prepared(lambda: _SMS_OUT.select(fn.COUNT(SQL("*"))).where(
    (_SMS_OUT.box == Param("box")) & _SMS_OUT.state.in_(("queued", "sending"))).tuples())
_ALERTS = Prepared(lambda: Alert.select(
    Alert.kind, fn.COUNT(Alert.sent_at), fn.COUNT(Alert.recovery_sent_at),
    fn.SUM(Case(None, [(Alert.state == "open", 1)], 0)))
    .where(Alert.box == Param("box")).group_by(Alert.kind).tuples())


def _modem_metrics(statuses: list) -> Iterator[Metric]:
    labels = ("modem",)
    families = {name: GaugeMetricFamily(f"callbox_modem_{name}", help, labels=labels)
                for name, help in (
                    ("up", "1 while the modem is open and answering."),
                    ("registered", "1 while the modem is registered on a network (home or "
                                   "roaming)."),
                    ("signal_dbm", "Signal strength in dBm (+CSQ; absent while unknown)."),
                    ("in_call", "1 while the modem has a call."))}
    errors = CounterMetricFamily("callbox_modem_at_errors", "AT commands the modem refused "
                                 "(ERROR, +CME ERROR; optional commands not counted).",
                                 labels=labels)
    timeouts = CounterMetricFamily("callbox_modem_at_timeouts", "AT commands the modem left "
                                   "unanswered.", labels=labels)
    recoveries = CounterMetricFamily("callbox_modem_recoveries", "Recovery steps the pool "
                                     "took on the modem, by step (modems/recovery.py).",
                                     labels=("modem", "step"))
    for status in statuses:
        name = (status.name,)
        up = status.state == "up"
        health = status.health if up else None
        families["up"].add_metric(name, 1 if up else 0)
        families["registered"].add_metric(
            name, 1 if health is not None and health.registration in REGISTERED else 0)
        if health is not None and health.dbm is not None:
            families["signal_dbm"].add_metric(name, health.dbm)
        families["in_call"].add_metric(name, 1 if status.in_call else 0)
        errors.add_metric(name, getattr(status, "at_errors", 0))
        timeouts.add_metric(name, getattr(status, "at_timeouts", 0))
        for step, count in sorted(getattr(status, "recoveries", {}).items()):
            recoveries.add_metric((status.name, step), count)
    yield from families.values()
    yield from (errors, timeouts, recoveries)


def _gauge(name: str, help: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, help, value=value)


def local_midnight(now: float) -> float:
    """Gives the Unix time of the local midnight that began the day of `now`."""
    return datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0,
                                               microsecond=0).timestamp()
