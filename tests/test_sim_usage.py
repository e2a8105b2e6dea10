"""Each SIM's use against its [[sim]] limits, and how the pool's chooser ranks modems by it:
on both database engines, on an injected clock."""
from __future__ import annotations

from datetime import datetime
import types

import pytest

from gateway.care.sims import KIND, SimLimits
from gateway.care.usage import (day_start, month_start, next_day_start, next_month_start,
                                usage_of, usages_of)
from gateway.config import parse
from gateway.config.sims import SimConfig
from gateway.money.ledger import Cdr
from gateway.sms import store as sms_store
from gateway.sms.models import SmsOut
from gateway.store.alerts import Alert
from gateway.store.db import close_database, connect_database, db, open_database
from gateway.store.migrations import MIGRATIONS, migrate
from modems.pool import ModemStatus
from modems.signal import Health

from tests.test_money_64bit import migrate_to

SIM_A = "89490200001234567890"
SIM_B = "8944110068123456789"
NOW = datetime(2026, 12, 3, 10, 0).timestamp()       # local time: the day began at 06:00


@pytest.fixture
def database(db_url):
    open_database(db_url)
    yield
    close_database()


def config(tmp_path, **limits):
    sims = [{"iccid": SIM_A, "reset_hour": 6, **limits}, {"iccid": SIM_B, "reset_hour": 6}]
    return parse({"gateway": {"database": str(tmp_path / "x.db"), "state_dir": str(tmp_path),
                              "box": "b1"}, "sim": sims}, "test.toml")


def leg(iccid, started, seconds=None, billed=None, answered=True):
    """Writes one placed leg: `seconds` talked (None: still talking), `billed` seconds."""
    answered_at = started + 5 if answered else None
    ended = None if seconds is None else (answered_at or started) + seconds
    Cdr.create(box="b1", role="callback", direction="outgoing", number="+4917012345678",
               modem="m1", iccid=iccid, started_at=started, answered_at=answered_at,
               ended_at=ended, billed_seconds=billed if billed is not None else 0, cost=0)


def sms(iccid, sent_at, parts=1, state="sent"):
    """Sends one text on the SIM as the outbox does (`state` "failed": tried, never sent)."""
    out_id = sms_store.enqueue("b1", "+4917012345678", "x", sent_at)
    assert sms_store.claim(out_id, "m1", iccid, parts)
    with db.atomic():
        if state == "sent":
            sms_store.mark_sent(out_id, sent_at, iccid, parts)
        else:
            sms_store.mark_attempt_failed(out_id, "refused", None)
    assert SmsOut.get_by_id(out_id).state == state


def at(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute).timestamp()


def test_days_start_at_the_reset_hour_and_months_on_the_first():
    assert day_start(at(3, 10), 6) == at(3, 6)
    assert day_start(at(3, 5, 59), 6) == at(2, 6)
    assert next_day_start(at(3, 5, 59), 6) == at(3, 6)
    assert month_start(at(3, 10), 6) == at(1, 6)
    assert month_start(at(1, 5), 6) == datetime(2026, 11, 1, 6).timestamp()
    assert next_month_start(at(3, 10), 0) == datetime(2027, 1, 1).timestamp()


def test_counts_calls_minutes_and_sms_of_one_sim_today_and_this_month(database, tmp_path):
    leg(SIM_A, at(3, 7), 61, billed=120)            # billed 2 minutes
    leg(SIM_A, at(3, 8), 30, billed=0)              # no rate: its talk time counts
    leg(SIM_A, at(3, 9), answered=False, seconds=0)  # placed, never answered: a call, 0 min
    leg(SIM_A, NOW - 65, seconds=None)              # talking for a minute now
    leg(SIM_A, at(3, 5), 600, billed=600)           # before 06:00: yesterday, this month
    leg(SIM_A, at(1, 5), 600, billed=600)           # before the month began (1st, 06:00)
    leg(SIM_B, at(3, 7), 600, billed=600)           # another SIM
    sms(SIM_A, at(3, 7), parts=2)
    sms(SIM_A, at(3, 8))
    sms(SIM_A, at(3, 8), state="failed")
    sms(SIM_A, at(2, 8))
    sms(SIM_B, at(3, 8))
    limits = config(tmp_path, max_minutes_per_day=120, max_calls_per_day=60,
                    max_minutes_per_month=1000, max_sms_per_day=100)
    usage = usage_of(SIM_A, limits.sim(SIM_A), NOW)
    # 120 + 30 + 60 s = 3.5 minutes today; + 600 s yesterday this month
    assert (usage.minutes_today, usage.calls_today, usage.minutes_month, usage.sms_today) == \
        (4, 4, 14, 3)
    assert usage.summary() == "minutes today 4/120, calls 4/60, month 14/1000, SMS 3/100"
    assert usage.reached() == []
    assert usage.day_resets_at == at(4, 6)
    unlimited = usage_of(SIM_B, limits.sim(SIM_B), NOW)
    assert unlimited.summary() == "minutes today 10, calls 1, month 10, SMS 1"


