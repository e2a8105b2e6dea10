"""The SMS pipeline's health per modem: what the `sms-in` thread found on each SIM, and
its failures, written to `sms_health` so `callbox status` (any shell) and the Modems
page (the web) say the same thing.

A SIM is healthy when its last full read left nothing behind: every SMS on it
was stored (or quarantined) and deleted. Failures count from then on: a read,
store or delete that failed. An SMS the database cannot take even as a raw
PDU stays on the SIM, and the count says so until a read empties it.
"""
from __future__ import annotations

from dataclasses import dataclass
import logging
import time
from typing import Callable

from peewee import fn

from gateway.sms.models import SmsHealth, SmsIn
from gateway.store.db import db
from gateway.store.outage import CONNECTION_ERRORS, forget_connection
from modems.sms import repair_text

log = logging.getLogger(__name__)

STALE_READS = 2          # full reads missed before the last read counts as old news
STALE_SLACK = 60.0       # seconds allowed on top (a slow modem, a busy box)
WRITE_PAUSE = 5.0        # seconds without health writes after one failed (an outage)


class HealthRecorder:
    """Keeps each modem's SMS health for the `sms-in` thread and writes it on change.

    Used from that one thread. A write that fails (the database is away) is
    logged and tried again with the next change: health must never stop the
    pipeline it reports on."""

    def __init__(self, box: str, now: Callable[[], float]):
        self.box = box
        self.now = now
        self._rows: dict[str, dict] = {}
        self._quiet_until = 0.0          # monotonic time before which no write is tried

    def read(self, modem: str, usage: tuple[int, int] | None, clean: bool) -> None:
        """Notes a full read of the SIM; `usage` as the SIM said after it, `clean` when
        every SMS found was stored and deleted."""
        row = self._row(modem)
        row.update(read_at=self.now(), on_sim=usage[0] if usage else None,
                   capacity=usage[1] if usage else None)
        if clean:       # what arrived during the read is news, not a failure
            row["failures"] = 0
        self._write(modem)

    def counted(self, modem: str, usage: tuple[int, int] | None) -> None:
        """Notes how many SMS the SIM holds now (after SMS read one by one)."""
        if usage is None:
            return
        row = self._row(modem)
        if (row["on_sim"], row["capacity"]) != usage:
            row.update(on_sim=usage[0], capacity=usage[1])
            self._write(modem)

    def failed(self, modem: str, what: str) -> None:
        """Counts a failure of the pipeline on this modem, said in words."""
        row = self._row(modem)
        row.update(failures=row["failures"] + 1, last_error=repair_text(what)[:500],
                   last_error_at=self.now())
        self._write(modem)

    def on_sim(self, modem: str) -> int | None:
        """Gives how many SMS the SIM held when last counted (None: not known)."""
        return self._row(modem)["on_sim"]

    def failures(self, modem: str) -> int:
        return self._row(modem)["failures"]

    def last_error(self, modem: str) -> str:
        return self._row(modem)["last_error"]

    def _row(self, modem: str) -> dict:
        if modem not in self._rows:
            self._rows[modem] = dict(on_sim=None, capacity=None, read_at=None, failures=0,
                                     last_error="", last_error_at=None)
            try:     # a restart keeps the last failure's words (not its count: reads again)
                stored = SmsHealth.get_or_none((SmsHealth.box == self.box)
                                               & (SmsHealth.modem == modem))
            except Exception as error:   # the database is away: start from nothing known
                if isinstance(error, CONNECTION_ERRORS):
                    forget_connection()
                log.debug("sms health of %s not read: %s", modem, error)
                stored = None
            if stored is not None:
                self._rows[modem].update(last_error=stored.last_error,
                                         last_error_at=stored.last_error_at)
        return self._rows[modem]

    def _write(self, modem: str) -> None:
        moment = time.monotonic()
        if moment < self._quiet_until:
            return          # the database failed a moment ago: the next change writes this
        values = dict(self._rows[modem], box=self.box, modem=modem, updated_at=self.now())
        fields = {getattr(SmsHealth, key): value for key, value in values.items()}
        try:
            with db.atomic():
                SmsHealth.insert(fields).on_conflict(
                    conflict_target=[SmsHealth.box, SmsHealth.modem],
                    update={field: value for field, value in fields.items()
                            if field.name not in ("box", "modem")}).execute()
        except Exception as error:   # the database is away: written with the next change
            if isinstance(error, CONNECTION_ERRORS):
                forget_connection()
            self._quiet_until = moment + WRITE_PAUSE
            log.warning("sms-in: cannot record the SMS health of %s: %s", modem, error)


@dataclass(frozen=True)
class Health:
    """One modem's SMS health in words, for the status command and the Modems page."""

    ok: bool
    summary: str          # short: "0 of 20 on the SIM"
    detail: str           # what is wrong, or when it was last read


def describe_all(box: str, now: float, drain_interval: float | None) -> dict[str, Health]:
    """Gives each modem's SMS health; `drain_interval` (seconds) lets an old read count
    as trouble (None: the age is only said)."""
    quarantined = dict(SmsIn.select(SmsIn.modem, fn.COUNT(SmsIn.id))
                       .where((SmsIn.box == box) & (SmsIn.state == "quarantined"))
                       .group_by(SmsIn.modem).tuples())
    return {row.modem: describe(row, quarantined.get(row.modem, 0), now, drain_interval)
            for row in SmsHealth.select().where(SmsHealth.box == box)}


def describe(row: SmsHealth, quarantined: int, now: float,
             drain_interval: float | None) -> Health:
    """Gives one modem's SMS health in words."""
    if row.on_sim is None:
        summary = "SIM use unknown"
    elif row.capacity:
        summary = f"{row.on_sim} of {row.capacity} on the SIM"
    else:
        summary = f"{row.on_sim} on the SIM"
    troubles = []
    if row.read_at is None:
        troubles.append("the SIM has not been read yet")
    elif drain_interval is not None and \
            now - row.read_at > STALE_READS * drain_interval + STALE_SLACK:
        troubles.append(f"last read {_age(now - row.read_at)} ago")
    if row.failures:
        troubles.append(f"{row.failures} failure{'s' * (row.failures != 1)} since the last "
                        f"clean read, last {_age(now - (row.last_error_at or now))} ago: "
                        f"{row.last_error}")
    if row.capacity and row.on_sim is not None and row.on_sim >= row.capacity:
        troubles.append("the SIM is full: new SMS wait at the network")
    notes = [f"{quarantined} quarantined (see the SMS page)"] if quarantined else []
    if troubles:
        return Health(False, summary, "; ".join(troubles + notes))
    read = f"read {_age(now - row.read_at)} ago" if row.read_at is not None else ""
    return Health(True, summary, "; ".join([read] + notes) if read else "; ".join(notes))


def _age(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
