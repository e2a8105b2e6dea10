"""Money across boxes: two processes (two boxes) on one PostgreSQL database,
25 sessions each at once for one account, through gateway/money/ledger.py itself."""
from __future__ import annotations

import multiprocessing
import threading
import time

from peewee import fn
import pytest

from gateway.money import accounts, ledger
from gateway.store.db import close_database, open_database

SESSIONS_PER_BOX = 25
BOXES = ("site-a", "site-b")
BALANCE = 1000        # cents
CHUNK = 20            # cents reserved at a time, as a call's running reservation grows
LIMIT = 3             # max_concurrent_sessions in the limit test


def planned_cost(index: int) -> int:
    """What session `index` would spend if the money lasted: 3 102 cents in all."""
    return 37 + index * 13 % 50


def leg(cost: int) -> dict:
    return dict(role="destination", direction="outgoing", number="+4930123456",
                modem="m2", started_at=time.time(), ended_at=time.time(), cost=cost)


def spend(box: str, account_id: int, index: int, barrier: threading.Barrier) -> dict:
    """One call: reserves in chunks while the money lasts, spends all it held, settles."""
    session_id = ledger.start_session(box, account_id, "callback", f"+4917000{index:04d}",
                                      time.time())
    barrier.wait()
    held = 0
    while held < planned_cost(index):
        chunk = min(CHUNK, planned_cost(index) - held)
        try:
            ledger.reserve(session_id, account_id, chunk)
        except ledger.InsufficientCredit:
            break
        held += chunk
    return {"cost": held, "debited": ledger.settle(session_id, [leg(held)], time.time())}


def hold(box: str, account_id: int, index: int, barrier: threading.Barrier) -> dict:
    """One callback whose caller is known only after answering: attach, hold, settle."""
    session_id = ledger.start_session(box, None, "callback", f"+4917000{index:04d}", time.time())
    tried = time.monotonic()        # CLOCK_MONOTONIC: one clock for both processes
    try:
        ledger.attach_account(session_id, account_id)
    except ledger.InsufficientCredit:
        admitted, began, running = False, None, 0
    else:
        admitted, began = True, time.monotonic()
        running = ledger.running_sessions(account_id)
    barrier.wait()      # every session of this box has tried before an admitted one ends
    ended = time.monotonic()
    if admitted:
        ledger.reserve(session_id, account_id, 10)
    ledger.settle(session_id, [leg(10 if admitted else 0)], time.time())
    return {"admitted": admitted, "tried": tried, "began": began, "ended": ended,
            "running": running}


def run_box(url: str, box: str, work: str, account_id: int, first: int, ready, go, results):
    """A box: its own process and connections, SESSIONS_PER_BOX sessions at once."""
    open_database(url, migrate=False)
    session = {"spend": spend, "hold": hold}[work]
    barrier = threading.Barrier(SESSIONS_PER_BOX)
    outcomes = []

    def one(index: int) -> None:
        try:
            outcomes.append(session(box, account_id, index, barrier))
        finally:
            close_database()

    threads = [threading.Thread(target=one, args=(first + number,), name=f"{box}-{number}")
               for number in range(SESSIONS_PER_BOX)]
    ready.put(box)
    go.wait(60)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    results.put((box, outcomes))


def run_boxes(url: str, work: str, account_id: int) -> list[dict]:
    """Gives every session's outcome after both boxes ran theirs at the same moment."""
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    processes = [context.Process(target=run_box, args=(url, box, work, account_id,
                                                       number * SESSIONS_PER_BOX, ready, go,
                                                       results))
                 for number, box in enumerate(BOXES)]
    for process in processes:
        process.start()
    try:
        assert sorted(ready.get(timeout=60) for _ in BOXES) == sorted(BOXES)
        go.set()
        by_box = dict(results.get(timeout=180) for _ in BOXES)
    finally:
        for process in processes:
            process.join(30)
    assert all(process.exitcode == 0 for process in processes)
    assert all(len(outcomes) == SESSIONS_PER_BOX for outcomes in by_box.values()), \
        "a session failed: see the captured stderr"
    return [dict(outcome, box=box) for box, outcomes in by_box.items() for outcome in outcomes]


@pytest.fixture
def shared(pg_cluster):
    """Gives the shared database's URL and one account with BALANCE on it."""
    url = pg_cluster.new_database()
    open_database(url)
    account = accounts.create("shared", "1234", BALANCE, time.time())
    yield url, account.id
    close_database()


def test_fifty_sessions_on_two_boxes_never_overspend(shared):
    url, account_id = shared
    ledger.Account.update(max_concurrent_sessions=2 * SESSIONS_PER_BOX).where(
        ledger.Account.id == account_id).execute()
    outcomes = run_boxes(url, "spend", account_id)
    account = ledger.Account.get_by_id(account_id)
    spent = sum(outcome["cost"] for outcome in outcomes)
    assert sum(planned_cost(index) for index in range(50)) > 3 * BALANCE
    assert account.balance >= 0 and account.reserved == 0
    assert BALANCE - account.balance == spent == sum(outcome["debited"] for outcome in outcomes)
    billed = ledger.Cdr.select(fn.SUM(ledger.Cdr.cost)).where(
        ledger.Cdr.account == account_id).scalar()
    assert billed == spent
    assert account.balance < CHUNK             # the money ran out: the boxes really competed
    sessions = ledger.Session.select().where(ledger.Session.account == account_id)
    assert sessions.count() == 50 and all(row.state == "settled" for row in sessions)
    assert {row.box for row in sessions} == set(BOXES)


def test_max_concurrent_sessions_holds_across_boxes(shared):
    url, account_id = shared
    ledger.Account.update(max_concurrent_sessions=LIMIT).where(
        ledger.Account.id == account_id).execute()
    outcomes = run_boxes(url, "hold", account_id)
    admitted = [outcome for outcome in outcomes if outcome["admitted"]]
    # Within a box every admitted session overlaps every other; a refusal means LIMIT ran.
    assert LIMIT <= len(admitted) <= 2 * LIMIT
    for box in BOXES:
        assert sum(outcome["box"] == box for outcome in admitted) <= LIMIT
    assert max(outcome["running"] for outcome in admitted) <= LIMIT
    moments = sorted([(outcome["began"], 1) for outcome in admitted]
                     + [(outcome["ended"], -1) for outcome in admitted])
    running = most = 0
    for _, step in moments:
        running += step
        most = max(most, running)
    assert most <= LIMIT
    # The staged race happened: a box was refused while the other box held admitted
    # sessions, so the limit was enforced across boxes, not within one box at a time.
    refused_across = [outcome for outcome in outcomes if not outcome["admitted"]
                      and any(other["box"] != outcome["box"]
                              and other["began"] <= outcome["tried"] <= other["ended"]
                              for other in admitted)]
    assert refused_across, "the two boxes never competed: one ran after the other"
    account = ledger.Account.get_by_id(account_id)
    assert account.balance == BALANCE - 10 * len(admitted) and account.reserved == 0
    assert ledger.running_sessions(account_id) == 0