def test_many_sims_read_at_once_count_as_each_read_alone(database):
    """The pool ranks every modem at once: SIMs of two reset hours, one with nothing used,
    each counted as usage_of counts it alone."""
    sim_c = "89331234567890123456"
    sims = {SIM_A: SimConfig(SIM_A, reset_hour=6, max_calls_per_day=3),
            SIM_B: SimConfig(SIM_B, reset_hour=0), sim_c: None}
    leg(SIM_A, at(3, 5), 600, billed=600)           # SIM_A's yesterday, SIM_B's today
    leg(SIM_A, at(3, 7), 61, billed=120)
    leg(SIM_B, at(3, 5), 90, billed=0)
    leg(SIM_B, at(2, 23), 600, billed=600)          # SIM_B's yesterday, this month
    leg(SIM_A, NOW - 125, seconds=None)             # talking for two minutes now
    sms(SIM_B, at(3, 1), parts=3)
    sms(SIM_A, at(3, 1))                            # SIM_A's yesterday
    together = usages_of(sims, NOW)
    assert set(together) == set(sims)
    for iccid, limits in sims.items():
        assert together[iccid] == usage_of(iccid, limits, NOW)
    counts = {iccid: (usage.minutes_today, usage.calls_today, usage.minutes_month,
                      usage.sms_today) for iccid, usage in together.items()}
    assert counts == {SIM_A: (4, 2, 14, 0), SIM_B: (2, 1, 12, 3), sim_c: (0, 0, 0, 0)}
    assert together[SIM_A].day_resets_at == at(4, 6)
    assert together[SIM_B].day_resets_at == at(4, 0)
    assert usages_of({}, NOW) == {}


def test_counting_a_sims_sms_reads_the_same_whatever_the_outbox_holds(tmp_path):
    """The pool counts every SIM's SMS before each SMS it sends: the count reads the
    quarter-hour counts, not every text sent today (SQLite's VM steps counted)."""
    open_database(str(tmp_path / "steps.db"))
    try:
        sims = {SIM_A: SimConfig(SIM_A, reset_hour=6), SIM_B: SimConfig(SIM_B, reset_hour=6)}

        def steps_to_count() -> int:
            steps = [0]

            def step() -> int:
                steps[0] += 1
                return 0
            db.connection().set_progress_handler(step, 1)
            try:
                usages_of(sims, NOW)
            finally:
                db.connection().set_progress_handler(None, 1)
            return steps[0]

        for _ in range(20):
            sms(SIM_A, NOW - 1800)
        few = steps_to_count()
        for _ in range(2000):
            sms(SIM_A, NOW - 1800)
        assert usages_of(sims, NOW)[SIM_A].sms_today == 2020
        assert steps_to_count() == few
    finally:
        close_database()


