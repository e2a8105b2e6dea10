"""What a SIM used: calls placed and their minutes, SMS sent, today and this month.

A SIM is known by its ICCID, so the counts follow a card moved to another
modem. They come from the books the box keeps anyway:

- calls and minutes: the `cdr` rows of the legs the box placed on the SIM
  (`iccid` is written with each leg: gateway/calls/service.py), a leg counting
  its billed seconds (its talk time when it had no rate), a leg still talking
  up to now;
- SMS: the parts sent on the SIM in each quarter of an hour (`sms_sent_count`,
  counted by the outbox as it marks each text sent: gateway/sms/store.py), so
  the count reads a few rows a day rather than every text sent today (it read
  the outbox: at one SMS a second, 1.6 ms before each SMS after an hour, 20 ms
  after nine).

A day starts at the SIM's `reset_hour`, local time; a month on the 1st at
that hour. Every function takes the time (`now`): no clock is read here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import math
import time

from peewee import Case, Table, fn

from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr
from gateway.store.alerts import COUNTED
from gateway.store.db import db
from gateway.store.prepared import Param, PreparedSet

# The outbox's counts, read (never written) here: care sits beside gateway/sms, not above
# it, so it names the columns it counts instead of importing the sms model.
SMS_SENT = Table("sms_sent_count", ("iccid", "quarter", "parts")).bind(db)

CALL_WORK, SMS_WORK = "call", "sms"


def day_start(now: float, reset_hour: int) -> float:
    """Gives the latest local `reset_hour`:00 at or before `now`."""
    local = datetime.fromtimestamp(now)
    start = local.replace(hour=reset_hour, minute=0, second=0, microsecond=0)
    if start > local:
        start -= timedelta(days=1)
    return start.timestamp()


def next_day_start(now: float, reset_hour: int) -> float:
    start = datetime.fromtimestamp(day_start(now, reset_hour)) + timedelta(days=1)
    return start.replace(hour=reset_hour).timestamp()     # the same hour across a DST change


def month_start(now: float, reset_hour: int) -> float:
    """Gives the latest 1st of a month at local `reset_hour`:00 at or before `now`."""
    local = datetime.fromtimestamp(now)
    start = local.replace(day=1, hour=reset_hour, minute=0, second=0, microsecond=0)
    if start > local:
        start = (start - timedelta(days=1)).replace(day=1)
    return start.timestamp()


def next_month_start(now: float, reset_hour: int) -> float:
    start = datetime.fromtimestamp(month_start(now, reset_hour))
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1).timestamp()


@dataclass(frozen=True)
class SimUsage:
    """One SIM's counts against its limits (0: no limit) at one moment."""

    iccid: str
    minutes_today: int
    calls_today: int
    minutes_month: int
    sms_today: int
    limits: SimConfig
    day_resets_at: float
    month_resets_at: float

    def reached(self, work: str | None = None) -> list[str]:
        """Gives each limit reached that stops `work` ("call", "sms"; None: any), in words."""
        found = []
        for kind, used, limit, what in self._counts():
            if limit and used >= limit and (work is None or kind == work):
                found.append(f"{what} {used}/{limit}")
        return found

    def resets_at(self, work: str | None = None) -> float:
        """Gives when the limits reached now no longer stop `work`: the next day start,
        or the next month start when the month's minutes are used up."""
        month = self.limits.max_minutes_per_month
        if month and self.minutes_month >= month and work in (None, CALL_WORK):
            return self.month_resets_at
        return self.day_resets_at

    def summary(self) -> str:
        """Gives the counts as the owner reads them: `minutes today 37/120, calls 12/60,
        month 410/1000, SMS 3/100` (no /limit where there is none)."""
        return ", ".join(f"{what} {used}" + (f"/{limit}" if limit else "")
                         for _kind, used, limit, what in self._counts())

    def as_dict(self) -> dict:
        """Gives plain values for the Modems JSON."""
        limits = self.limits
        return {"iccid": self.iccid, "summary": self.summary(),
                "at_limit": self.reached(),
                "minutes_today": self.minutes_today,
                "max_minutes_per_day": limits.max_minutes_per_day,
                "calls_today": self.calls_today, "max_calls_per_day": limits.max_calls_per_day,
                "minutes_month": self.minutes_month,
                "max_minutes_per_month": limits.max_minutes_per_month,
                "sms_today": self.sms_today, "max_sms_per_day": limits.max_sms_per_day,
                "day_resets_at": self.day_resets_at}

    def _counts(self) -> tuple[tuple[str, int, int, str], ...]:
        limits = self.limits
        return ((CALL_WORK, self.minutes_today, limits.max_minutes_per_day, COUNTED["minutes"]),
                (CALL_WORK, self.calls_today, limits.max_calls_per_day, COUNTED["calls"]),
                (CALL_WORK, self.minutes_month, limits.max_minutes_per_month, COUNTED["month"]),
                (SMS_WORK, self.sms_today, limits.max_sms_per_day, COUNTED["sms"]))


