"""The dashboard's figures from a seeded database, on both engines, on an injected clock."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gateway.care.dashboard import figures, hour_start
from gateway.care.models import SimBalance
from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr, Session
from gateway.store.alerts import raise_alert
from gateway.store.db import ModemStatusRecord, close_database, open_database

NOW = datetime(2026, 12, 3, 10, 20).timestamp()       # local time
SIM = "89490200001234567890"


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield
    close_database()


def call(started: float, talked: int | None, cost: int, box: str = "b1") -> None:
    """Writes one callback session of two legs: leg A answered, leg B answered after 10 s
    and billed `talked` seconds (None: B never answered)."""
    session = Session.create(box=box, kind="callback", number="+4917012345678",
                             state="settled", started_at=started, heartbeat_at=started,
                             ended_at=started + 100)
    Cdr.create(box=box, session=session, role="callback", direction="outgoing",
               number="+4917012345678", modem="m1", iccid=SIM, started_at=started,
               answered_at=started + 2, ended_at=started + 100, billed_seconds=120,
               cost=cost, rate_prefix="4917", cause="normal")
    Cdr.create(box=box, session=session, role="destination", direction="outgoing",
               number="+4930123456", modem="m2", started_at=started + 5,
               answered_at=started + 10 if talked is not None else None,
               ended_at=started + 10 + (talked or 0), billed_seconds=talked or 0,
               cost=cost if talked is not None else 0, rate_prefix="49",
               cause="normal" if talked is not None else "no answer")


def seed() -> None:
    this_hour = hour_start(NOW)
    call(this_hour + 60, 60, 12)                  # this hour: 2 legs answered, 3 minutes
    call(this_hour - 0.3, None, 12)               # a blink before this hour: the hour before
    call(this_hour - 3 * 3600, 240, 30)           # three hours ago
    call(NOW - 25 * 3600, 60, 7)                  # yesterday, before the last 24 hours
    call(NOW - 40 * 24 * 3600, 60, 99)            # long ago: in no figure
    call(NOW - 60, 60, 12, box="b2")              # another box sharing the books: counted
    ModemStatusRecord.create(box="b1", name="m1", state="up", iccid=SIM, updated_at=NOW)
    ModemStatusRecord.create(box="b1", name="m2", state="down", reason="no answer",
                             updated_at=NOW)
    ModemStatusRecord.create(box="b2", name="m9", state="up", updated_at=NOW)
    SimBalance.create(box="b1", iccid=SIM, modem="m1", at=NOW - 3600, amount_minor=1234)
    raise_alert("b1", "modem-down", "m2", NOW, "m2 is down")
    raise_alert("b2", "modem-down", "m9", NOW, "m9 is down")


def test_calls_minutes_answers_and_money_per_hour_and_day(database):
    seed()
    found = figures("b1", NOW, lambda iccid: SimConfig(iccid=iccid, max_minutes_per_day=30))
    hours = found["hours"]
    assert len(hours) == 24 and hours[-1]["start"] == hour_start(NOW)
    assert hours[-1]["label"] == "10:00" and hours[0]["label"] == "11:00"
    by_hour = {row["label"]: (row["calls"], row["legs"], row["answered"], row["minutes"],
                              row["revenue"]) for row in hours}
    # this hour: b1's call (2 legs, 2 + 1 minutes), b2's (the same) and the unanswered
    # leg B of the call that began 0.3 s before it
    assert by_hour["10:00"] == (2, 5, 4, 6.0, 48)
    # 0.3 s before 10:00 is 09:00 on both engines (PostgreSQL's CAST rounds: not here)
    assert by_hour["09:00"] == (1, 1, 1, 2.0, 12)
    assert by_hour["07:00"] == (1, 2, 2, 6.0, 60)
    assert sum(row["calls"] for row in hours) == 4
    day = found["last_24_hours"]
    assert (day["calls"], day["legs"], day["answered"], day["revenue"]) == (4, 8, 7, 120)
    assert day["answer_rate"] == 87.5 and day["minutes"] == 14.0
    days = found["days"]
    assert len(days) == 30 and days[-1]["label"] == "2026-12-03"
    today = datetime.fromtimestamp(NOW).date()
    yesterday = today - timedelta(days=1)
    assert {row["label"]: row["calls"] for row in days if row["calls"]} == {
        today.isoformat(): 4, yesterday.isoformat(): 1}
    month = found["last_30_days"]
    assert (month["calls"], month["revenue"]) == (5, 134)       # not the call 40 days ago


def test_modems_sims_and_alerts_of_this_box(database):
    seed()
    found = figures("b1", NOW, lambda iccid: SimConfig(iccid=iccid, max_minutes_per_day=30))
    assert [(modem["name"], modem["up"]) for modem in found["modems"]] == [("m1", True),
                                                                         ("m2", False)]
    assert found["modems_up"] == 1 and found["open_alerts"] == 1
    [sim] = found["sims"]
    assert (sim["modem"], sim["iccid"], sim["balance"]) == ("m1", SIM, 1234)
    # the SIM placed the four legs A of b1's calls since the day began (06:00 by default)
    assert sim["max_minutes_per_day"] == 30 and sim["minutes_today"] >= 6


def test_an_empty_box_gives_zeros_not_errors(database):
    found = figures("b1", NOW, lambda iccid: None)
    assert found["last_24_hours"] == {"calls": 0, "minutes": 0.0, "legs": 0, "answered": 0,
                                      "answer_rate": None, "revenue": 0}
    assert found["modems"] == [] and found["sims"] == [] and found["open_alerts"] == 0