def test_sms_sent_before_the_upgrade_still_count(db_url, request):
    """A box upgraded mid-day keeps the SMS its SIMs sent that day before the upgrade."""
    cluster = request.getfixturevalue("pg_cluster") if "://" in db_url else None
    url = cluster.new_database(migrated=False) if cluster else db_url
    old = connect_database(url)
    old.connect()
    migrate_to(old, next(number for number, name, _ in MIGRATIONS
                         if "quarter of an hour" in name) - 1)
    insert = ("INSERT INTO sms_out (box, number, text, kind, state, reason, attempts, "
              "next_attempt_at, created_at, sent_at, iccid, parts, delivery, delivery_status) "
              "VALUES ('b1', '+4917012345678', 'x', 'reply', %s, '', 1, 0, 0, %s, %s, %s, '', '')"
              ).replace("%s", old.param)
    texts = (("sent", at(3, 7), SIM_A, 2), ("sent", at(3, 9), SIM_A, 1),
             ("sent", at(3, 5), SIM_A, 4),                # yesterday's
             ("failed", at(3, 8), SIM_A, 1), ("sent", at(3, 8), SIM_B, 3),
             ("sent", at(3, 8), None, 1))                 # no SIM known
    for state, sent_at, iccid, parts in texts:
        old.execute_sql(insert, (state, sent_at, iccid, parts))
    migrate(old)
    old.close()
    open_database(url)
    try:
        counts = usages_of({SIM_A: SimConfig(SIM_A, reset_hour=6),
                            SIM_B: SimConfig(SIM_B, reset_hour=6)}, NOW)
        assert (counts[SIM_A].sms_today, counts[SIM_B].sms_today) == (3, 3)
        sms(SIM_A, NOW - 60, parts=2)        # and the box counts on from there
        assert usage_of(SIM_A, SimConfig(SIM_A, reset_hour=6), NOW).sms_today == 5
    finally:
        close_database()
        if cluster:
            cluster.drop_database(url)


def status(name, iccid, registration="home"):
    return ModemStatus(name, "up", health=Health(18, -77, 3, registration, "Virtual GSM",
                                                 "ready", iccid, None))


def test_least_used_first_and_a_sim_at_its_limit_left_out_with_one_alert(database, tmp_path):
    clock = types.SimpleNamespace(now=NOW)
    statuses = [status("m1", SIM_A), status("m2", SIM_B), status("m3", None)]
    limits = SimLimits(config(tmp_path, max_calls_per_day=2, max_sms_per_day=1),
                       lambda: clock.now, lambda: statuses)
    leg(SIM_A, at(3, 7), 60, billed=60)
    leg(SIM_B, at(3, 7), 120, billed=120)
    # m3's SIM is not read yet: no limits known, counted as unused
    assert [s.name for s in limits.rank("call", statuses)] == ["m3", "m1", "m2"]
    leg(SIM_A, at(3, 8), 600, billed=600)           # m1: 11 minutes, 2 calls: at its limit
    for _ in range(3):
        assert [s.name for s in limits.rank("call", statuses)] == ["m3", "m2"]
    assert [s.name for s in limits.rank("sms", statuses)] == ["m3", "m2", "m1"]   # SMS, minutes
    alerts = list(Alert.select().where(Alert.kind == KIND))
    assert len(alerts) == 1 and alerts[0].repeats == 0
    alert = alerts[0]
    assert (alert.subject, alert.modem, alert.state) == (SIM_A, "m1", "open")
    assert alert.message == (f"SIM {SIM_A} (in m1) reached its limit: calls 2/2 (minutes today "
                             "11, calls 2/2, month 11, SMS 0/1); it is lent to no new call "
                             "until 2026-12-04 06:00")

    sms(SIM_A, at(3, 9))                            # and now its SMS too
    assert [s.name for s in limits.rank("sms", statuses)] == ["m3", "m2"]
    limits.check()
    assert Alert.select().where(Alert.kind == KIND).count() == 1

    clock.now = at(4, 5, 59)                        # not yet
    limits.check()
    assert Alert.get_by_id(alert.id).state == "open"
    clock.now = at(4, 6)                            # the reset: a new day
    limits.check()
    recovered = Alert.get_by_id(alert.id)
    assert recovered.state == "recovered" and recovered.recovered_at == at(4, 6)
    assert recovered.recovery == (f"SIM {SIM_A} is below its limits again: minutes today 0, "
                                  "calls 0/2, month 11, SMS 0/1")
    assert [s.name for s in limits.rank("call", statuses)] == ["m1", "m2", "m3"]


def test_an_open_alert_of_an_earlier_run_recovers_after_a_raised_limit(database, tmp_path):
    clock = types.SimpleNamespace(now=NOW)
    statuses = [status("m1", SIM_A)]
    leg(SIM_A, at(3, 7), 60, billed=60)
    first = SimLimits(config(tmp_path, max_calls_per_day=1), lambda: clock.now,
                      lambda: statuses)
    first.check()
    assert Alert.get(Alert.kind == KIND).state == "open"
    second = SimLimits(config(tmp_path, max_calls_per_day=5), lambda: clock.now,
                       lambda: [])                   # a restart with the limit raised
    second.check()
    assert Alert.get(Alert.kind == KIND).state == "recovered"
