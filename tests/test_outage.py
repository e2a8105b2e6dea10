"""PostgreSQL stopped during a bridged call and started again: the call goes on, new
callers hear an apology (in their number's language), and the call's records and cost
arrive exactly once."""
from __future__ import annotations

import os
import time

import pytest

from audio import prompts, tones
from audio.match import Finder, find
from audio.speech import Speech
from gateway.calls.timeline import events_of
from gateway.money.ledger import Account, Cdr, Session
from gateway.money.journal import Journal, price_and_settle
from gateway.store.outage import CONNECTION_ERRORS, DatabaseWatch, forget_connection
from modems.sim import PhoneState

from tests.boxrig import BOX, FRIEND, USER, Rig, ensure_prompts, wait_for

TOLERATE = (CONNECTION_ERRORS,)      # the database may still be restarting


@pytest.fixture(scope="module", autouse=True)
def voice_prompts():
    ensure_prompts()
    prompts.generate("tr")


def test_database_outage_during_a_bridged_call(network, tmp_path, own_pg_cluster):
    rig = Rig(network, tmp_path, database=own_pg_cluster.new_database(),
              languages={"+4917055": "tr"})        # the stranger's: told in Turkish
    rig.start(balance=1000)
    user, friend = rig.user, rig.friend
    stranger = network.add_phone(number="+4917055555555")
    turkish = Speech(lang="tr", currency=rig.config.gateway.currency)
    try:
        rig.bridged_call()
        assert wait_for(lambda: Cdr.select().where(Cdr.answered_at.is_null(False)).count()
                        == 2, 10, TOLERATE)

        own_pg_cluster.stop_server()
        watch = rig.daemon.watch
        assert wait_for(lambda: watch.down, 10, TOLERATE), "the box did not notice the outage"
        # the call goes on: audio still flows both ways
        tone = tones.tone(700.0, 1.0)
        friend.clear_heard()
        user.play(tone)
        # wait for 2 s of audio, then look (a search under the phone's lock slows the network)
        assert friend.wait_heard(lambda pcm: len(pcm) >= 64000, timeout=10), \
            "the bridge stopped with the database"
        assert find(friend.heard(), tone[4800:8000]) is not None, "the tone did not get across"
        # the call ends during the outage: its bill waits in the journal
        friend.hangup()
        user.hangup()
        journal = Journal(tmp_path / "journal.db")
        assert wait_for(lambda: journal.pending() == 1, 15, TOLERATE), "the bill was not journaled"
        # a new caller is told the service is unavailable, and gets no callback
        stranger.call(BOX)
        assert stranger.wait_state(PhoneState.ACTIVE, timeout=15), "the box did not answer"
        assert stranger.wait_heard(Finder(turkish.say("service_unavailable")), timeout=15)
        assert stranger.wait_state(PhoneState.IDLE, timeout=10)
        assert rig.daemon.healthy()

        own_pg_cluster.start_server()
        forget_connection()           # this thread's connection died with the server
        assert wait_for(lambda: not watch.down and journal.pending() == 0, 20, TOLERATE), \
            "the journal was not replayed"
        session = Session.get(Session.number == USER)
        assert session.state == "settled"
        # the call's timeline, noted while the database was away, is written once it is back
        assert wait_for(lambda: [event.what for event in events_of(session.id)
                                 if event.kind == "leg" and event.what == "ended"]
                        == ["ended", "ended"], 10, TOLERATE), "the call's timeline was lost"
        cdrs = list(Cdr.select().where(Cdr.session == session.id).order_by(Cdr.id))
        assert [cdr.role for cdr in cdrs] == ["callback", "destination"]
        assert [cdr.number for cdr in cdrs] == [USER, FRIEND]
        assert all(cdr.ended_at and cdr.cost > 0 for cdr in cdrs)
        spent = sum(cdr.cost for cdr in cdrs)
        account = Account.get_by_id(rig.account_id)
        assert (account.balance, account.reserved) == (1000 - spent, 0)
        # replaying again (a crash between commit and removal) changes nothing
        assert price_and_settle(session.id, [], time.time()) == 0
        assert Account.get_by_id(rig.account_id).balance == 1000 - spent
        assert Cdr.select().count() == 2
        assert Session.select().where(Session.number == stranger.number).count() == 0
    finally:
        rig.stop()


def test_the_web_ui_shows_the_outage_and_changes_nothing(own_pg_cluster, tmp_path):
    import json
    import types

    from tests.webclient import Client, make_test_app

    url = own_pg_cluster.new_database()
    journal = Journal(tmp_path / "journal.db")
    watch = DatabaseWatch(journal, price_and_settle)
    services = types.SimpleNamespace(pool=None, calls=None, watch=watch)
    app = make_test_app(tmp_path, services, database=url)
    client = Client(app)
    csrf = client.login("root", "admin-secret")
    assert "unreachable" not in client.get("/admin/accounts").text
    own_pg_cluster.stop_server()
    try:
        reply = client.get("/api/account")
        assert reply.status == 503 and "unreachable" in json.loads(reply.text)["error"]
        assert watch.down
        page = client.get("/admin/accounts")
        assert page.status == 503 and "database has been unreachable since" in page.text
        refused = client.post("/admin/accounts", form={"csrf_token": csrf, "name": "carol",
                                                       "pin": "1234", "balance": "5",
                                                       "password": "carol-secret-1"})
        assert refused.status == 503 and "Nothing was changed" in refused.text
    finally:
        own_pg_cluster.start_server()
    forget_connection()
    assert watch.check() and not watch.down
    assert "unreachable" not in client.get("/admin/accounts").text
    assert Account.get_or_none(Account.name == "carol") is None
    from gateway.store.db import close_database
    close_database()


def test_a_box_started_while_the_database_is_away_apologizes_then_catches_up(
        network, tmp_path, own_pg_cluster):
    rig = Rig(network, tmp_path, database=own_pg_cluster.new_database())
    rig.seed(balance=1000)
    forget_connection()
    own_pg_cluster.stop_server()
    try:
        rig.start_daemon()          # the modems come up without the database
        assert rig.daemon.watch.down and "database unreachable" in rig.daemon.status_line()
        user = rig.user
        user.call(BOX)
        assert user.wait_state(PhoneState.ACTIVE, timeout=15), "the box did not answer"
        assert rig.heard(user, "service_unavailable", timeout=15)
        assert user.wait_state(PhoneState.IDLE, timeout=10)
        assert rig.daemon.healthy()

        own_pg_cluster.start_server()
        forget_connection()
        assert wait_for(lambda: not rig.daemon.watch.down, 15, TOLERATE), \
            "the box did not see the database return"
        from gateway.store.db import DaemonRecord
        assert DaemonRecord.get(DaemonRecord.box == "box").pid == os.getpid()
        # from now on a caller gets the callback
        user.clear_heard()
        rig.bridged_call()
        rig.friend.hangup()
        user.hangup()
        assert rig.wait_settled()
        assert Account.get_by_id(rig.account_id).balance == 1000 - sum(
            cdr.cost for cdr in Cdr.select())
    finally:
        rig.stop()
