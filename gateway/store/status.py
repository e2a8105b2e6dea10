"""Writes what the daemon knows into the database: heartbeat, modem status, event log.

Used from one thread at a time (the daemon's writer). Every write is an
upsert on the table's unique key, portable to PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
import logging
from typing import Any

from peewee import fn

from gateway.store.db import DaemonRecord, EventLogRecord, ModemStatusRecord, db
from gateway.store.event_text import describe_event
from gateway.store.prepared import Param, Prepared, columns, upsert
from modems.events import (CallStateChanged, IncomingCall, ModemDown, ModemEvent, ModemRecovery,
                           ModemUp, SignalChanged)

log = logging.getLogger("gateway.events")

ROLE_ORDER = ("trigger", "callback", "destination")
_ROW_EVENTS = (ModemUp, ModemDown, SignalChanged, IncomingCall, CallStateChanged, ModemRecovery)


def roles_text(roles: Iterable[str]) -> str:
    """Gives roles as stored: comma-separated in a fixed order."""
    return ",".join(role for role in ROLE_ORDER if role in roles)


class StatusStore:
    """The daemon's rows of one box."""

    def __init__(self, box: str, now: Callable[[], float]):
        self.box = box
        self.now = now
        self._logged_signal: dict[str, tuple] = {}
        # what was last written to each modem's row: an event that changes nothing in it
        # (most call events) writes no row; the periodic refresh writes every row whatever
        # this says, so a write that was lost is made good within health_interval
        self._rows: dict[str, dict] = {}
        self._daemon: dict = {}
        # The previous run's row when it did not end with "stopped" (a crash, a kill -9,
        # a power cut): (status, heartbeat_at, pid), set by record_start.
        self.unclean_end: tuple[str, float, int] | None = None

    # -- daemon row -------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether record_start has written this daemon's row."""
        return bool(self._daemon)

    def record_start(self, pid: int, version: str, modems: Iterable) -> None:
        """Writes the daemon row as starting and one 'opening' row per configured modem."""
        moment = self.now()
        previous = DaemonRecord.get_or_none(DaemonRecord.box == self.box)
        if previous is not None and previous.status != "stopped" \
                and moment - previous.heartbeat_at < 30:
            log.warning("box %r: another daemon (pid %d) wrote a heartbeat %.0f s ago; "
                        "two daemons for one box overwrite each other's status",
                        self.box, previous.pid, moment - previous.heartbeat_at)
        if previous is not None and previous.status != "stopped":
            self.unclean_end = (previous.status, previous.heartbeat_at, previous.pid)
        modems = list(modems)
        self._daemon = dict(pid=pid, version=version, started_at=moment)
        self._rows.clear()
        with db.atomic():
            self._upsert_daemon(heartbeat_at=moment, status="starting")
            ModemStatusRecord.delete().where(
                (ModemStatusRecord.box == self.box)
                & ModemStatusRecord.name.not_in([modem.name for modem in modems] or [""])
            ).execute()
            for modem in modems:
                self._upsert_modem(dict(name=modem.name, state="opening", reason="",
                                        roles=roles_text(modem.roles), group=modem.group,
                                        in_call=False))
        self._log_row(None, None, "daemon_started", f"daemon started (pid {pid}, version {version})")

    def heartbeat(self, modems: int) -> None:
        """Writes that the daemon is alive, with a status line like '2/3 modems up'.

        The count is of the rows written, so it always agrees with `callbox status`."""
        up = _MODEMS_UP.scalar(box=self.box)
        self._upsert_daemon(heartbeat_at=self.now(), status=f"{up}/{modems} modems up")

    def record_stop(self) -> None:
        """Marks the daemon stopped and its modems down."""
        moment = self.now()
        self._rows.clear()
        with db.atomic():
            self._upsert_daemon(heartbeat_at=moment, status="stopped")
            ModemStatusRecord.update(state="down", reason="daemon stopped", in_call=False,
                                     updated_at=moment).where(
                ModemStatusRecord.box == self.box).execute()
        self._log_row(None, None, "daemon_stopped", "daemon stopped")

    def _upsert_daemon(self, **values) -> None:
        upsert(DaemonRecord, ("box",), dict(self._daemon, box=self.box, **values))

    # -- modem rows -----------------------------------------------------------------------

    def refresh_modems(self, statuses: Iterable) -> None:
        """Writes one row per modem from the pool's status."""
        with db.atomic():
            for status in statuses:
                values = status_values(status)
                self._upsert_modem(values)
                self._rows[status.name] = values

    def keep_modems(self, names: Iterable[str]) -> None:
        """Forgets the rows of modems no longer configured (after a reload)."""
        names = list(names)
        ModemStatusRecord.delete().where(
            (ModemStatusRecord.box == self.box)
            & ModemStatusRecord.name.not_in(names or [""])).execute()
        self._rows = {name: row for name, row in self._rows.items() if name in names}

    def _upsert_modem(self, values: dict) -> None:
        values = dict(values, box=self.box, updated_at=self.now())
        upsert(ModemStatusRecord, ("box", "name"), values)

    # -- events ---------------------------------------------------------------------------

    def record_event(self, event: ModemEvent, status_of: Callable[[str], Any]) -> None:
        """Logs the event in plain words and, for changes of a modem, updates its row from
        `status_of(modem)` (the pool's status of it, None when unknown)."""
        text = describe_event(event)
        if isinstance(event, SignalChanged) and not self._signal_news(event):
            log.debug("%s", text.message)
        else:
            log.info("%s", text.message)
            self._log_row(event.modem, text.call_id, text.kind, text.message)
        if isinstance(event, _ROW_EVENTS):
            status = status_of(event.modem)
            values = status_values(status) if status is not None else {"name": event.modem}
            values = overlay_event(values, event)
            if self._rows.get(event.modem) != values:
                self._upsert_modem(values)
                self._rows[event.modem] = values

    def _signal_news(self, event: SignalChanged) -> bool:
        """True when bars, registration or operator changed: dBm alone is noise for the log."""
        key = (event.bars, event.registration, event.operator)
        news = self._logged_signal.get(event.modem) != key
        self._logged_signal[event.modem] = key
        return news

    def _log_row(self, modem: str | None, call_id: int | None, kind: str, message: str) -> None:
        _LOG_ROW.run(box=self.box, at=self.now(), modem=modem, call_id=call_id, kind=kind,
                     message=message)


