"""The box's figures at a glance, for the admin's dashboard (page and JSON).

- calls and money, from the books every box shares: sessions started, legs
  placed and answered, billed minutes and what the accounts paid (the legs'
  cost), per local hour over the last 24 hours and per local day over the last
  30 days, with the answer rate (legs answered of legs placed);
- this box's modems (up or not, from `modem_status`), its open alerts, and for
  each SIM in its modems the minutes used against its limits
  (gateway/care/usage.py) and its latest credit (gateway/care/credit.py).

The database groups the rows by hour since the first hour shown, with a floor
written so that SQLite (whose CAST truncates) and PostgreSQL (whose CAST rounds)
give the same hour; the hours are then added up into local days here, so a day
of 23 or 25 hours (a DST change) is still one day. Every function takes the
time (`now`): no clock is read here.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Callable

from peewee import SQL, Case, fn

from gateway.actions.alerts import open_count
from gateway.care.credit import latest_amounts
from gateway.care.usage import usages_of
from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr, Session
from gateway.store.db import ModemStatusRecord

HOUR = 3600
HOURS_SHOWN = 24
DAYS_SHOWN = 30


def hour_start(now: float) -> float:
    """Gives the start of the local hour of `now`."""
    return datetime.fromtimestamp(now).replace(minute=0, second=0, microsecond=0).timestamp()


def first_day(now: float) -> date:
    return datetime.fromtimestamp(now).date() - timedelta(days=DAYS_SHOWN - 1)


def _hours_since(column, origin: float):
    """Gives the SQL of the whole hours from `origin` to `column` (a floor both engines
    agree on: CAST truncates in SQLite and rounds in PostgreSQL)."""
    hours = (column - origin) / float(HOUR)
    whole = hours.cast("INTEGER")
    return whole - Case(None, ((whole > hours, 1),), 0)


def hourly_books(origin: float, now: float) -> dict[int, dict]:
    """Gives, by whole hours since `origin`, what happened from `origin` to `now`: sessions
    started, legs placed and answered, billed seconds and cost (minor units). The rows are
    grouped by their first column (GROUP BY 1): PostgreSQL cannot match the hour in the
    select with the same hour in GROUP BY, as each carries its own parameters."""
    books: dict[int, dict] = {}

    def at(hour: int) -> dict:
        return books.setdefault(hour, {"calls": 0, "legs": 0, "answered": 0, "seconds": 0,
                                       "cost": 0})

    hour = _hours_since(Session.started_at, origin)
    for row in (Session.select(hour.alias("hour"), fn.COUNT(Session.id).alias("calls"))
                .where((Session.started_at >= origin) & (Session.started_at < now))
                .group_by(SQL("1")).dicts()):
        at(int(row["hour"]))["calls"] = int(row["calls"])
    hour = _hours_since(Cdr.started_at, origin)
    answered = fn.SUM(Case(None, ((Cdr.answered_at.is_null(False), 1),), 0))
    for row in (Cdr.select(hour.alias("hour"), fn.COUNT(Cdr.id).alias("legs"),
                           answered.alias("answered"),
                           fn.SUM(Cdr.billed_seconds).alias("seconds"),
                           fn.SUM(Cdr.cost).alias("cost"))
                .where((Cdr.started_at >= origin) & (Cdr.started_at < now))
                .group_by(SQL("1")).dicts()):
        values = at(int(row["hour"]))
        values.update(legs=int(row["legs"]), answered=int(row["answered"] or 0),
                      seconds=int(row["seconds"] or 0), cost=int(row["cost"] or 0))
    return books


def _bucket(label: str, start: float, values: list[dict]) -> dict:
    seconds = sum(value["seconds"] for value in values)
    return {"label": label, "start": start,
            "calls": sum(value["calls"] for value in values),
            "minutes": round(seconds / 60, 1), "billed_seconds": seconds,
            "legs": sum(value["legs"] for value in values),
            "answered": sum(value["answered"] for value in values),
            "revenue": sum(value["cost"] for value in values)}


def calls_and_money(now: float) -> dict:
    """Gives the calls and money figures: `hours` (the last 24 local hours, the current
    one last), `days` (the last 30 local days, today last), and the totals of each span
    with its answer rate (legs answered of legs placed, in %, None without a leg)."""
    origin = datetime.combine(first_day(now), datetime.min.time()).timestamp()
    books = hourly_books(origin, now)
    empty = {"calls": 0, "legs": 0, "answered": 0, "seconds": 0, "cost": 0}
    current = hour_start(now)
    hours = []
    for back in range(HOURS_SHOWN - 1, -1, -1):
        start = current - back * HOUR
        index = round((start - origin) / HOUR)
        hours.append(_bucket(datetime.fromtimestamp(start).strftime("%H:00"), start,
                             [books.get(index, empty)]))
    days: dict[date, list] = {}
    for index, values in books.items():
        days.setdefault(datetime.fromtimestamp(origin + index * HOUR).date(), []).append(values)
    day_rows = []
    for number in range(DAYS_SHOWN):
        day = first_day(now) + timedelta(days=number)
        start = datetime.combine(day, datetime.min.time()).timestamp()
        day_rows.append(_bucket(day.isoformat(), start, days.get(day, [])))
    return {"hours": hours, "days": day_rows,
            "last_24_hours": _totals(hours), "last_30_days": _totals(day_rows)}


def _totals(rows: list[dict]) -> dict:
    legs = sum(row["legs"] for row in rows)
    answered = sum(row["answered"] for row in rows)
    return {"calls": sum(row["calls"] for row in rows),
            "minutes": round(sum(row["billed_seconds"] for row in rows) / 60, 1),
            "legs": legs, "answered": answered,
            "answer_rate": round(100 * answered / legs, 1) if legs else None,
            "revenue": sum(row["revenue"] for row in rows)}


def modems_and_sims(box: str, now: float,
                    limits: Callable[[str], SimConfig | None]) -> dict:
    """Gives this box's modems (name, state, up), how many are up, and each SIM in them
    with its minutes today and this month against its limits and its latest credit."""
    modems = list(ModemStatusRecord.select().where(ModemStatusRecord.box == box)
                  .order_by(ModemStatusRecord.name))
    credit = latest_amounts([modem.iccid for modem in modems])
    usages = usages_of({modem.iccid: limits(modem.iccid) for modem in modems if modem.iccid},
                       now)
    sims = []
    for modem in modems:
        if not modem.iccid:
            continue
        usage = usages[modem.iccid]
        balance = credit.get(modem.iccid)
        sims.append({"modem": modem.name, "iccid": modem.iccid,
                     "minutes_today": usage.minutes_today,
                     "max_minutes_per_day": usage.limits.max_minutes_per_day,
                     "minutes_month": usage.minutes_month,
                     "max_minutes_per_month": usage.limits.max_minutes_per_month,
                     "calls_today": usage.calls_today,
                     "max_calls_per_day": usage.limits.max_calls_per_day,
                     "at_limit": usage.reached(),
                     "balance": balance.amount_minor if balance else None,
                     "balance_at": balance.at if balance else None})
    rows = [{"name": modem.name, "state": modem.state, "up": modem.state == "up",
             "reason": modem.reason or ""} for modem in modems]
    return {"modems": rows, "modems_up": sum(row["up"] for row in rows), "sims": sims}


def figures(box: str, now: float, limits: Callable[[str], SimConfig | None]) -> dict:
    """Gives everything the dashboard shows, plain values only (see the module docstring)."""
    return {"now": now, "box": box, **calls_and_money(now),
            **modems_and_sims(box, now, limits), "open_alerts": open_count(box)}
