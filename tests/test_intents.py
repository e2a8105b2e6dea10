"""Call intents (gateway/calls/intents.py) on both engines: a pending intent is started by one
session only, old ones expire uncalled, another box's are left alone."""
from __future__ import annotations

import threading

from gateway.calls import intents
from gateway.money import ledger
from gateway.store.db import close_database, db, open_database

NOW = 1_800_000_000.0


def test_an_intent_is_started_once(db_url):
    open_database(db_url)
    try:
        first = intents.record("box", "sms-callback", "+4917012345678", NOW)
        other_box = intents.record("elsewhere", "sms-callback", "+4917012345679", NOW)
        assert [intent.id for intent in intents.pending("box", NOW + 1)] == [first]
        assert intents.waiting_for("+4917012345678")
        session = ledger.start_session("box", None, "sms-callback", "+4917012345678", NOW)
        assert intents.mark_started(first, session, NOW + 1)
        assert not intents.mark_started(first, session + 1, NOW + 2), "started twice"
        assert intents.pending("box", NOW + 2) == []
        assert not intents.waiting_for("+4917012345678")
        row = intents.CallIntent.get_by_id(first)
        assert (row.state, row.session, row.started_at) == ("started", session, NOW + 1)
        assert intents.CallIntent.get_by_id(other_box).state == "pending"
    finally:
        close_database()


def test_two_sessions_racing_for_one_intent_one_wins(db_url):
    """Each writes its session row and marks the intent in one transaction: the loser's
    transaction is rolled back, its session row with it."""
    open_database(db_url)
    intent = intents.record("box", "sms-callback", "+4917012345678", NOW)
    close_database()
    barrier, results = threading.Barrier(2), []

    def session_thread() -> None:
        open_database(db_url, migrate=False)
        try:
            barrier.wait()
            with db.atomic():
                session = ledger.start_session("box", None, "sms-callback", "+4917012345678",
                                               NOW)
                if not intents.mark_started(intent, session, NOW):
                    raise intents.IntentTaken(intent)
            results.append("started")
        except intents.IntentTaken:
            results.append("taken")
        finally:
            close_database()

    threads = [threading.Thread(target=session_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    open_database(db_url, migrate=False)
    try:
        assert sorted(results) == ["started", "taken"]
        assert ledger.Session.select().count() == 1
        assert intents.CallIntent.get_by_id(intent).session == ledger.Session.get().id
    finally:
        close_database()


def test_an_intent_older_than_max_age_expires_uncalled(db_url):
    open_database(db_url)
    try:
        old = intents.record("box", "connect-two", "+4917012345678", NOW,
                             destination="+4930123456", account=1, reply_to="+4917000000000")
        fresh = intents.record("box", "sms-callback", "+4917012345679", NOW + intents.MAX_AGE)
        due = intents.pending("box", NOW + intents.MAX_AGE + 1)
        assert [intent.id for intent in due] == [fresh]
        assert intents.CallIntent.get_by_id(old).state == "expired"
        assert not intents.waiting_for("+4917012345678")
    finally:
        close_database()