_MODEMS_UP = Prepared(lambda: ModemStatusRecord.select(fn.COUNT(ModemStatusRecord.id)).where(
    (ModemStatusRecord.box == Param("box")) & (ModemStatusRecord.state == "up")).tuples())
_LOG_ROW = Prepared(lambda: EventLogRecord.insert(
    columns(EventLogRecord, ("box", "at", "modem", "call_id", "kind", "message"))))


def status_values(status) -> dict:
    """Gives the modem_status columns for a modems.pool.ModemStatus."""
    values = dict(name=status.name, state=status.state, reason=status.reason or "",
                  roles=roles_text(status.roles), group=status.group,
                  in_call=bool(status.in_call))
    if getattr(status, "last_recovery_at", None) is not None:
        values.update(recovery_at=status.last_recovery_at, recovery=status.last_recovery,
                      recoveries=sum(status.recoveries.values()))
    identity, health = status.identity, status.health
    if identity is not None:
        values.update(manufacturer=identity.manufacturer, model=identity.model,
                      revision=identity.revision, imei=identity.imei)
    if health is not None:
        values.update(rssi=health.rssi, dbm=health.dbm, bars=health.bars,
                      registration=health.registration, operator=health.operator,
                      sim_state=health.sim_state, iccid=health.iccid, imsi=health.imsi)
    return values


def overlay_event(values: dict, event: ModemEvent) -> dict:
    """Gives the row values with what the event says on top.

    The pool may emit an event before its own status shows it; events are
    written in order, so the last one written is the newest truth.
    """
    values = dict(values)
    if isinstance(event, ModemUp):
        values.update(state="up", reason="")
        if event.manufacturer or event.model:
            values.update(manufacturer=event.manufacturer, model=event.model)
    elif isinstance(event, ModemDown):
        if values.get("state") in (None, "up", "opening"):
            values["state"] = "down"
        values.update(reason=event.reason or values.get("reason", ""), in_call=False)
    elif isinstance(event, SignalChanged):
        values.update(rssi=event.rssi, dbm=event.dbm, bars=event.bars,
                      registration=event.registration, operator=event.operator)
    if "state" not in values:
        values["state"] = "opening"
    return values