def usage_of(iccid: str, limits: SimConfig | None, now: float) -> SimUsage:
    """Gives what the SIM used today and this month (queries the database)."""
    return usages_of({iccid: limits}, now)[iccid]


def usages_of(sims: dict[str, SimConfig | None], now: float) -> dict[str, SimUsage]:
    """Gives what each SIM (ICCID: its limits, None for none) used today and this month,
    by ICCID: two queries for all the SIMs that share a reset hour, whatever their number
    (the pool ranks every modem before each SMS it sends and each call it lends)."""
    found: dict[str, SimUsage] = {}
    by_hour: dict[int, dict[str, SimConfig]] = {}
    for iccid, limits in sims.items():
        limits = limits or SimConfig(iccid=iccid)
        by_hour.setdefault(limits.reset_hour, {})[iccid] = limits
    for hour, group in by_hour.items():
        today, month = day_start(now, hour), month_start(now, hour)
        calls = _calls(list(group), today, month, now)
        sent = _sms_sent(list(group), today)
        day_resets_at, month_resets_at = next_day_start(now, hour), next_month_start(now, hour)
        for iccid, limits in group.items():
            count, seconds_today, seconds_month = calls.get(iccid, (0, 0.0, 0.0))
            found[iccid] = SimUsage(iccid, math.ceil(seconds_today / 60), count,
                                    math.ceil(seconds_month / 60), sent.get(iccid, 0), limits,
                                    day_resets_at, month_resets_at)
    return found


def _calls(iccids: list[str], today: float, month: float,
           now: float) -> dict[str, tuple[int, float, float]]:
    """Gives, by ICCID, the calls placed on the SIM since `today` and their seconds, and
    their seconds since `month` (which is never later than `today`)."""
    rows = _CALLS[len(iccids)].rows(
        today=today, since=min(today, month), now=now,
        **{f"iccid{n}": iccid for n, iccid in enumerate(iccids)})
    return {iccid: (calls or 0, max(0.0, float(today_s or 0)), max(0.0, float(month_s or 0)))
            for iccid, calls, today_s, month_s in rows}


def _sms_sent(iccids: list[str], since: float) -> dict[str, int]:
    """Gives, by ICCID, the SMS parts sent on the SIM since `since` (a day's start: the
    start of a quarter of an hour)."""
    rows = _SENT[len(iccids)].rows(
        since=since, **{f"iccid{n}": iccid for n, iccid in enumerate(iccids)})
    return {iccid: int(parts or 0) for iccid, parts in rows}


def _iccid_params(count: int) -> list[Param]:
    return [Param(f"iccid{n}") for n in range(count)]


def _calls_query(count: int):
    seconds = Case(None, ((Cdr.answered_at.is_null(), 0),
                          (Cdr.ended_at.is_null(), Param("now") - Cdr.answered_at),
                          (Cdr.billed_seconds > 0, Cdr.billed_seconds)),
                   Cdr.ended_at - Cdr.answered_at)
    is_today = Cdr.started_at >= Param("today")
    return (Cdr.select(Cdr.iccid, fn.COUNT(Case(None, ((is_today, 1),))).alias("calls"),
                       fn.SUM(Case(None, ((is_today, seconds),), 0)).alias("today"),
                       fn.SUM(seconds).alias("month"))
            .where(Cdr.iccid.in_(_iccid_params(count)) & (Cdr.direction == "outgoing")
                   & (Cdr.started_at >= Param("since")))
            .group_by(Cdr.iccid).tuples())


def _sent_query(count: int):
    return (SMS_SENT.select(SMS_SENT.iccid, fn.SUM(SMS_SENT.parts))
            .where(SMS_SENT.iccid.in_(_iccid_params(count))
                   & (SMS_SENT.quarter >= Param("since")))
            .group_by(SMS_SENT.iccid).tuples())


# Run before each SMS sent and each call lent, prepared (gateway/store/prepared.py), one
# query for each number of SIMs asked about (the same few on a box).
_CALLS = PreparedSet(_calls_query)
_SENT = PreparedSet(_sent_query)


def local_time(at: float) -> str:
    """Gives a moment as the owner reads it: `2026-12-04 06:00`."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))
