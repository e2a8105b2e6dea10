"""Rates, rounding, maximum duration, reservations: money to the cent, never below zero."""
from __future__ import annotations

import threading
import time

import pytest

from gateway.money import accounts, ledger
from gateway.money.billing import (Rate, RateError, find_rate, max_duration, parse_rates_csv,
                                   talk_budget)
from gateway.store.db import close_database, open_database

PER_60 = Rate("49", "Germany", 6000, 0, 60, 60)       # 6 cents a minute, 60/60
PER_1 = Rate("4917", "Germany mobile", 6000, 0, 1, 1)  # 6 cents a minute, 1/1


@pytest.mark.parametrize("seconds,billed", [(0, 0), (1, 60), (59, 60), (60, 60), (61, 120)])
def test_60_60_increments(seconds, billed):
    assert PER_60.billed_seconds(seconds) == billed


@pytest.mark.parametrize("seconds,billed", [(59, 59), (60, 60), (61, 61)])
def test_1_1_increments(seconds, billed):
    assert PER_1.billed_seconds(seconds) == billed


def test_cost_rounds_up_to_the_cent_and_fee_only_when_answered():
    rate = Rate("44", "UK", 1234, 5, 30, 6)             # 1.234 cents a minute + 5 cents
    assert rate.cost(0) == 0
    assert rate.cost(1) == 5 + 1                        # 30 s of 1.234 c/min = 0.617 c -> 1
    assert rate.cost(31) == 5 + 1                       # 36 s -> 0.74 c -> 1
    assert PER_60.cost(61) == 12


def test_longest_prefix_wins():
    rates = [PER_60, PER_1, Rate("49900", "premium", 200000, 0, 60, 60)]
    assert find_rate(rates, "+4917012345678").prefix == "4917"
    assert find_rate(rates, "+4930123456").prefix == "49"
    assert find_rate(rates, "+49900123456").prefix == "49900"
    assert find_rate(rates, "+33123456789") is None


def test_max_duration_rounds_down_to_the_increment():
    # 24 cents for two legs of 6 c/min, 1/1: 120 s exactly
    assert max_duration(24, PER_1, PER_1) == 120
    # 60/60 increments: 23 cents buy only one minute of both legs (12 c), not 1:55
    assert max_duration(23, PER_60, PER_60) == 60
    assert max_duration(12, PER_60, PER_60) == 60


def test_balance_below_the_first_increment_is_refused():
    # a peer let a 0.01 balance make a 15 s call billed 0.04
    expensive = Rate("1", "US", 16000, 0, 15, 15)       # 16 c/min: 4 c per 15 s
    assert max_duration(1, expensive, expensive) == 0
    assert max_duration(7, expensive, expensive) == 0
    assert max_duration(8, expensive, expensive) == 15


def test_talk_budget_counts_what_leg_a_already_used():
    # leg A already talked 50 s of a 60/60 minute; the bridge may take only what is left
    assert talk_budget(24, PER_60, 50, PER_60) == 60
    assert talk_budget(24, PER_60, 130, PER_60) == 0


def test_rates_csv_reports_every_bad_line():
    text = ("prefix,description,price_per_minute,connect_fee,initial_increment,increment\n"
            "49,Germany,0.06,0,60,60\n"
            "4917,Mobile,abc,0,60,60\n"
            "x1,Bad prefix,0.1,0,60,60\n"
            "44,UK,0.05,0.001,60,60\n"
            "33,France,0.05,0,0,60\n"
            "49,Again,0.06,0,60,60\n")
    with pytest.raises(RateError) as error:
        parse_rates_csv(text)
    lines = [problem.split(":")[0] for problem in error.value.problems]
    assert lines == ["line 3", "line 4", "line 5", "line 6", "line 7"]


def test_rates_csv_money_in_integer_units():
    [rate] = parse_rates_csv("4917,Mobile,0.012,0.05,30,6\n")
    assert (rate.price_per_minute, rate.connect_fee) == (1200, 5)


@pytest.fixture
def books(db_url):
    open_database(db_url)
    yield
    close_database()


def test_reservations_never_overspend(books):
    account = accounts.create("alice", "1234", 100, time.time())
    ledger.Account.update(max_concurrent_sessions=10).where(
        ledger.Account.id == account.id).execute()
    session_ids = [ledger.start_session("box", account.id, "callback", f"+49170{index}",
                                        time.time()) for index in range(10)]
    granted = []
    barrier = threading.Barrier(10)

    def take(session_id):
        barrier.wait()
        try:
            ledger.reserve(session_id, account.id, 30)
            granted.append(session_id)
        except ledger.InsufficientCredit:
            pass
        finally:
            close_database()

    threads = [threading.Thread(target=take, args=(session_id,)) for session_id in session_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 3
    total = 0
    for session_id in session_ids:
        cost = 30 if session_id in granted else 0
        total += ledger.settle(session_id, [dict(role="callback", direction="outgoing",
                                                 number="+4917012345678", modem="m1",
                                                 started_at=time.time(), cost=cost)], time.time())
    refreshed = ledger.Account.get_by_id(account.id)
    assert refreshed.balance == 100 - total == 10
    assert refreshed.reserved == 0


def test_max_concurrent_sessions(books):
    account = accounts.create("bob", "1234", 100, time.time())
    ledger.start_session("box", account.id, "callback", "+4917011111111", time.time())
    with pytest.raises(ledger.InsufficientCredit):
        ledger.start_session("box", account.id, "callback", "+4917022222222", time.time())


def test_pin_lock_after_five_failures(books):
    account = accounts.create("carol", "1234", 0, time.time())
    now = 1_000_000.0
    for attempt in range(4):
        assert accounts.check_pin(account, "9999", "+4917000000000", now + attempt) \
            == accounts.PinCheck(ok=False)
    assert accounts.check_pin(account, "9999", "+4917000000000", now + 5).locked
    # locked: even the right PIN is refused, without saying whether it was right
    assert accounts.check_pin(account, "1234", "+4917000000000", now + 6).locked
    assert accounts.check_pin(account, "1234", "+4917000000000", now + 5 + 15 * 60 + 1).ok


def test_pins_are_stored_hashed(books):
    account = accounts.create("dave", "24680", 0, time.time())
    stored = ledger.Account.get_by_id(account.id).pin_hash
    assert "24680" not in stored and stored.startswith("scrypt$")
